/**
 * Server-Sent Events: live updates from this peer to its page (text/event-stream, as the
 * HTML standard defines it). One event is `id`, `event` and one `data:` line per line of
 * data, then a blank line; a line starting with `:` is a comment, sent as a heartbeat so
 * proxies and idle timers see traffic.
 */
import type { ServerResponse } from 'node:http';
import { BASE_HEADERS } from './http.js';

/** How often an idle stream gets a comment line. */
export const HEARTBEAT_MS = 15_000;

/**
 * One event as its bytes. CR, LF and CRLF all end a line in the format, so data is split on
 * each of them; the event name must be a single line.
 */
export function formatEvent(event: string, data: string, id?: number): string {
  if (/[\r\n]/.test(event)) throw new RangeError('an event name must be one line');
  const lines = data.split(/\r\n|\r|\n/).map((l) => `data: ${l}\n`).join('');
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\n${lines}\n`;
}

/** Every page connected to the event stream; `send` reaches them all. */
export class EventHub {
  readonly #clients = new Set<ServerResponse>();
  #nextId = 1;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(readonly heartbeatMs = HEARTBEAT_MS) {}

  get size(): number {
    return this.#clients.size;
  }

  /** Takes over `res` as an event stream; `first` events go to it alone before anything else. */
  attach(res: ServerResponse, first: ReadonlyArray<readonly [string, unknown]> = []): void {
    res.writeHead(200, { ...BASE_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    // The browser reconnects after this many ms if the stream breaks.
    res.write('retry: 2000\n\n');
    for (const [event, data] of first) res.write(formatEvent(event, JSON.stringify(data), this.#nextId++));
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
    this.#heartbeat ??= setInterval(() => {
      for (const c of this.#clients) c.write(': keep-alive\n\n');
    }, this.heartbeatMs).unref();
  }

  /** Sends one event (its data as JSON) to every connected page. */
  send(event: string, data: unknown): void {
    const text = formatEvent(event, JSON.stringify(data), this.#nextId++);
    for (const c of this.#clients) c.write(text);
  }

  /** Ends every stream. */
  close(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    for (const c of this.#clients) c.end();
    this.#clients.clear();
  }
}

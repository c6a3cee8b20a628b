/**
 * Helpers for the page's tests: a page started on a test mesh, raw HTTP requests (node:http,
 * so the Host and Origin headers can be set as a hostile client would), and a reader of the
 * event stream that parses it the way a browser does.
 */
import { type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import { type Mesh, type Proxy, throttledProxy } from '../helpers.js';
import type { PeerAddress } from '../../src/settings.js';
import { renderResult } from '../../src/cli/render.js';
import { type RunningUi, type UiOptions, startUi } from '../../src/web/ui-server.js';

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  json(): any;
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string | Buffer[];
}

/** One HTTP request to 127.0.0.1:port; a Buffer[] body is sent chunked, one write a chunk. */
export function request(port: number, path: string, options: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) });
      });
    });
    req.on('error', reject);
    const { body } = options;
    if (Array.isArray(body)) for (const chunk of body) req.write(chunk);
    else if (body !== undefined) req.write(body);
    req.end();
  });
}

/** POSTs a JSON body from the page's own origin. */
export function postJson(ui: RunningUi, path: string, body: unknown): Promise<Answer> {
  return request(ui.port, `/${ui.token}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${ui.port}` }, body: JSON.stringify(body) });
}

export interface StreamEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

/** Parses an event stream as the HTML standard says (fields, CR/LF/CRLF line ends, comments). */
export function parseEvents(text: string): { events: StreamEvent[]; rest: string } {
  const events: StreamEvent[] = [];
  const blocks = text.split(/\r\n\r\n|\n\n|\r\r/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (data.length > 0) events.push({ event, data: data.join('\n'), ...(id === undefined ? {} : { id }) });
  }
  return { events, rest };
}

/** Reads a page's event stream; waitFor resolves with the first event (seen or coming) that matches. */
export class EventReader {
  readonly events: StreamEvent[] = [];
  #buffer = '';
  #waiters: { match: (e: StreamEvent) => boolean; resolve: (e: StreamEvent) => void }[] = [];
  #res: IncomingMessage | undefined;

  static async open(port: number, path: string): Promise<EventReader> {
    const reader = new EventReader();
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, accept: 'text/event-stream' } }, (res) => {
        reader.#res = res;
        res.setEncoding('utf8');
        res.on('data', (text: string) => reader.#take(text));
        resolve();
      });
      req.on('error', reject);
      req.end();
    });
    return reader;
  }

  get headers(): IncomingHttpHeaders {
    return this.#res?.headers ?? {};
  }

  #take(text: string): void {
    const { events, rest } = parseEvents(this.#buffer + text);
    this.#buffer = rest;
    for (const e of events) {
      this.events.push(e);
      for (const w of [...this.#waiters]) {
        if (w.match(e)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    }
  }

  waitFor(match: (e: StreamEvent) => boolean, ms = 10_000): Promise<StreamEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such event within ${ms} ms; saw ${this.events.map((e) => e.event).join(', ')}`)), ms);
      this.#waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  close(): void {
    this.#res?.destroy();
  }
}

/** Starts the page of peer `id` of a test mesh. */
export async function startMeshPage(mesh: Mesh, id: string, options: Partial<UiOptions> = {}): Promise<RunningUi> {
  return startUi({ ctx: mesh.contextOf(id), folder: await mesh.folderOf(id), render: renderResult, timeoutMs: 5000, ...options });
}

/** The peers, with each one named in `rates` reached through a proxy passing its answers at that rate. */
export async function throttledPeers(peers: readonly PeerAddress[], rates: Record<string, number>): Promise<{ peers: PeerAddress[]; close(): Promise<void> }> {
  const proxies: Proxy[] = [];
  const out: PeerAddress[] = [];
  for (const p of peers) {
    const rate = rates[p.id];
    const proxy = rate === undefined ? undefined : await throttledProxy(p, rate);
    if (proxy) proxies.push(proxy);
    out.push(proxy ? { ...p, port: proxy.port } : p);
  }
  return { peers: out, close: async () => void (await Promise.all(proxies.map((p) => p.close()))) };
}

/**
 * The page's log panel (the cousin GUI's "System Log"): what this peer's page did, in the
 * console's words, and the request log of a server running in this peer folder. Keeps the
 * last entries for a page that connects later; every new entry goes out as a `log` event.
 */
import type { EventHub } from './sse.js';

export interface LogEntry {
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** `page`: an action taken from the page; `server`: a line of the server's request log. */
  readonly source: 'page' | 'server';
  readonly text: string;
  /** Set when the entry is a failure: its code. */
  readonly code?: string;
}

/** Entries kept for pages that connect later. */
export const LOG_KEEP = 500;

export class ActivityLog {
  readonly #entries: LogEntry[] = [];

  constructor(readonly hub: EventHub) {}

  get entries(): readonly LogEntry[] {
    return this.#entries;
  }

  add(source: LogEntry['source'], text: string, code?: string): void {
    const entry: LogEntry = { at: Date.now(), source, text, ...(code === undefined ? {} : { code }) };
    this.#entries.push(entry);
    if (this.#entries.length > LOG_KEEP) this.#entries.splice(0, this.#entries.length - LOG_KEEP);
    this.hub.send('log', entry);
  }
}

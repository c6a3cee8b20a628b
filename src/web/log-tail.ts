/**
 * The server's request log, live, for the page. A server is its own process; nothing connects
 * it to the client's, so the page follows the file the server's output goes to (the README's
 * recipe starts each server with `> server.log` in its peer folder; --server-log names another
 * file). The file is polled: new complete lines are handed on; a file that shrank (rotated or
 * truncated) is read again from its start; a missing file is waited for.
 */
import { open, stat } from 'node:fs/promises';

/** How often the file is looked at. */
export const POLL_MS = 500;
/** On start, at most this much of the file's end is read (its last lines). */
export const BACKLOG_BYTES = 64 * 1024;

export interface TailStatus {
  readonly path: string;
  readonly found: boolean;
}

export class LogTail {
  #offset = -1;
  #partial = '';
  #found = false;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  /** The first read began mid-file: its first (partial) line is not shown. */
  #dropFirst = false;

  constructor(readonly path: string, readonly onLine: (line: string) => void, readonly onStatus: (status: TailStatus) => void = () => undefined) {}

  get status(): TailStatus {
    return { path: this.path, found: this.#found };
  }

  start(pollMs = POLL_MS): void {
    void this.poll();
    this.#timer = setInterval(() => void this.poll(), pollMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Reads what is new since the last look. */
  async poll(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const size = await stat(this.path).then((s) => (s.isFile() ? s.size : undefined), () => undefined);
      this.#setFound(size !== undefined);
      if (size === undefined) return;
      if (this.#offset < 0) {
        this.#offset = Math.max(0, size - BACKLOG_BYTES);
        this.#dropFirst = this.#offset > 0;
      }
      if (size < this.#offset) {
        this.#offset = 0;
        this.#partial = '';
        this.#dropFirst = false;
      }
      if (size > this.#offset) await this.#read(this.#offset, size);
    } finally {
      this.#busy = false;
    }
  }

  async #read(from: number, to: number): Promise<void> {
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(to - from);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
      this.#offset = from + bytesRead;
      const lines = (this.#partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      this.#partial = lines.pop() ?? '';
      // A backlog read from the middle of the file starts mid-line: that piece is dropped.
      if (this.#dropFirst && lines.length > 0) {
        lines.shift();
        this.#dropFirst = false;
      }
      for (const line of lines) if (line.trim() !== '') this.onLine(line.replace(/\r$/, ''));
    } finally {
      await handle.close();
    }
  }

  #setFound(found: boolean): void {
    if (found === this.#found) return;
    this.#found = found;
    this.onStatus(this.status);
  }
}

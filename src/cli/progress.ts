/**
 * The live progress line of one or several downloads: bytes verified of the total, the speed
 * now (over the last two seconds, new bytes only: resumed pieces are not speed), and the time
 * left at that speed. The caller draws the line (Output.progress). Times are the caller's
 * (performance.now() in ms), so tests drive it without a clock.
 */
import { RateMeter } from '../client/rate-meter.js';
import { formatBytes, formatRate, formatSeconds } from './format.js';

interface FileProgress {
  size: number;
  received: number;
  /** Bytes that were there before this run (resumed); not counted as speed. */
  base: number | undefined;
  done: boolean;
}

export class ProgressLine {
  readonly #files = new Map<string, FileProgress>();
  readonly #meter = new RateMeter(2000);
  readonly #count: number;
  #peers = 0;
  #partial = 0;

  /** @param count the number of files (1: the single-file line) */
  constructor(count = 1) {
    this.#count = count;
  }

  /** A file's progress: `received` verified bytes of `size`, resumed ones included. */
  update(name: string, p: { size: number; received: number; activePeers?: number; partialPeers?: number }, now: number): void {
    const file = this.#files.get(name) ?? { size: p.size, received: 0, base: undefined, done: false };
    this.#files.set(name, file);
    this.#meter.start(now);
    // The first report of a file counts what was there before (a resume) as its base, not as speed.
    if (file.base === undefined) file.base = p.received;
    else if (p.received > file.received) this.#meter.record(p.received - file.received, now);
    file.size = p.size;
    file.received = Math.max(file.received, p.received);
    if (p.activePeers !== undefined) this.#peers = p.activePeers;
    if (p.partialPeers !== undefined) this.#partial = p.partialPeers;
  }

  /** A file is finished (downloaded, already here, or failed). */
  finish(name: string): void {
    const file = this.#files.get(name) ?? { size: 0, received: 0, base: 0, done: false };
    file.done = true;
    this.#files.set(name, file);
  }

  /**
   * The line: "  45.2%  1.2 MiB/4.0 MiB  2.31 MB/s  ETA 3.1 s  3 peers", with "(2 partial)" when
   * some of them are still downloading the file themselves (several files: how many are done first).
   */
  line(): string {
    let size = 0;
    let received = 0;
    for (const f of this.#files.values()) {
      size += f.size;
      received += f.done ? f.size : f.received;
    }
    const rate = this.#meter.rate * 1000; // bytes per second
    const percent = size === 0 ? 100 : (received / size) * 100;
    const eta = rate > 0 ? (size - received) / rate : Infinity;
    const done = [...this.#files.values()].filter((f) => f.done).length;
    const head = this.#count > 1 ? `${done} of ${this.#count} files  ` : '';
    const partial = this.#partial > 0 ? ` (${this.#partial} partial)` : '';
    const tail = this.#count > 1 ? '' : `  ${this.#peers} peer${this.#peers === 1 ? '' : 's'}${partial}`;
    return `${head}${percent.toFixed(1).padStart(5)}%  ${formatBytes(received)}/${formatBytes(size)}  ${formatRate(rate, 1)}  ETA ${formatSeconds(eta)}${tail}`;
  }
}

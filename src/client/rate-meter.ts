/**
 * A source's throughput, measured over a window of at least a second (issue 10): bytes that
 * arrived in the window ending at the latest arrival, divided by the window. Pieces that sat in
 * a socket buffer arrive back to back (0 ms apart); counted one by one they read as hundreds of
 * MB/s and set deadlines no shared uplink can meet. Over a window they are just bytes. Before
 * a window has passed since the first request went out, the rate is bytes since then over the
 * time since then. Pure: the caller supplies the times (performance.now() in ms).
 */

/** Shortest span a rate is given for; before it the rate is unknown (0). */
const MIN_SPAN_MS = 50;

export class RateMeter {
  readonly #windowMs: number;
  /** Arrival times and sizes, oldest first; only the last window's are kept. */
  readonly #times: number[] = [];
  readonly #sizes: number[] = [];
  #head = 0;
  #inWindow = 0;
  #since: number | undefined;

  constructor(windowMs = 1000) {
    this.#windowMs = windowMs;
  }

  /** The first request went out at `now` (the measurement starts; later calls are ignored). */
  start(now: number): void {
    this.#since ??= now;
  }

  /** `bytes` arrived at `now`. */
  record(bytes: number, now: number): void {
    this.#since ??= now;
    this.#times.push(now);
    this.#sizes.push(bytes);
    this.#inWindow += bytes;
    const from = now - this.#windowMs;
    while (this.#head < this.#times.length && (this.#times[this.#head] as number) <= from) {
      this.#inWindow -= this.#sizes[this.#head] as number;
      this.#head++;
    }
    if (this.#head > 1024) {
      this.#times.splice(0, this.#head);
      this.#sizes.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Bytes per ms over the last window (ending at the latest arrival), or 0 if not known yet. */
  get rate(): number {
    const last = this.#times.at(-1);
    if (last === undefined || this.#since === undefined) return 0;
    const span = Math.min(this.#windowMs, last - this.#since);
    if (span < MIN_SPAN_MS) return 0;
    return this.#inWindow / span;
  }
}

/**
 * Current speed for the page: bytes that arrived in the last window ending *now*, over the
 * window. Unlike client/rate-meter.ts (which ends its window at the latest arrival, to set
 * deadlines), this reads 0 once a peer stops delivering, which is what a live bar should
 * show. Pure: the caller supplies times (ms).
 */
export class SpeedWindow {
  readonly #windowMs: number;
  readonly #samples: { at: number; bytes: number }[] = [];
  #since: number | undefined;

  constructor(windowMs = 1000) {
    this.#windowMs = windowMs;
  }

  /** Measuring starts at `now` (so the first second is not read as a full window). */
  start(now: number): void {
    this.#since ??= now;
  }

  record(bytes: number, now: number): void {
    this.#since ??= now;
    this.#samples.push({ at: now, bytes });
    this.#drop(now);
  }

  /** Bytes per second over the window ending at `now`. */
  rate(now: number): number {
    this.#drop(now);
    if (this.#since === undefined) return 0;
    const span = Math.min(this.#windowMs, now - this.#since);
    if (span <= 0) return 0;
    const bytes = this.#samples.reduce((sum, s) => sum + s.bytes, 0);
    return (bytes / span) * 1000;
  }

  #drop(now: number): void {
    const from = now - this.#windowMs;
    let n = 0;
    while (n < this.#samples.length && (this.#samples[n] as { at: number }).at <= from) n++;
    if (n > 0) this.#samples.splice(0, n);
  }
}

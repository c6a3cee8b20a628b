/**
 * Current speed for the page: bytes that arrived in the last window ending *now*, over the
 * window. Unlike client/rate-meter.ts (which ends its window at the latest arrival, to set
 * deadlines), this reads 0 once a peer stops delivering, which is what a live bar should
 * show. Pure: the caller supplies times (ms).
 */
export class SpeedWindow {
  readonly #samples: { at: number; bytes: number }[] = [];

  /** Measuring starts at `since`, so the first second is not read as a full window. */
  constructor(readonly since: number, readonly windowMs = 1000) {}

  record(bytes: number, now: number): void {
    this.#samples.push({ at: now, bytes });
  }

  /** Bytes per second over the window ending at `now`. */
  rate(now: number): number {
    const from = now - this.windowMs;
    const stale = this.#samples.findIndex((s) => s.at > from);
    this.#samples.splice(0, stale < 0 ? this.#samples.length : stale);
    const span = Math.min(this.windowMs, now - this.since);
    return span <= 0 ? 0 : (this.#samples.reduce((sum, s) => sum + s.bytes, 0) / span) * 1000;
  }
}

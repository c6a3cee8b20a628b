/**
 * How far a source is behind: the bytes it was asked for and has not delivered yet, against
 * its observed rate (rate-meter.ts). The swarm keeps one per source; the endgame
 * (scheduler.ts, Pace) duplicates only requests that are late by it (issue 11). Pure: the
 * caller supplies the times (performance.now() in ms).
 */
import { RateMeter } from './rate-meter.js';

export class SourcePace {
  /** The source's throughput over the last second. */
  readonly meter = new RateMeter();
  /** Bytes asked for that have neither arrived nor failed. */
  #queued = 0;
  /** When the source last delivered, or was last given work while it had none. */
  #since = 0;
  /** Bytes delivered, the first request's time and the last arrival's (for msFor without a rate). */
  #delivered = 0;
  #first: number | undefined;
  #last = 0;

  /** Bytes asked for and not yet arrived. */
  get queued(): number {
    return this.#queued;
  }

  /** A request for `bytes` went out at `now`. */
  asked(bytes: number, now: number): void {
    if (this.#queued <= 0) this.#since = now;
    this.#queued += bytes;
    this.#first ??= now;
    this.meter.start(now);
  }

  /** A request's `bytes` arrived at `now`. */
  arrived(bytes: number, now: number): void {
    this.#queued -= bytes;
    this.#since = now;
    this.#delivered += bytes;
    this.#last = now;
    this.meter.record(bytes, now);
  }

  /** A request for `bytes` failed: they will not arrive. */
  dropped(bytes: number): void {
    this.#queued -= bytes;
  }

  /**
   * Ms until everything asked for should have arrived, at the observed rate, counting the time
   * since the last arrival as progress. A source behind its rate (or without one yet) has been
   * silent for some time: it is taken to need as long again.
   */
  remainingMs(now: number): number {
    if (this.#queued <= 0) return 0;
    const silent = Math.max(0, now - this.#since);
    const rate = this.meter.rate;
    const expected = rate > 0 ? this.#queued / rate - silent : 0;
    return expected > 0 ? expected : silent;
  }

  /**
   * Ms this source would take for `bytes` more with nothing queued, at its observed rate; before
   * the meter has a rate (its first 50 ms), at what it delivered so far. Undefined until it has
   * delivered something.
   */
  msFor(bytes: number): number | undefined {
    const rate = this.meter.rate;
    if (rate > 0) return bytes / rate;
    if (this.#delivered === 0 || this.#first === undefined) return undefined;
    return (bytes * (this.#last - this.#first)) / this.#delivered;
  }
}

/**
 * A rate limit: a token bucket shared by every connection it paces (issue 15, --max-upload-rate
 * and --max-download-rate). Pure timing over performance.now(), no sockets: the server's send
 * path asks before it hands bytes to a socket (take), a client's receive path tells it what it
 * read and pauses reading for as long as it is told (spend).
 *
 * - Tokens come in at `rate` bytes a second; an idle bucket saves at most BURST_SECONDS of them
 *   (and at least MIN_BURST bytes), so a transfer that starts after a pause gets only a small
 *   head start and the rate over any 10 s holds within a few per cent.
 * - A take or spend may drive the bucket below zero (bytes are never split to fit): whoever
 *   comes next waits until it is back at zero, so the debt is paid before anything more moves.
 * - Waiting takes are served first come, first served: connections that each queue one slice
 *   at a time share the rate evenly (round robin), however many there are.
 * - The rate can change at any time (#LIMIT, the page); 0 lifts the limit and lets every waiter go.
 */

/** The most an idle bucket saves, in seconds of its rate. */
export const BURST_SECONDS = 0.05;
/** The least an idle bucket saves: one slice goes out at once. */
export const MIN_BURST = 16 * 1024;
/** A limit counts as holding transfers back for this long after it last made one wait. */
export const HOLDING_MS = 1000;

const MIN_SLICE = 16 * 1024;
const MAX_SLICE = 256 * 1024;

/**
 * Bytes moved at a time under a limit of `rate` bytes a second: a fiftieth of a second of it,
 * 16 KiB to 256 KiB. Small, so that no connection runs far ahead of the rate in one go (what a
 * transfer owes when it ends is never paid back) and a change of rate is felt at once.
 */
export function sliceFor(rate: number): number {
  return Math.min(MAX_SLICE, Math.max(MIN_SLICE, Math.floor(rate / 50)));
}

interface Waiter {
  readonly bytes: number;
  readonly resolve: () => void;
}

export class RateLimit {
  #rate: number;
  #tokens = 0;
  #at: number;
  readonly #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** performance.now() of the last time the limit made someone wait. */
  #heldAt = -Infinity;
  readonly #now: () => number;

  /** @param rate bytes a second; 0: no limit */
  constructor(rate = 0, now: () => number = () => performance.now()) {
    this.#rate = rate;
    this.#now = now;
    this.#at = now();
  }

  /** Bytes a second; 0 means no limit. */
  get rate(): number {
    return this.#rate;
  }

  /** Sets the rate; 0 lifts the limit. Waiters are served at the new rate (all at once for 0). */
  set rate(rate: number) {
    this.#refill();
    this.#rate = rate;
    if (rate === 0) this.#tokens = 0;
    else this.#tokens = Math.min(this.#tokens, this.#burst());
    this.#serve();
  }

  /** True if the limit made a transfer wait within the last HOLDING_MS: it is what holds it back. */
  get holding(): boolean {
    return this.#rate > 0 && this.#now() - this.#heldAt < HOLDING_MS;
  }

  /**
   * Waits until `bytes` may go (the sending side). Resolves at once, without a promise tick,
   * when there is no limit or nobody waits and the bucket is not in debt: returns undefined then.
   */
  take(bytes: number): Promise<void> | undefined {
    if (this.#rate === 0) return undefined;
    this.#refill();
    if (this.#queue.length === 0 && this.#tokens >= 0) {
      this.#tokens -= bytes;
      return undefined;
    }
    this.#heldAt = this.#now();
    return new Promise<void>((resolve) => {
      this.#queue.push({ bytes, resolve });
      this.#schedule();
    });
  }

  /**
   * Counts `bytes` already received (the receiving side) and says how long to stop reading, in
   * ms, for the rate to hold: 0 if reading may go on.
   */
  spend(bytes: number): number {
    if (this.#rate === 0) return 0;
    this.#refill();
    this.#tokens -= bytes;
    if (this.#tokens >= 0) return 0;
    this.#heldAt = this.#now();
    return (-this.#tokens / this.#rate) * 1000;
  }

  /** Lets every waiter go and stops the timer (the server is closing). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#queue.splice(0)) w.resolve();
  }

  #burst(): number {
    return Math.max(MIN_BURST, this.#rate * BURST_SECONDS);
  }

  #refill(): void {
    const now = this.#now();
    if (this.#rate > 0) this.#tokens = Math.min(this.#burst(), this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
  }

  /** Lets waiters go while the bucket is out of debt, then waits for the next one's turn. */
  #serve(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#refill();
    while (this.#queue.length > 0 && (this.#rate === 0 || this.#tokens >= 0)) {
      const w = this.#queue.shift() as Waiter;
      if (this.#rate > 0) this.#tokens -= w.bytes;
      w.resolve();
    }
    if (this.#queue.length > 0) this.#heldAt = this.#now();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer || this.#queue.length === 0 || this.#rate === 0) return;
    const wait = Math.max(1, (-this.#tokens / this.#rate) * 1000);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#serve();
    }, wait);
    // A waiting send keeps the process alive through its own socket, not through this timer.
    this.#timer.unref();
  }
}

/** The two limits of a peer: what it sends and what it receives (bytes a second, 0: none). */
export interface RateLimits {
  readonly up: RateLimit;
  readonly down: RateLimit;
}

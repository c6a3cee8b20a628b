/**
 * How fast a client takes the answers the server hands its socket: the measure behind the send
 * timeout (connection.ts, like nginx's send_timeout) and behind which connection gives way when
 * the server is full or holds too much for slow clients (slots.ts, peer-server.ts, like a
 * BitTorrent client choking its slowest peers).
 *
 * "Taken" means taken by the kernel. A TCP socket's libuv write queue says how much of a write
 * is still waiting, so progress shows byte by byte (for TLS, the queue of the TCP socket under
 * it, in encrypted bytes: near enough); any other Duplex (an in-memory pair in tests) shows it
 * a finished write at a time.
 */
import type { Duplex } from 'node:stream';

interface Sample {
  readonly at: number;
  readonly taken: number;
}

export class SendMeter {
  #socket: Duplex;
  /** The socket whose write queue shows progress: the TCP one, under TLS too. */
  readonly #queued: Duplex;
  readonly #keepMs: number;
  #handed = 0;
  #taken = 0;
  /** When bytes started waiting for the client without a break; undefined while none wait. */
  #waitingSince: number | undefined;
  /** (time, bytes taken) over the last #keepMs, oldest first. */
  readonly #samples: Sample[] = [];

  /** @param keepMs the longest span takenOver() is asked about */
  constructor(socket: Duplex, keepMs: number) {
    this.#socket = socket;
    this.#queued = socket;
    this.#keepMs = keepMs;
  }

  /** Watches another socket from now on (the TLS socket over the TCP one it was made with). */
  watch(socket: Duplex): void {
    this.#socket = socket;
  }

  /** Counts bytes just handed to the socket. */
  handed(bytes: number): void {
    this.#handed += bytes;
  }

  /** Bytes the socket holds in our memory until it is done with them. */
  get held(): number {
    return this.#socket.writableLength;
  }

  /** Bytes handed to the socket and not yet taken by the kernel. */
  get unsent(): number {
    const handle = (this.#queued as { _handle?: { writeQueueSize?: unknown } })._handle;
    const queue = handle?.writeQueueSize;
    return typeof queue === 'number' ? Math.min(queue, this.held) : this.held;
  }

  /** Records how much has been taken by now; called a few times a second while bytes wait. */
  sample(now: number): void {
    const unsent = this.unsent;
    // Never backwards: a write not yet dispatched can make one sample a little early.
    this.#taken = Math.max(this.#taken, this.#handed - unsent);
    if (unsent === 0) this.#waitingSince = undefined;
    else this.#waitingSince ??= now;
    this.#samples.push({ at: now, taken: this.#taken });
    while (this.#samples.length > 2 && (this.#samples[1] as Sample).at <= now - this.#keepMs) this.#samples.shift();
  }

  /** How long bytes have been waiting for the client without a break, as of the last sample. */
  waitingFor(now: number): number {
    return this.#waitingSince === undefined ? 0 : now - this.#waitingSince;
  }

  /** Bytes taken over the last `ms` (or since the oldest sample kept, if that is more recent). */
  takenOver(ms: number, now: number): number {
    let base: Sample | undefined;
    for (const s of this.#samples) {
      if (s.at > now - ms) break;
      base = s;
    }
    return this.#taken - (base ?? this.#samples[0] ?? { taken: this.#taken }).taken;
  }
}

/**
 * An answer is slow when bytes have waited for its client at least this long and it took less
 * than SLOW_BYTES of them over the last SLOW_WINDOW_MS: such a connection is the first to give
 * way to a newcomer when the server is full (64 KiB/s: a trickle, never a real transfer).
 */
export const SLOW_WAIT_MS = 1000;
export const SLOW_WINDOW_MS = 1000;
export const SLOW_BYTES = 64 * 1024;

/** Bytes taken over the slow window, if the answer is slow; undefined if it is not. */
export function slowness(meter: SendMeter, now: number): number | undefined {
  if (meter.waitingFor(now) < SLOW_WAIT_MS) return undefined;
  const taken = meter.takenOver(SLOW_WINDOW_MS, now);
  return taken < SLOW_BYTES ? taken : undefined;
}

/** How often a connection sending an answer samples its client's progress. */
const SAMPLE_MS = 250;

/**
 * Samples the meter while an answer is sent, and enforces the send timeout (nginx's
 * send_timeout, with a minimum rate): a client that has had bytes waiting for the whole of the
 * last `timeoutMs` and took fewer than `minRate` a second of them (or none) is cut off by
 * `onTimeout`, so the memory its answer holds goes back. `timeoutMs` 0: samples only.
 * @returns stops watching
 */
export function watchSending(meter: SendMeter, timeoutMs: number, minRate: number, onTimeout: (taken: number) => void): () => void {
  const timer = setInterval(
    () => {
      const now = performance.now();
      meter.sample(now);
      if (timeoutMs <= 0 || meter.waitingFor(now) < timeoutMs) return;
      const taken = meter.takenOver(timeoutMs, now);
      if (taken < Math.max(1, (minRate * timeoutMs) / 1000)) {
        clearInterval(timer);
        onTimeout(taken);
      }
    },
    timeoutMs > 0 ? Math.min(SAMPLE_MS, Math.max(10, timeoutMs / 4)) : SAMPLE_MS,
  );
  return () => clearInterval(timer);
}

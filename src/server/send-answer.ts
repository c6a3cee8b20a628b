/**
 * Sending one answer, and counting how many of its bytes the socket actually took (issue 10,
 * "honest accounting"): the request log and the stats count these, not the length an answer
 * promised, so a GET whose client went away, that was cut off by the send timeout, or that a
 * slow reader or a rate limit held back counts only what went out.
 *
 * A write counts once its callback says the socket took it: written to the kernel, for a TCP
 * or TLS socket (what the kernel still held when the connection was reset is counted, though it
 * never left: at most the socket's send buffer); read by the other end, for an in-memory pair.
 * A write whose callback reports an error, or that comes after the socket was destroyed (Node
 * calls back a destroyed socket's last write without an error), does not count.
 */
import type { Duplex } from 'node:stream';
import type { RateLimit } from '../transport/rate-limit.js';
import { joinSmall, sendOne } from '../transport/send.js';
import type { Reply } from './reply.js';
import { sendLimited } from './send-limit.js';
import type { SendMeter } from './send-meter.js';

/** Answers up to this size go out in one write. */
const ONE_WRITE_BYTES = 64 * 1024;

/** Where an answer goes: the socket, the meter of what it takes, the server's upload limit. */
export interface AnswerOut {
  readonly socket: Duplex;
  readonly meter: SendMeter;
  /** --max-upload-rate, shared by every connection; its rate may change while an answer goes. */
  readonly limit?: RateLimit;
}

/**
 * Hands an answer's frames, then its body, to the socket with backpressure (paced by the upload
 * limit when it has a rate). `sent` counts what the socket takes after the header line.
 * Resolves when the last byte is handed; throws what stopped it.
 */
export async function sendAnswer(out: AnswerOut, frames: readonly Buffer[], reply: Reply, sent: SentCount): Promise<void> {
  const [head, ...rest] = frames;
  const whole = head && oneWrite(out, frames, reply);
  if (whole) {
    // The header line is not counted: `sent` counts what follows it.
    const taken = sent.handed(whole.length - head.length);
    out.meter.handed(whole.length);
    return sendOne(out.socket, whole, (_buffer, err) => taken(err));
  }
  if (head) await sendChunk(out, head);
  for (const frame of rest) await sendChunk(out, frame, undefined, sent);
  if (reply.body) for await (const chunk of reply.body) await sendChunk(out, chunk, reply.release, sent);
}

/**
 * An answer of a few KiB (INFO, a small file's GET) as one buffer, for one write (issue 11,
 * small files), or undefined: a body streamed from disk, more than ONE_WRITE_BYTES, or a
 * rate limit to pace it. The body's buffers are released once copied.
 */
function oneWrite(out: AnswerOut, frames: readonly Buffer[], reply: Reply): Buffer | undefined {
  if ((out.limit && out.limit.rate > 0) || (reply.body && !Array.isArray(reply.body))) return undefined;
  const body = (reply.body as Buffer[] | undefined) ?? [];
  const whole = joinSmall([...frames, ...body], ONE_WRITE_BYTES);
  if (whole) for (const chunk of body) reply.release?.(chunk);
  return whole;
}

function sendChunk(out: AnswerOut, chunk: Buffer, release?: (chunk: Buffer) => void, sent?: SentCount): Promise<void> {
  const { socket, meter, limit } = out;
  if (limit && limit.rate > 0) return sendLimited(socket, meter, limit, chunk, release, sent);
  meter.handed(chunk.length);
  const taken = sent?.handed(chunk.length);
  return sendOne(socket, chunk, (buffer, err) => {
    taken?.(err);
    release?.(buffer);
  });
}

export class SentCount {
  readonly #socket: Duplex;
  /** Bytes handed to the socket for this answer. */
  #handed = 0;
  #taken = 0;
  #pending = 0;
  /** No more bytes will be handed (done() was called). */
  #closed = false;
  #settle: (() => void) | undefined;
  readonly #settled: Promise<void>;

  constructor(socket: Duplex) {
    this.#socket = socket;
    this.#settled = new Promise<void>((resolve) => {
      this.#settle = resolve;
    });
    const onClose = () => this.#settle?.();
    socket.once('close', onClose);
    void this.#settled.then(() => socket.off('close', onClose));
  }

  /** Bytes the socket took so far. */
  get taken(): number {
    return this.#taken;
  }

  /** True when every byte handed to the socket was taken. */
  get complete(): boolean {
    return this.#pending === 0 && this.#taken === this.#handed;
  }

  /**
   * Counts `bytes` as handed to the socket.
   * @returns the write's callback, which counts them as taken unless the write failed
   */
  handed(bytes: number): (err?: Error | null) => void {
    this.#handed += bytes;
    this.#pending++;
    let called = false;
    return (err) => {
      if (called) return;
      called = true;
      if (!err && !this.#socket.destroyed) this.#taken += bytes;
      if (--this.#pending === 0 && this.#closed) this.#settle?.();
    };
  }

  /**
   * No more bytes will be handed: resolves with the bytes taken once every write has called
   * back, or the socket has closed (a write it never called back does not count).
   */
  async done(): Promise<number> {
    this.#closed = true;
    if (this.#pending === 0 || this.#socket.destroyed) this.#settle?.();
    await this.#settled;
    return this.#taken;
  }
}

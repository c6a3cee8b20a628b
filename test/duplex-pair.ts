/**
 * Two in-memory Duplex ends joined like a socket pair: what one writes the other reads. A write
 * is held (no callback, so `write()` backpressure builds up) until the other end reads, like a
 * socket whose peer stops reading; the bytes are copied, as a socket copies them into the
 * kernel; ending one end ends the other's readable side, and destroying one end destroys the
 * other (a reset). Node 20 has no stream.duplexPair.
 */
import { Duplex } from 'node:stream';

class End extends Duplex {
  other!: End;
  #held: ((err?: Error | null) => void) | undefined;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.other.destroyed) return callback(new Error('the other end is closed'));
    // A copy, as a socket's write copies into the kernel: a writer may reuse its buffer once
    // the write's callback has run (the server's pooled read buffers do).
    if (this.other.push(Buffer.from(chunk))) callback();
    else this.#held = callback;
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.other.push(null);
    callback();
  }

  override _read(): void {
    const held = this.other.#held;
    this.other.#held = undefined;
    held?.();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const held = this.#held;
    this.#held = undefined;
    held?.(err ?? new Error('destroyed'));
    if (!this.other.destroyed) process.nextTick(() => this.other.destroy());
    callback(err);
  }
}

/** Returns [a, b]: bytes written to a are read from b and the other way round. */
export function duplexPair(options: { highWaterMark?: number } = {}): [Duplex, Duplex] {
  const a = new End({ highWaterMark: options.highWaterMark, allowHalfOpen: true });
  const b = new End({ highWaterMark: options.highWaterMark, allowHalfOpen: true });
  a.other = b;
  b.other = a;
  return [a, b];
}

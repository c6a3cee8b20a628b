/**
 * Buffers for reading file ranges, reused once the socket has taken their bytes: serving makes
 * no garbage per chunk, so memory stays flat under load. take() never waits: if every pooled
 * buffer is out (say, held by clients that read slowly), it allocates a fresh one, and give()
 * keeps at most `max` for reuse — a crowd of slow readers costs memory for a while, never
 * service for the others.
 */
export class ReadPool {
  readonly size: number;
  readonly #max: number;
  readonly #free: Buffer[] = [];

  constructor(size: number, max: number) {
    this.size = size;
    this.#max = max;
  }

  /** A buffer of `length` bytes (at most `size`). */
  take(length: number): Buffer {
    if (length > this.size) throw new RangeError(`pool buffers hold ${this.size} bytes, not ${length}`);
    return (this.#free.pop() ?? Buffer.allocUnsafe(this.size)).subarray(0, length);
  }

  /** Returns a buffer from take() once nothing refers to its bytes any more. */
  give(buffer: Buffer): void {
    if (this.#free.length < this.#max) this.#free.push(Buffer.from(buffer.buffer, buffer.byteOffset, this.size));
  }
}

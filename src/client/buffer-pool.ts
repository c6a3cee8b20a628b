/**
 * Fixed-size buffers for piece data, reused instead of allocated per request: a download of
 * any size makes no garbage per piece, and its memory is the buffers in flight.
 */
export class BufferPool {
  readonly size: number;
  readonly #max: number;
  readonly #free: Buffer[] = [];

  /** Buffers of `size` bytes; at most `max` are kept for reuse. */
  constructor(size: number, max: number) {
    this.size = size;
    this.#max = max;
  }

  /** A buffer of `length` bytes (at most `size`), a view of a pooled one. */
  take(length: number): Buffer {
    if (length > this.size) throw new RangeError(`pool buffers hold ${this.size} bytes, not ${length}`);
    return (this.#free.pop() ?? Buffer.allocUnsafe(this.size)).subarray(0, length);
  }

  /** Returns a buffer from take() for reuse. */
  give(buffer: Buffer): void {
    if (this.#free.length < this.#max) this.#free.push(Buffer.from(buffer.buffer, buffer.byteOffset, this.size));
  }
}

/**
 * Fixed-size buffers for piece data, reused instead of allocated per request: a download of
 * any size makes no garbage per piece, and its memory is the buffers in flight.
 */
export class BufferPool {
  readonly size: number;
  readonly #free: Buffer[] = [];

  constructor(size: number) {
    this.size = size;
  }

  /** A buffer of `length` bytes (at most `size`), a view of a pooled one. */
  take(length: number): Buffer {
    if (length > this.size) throw new RangeError(`pool buffers hold ${this.size} bytes, not ${length}`);
    return (this.#free.pop() ?? Buffer.allocUnsafe(this.size)).subarray(0, length);
  }

  /** Returns a buffer from take() for reuse. */
  give(buffer: Buffer): void {
    this.#free.push(Buffer.from(buffer.buffer, buffer.byteOffset, this.size));
  }
}

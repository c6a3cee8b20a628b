/**
 * Fixed-size buffers, reused instead of allocated per request: a download's receive buffers and
 * a server's disk-read buffers. Transfers of any size make no garbage per piece. take() never
 * waits: when every kept buffer is out (say, held by clients that read slowly) it allocates a
 * fresh one, and give() keeps at most `max` — a crowd of slow readers costs memory for a while,
 * never service for the others.
 */
export class BufferPool {
  readonly size: number;
  readonly #max: number;
  readonly #shared: boolean;
  readonly #free: Buffer[] = [];

  /**
   * Buffers of `size` bytes; at most `max` are kept for reuse. `shared`: each in its own
   * SharedArrayBuffer, so worker threads can read it without a copy (client/piece-verifier.ts).
   */
  constructor(size: number, max: number, options: { shared?: boolean } = {}) {
    this.size = size;
    this.#max = max;
    this.#shared = options.shared ?? false;
  }

  /** A buffer of `length` bytes (at most `size`), a view of a pooled one. */
  take(length: number): Buffer {
    if (length > this.size) throw new RangeError(`pool buffers hold ${this.size} bytes, not ${length}`);
    return (this.#free.pop() ?? this.#allocate()).subarray(0, length);
  }

  #allocate(): Buffer {
    return this.#shared ? Buffer.from(new SharedArrayBuffer(this.size)) : Buffer.allocUnsafe(this.size);
  }

  /** Returns a buffer from take() for reuse. */
  give(buffer: Buffer): void {
    if (this.#free.length < this.#max) this.#free.push(Buffer.from(buffer.buffer, buffer.byteOffset, this.size));
  }
}

/**
 * Where a connection's received bytes go. A session hands a ByteSink to its transport; the
 * transport calls it with each chunk it reads.
 *
 * Over plain TCP the chunks are views of one read buffer per connection that Node's `onread`
 * reads into again and again, so receiving makes no garbage per socket read: the loopback fast
 * path. A sink must therefore consume (or copy) a chunk before it returns. Any other Duplex (TLS,
 * an in-memory pair in tests) delivers its own 'data' chunks to the same sink.
 */
import type { Duplex } from 'node:stream';

/** Receives a connection's bytes, in order. */
export interface ByteSink {
  /**
   * Bytes just read. The chunk may be a view of a buffer the transport reads into again once
   * this returns: consume or copy it now.
   */
  onBytes(chunk: Buffer): void;
}

/**
 * Bytes read from a socket at a time, into its one reused buffer: large enough that a 4-piece
 * pipeline of 256 KiB answers arrives in few reads.
 */
export const READ_BUFFER_BYTES = 256 * 1024;

/** Options for net.connect that route reads through `onread`, and a way to attach the sink. */
export class ReusedReadBuffer {
  // Node also takes `buffer` as a function, called before each read, returning where the next
  // bytes should land. That is the way to no copy at all (issue 11): the sink would gain a
  // method returning the free part of the body a request waits for, and this buffer would
  // serve only headers and between-answer bytes.
  readonly onread = {
    buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
    callback: (bytes: number, buffer: Uint8Array): boolean => {
      this.#deliver(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
      return true; // everything is consumed at once: keep reading
    },
  };

  #sink: ByteSink | undefined;
  /** Bytes read before a sink was attached, copied because the read buffer is reused. */
  #early: Buffer[] = [];

  /** Sends every chunk read from now on (and any read before) to `sink`. */
  attach(sink: ByteSink): void {
    this.#sink = sink;
    for (const chunk of this.#early.splice(0)) sink.onBytes(chunk);
  }

  #deliver(chunk: Buffer): void {
    if (this.#sink) this.#sink.onBytes(chunk);
    else this.#early.push(Buffer.from(chunk));
  }
}

/** Sends a stream's 'data' chunks to `sink` (TLS sockets, in-memory pairs). */
export function receiveData(stream: Duplex, sink: ByteSink): void {
  stream.on('data', (chunk: Buffer) => sink.onBytes(chunk));
}

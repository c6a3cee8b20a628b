/**
 * Where a connection's received bytes go. A session hands a ByteSink to its transport; the
 * transport calls it with each chunk it reads.
 *
 * Over plain TCP, Node's `onread` reads straight into memory we choose before each read: the
 * free part of the body an answer is filling, when the sink has one (`target`), so a piece goes
 * from the kernel into its request's buffer with no copy in between (issue 11); otherwise one
 * reused read buffer per connection (headers, and bytes between answers), so receiving makes no
 * garbage per socket read. A sink must consume (or copy) a chunk of that buffer before it
 * returns. Any other Duplex (TLS, an in-memory pair in tests) delivers its own 'data' chunks to
 * the same sink.
 */
import type { Duplex } from 'node:stream';

/** Receives a connection's bytes, in order. */
export interface ByteSink {
  /**
   * Bytes just read. The chunk may be a view of a buffer the transport reads into again once
   * this returns: consume or copy it now. A chunk read into `target()` is a view of it.
   */
  onBytes(chunk: Buffer): void;
  /**
   * Where the next bytes should land, asked before each read: the rest of a body whose header
   * has arrived (never past its end, where the next header starts); 'header' when the next
   * answer's header is due and a large body follows it, so that only about a header is read
   * into the reused buffer and the body goes to its own; undefined: anywhere.
   */
  target?(): Buffer | 'header' | undefined;
}

/**
 * Bytes read when only a header is wanted: an OK header for a GET is about 20 bytes, so nearly
 * all of a body lands in its own buffer, for one more (cheap) read per answer.
 */
export const HEADER_READ_BYTES = 128;

/** A body at least this large is worth reading its header apart ('header' above). */
export const LARGE_BODY_BYTES = 64 * 1024;

/**
 * Bytes read from a socket at a time, into its one reused buffer: large enough that a 4-piece
 * pipeline of 256 KiB answers arrives in few reads.
 */
export const READ_BUFFER_BYTES = 256 * 1024;

/** Options for net.connect that route reads through `onread`, and a way to attach the sink. */
export class ReusedReadBuffer {
  /** The reused buffer, for bytes that have no body to land in. */
  readonly buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  readonly #headerRoom = this.buffer.subarray(0, HEADER_READ_BYTES);

  // Node calls `buffer` after each callback (and once at connect) for where the next read goes.
  readonly onread = {
    buffer: (): Uint8Array => {
      const target = this.#sink?.target?.();
      return target === undefined ? this.buffer : target === 'header' ? this.#headerRoom : target;
    },
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

/** True if `chunk` is the bytes of `body` at `at` themselves: read there, nothing to copy. */
export function inPlace(chunk: Buffer, body: Buffer, at: number): boolean {
  return chunk.buffer === body.buffer && chunk.byteOffset === body.byteOffset + at;
}

/** Sends a stream's 'data' chunks to `sink` (TLS sockets, in-memory pairs). */
export function receiveData(stream: Duplex, sink: ByteSink): void {
  stream.on('data', (chunk: Buffer) => sink.onBytes(chunk));
}

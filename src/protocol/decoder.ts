/**
 * Frame decoder: a state machine over a TCP byte stream (docs/PROTOCOL.md, "Frames").
 *
 *   READ_HEADER: buffer bytes until LF (at most maxHeaderBytes), parse the header line.
 *   READ_BODY:   pass on exactly `length` bytes as body chunks, then an `end` event.
 *
 * A `data` event may hold half a frame or three; push() copes with both. Body chunks are views
 * into the pushed buffers (no copy): consume them before pushing more if you reuse buffers.
 * A header cut off at the end of a chunk is copied, so a caller may reuse its read buffer.
 * Pure: bytes in, events out.
 */
import { MAX_HEADER_BYTES } from '../constants.js';
import { ProtocolError } from '../errors.js';
import { type Header, parseHeader } from './header.js';

export type FrameEvent =
  | { readonly type: 'header'; readonly header: Header }
  | { readonly type: 'body'; readonly chunk: Buffer }
  | { readonly type: 'end'; readonly header: Header };

export interface FrameDecoderOptions {
  /** Longest header line in bytes, LF included. */
  readonly maxHeaderBytes?: number;
  /** Largest body allowed after this header; a larger length is ERR_BODY_TOO_LARGE. */
  readonly maxBodyBytes: (header: Header) => number;
}

const LF = 0x0a;

export class FrameDecoder {
  readonly #maxHeaderBytes: number;
  readonly #maxBodyBytes: (header: Header) => number;
  #state: 'READ_HEADER' | 'READ_BODY' | 'FAILED' = 'READ_HEADER';
  #headerParts: Buffer[] = [];
  #headerLength = 0;
  #header: Header | undefined;
  #remaining = 0;

  constructor(options: FrameDecoderOptions) {
    this.#maxHeaderBytes = options.maxHeaderBytes ?? MAX_HEADER_BYTES;
    this.#maxBodyBytes = options.maxBodyBytes;
  }

  /** True while part of a header line has arrived but not its LF (header timeout applies). */
  get inHeader(): boolean {
    return this.#state === 'READ_HEADER' && this.#headerLength > 0;
  }

  /** True between frames: no partial header or body is buffered. */
  get idle(): boolean {
    return this.#state === 'READ_HEADER' && this.#headerLength === 0;
  }

  /**
   * Feeds bytes; yields the events they complete, in order.
   * @throws ProtocolError on a malformed frame; the decoder then refuses further input.
   */
  *push(chunk: Buffer): Generator<FrameEvent> {
    if (this.#state === 'FAILED') throw new ProtocolError('ERR_BAD_FRAME', 'decoder already failed');
    let offset = 0;
    try {
      while (offset < chunk.length || (this.#state === 'READ_BODY' && this.#remaining === 0)) {
        if (this.#state === 'READ_HEADER') {
          const lf = chunk.indexOf(LF, offset);
          const end = lf === -1 ? chunk.length : lf + 1;
          this.#headerLength += end - offset;
          if (this.#headerLength > this.#maxHeaderBytes) {
            throw new ProtocolError('ERR_HEADER_TOO_LARGE', `header longer than ${this.#maxHeaderBytes} bytes`);
          }
          // A header cut off at the end of this chunk is copied: the caller may reuse its buffer.
          this.#headerParts.push(lf === -1 ? Buffer.from(chunk.subarray(offset, end)) : chunk.subarray(offset, end));
          offset = end;
          if (lf === -1) break;
          const line = Buffer.concat(this.#headerParts, this.#headerLength).toString('utf8', 0, this.#headerLength - 1);
          this.#headerParts = [];
          this.#headerLength = 0;
          const header = parseHeader(line);
          const max = this.#maxBodyBytes(header);
          if (header.length > max) {
            throw new ProtocolError('ERR_BODY_TOO_LARGE', `${header.verb} body of ${header.length} bytes exceeds the limit of ${max}`);
          }
          this.#header = header;
          this.#remaining = header.length;
          this.#state = 'READ_BODY';
          yield { type: 'header', header };
        } else if (this.#state === 'READ_BODY') {
          if (this.#remaining > 0) {
            const take = Math.min(this.#remaining, chunk.length - offset);
            const body = chunk.subarray(offset, offset + take);
            offset += take;
            this.#remaining -= take;
            yield { type: 'body', chunk: body };
          }
          if (this.#remaining === 0) {
            const header = this.#header as Header;
            this.#header = undefined;
            this.#state = 'READ_HEADER';
            yield { type: 'end', header };
          }
        }
      }
    } catch (err) {
      this.#state = 'FAILED';
      throw err;
    }
  }
}

/**
 * One peer connection on the server side, over any Duplex: a TCP or TLS socket, or an
 * in-memory pair in tests. Its states (ws's Receiver is the model):
 *
 *   READ_HEADER  between requests. Once a header's first byte is in, its LF must follow within
 *                the header timeout (slowloris), or the answer is ERR_HEADER_TIMEOUT and close.
 *   READ_BODY    a header is in: its request is checked by the gate, decoded and started, and
 *                its body (a PUT's file, or a refused request's bytes) goes to the handler's sink.
 *   ANSWERING    the body is in: the answer is handed to the socket with backpressure.
 *   CLOSING      refused, malformed or timed out: one ERR went out and nothing more is parsed.
 *
 * Requests are handled one at a time in arrival order, and nothing more is read while one is
 * handled: a client may pipeline many requests, and the ones waiting stay in the kernel's
 * socket buffer, not in our memory (so at most one request per connection is in progress).
 *
 * A malformed frame gets one ERR answer and closes this connection only; an illegal but
 * well-formed request gets an ERR answer and the connection carries on. With a gate (a server
 * that knows its mesh: admission.ts), each request is checked before it is handled, and a
 * refusal closes the connection.
 */
import type { Duplex } from 'node:stream';
import { ProtocolError, TxtmeshError } from '../errors.js';
import { encodeAnswer, errAnswer, errFrame, statusOf } from '../protocol/answers.js';
import { FrameDecoder } from '../protocol/decoder.js';
import type { Header } from '../protocol/header.js';
import { type Request, decodeRequest, requestCodec } from '../protocol/requests.js';
import { checkName } from '../storage/names.js';
import { namedFailure } from '../storage/resources.js';
import type { RateLimit } from '../transport/rate-limit.js';
import type { ConnectionGate } from './admission.js';
import { HandleCache } from './handle-cache.js';
import { type BodySink, type HandlerContext, type Reply, type RequestNote, discardSink, onRequest } from './handlers.js';
import { refuseAndClose } from './refuse.js';
import { SLOW_WINDOW_MS, SendMeter, watchSending } from './send-meter.js';
import { SentCount, sendAnswer } from './send-answer.js';

/** One line per request, for the server's log. */
export interface RequestLog {
  readonly remote: string;
  readonly verb: string;
  readonly name?: string;
  /** Bytes after the answer's header line that the socket took (send-answer.ts); a PUT's: received. */
  readonly bytes: number;
  /** From the request's header to its answer's last byte taken (or the cut). */
  readonly ms: number;
  /** 'OK' or an error code; for an answer cut off, what cut it (ERR_PEER_CLOSED, ERR_PEER_TIMEOUT…). */
  readonly status: string;
  /** The answer was cut off before all of it went out; `bytes` is what did. */
  readonly cut?: boolean;
}

export interface ConnectionContext extends HandlerContext {
  readonly log: (entry: RequestLog) => void;
  readonly maxHeaderBytes: number;
  readonly headerTimeoutMs: number;
  /** An answer whose client takes less than minSendRate bytes a second over this long closes the connection (0: never). */
  readonly sendTimeoutMs?: number;
  readonly minSendRate?: number;
  /** Told of each request and body chunk as it arrives (server/stats.ts). */
  readonly activity?: ConnectionActivity;
  /** Paces what every connection sends, together (--max-upload-rate; send-limit.ts). */
  readonly sendLimit?: RateLimit;
}

export interface ConnectionActivity {
  /** A request was decoded and is about to be handled (its body, if any, follows). */
  onRequest(remote: string, request: Request): void;
  onBody(remote: string, bytes: number): void;
}

/** What the server sees of a connection, to pick an idle one to evict when full. */
export interface ConnectionState {
  /** A request is being read or answered (or the connection is closing). */
  busy: boolean;
  /** performance.now() of the last request finished (or of the connect). */
  lastActive: number;
  /** How fast the client takes answers; made by the connection if the server did not. */
  meter?: SendMeter;
}

export type ConnectionPhase = 'READ_HEADER' | 'READ_BODY' | 'ANSWERING' | 'CLOSING';

/** The request being read or answered. */
interface InFlight {
  readonly header: Header;
  /** Undefined if its header did not decode (the answer is that error). */
  readonly request: Request | undefined;
  readonly started: number;
  readonly note: RequestNote;
  sink: BodySink;
}

export class ServerConnection {
  readonly #socket: Duplex;
  readonly #remote: string;
  readonly #ctx: ConnectionContext;
  readonly #state: ConnectionState;
  readonly #gate: ConnectionGate | undefined;
  readonly #handles: HandleCache;
  readonly #decoder: FrameDecoder;
  readonly #meter: SendMeter;
  #phase: ConnectionPhase = 'READ_HEADER';
  #current: InFlight | undefined;
  #headerTimer: NodeJS.Timeout | undefined;
  /** Log lines of answers still going out (#answer). */
  #logging: Promise<void> = Promise.resolve();

  /** @param remote the peer's address, for the log */
  constructor(socket: Duplex, remote: string, ctx: ConnectionContext, state: ConnectionState, gate?: ConnectionGate) {
    this.#socket = socket;
    this.#remote = remote;
    this.#ctx = ctx;
    this.#state = state;
    this.#gate = gate;
    this.#handles = new HandleCache(ctx.folder);
    this.#meter = state.meter ??= new SendMeter(socket, Math.max(SLOW_WINDOW_MS, ctx.sendTimeoutMs ?? 0));
    this.#decoder = new FrameDecoder({
      maxHeaderBytes: ctx.maxHeaderBytes,
      // A verb the server does not know may carry a small body, which is skipped.
      maxBodyBytes: (h) => {
        const codec = requestCodec(h.verb);
        return codec === undefined ? ctx.maxHeaderBytes : codec.hasBody ? ctx.maxUploadBytes : 0;
      },
    });
  }

  get phase(): ConnectionPhase {
    return this.#phase;
  }

  /** Serves the connection until it closes. Never throws. */
  async serve(): Promise<void> {
    try {
      // destroyOnReturn: false, so that a refusal's answer can still be sent after the loop.
      for await (const chunk of this.#socket.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        if (this.#phase !== 'CLOSING') await this.#onChunk(chunk);
        if (this.#phase === 'CLOSING') return;
      }
    } catch (err) {
      this.#onFailure(err);
    } finally {
      await this.#cleanUp();
    }
  }

  async #onChunk(chunk: Buffer): Promise<void> {
    for (const event of this.#decoder.push(chunk)) {
      if (event.type === 'header') await this.#onHeader(event.header);
      else if (event.type === 'body') await this.#onBody(event.chunk);
      else await this.#onEnd();
      if (this.#phase === 'CLOSING') return;
    }
    if (this.#decoder.inHeader) this.#armHeaderTimer();
  }

  async #onHeader(header: Header): Promise<void> {
    clearTimeout(this.#headerTimer);
    this.#headerTimer = undefined;
    this.#enter('READ_BODY');
    const refused = this.#gate && (await this.#gate.check(header));
    if (refused) return this.#refuse(header, refused);
    const started = performance.now();
    const note: RequestNote = {};
    let request: Request | undefined;
    let sink: BodySink;
    try {
      request = decodeRequest(header, { checkName });
      this.#ctx.activity?.onRequest(this.#remote, request);
      const client = this.#remote.slice(0, Math.max(0, this.#remote.lastIndexOf(':')));
      sink = await onRequest(this.#ctx, request, note, this.#handles, { anonymous: this.#gate?.outsider !== undefined, client });
    } catch (err) {
      sink = refusal(header.id, err);
    }
    this.#current = { header, request, started, note, sink };
  }

  async #onBody(chunk: Buffer): Promise<void> {
    const current = this.#inFlight();
    this.#ctx.activity?.onBody(this.#remote, chunk.length);
    await current.sink.write(chunk).catch(async (err: unknown) => {
      await current.sink.abort();
      current.sink = refusal(current.header.id, err);
    });
  }

  async #onEnd(): Promise<void> {
    const current = this.#inFlight();
    this.#current = undefined;
    this.#enter('ANSWERING');
    const reply = await current.sink.finish().catch((err: unknown): Reply => ({ answer: errAnswer(current.header.id, namedFailure(err)) }));
    await this.#answer(current, reply);
    this.#state.lastActive = performance.now();
    this.#enter('READ_HEADER');
  }

  /**
   * Hands the answer (and a GET's bytes) to the socket, and logs the request once the socket
   * took them or closed: the bytes that went out, and what cut the answer off if it did not all
   * go (send-answer.ts). The next request is read meanwhile; cleanUp waits for the last line.
   */
  async #answer(current: InFlight, reply: Reply): Promise<void> {
    const sent = new SentCount(this.#socket);
    const cut: { status?: string } = {};
    const stopWatch = this.#watchSending(() => (cut.status = 'ERR_PEER_TIMEOUT'));
    try {
      await sendAnswer({ socket: this.#socket, meter: this.#meter, limit: this.#ctx.sendLimit }, encodeAnswer(reply.answer), reply, sent);
    } catch (err) {
      cut.status ??= err instanceof TxtmeshError ? err.code : 'ERR_PEER_CLOSED';
      throw err;
    } finally {
      stopWatch();
      const logged = sent.done().then((taken) => this.#logAnswer(current, reply, taken, cut.status ?? (sent.complete ? undefined : 'ERR_PEER_CLOSED')));
      this.#logging = Promise.all([this.#logging, logged]).then(() => undefined);
    }
  }

  /** The request's log line: `cut` is why its answer did not all go out (undefined: it did). */
  #logAnswer(current: InFlight, reply: Reply, taken: number, cut: string | undefined): void {
    const { header, request, note, started } = current;
    this.#ctx.log({
      remote: this.#remote,
      verb: header.verb,
      name: request && 'name' in request ? request.name : undefined,
      bytes: note.bytes ?? taken,
      ms: performance.now() - started,
      status: cut ?? statusOf(reply.answer),
      ...(cut ? { cut: true } : {}),
    });
  }

  /** The send timeout (send-meter.ts): a client that stops taking the answer is cut off. */
  #watchSending(onCut: () => void): () => void {
    return watchSending(this.#meter, this.#ctx.sendTimeoutMs ?? 0, this.#ctx.minSendRate ?? 0, () => {
      onCut();
      this.#enter('CLOSING');
      this.#socket.destroy();
    });
  }

  /** The gate said no: answer once and close (the body that may follow is never read). */
  #refuse(header: Header, err: TxtmeshError): void {
    this.#ctx.log({ remote: this.#remote, verb: header.verb, bytes: 0, ms: 0, status: err.code });
    this.#enter('CLOSING');
    refuseAndClose(this.#socket, errFrame(header.id, err));
  }

  #armHeaderTimer(): void {
    if (this.#headerTimer) return;
    const ms = this.#ctx.headerTimeoutMs;
    this.#headerTimer = setTimeout(() => {
      this.#ctx.log({ remote: this.#remote, verb: '-', bytes: 0, ms, status: 'ERR_HEADER_TIMEOUT' });
      this.#enter('CLOSING');
      const answer = errFrame(0, new ProtocolError('ERR_HEADER_TIMEOUT', `header not complete within ${ms} ms`));
      // Destroyed once the answer is flushed: the client may never send its LF or a FIN.
      this.#socket.end(answer, () => this.#socket.destroy());
    }, ms);
  }

  #onFailure(err: unknown): void {
    if (err instanceof ProtocolError) {
      this.#ctx.log({ remote: this.#remote, verb: '-', bytes: 0, ms: 0, status: err.code });
      this.#enter('CLOSING');
      // Answer once, then close: after a malformed frame the byte stream cannot be trusted.
      if (!this.#socket.destroyed) this.#socket.end(errFrame(0, err));
    } else {
      // Transport failure, or a streamed body that could not be finished (file changed).
      this.#socket.destroy();
    }
  }

  async #cleanUp(): Promise<void> {
    clearTimeout(this.#headerTimer);
    // A connection that died mid-body: the upload's temp file goes.
    await this.#current?.sink.abort().catch(() => undefined);
    this.#current = undefined;
    await this.#handles.closeAll();
    if (!this.#socket.destroyed) this.#socket.end();
    await this.#logging;
  }

  #enter(phase: ConnectionPhase): void {
    this.#phase = phase;
    this.#state.busy = phase !== 'READ_HEADER';
  }

  /** The request whose body or end the decoder reports (it reports none outside a frame). */
  #inFlight(): InFlight {
    if (!this.#current) throw new Error('frame event outside a request');
    return this.#current;
  }
}

/** After a refused request its body (if any) is read and discarded, then the error is sent. */
function refusal(id: number, err: unknown): BodySink {
  return discardSink(() => ({ answer: errAnswer(id, namedFailure(err)) }));
}



/**
 * The client side of one connection to a peer, over any Duplex (a dialled socket, or one end of
 * an in-memory pair in tests). Requests carry ids, may be pipelined, and are matched to their
 * answers by id (docs/PROTOCOL.md, "Frames"). A request's deadline follows bytes arriving (a
 * slow but steady peer is never cut off). A timeout, an abort, a stall, a protocol violation,
 * an ERR with id 0 or a lost connection fails every request still waiting and destroys the
 * stream, which cannot be trusted to stay in step; an ERR answer fails only its request.
 */
import type { Duplex } from 'node:stream';
import { MAX_REQUEST_ID, REQUEST_TIMEOUT_MS } from '../constants.js';
import { ProtocolError, TxtmeshError } from '../errors.js';
import { ANSWERS, errorOf } from '../protocol/answers.js';
import { FrameDecoder } from '../protocol/decoder.js';
import type { Header } from '../protocol/header.js';
import { REQUESTS } from '../protocol/requests.js';
import { type ByteSink, LARGE_BODY_BYTES, inPlace, receiveData } from '../transport/reads.js';
import { send } from '../transport/send.js';
import { silentFor, stalledFor } from './deadline.js';

/** An OK answer: its header and its whole body. */
export interface Answer {
  readonly header: Header;
  readonly body: Buffer;
}

export interface RequestOptions {
  /** Largest body accepted in the answer. */
  readonly maxBody: number;
  /** If set, the answer body must have exactly this length. */
  readonly exactBody?: number;
  /** Fail the connection (ERR_PEER_TIMEOUT) if nothing arrives for this long while it waits; the session's requestTimeoutMs by default. */
  readonly timeoutMs?: number;
  /** Aborting it fails the connection (ERR_PEER_TIMEOUT). */
  readonly signal?: AbortSignal;
  /** Receive the body into this buffer (its length must be the body's, e.g. a pooled one), not a new one. */
  readonly into?: Buffer;
  /** Told the body bytes received when the request ends: for one that fails, what was wasted. */
  readonly received?: { bytes: number };
}

export interface SessionOptions {
  /** Names the peer in error messages: `p1 (127.0.0.1:9001)`. */
  readonly label: string;
  /** Fail the connection (ERR_PEER_TIMEOUT) when requests wait and no byte arrives this long (a frozen peer); 0: never. */
  readonly stallTimeoutMs?: number;
  /** Claim this peer ID: a HELLO goes out first, pipelined (no extra round trip); a refused claim fails the connection. */
  readonly claim?: string;
  /** Connects the session to the stream's bytes (a dialled Link's, without copies); by default its 'data' events. */
  readonly receive?: (sink: ByteSink) => void;
  /** The deadline of a request that sets none (--timeout): REQUEST_TIMEOUT_MS by default. */
  readonly requestTimeoutMs?: number;
}

/** A request waiting for its answer. */
interface Waiting {
  readonly options: RequestOptions;
  readonly resolve: (answer: Answer) => void;
  readonly reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
  armedAt: number; // performance.now() of the start, or of the last chunk of its body sent
  body: Buffer | undefined; // where the OK answer's body goes, once its header has arrived
  filled: number;
}

export class PeerSession {
  readonly #stream: Duplex;
  readonly #label: string;
  readonly #waiting = new Map<number, Waiting>();
  readonly #decoder: FrameDecoder;
  #stallTimeoutMs = 0;
  #requestTimeoutMs = REQUEST_TIMEOUT_MS;
  #nextId = 1;
  #bytesReceived = 0;
  /** The answer being received, and the request it answers (none for an ERR with id 0). */
  #current: { header: Header; waiting: Waiting | undefined } | undefined;
  #failure: TxtmeshError | undefined;
  /** performance.now() of the last byte received, or of the moment requests started waiting. */
  #lastProgress = 0;
  #stallTimer: NodeJS.Timeout | undefined;
  /** The id of our HELLO claim while it waits: an ERR for it fails the connection. */
  #claimId: number | undefined;

  constructor(stream: Duplex, options: SessionOptions) {
    this.#stream = stream;
    this.#label = options.label;
    this.retune(options);
    const maxBodyBytes = (h: Header) => (h.verb === 'OK' ? (this.#waiting.get(h.id)?.options.maxBody ?? 0) : 0);
    this.#decoder = new FrameDecoder({ maxBodyBytes });
    const lost = (why: string, cause?: Error) => this.#fail(new TxtmeshError('ERR_PEER_CLOSED', `${this.#label}: ${why}`, { cause }));
    stream.on('error', (err: Error) => lost(`connection lost (${err.message})`, err));
    for (const event of ['end', 'close']) stream.on(event, () => lost('connection closed by peer'));
    if (options.claim !== undefined) this.#claim(options.claim);
    const sink: ByteSink = { onBytes: (chunk) => this.#onBytes(chunk), target: () => this.#target() };
    if (options.receive) options.receive(sink);
    else receiveData(stream, sink);
  }

  /** True once the connection has failed or been closed. */
  get closed(): boolean {
    return this.#failure !== undefined;
  }

  /** Bytes received so far: a view tells a silent peer from a slow one by them (silence-watch.ts). */
  get bytesReceived(): number {
    return this.#bytesReceived;
  }

  /** Requests now waiting on this connection. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Takes the deadlines of the command now using the connection (a pooled one was dialled for another command). */
  retune(options: Pick<SessionOptions, 'stallTimeoutMs' | 'requestTimeoutMs'>): void {
    this.#stallTimeoutMs = options.stallTimeoutMs ?? 0;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#stallTimer = void clearInterval(this.#stallTimer); // the next request starts the watch again
  }

  /** Reading is paused for `ms` (a rate limit): deadlines and the stall watch count from its end. */
  heldBack(ms: number): void {
    this.#lastProgress = Math.max(this.#lastProgress, performance.now() + ms);
  }

  /** A fresh request id. */
  nextId(): number {
    const id = this.#nextId;
    this.#nextId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }

  /**
   * Sends a request frame (and optionally streams a body after it) and waits for its answer.
   * @param id the id encoded in `frame`
   * @param body called after the header is sent, to stream a request body with backpressure
   * @throws RemoteError for an ERR answer; TxtmeshError ERR_PEER_* for transport failures
   */
  request(id: number, frame: Buffer, options: RequestOptions, body?: (write: (chunk: Buffer) => Promise<void>) => Promise<void>): Promise<Answer> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#waiting.has(id)) return Promise.reject(new RangeError(`request id ${id} is already waiting`));
    return new Promise<Answer>((resolve, reject) => {
      const waiting = this.#wait(id, options, resolve, reject);
      if (!waiting) return;
      const arm = () => this.#arm(id, waiting);
      const stream = this.#stream;
      const sending = body
        ? send(stream, frame).then(() => body(async (chunk) => {
            arm(); // a long upload is alive as long as bytes keep moving
            await send(stream, chunk);
          }))
        : send(stream, frame);
      sending.then(arm, (err: unknown) => this.#fail(this.#asFailure(err)));
    });
  }

  /** Closes the connection; requests still waiting fail with ERR_PEER_CLOSED. */
  close(): void {
    this.#fail(new TxtmeshError('ERR_PEER_CLOSED', `${this.#label}: connection closed`));
  }

  /** Claims our ID, pipelined: requests sent after it queue behind it on the wire. A peer that refuses the claim answers ERR and closes the connection; #onEnd fails it with that code. */
  #claim(peerId: string): void {
    const id = this.nextId();
    this.#claimId = id;
    const claimed = () => (this.#claimId = this.#claimId === id ? undefined : this.#claimId);
    // Every other outcome has already failed the connection with its reason.
    this.request(id, REQUESTS.HELLO.encode({ verb: 'HELLO', id, peerId }), { maxBody: 0 }).then(claimed, () => undefined);
  }

  /** Registers a request as waiting, starts its deadline; undefined if its signal had already aborted. */
  #wait(id: number, options: RequestOptions, resolve: (answer: Answer) => void, reject: (err: Error) => void): Waiting | undefined {
    const onAbort = () => this.#fail(new TxtmeshError('ERR_PEER_TIMEOUT', `${this.#label}: request aborted`));
    const settle = (then: () => void) => {
      clearTimeout(waiting.timer);
      options.signal?.removeEventListener('abort', onAbort);
      this.#waiting.delete(id);
      if (options.received) options.received.bytes = waiting.filled;
      then();
    };
    const waiting: Waiting = {
      options, timer: undefined, armedAt: 0, body: undefined, filled: 0,
      resolve: (answer) => settle(() => resolve(answer)),
      reject: (err) => settle(() => reject(err)),
    };
    if (this.#waiting.size === 0) this.#lastProgress = performance.now();
    this.#waiting.set(id, waiting);
    if (options.signal?.aborted) return void onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.#watchStall();
    this.#arm(id, waiting);
    return waiting;
  }

  /** (Re)starts a request's deadline: it is re-armed while a request body is still being sent. */
  #arm(id: number, waiting: Waiting): void {
    if (this.#waiting.get(id) !== waiting) return; // already answered
    waiting.armedAt = performance.now();
    waiting.timer ??= setTimeout(() => this.#onDeadline(id, waiting), waiting.options.timeoutMs ?? this.#requestTimeoutMs);
  }

  /** The deadline's timer fired: the deadline has passed only if nothing arrived meanwhile. */
  #onDeadline(id: number, waiting: Waiting): void {
    const timeoutMs = waiting.options.timeoutMs ?? this.#requestTimeoutMs;
    const left = Math.max(waiting.armedAt, this.#lastProgress) + timeoutMs - performance.now();
    waiting.timer = left > 0 ? setTimeout(() => this.#onDeadline(id, waiting), left) : undefined;
    if (left > 0 || this.#waiting.get(id) !== waiting) return;
    this.#fail(silentFor(this.#label, timeoutMs, this.#current?.waiting === waiting ? waiting : undefined));
  }

  #watchStall(): void {
    if (this.#stallTimeoutMs <= 0 || this.#stallTimer) return;
    this.#stallTimer = setInterval(() => {
      if (this.#waiting.size > 0 && performance.now() - this.#lastProgress > this.#stallTimeoutMs) this.#fail(stalledFor(this.#label, this.#stallTimeoutMs));
    }, Math.max(50, this.#stallTimeoutMs / 4));
    this.#stallTimer.unref();
  }

  /** The loopback hot path: every byte received goes through here. */
  #onBytes(chunk: Buffer): void {
    if (this.#failure) return;
    this.#lastProgress = performance.now();
    this.#bytesReceived += chunk.length;
    try {
      for (const event of this.#decoder.push(chunk)) {
        if (event.type === 'body') this.#onBody(event.chunk);
        else if (event.type === 'header') this.#onHeader(event.header);
        else this.#onEnd();
      }
    } catch (err) {
      const what = err instanceof ProtocolError && err.code === 'ERR_BODY_TOO_LARGE' ? 'sent an answer larger than this client accepts' : 'sent a malformed frame';
      this.#fail(err instanceof ProtocolError ? this.#violation(`${what}: ${err.message}`) : this.#asFailure(err));
    }
  }

  #onHeader(header: Header): void {
    if (header.verb !== 'OK' && header.verb !== 'ERR') throw this.#violation(`sent ${header.verb} where an answer was expected`);
    const waiting = this.#waiting.get(header.id);
    if (!waiting && !(header.verb === 'ERR' && header.id === 0)) throw this.#violation(`answered request ${header.id}, which is not waiting`);
    // The claim's answer says which protocol the peer speaks: checked here, before the answers
    // pipelined behind it are taken (docs/PROTOCOL.md, "Versioning").
    if (header.id === this.#claimId && header.verb === 'OK') ANSWERS.HELLO.decode(header);
    if (waiting && header.verb === 'OK') {
      const { exactBody, into } = waiting.options;
      if (exactBody !== undefined && header.length !== exactBody) throw this.#violation(`sent ${header.length} bytes where ${exactBody} were asked for`);
      if (into && into.length !== header.length) throw this.#violation(`sent ${header.length} bytes where ${into.length} were expected`);
      waiting.body = into ?? Buffer.allocUnsafe(header.length);
      waiting.filled = 0;
    }
    this.#current = { header, waiting };
  }

  /** Where the transport reads next (reads.ts): the rest of the body being received; between answers, just a header if nothing waits or the next answer (in order) has a large body. */
  #target(): Buffer | 'header' | undefined {
    const waiting = this.#current?.waiting;
    if (waiting?.body && !this.#failure) return waiting.filled < waiting.body.length ? waiting.body.subarray(waiting.filled) : undefined;
    const next = this.#decoder.idle && !this.#failure ? this.#waiting.values().next() : undefined;
    return next && (next.done || next.value.options.into !== undefined || (next.value.options.exactBody ?? 0) >= LARGE_BODY_BYTES) ? 'header' : undefined;
  }

  /** Bytes read into the body itself (#target) are in place; others are copied out at once. */
  #onBody(chunk: Buffer): void {
    const waiting = this.#current?.waiting;
    if (!waiting?.body) return;
    if (!inPlace(chunk, waiting.body, waiting.filled)) chunk.copy(waiting.body, waiting.filled);
    waiting.filled += chunk.length;
  }

  #onEnd(): void {
    const current = this.#current;
    this.#current = undefined;
    if (!current) return;
    const { header, waiting } = current;
    if (header.verb === 'OK') {
      waiting?.resolve({ header, body: waiting.body as Buffer });
      return;
    }
    const err = errorOf(ANSWERS.ERR.decode(header));
    // ERR with id 0: the server could not parse our bytes, or refuses the connection, and is
    // closing it. A refused claim: the server closes the connection too.
    if (!waiting || header.id === this.#claimId) this.#fail(err);
    else waiting.reject(err);
  }

  #violation(what: string): TxtmeshError {
    return new TxtmeshError('ERR_PEER_PROTOCOL', `${this.#label} ${what}`);
  }

  #asFailure(err: unknown): TxtmeshError {
    return err instanceof TxtmeshError ? err : new TxtmeshError('ERR_PEER_CLOSED', `${this.#label}: ${(err as Error).message}`);
  }

  #fail(err: TxtmeshError): void {
    this.#failure ??= err;
    clearInterval(this.#stallTimer);
    this.#stream.destroy();
    for (const waiting of [...this.#waiting.values()]) waiting.reject(this.#failure);
  }
}

/**
 * The client side of one connection to a peer. Requests carry ids and may be pipelined; each
 * answer is matched to its request by id. Every request has a deadline and an optional
 * AbortSignal; a timeout, a protocol violation or a lost connection fails every request still
 * waiting and destroys the socket (a stream that missed a deadline cannot be trusted to stay
 * in step).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { CONNECT_TIMEOUT_MS, MAX_REQUEST_ID, REQUEST_TIMEOUT_MS } from '../constants.js';
import { ProtocolError, TxtmeshError } from '../errors.js';
import { FrameDecoder } from '../protocol/decoder.js';
import type { Header } from '../protocol/header.js';
import { readError } from '../protocol/messages.js';
import { send } from '../transport/send.js';
import { type PeerAddress, formatAddress } from '../settings.js';

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
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /**
   * Receive the body into this buffer (its length must be the body's), e.g. one from a pool
   * that is reused, instead of a new one.
   */
  readonly into?: Buffer;
}

interface Pending {
  readonly options: RequestOptions;
  readonly resolve: (answer: Answer) => void;
  readonly reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
  body: Buffer | undefined;
  filled: number;
}

/**
 * Bytes read from the socket at a time, into one buffer per connection that is reused (Node's
 * `onread`): the body bytes are copied straight into each request's buffer, so a download
 * makes no garbage per socket read.
 */
const READ_BUFFER_BYTES = 256 * 1024;

export interface ConnectOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /**
   * Fail the connection (ERR_PEER_TIMEOUT) when requests are waiting and no byte has arrived
   * for this long: a peer that froze or black-holes us. 0: only per-request deadlines apply.
   */
  readonly stallTimeoutMs?: number;
}

export class PeerConnection {
  readonly peer: PeerAddress;
  readonly #socket: Socket;
  readonly #pending = new Map<number, Pending>();
  readonly #decoder: FrameDecoder;
  #nextId = 1;
  #current: { header: Header; pending: Pending | undefined } | undefined;
  #failure: TxtmeshError | undefined;
  readonly #stallTimeoutMs: number;
  /** performance.now() of the last byte received, or of the moment requests started waiting. */
  #lastProgress = 0;
  #stallTimer: NodeJS.Timeout | undefined;

  private constructor(peer: PeerAddress, socket: Socket, stallTimeoutMs: number, reads: { sink: (chunk: Buffer) => void }) {
    this.peer = peer;
    this.#socket = socket;
    this.#stallTimeoutMs = stallTimeoutMs;
    this.#decoder = new FrameDecoder({
      maxBodyBytes: (h) => (h.verb === 'OK' ? (this.#pending.get(h.id)?.options.maxBody ?? 0) : 0),
    });
    reads.sink = (chunk) => this.#onData(chunk);
    socket.on('error', (err) => this.#fail(new TxtmeshError('ERR_PEER_CLOSED', `${this.#label}: connection lost (${err.message})`, { cause: err })));
    socket.on('close', () => this.#fail(new TxtmeshError('ERR_PEER_CLOSED', `${this.#label}: connection closed by peer`)));
  }

  /**
   * Connects to a peer.
   * @throws TxtmeshError ERR_PEER_UNREACHABLE (refused, no route, DNS) or ERR_PEER_TIMEOUT
   */
  static connect(peer: PeerAddress, options: ConnectOptions = {}): Promise<PeerConnection> {
    const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      // Reads land in one reused buffer and go to the connection's decoder (see READ_BUFFER_BYTES).
      const reads = { sink: (_chunk: Buffer): void => undefined };
      const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
      const socket = netConnect({
        host: peer.host,
        port: peer.port,
        onread: {
          buffer: readBuffer,
          callback: (bytes: number, buffer: Uint8Array) => {
            reads.sink(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
            return true; // everything is consumed at once: keep reading
          },
        },
      });
      const label = `${peer.id} (${formatAddress(peer)})`;
      const done = (err?: Error) => {
        clearTimeout(timer);
        socket.off('connect', onConnect);
        socket.off('error', onError);
        options.signal?.removeEventListener('abort', onAbort);
        if (err) {
          socket.destroy();
          reject(err);
        }
      };
      const onConnect = () => {
        done();
        socket.setNoDelay(true);
        resolve(new PeerConnection(peer, socket, options.stallTimeoutMs ?? 0, reads));
      };
      const onError = (err: NodeJS.ErrnoException) => {
        done(new TxtmeshError('ERR_PEER_UNREACHABLE', `${label} is unreachable: ${err.code ?? err.message}`, { cause: err }));
      };
      const onAbort = () => done(new TxtmeshError('ERR_PEER_TIMEOUT', `${label}: connect aborted`));
      const timer = setTimeout(() => done(new TxtmeshError('ERR_PEER_TIMEOUT', `${label} did not accept a connection within ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', onConnect);
      socket.once('error', onError);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get #label(): string {
    return `${this.peer.id} (${formatAddress(this.peer)})`;
  }

  /** True once the connection has failed or been closed. */
  get closed(): boolean {
    return this.#failure !== undefined;
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
    return new Promise<Answer>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
      const onAbort = () => this.#fail(new TxtmeshError('ERR_PEER_TIMEOUT', `${this.#label}: request aborted`));
      const settle = () => {
        clearTimeout(pending.timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
      };
      const pending: Pending = {
        options,
        timer: undefined,
        body: undefined,
        filled: 0,
        resolve: (answer) => {
          settle();
          resolve(answer);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      };
      // The deadline is re-armed while a request body is still being sent.
      const arm = () => {
        if (this.#pending.get(id) !== pending) return; // already answered
        clearTimeout(pending.timer);
        pending.timer = setTimeout(() => {
          this.#fail(new TxtmeshError('ERR_PEER_TIMEOUT', `${this.#label} did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
      };
      if (this.#pending.size === 0) this.#lastProgress = performance.now();
      this.#pending.set(id, pending);
      this.#watchStall();
      arm();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const sending = body
        ? send(this.#socket, frame).then(() => body(async (chunk) => {
            arm(); // a long upload is alive as long as bytes keep moving
            await send(this.#socket, chunk);
          }))
        : send(this.#socket, frame);
      sending.then(arm, (err: unknown) => this.#fail(err instanceof TxtmeshError ? err : new TxtmeshError('ERR_PEER_CLOSED', `${this.#label}: ${(err as Error).message}`)));
    });
  }

  /** Closes the connection; requests still waiting fail with ERR_PEER_CLOSED. */
  close(): void {
    this.#fail(new TxtmeshError('ERR_PEER_CLOSED', `${this.#label}: connection closed`));
  }

  /** Requests now waiting on this connection. */
  get waiting(): number {
    return this.#pending.size;
  }

  #watchStall(): void {
    if (this.#stallTimeoutMs <= 0 || this.#stallTimer) return;
    this.#stallTimer = setInterval(() => {
      if (this.#pending.size > 0 && performance.now() - this.#lastProgress > this.#stallTimeoutMs) {
        this.#fail(new TxtmeshError('ERR_PEER_TIMEOUT', `${this.#label} stalled: nothing received for ${this.#stallTimeoutMs} ms`));
      }
    }, Math.max(50, this.#stallTimeoutMs / 4));
    this.#stallTimer.unref();
  }

  #onData(chunk: Buffer): void {
    this.#lastProgress = performance.now();
    try {
      for (const event of this.#decoder.push(chunk)) {
        if (event.type === 'header') {
          const pending = this.#pending.get(event.header.id);
          const { header } = event;
          if (header.verb !== 'OK' && header.verb !== 'ERR') throw new TxtmeshError('ERR_PEER_PROTOCOL', `${this.#label} sent ${header.verb} where an answer was expected`);
          if (!pending && !(header.verb === 'ERR' && header.id === 0)) {
            throw new TxtmeshError('ERR_PEER_PROTOCOL', `${this.#label} answered request ${header.id}, which is not waiting`);
          }
          if (pending && header.verb === 'OK') {
            const exact = pending.options.exactBody;
            if (exact !== undefined && header.length !== exact) {
              throw new TxtmeshError('ERR_PEER_PROTOCOL', `${this.#label} sent ${header.length} bytes where ${exact} were asked for`);
            }
            const into = pending.options.into;
            if (into && into.length !== header.length) throw new TxtmeshError('ERR_PEER_PROTOCOL', `${this.#label} sent ${header.length} bytes where ${into.length} were expected`);
            pending.body = into ?? Buffer.allocUnsafe(header.length);
            pending.filled = 0;
          }
          this.#current = { header, pending };
        } else if (event.type === 'body') {
          const pending = this.#current?.pending;
          if (pending?.body) {
            event.chunk.copy(pending.body, pending.filled);
            pending.filled += event.chunk.length;
          }
        } else {
          const current = this.#current;
          this.#current = undefined;
          if (!current) continue;
          const { header, pending } = current;
          if (header.verb === 'ERR') {
            const err = readError(header);
            // ERR with id 0: the server could not parse our bytes and is closing the connection.
            if (!pending) this.#fail(err);
            else pending.reject(err);
          } else if (pending) {
            pending.resolve({ header, body: pending.body as Buffer });
          }
        }
      }
    } catch (err) {
      const failure = err instanceof ProtocolError
        ? new TxtmeshError('ERR_PEER_PROTOCOL', `${this.#label} sent a malformed frame: ${err.message}`)
        : (err as TxtmeshError);
      this.#fail(failure);
    }
  }

  #fail(err: TxtmeshError): void {
    if (!this.#failure) this.#failure = err;
    clearInterval(this.#stallTimer);
    this.#socket.destroy();
    for (const pending of [...this.#pending.values()]) pending.reject(this.#failure);
    this.#pending.clear();
  }
}

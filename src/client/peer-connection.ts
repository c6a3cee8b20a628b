/**
 * The client side of one connection to a peer. Requests carry ids and may be pipelined; each
 * answer is matched to its request by id. Every request has a deadline and an optional
 * AbortSignal; a timeout, a protocol violation or a lost connection fails every request still
 * waiting and destroys the socket (a stream that missed a deadline cannot be trusted to stay
 * in step).
 *
 * Given credentials (`as`), a connection says who it is: a HELLO claiming this peer's ID goes
 * out right after the connect, pipelined with the first request (no extra round trip), from
 * this peer's own address when it is local. To a peer with a fingerprint in the settings
 * (secure mode), it is mutual TLS 1.3, and the server's certificate must match that
 * fingerprint before anything is sent.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { CONNECT_TIMEOUT_MS, MAX_REQUEST_ID, PROTOCOL_VERSION, REQUEST_TIMEOUT_MS } from '../constants.js';
import { ProtocolError, TxtmeshError } from '../errors.js';
import { FrameDecoder } from '../protocol/decoder.js';
import type { Header } from '../protocol/header.js';
import { encodeHello, readError } from '../protocol/messages.js';
import { type Credentials, bindAddress } from '../security/credentials.js';
import { fingerprintOf, validityProblem } from '../security/identity.js';
import { send } from '../transport/send.js';
import { tlsClientOptions } from '../transport/tls.js';
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
  /** Who we are: claimed in HELLO, and our certificate in secure mode. */
  readonly as?: Credentials;
}

export class PeerConnection {
  readonly peer: PeerAddress;
  /** The fingerprint of the server's certificate, checked against the settings (secure mode). */
  readonly verifiedFingerprint: string | undefined;
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
  /** The id of our HELLO claim until its answer arrives. */
  #claimId: number | undefined;

  private constructor(peer: PeerAddress, socket: Socket, stallTimeoutMs: number, reads: { sink: (chunk: Buffer) => void }, verifiedFingerprint?: string) {
    this.peer = peer;
    this.verifiedFingerprint = verifiedFingerprint;
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
   * Connects to a peer (and, with credentials, says who we are).
   * @throws TxtmeshError ERR_PEER_UNREACHABLE (refused, no route, DNS) or ERR_PEER_TIMEOUT;
   *   in secure mode ERR_TLS_HANDSHAKE, ERR_BAD_IDENTITY (the server's certificate is not the
   *   one the settings list for it), ERR_CERT_EXPIRED, ERR_TLS_REQUIRED (we have no identity)
   */
  static connect(peer: PeerAddress, options: ConnectOptions = {}): Promise<PeerConnection> {
    const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
    const label = `${peer.id} (${formatAddress(peer)})`;
    const secure = peer.fingerprint !== undefined;
    const identity = options.as?.tls;
    if (secure && !identity) {
      return Promise.reject(new TxtmeshError('ERR_TLS_REQUIRED', `${label} is in a secure mesh, and this peer has no identity to connect with`));
    }
    return new Promise((resolve, reject) => {
      const localAddress = bindAddress(options.as?.localAddress, peer.host);
      const endpoint = { host: peer.host, port: peer.port, ...(localAddress ? { localAddress, family: isIP(localAddress) } : {}) };
      // Reads go to the connection's decoder. Over plain TCP they land in one reused buffer
      // (Node's onread, see READ_BUFFER_BYTES); TLS sockets deliver 'data' chunks instead.
      const reads = { sink: (_chunk: Buffer): void => undefined };
      const onread = {
        buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
        callback: (bytes: number, buffer: Uint8Array) => {
          reads.sink(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
          return true; // everything is consumed at once: keep reading
        },
      };
      const socket: Socket = secure && identity ? tlsConnect({ ...endpoint, ...tlsClientOptions(identity) }) : netConnect({ ...endpoint, onread });
      if (secure) socket.on('data', (chunk: Buffer) => reads.sink(chunk));
      let tcpConnected = false;
      const done = (err?: Error) => {
        clearTimeout(timer);
        socket.off('connect', onTcp);
        socket.off(secure ? 'secureConnect' : 'connect', onConnect);
        socket.off('error', onError);
        socket.off('close', onClose);
        options.signal?.removeEventListener('abort', onAbort);
        if (err) {
          socket.destroy();
          reject(err);
        }
      };
      const onTcp = () => (tcpConnected = true);
      const onConnect = () => {
        let fingerprint: string | undefined;
        if (secure) {
          const checked = checkServerCertificate(socket as TLSSocket, peer, label);
          if (checked instanceof TxtmeshError) return done(checked);
          fingerprint = checked;
        }
        done();
        socket.setNoDelay(true);
        const conn = new PeerConnection(peer, socket, options.stallTimeoutMs ?? 0, reads, fingerprint);
        if (options.as) conn.#claim(options.as.id);
        resolve(conn);
      };
      const handshakeFailed = (why: string) => new TxtmeshError('ERR_TLS_HANDSHAKE', `${label}: TLS handshake failed (${why}); does it run in secure mode with the same settings?`);
      const onError = (err: NodeJS.ErrnoException) => {
        if (secure && tcpConnected) return done(handshakeFailed(err.code ?? err.message));
        done(new TxtmeshError('ERR_PEER_UNREACHABLE', `${label} is unreachable: ${err.code ?? err.message}`, { cause: err }));
      };
      const onClose = () => done(secure && tcpConnected ? handshakeFailed('connection closed') : new TxtmeshError('ERR_PEER_UNREACHABLE', `${label} closed the connection`));
      const onAbort = () => done(new TxtmeshError('ERR_PEER_TIMEOUT', `${label}: connect aborted`));
      const timer = setTimeout(() => done(new TxtmeshError('ERR_PEER_TIMEOUT', `${label} did not accept a connection within ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', onTcp);
      socket.once(secure ? 'secureConnect' : 'connect', onConnect);
      socket.once('error', onError);
      socket.once('close', onClose);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Claims our ID, pipelined: requests sent after it queue behind it on the wire. If the peer
   * refuses the claim it closes the connection, and every request waiting fails with its code.
   */
  #claim(id: string): void {
    const requestId = this.nextId();
    this.#claimId = requestId;
    this.request(requestId, encodeHello(requestId, id), { maxBody: 0 }).catch((err: unknown) => {
      this.#fail(err instanceof TxtmeshError ? err : new TxtmeshError('ERR_PEER_CLOSED', `${this.#label}: ${(err as Error).message}`));
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
          // The claim's answer says which protocol the peer speaks; checked here, before the
          // answers pipelined behind it are taken (docs/PROTOCOL.md, "Versioning").
          if (header.id === this.#claimId && header.verb === 'OK' && header.args[0] !== PROTOCOL_VERSION) {
            throw new TxtmeshError('ERR_PEER_PROTOCOL', `${this.#label} speaks ${header.args[0] ?? 'an unknown protocol'}, not ${PROTOCOL_VERSION}`);
          }
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

/**
 * The fingerprint of the certificate a server presented, if it is the one the settings list
 * for the peer we dialled and it is valid; else the error to fail the connect with.
 */
function checkServerCertificate(socket: TLSSocket, peer: PeerAddress, label: string): string | TxtmeshError {
  const cert = socket.getPeerX509Certificate();
  if (!cert) return new TxtmeshError('ERR_BAD_IDENTITY', `${label} presented no certificate`);
  const fingerprint = fingerprintOf(cert);
  if (fingerprint !== peer.fingerprint) {
    return new TxtmeshError('ERR_BAD_IDENTITY', `${label} presented certificate ${fingerprint}, but the settings list ${peer.fingerprint} for ${peer.id}`);
  }
  const problem = validityProblem(cert);
  if (problem) return new TxtmeshError('ERR_CERT_EXPIRED', `${label}'s certificate ${problem}`);
  return fingerprint;
}

/**
 * A client session to a peer over a dialled connection: transport/dial.ts connects (TCP, or
 * mutual TLS pinned to the fingerprint the settings list for the peer) from this peer's own
 * address, and peer-session.ts speaks the protocol over it, receiving without copies.
 *
 * Given credentials (`as`), a connection says who it is: a HELLO claiming this peer's ID goes
 * out first, pipelined with the first request.
 */
import type { Duplex } from 'node:stream';
import { type Credentials, bindAddress } from '../security/credentials.js';
import type { PeerAddress } from '../settings.js';
import { type Link, dial, peerLabel } from '../transport/dial.js';
import { type RateLimit, sliceFor } from '../transport/rate-limit.js';
import type { ByteSink } from '../transport/reads.js';
import { PeerSession } from './peer-session.js';

export type { Answer, RequestOptions } from './peer-session.js';

export interface ConnectOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /**
   * Fail the connection (ERR_PEER_TIMEOUT) when requests are waiting and no byte has arrived
   * for this long: a peer that froze or black-holes us. 0: only per-request deadlines apply.
   */
  readonly stallTimeoutMs?: number;
  /** Who we are: claimed in HELLO, our source address, and our certificate in secure mode. */
  readonly as?: Credentials;
  /** false: no HELLO goes out first (the caller sends its own, e.g. #PEERS, which times it). */
  readonly claim?: boolean;
  /** The deadline of each request that sets none (--timeout); see PeerSession. */
  readonly requestTimeoutMs?: number;
  /** Secure mode: TCP is up and the TLS handshake starts (dial.ts). */
  readonly onHandshake?: (tcpMs: number) => void;
}

export class PeerConnection extends PeerSession {
  readonly peer: PeerAddress;
  /** The fingerprint of the server's certificate, checked against the settings (secure mode). */
  readonly verifiedFingerprint: string | undefined;

  readonly #pace: ReceivePace;

  private constructor(peer: PeerAddress, link: Link, options: ConnectOptions) {
    const pace: ReceivePace = { limit: undefined, timer: undefined, session: undefined };
    super(link.socket, {
      label: peerLabel(peer),
      stallTimeoutMs: options.stallTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      claim: options.claim === false ? undefined : options.as?.id,
      receive: (sink) => link.receive(pacedSink(sink, link.socket, pace)),
    });
    this.peer = peer;
    this.verifiedFingerprint = link.fingerprint;
    pace.session = this;
    this.#pace = pace;
  }

  /** From now on, reads only as fast as `limit` lets (undefined: as fast as bytes come). */
  paceReceiving(limit: RateLimit | undefined): void {
    this.#pace.limit = limit;
  }

  /**
   * Connects to a peer (and, with credentials, says who we are).
   * @throws TxtmeshError as transport/dial.ts's dial: ERR_PEER_UNREACHABLE, ERR_PEER_TIMEOUT;
   *   in secure mode ERR_TLS_REQUIRED, ERR_TLS_HANDSHAKE, ERR_BAD_IDENTITY, ERR_CERT_EXPIRED
   */
  static async connect(peer: PeerAddress, options: ConnectOptions = {}): Promise<PeerConnection> {
    const { timeoutMs, signal, as } = options;
    const localAddress = bindAddress(as?.localAddress, peer.host);
    const link = await dial(peer, { timeoutMs, signal, localAddress, identity: as?.tls, onHandshake: options.onHandshake });
    return new PeerConnection(peer, link, options);
  }
}

/** A connection's receive limit, and the timer that resumes reading. */
interface ReceivePace {
  limit: RateLimit | undefined;
  timer: NodeJS.Timeout | undefined;
  session: PeerSession | undefined;
}

/**
 * The session's sink, with the limit applied after each read: when reading has gone ahead of
 * the rate, the socket stops reading (TCP's window then slows the sender) until it is back.
 */
function pacedSink(sink: ByteSink, socket: Duplex, pace: ReceivePace): ByteSink {
  const onBytes = (chunk: Buffer) => {
    sink.onBytes(chunk);
    const wait = pace.limit?.spend(chunk.length) ?? 0;
    if (wait <= 0 || pace.timer || socket.destroyed) return;
    pace.session?.heldBack(wait);
    socket.pause();
    pace.timer = setTimeout(() => {
      pace.timer = undefined;
      if (!socket.destroyed) socket.resume();
    }, wait);
  };
  const target = sink.target;
  if (!target) return { onBytes };
  // Under a limit a read lands at most a slice of a body: one read is never far ahead of the rate.
  const capped = () => {
    const where = target.call(sink);
    const slice = pace.limit && pace.limit.rate > 0 ? sliceFor(pace.limit.rate) : 0;
    return slice > 0 && Buffer.isBuffer(where) && where.length > slice ? where.subarray(0, slice) : where;
  };
  return { onBytes, target: capped };
}

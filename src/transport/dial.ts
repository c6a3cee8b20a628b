/**
 * Dialling a peer: a TCP connection, or, to a peer whose certificate fingerprint the settings
 * list (secure mode), mutual TLS 1.3 whose server certificate must match that fingerprint
 * before anything is sent. It can come from a given local address: this peer's own, so that
 * open-mode servers can check it (the caller picks it with security/credentials.ts bindAddress).
 *
 * What comes back is the connected stream, the verified fingerprint, and a way to receive
 * its bytes without copies (reads.ts): whatever speaks the protocol over it (a client session)
 * needs nothing else from the transport.
 */
import { type Socket, isIP, connect as netConnect } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { CONNECT_TIMEOUT_MS } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import { type PeerAddress, formatAddress } from '../settings.js';
import { type ByteSink, ReusedReadBuffer, receiveData } from './reads.js';
import type { TlsIdentity } from './tls.js';

export interface DialOptions {
  /** Give up after this long (ERR_PEER_TIMEOUT); CONNECT_TIMEOUT_MS by default. */
  readonly timeoutMs?: number;
  /** Give up when this aborts (ERR_PEER_TIMEOUT). */
  readonly signal?: AbortSignal;
  /** Connect from this local address (one that can reach the peer: see bindAddress). */
  readonly localAddress?: string;
  /** This peer's key and certificate: needed to dial a peer with a pinned fingerprint. */
  readonly identity?: TlsIdentity;
  /**
   * TLS only: called when TCP is up and the handshake starts, with how long TCP took (ms): from
   * then on a peer that sends nothing is silent, not unreachable (a view watches it).
   */
  readonly onHandshake?: (tcpMs: number) => void;
}

/** A connected stream to a peer. */
export interface Link {
  /** Connected; from now on its 'error' and 'close' events are the caller's to handle. */
  readonly socket: Socket;
  /** The fingerprint of the server's certificate, checked against the settings (secure mode). */
  readonly fingerprint: string | undefined;
  /** Sends every byte received from now on to `sink` (call it once, right after the dial). */
  receive(sink: ByteSink): void;
}

/** How a peer is named in messages: `p1 (127.0.0.1:9001)`. */
export function peerLabel(peer: PeerAddress): string {
  return `${peer.id} (${formatAddress(peer)})`;
}

/**
 * Why a connect failed, worded for the line it goes on, which names the peer already
 * (`p4: unreachable: …`): the address, what the system said, and what to check.
 */
export function unreachable(peer: PeerAddress, err: NodeJS.ErrnoException): string {
  const where = formatAddress(peer);
  if (err.code === 'ECONNREFUSED') return `nothing listens at ${where} (ECONNREFUSED): is ${peer.id}'s server running?`;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `the host name ${peer.host} does not resolve (${err.code}); check ${peer.id}'s line in the settings`;
  return `${where} cannot be reached (${err.code ?? err.message}); is ${peer.id} up, and its port open?`;
}

/**
 * Connects to a peer.
 * @throws TxtmeshError ERR_PEER_UNREACHABLE (refused, no route, DNS) or ERR_PEER_TIMEOUT
 *   (deadline or abort); in secure mode ERR_TLS_REQUIRED (we have no identity),
 *   ERR_TLS_HANDSHAKE, ERR_BAD_IDENTITY (not the certificate the settings list for the peer),
 *   ERR_CERT_EXPIRED
 */
export async function dial(peer: PeerAddress, options: DialOptions = {}): Promise<Link> {
  const label = peerLabel(peer);
  if (peer.fingerprint !== undefined && !options.identity) {
    throw new TxtmeshError('ERR_TLS_REQUIRED', `${label} is in a secure mesh, and this peer has no identity to connect with`);
  }
  if (options.signal?.aborted) throw aborted(label);
  const { localAddress } = options;
  const endpoint = { host: peer.host, port: peer.port, ...(localAddress ? { localAddress, family: isIP(localAddress) } : {}) };
  if (peer.fingerprint !== undefined && options.identity) {
    // Loaded on the first secure dial: an open mesh's client starts without the TLS code (issue 11).
    const [{ connect: tlsConnect }, { checkPinnedCertificate, tlsClientOptions }] = await Promise.all([import('node:tls'), import('./tls.js')]);
    if (options.signal?.aborted) throw aborted(label);
    const socket = tlsConnect({ ...endpoint, ...tlsClientOptions(options.identity) });
    await connected(socket, peer, options, true);
    const fingerprint = checkPinnedCertificate(socket, peer, label);
    if (fingerprint instanceof TxtmeshError) {
      socket.destroy();
      throw fingerprint;
    }
    return linkOf(socket, fingerprint, (sink) => receiveData(socket, sink));
  }
  const reads = new ReusedReadBuffer();
  const socket = netConnect({ ...endpoint, onread: reads.onread });
  await connected(socket, peer, options, false);
  return linkOf(socket, undefined, (sink) => reads.attach(sink));
}

function linkOf(socket: Socket, fingerprint: string | undefined, receive: (sink: ByteSink) => void): Link {
  socket.setNoDelay(true);
  return { socket, fingerprint, receive };
}

function aborted(label: string): TxtmeshError {
  return new TxtmeshError('ERR_PEER_TIMEOUT', `${label}: connect aborted`);
}

/**
 * Waits until the socket is connected (and, for TLS, the handshake is done), or fails it: the
 * socket is destroyed and the error says why.
 */
function connected(socket: Socket | TLSSocket, peer: PeerAddress, options: DialOptions, tls: boolean): Promise<void> {
  const label = peerLabel(peer);
  const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let tcpConnected = false;
    const done = (err?: Error) => {
      clearTimeout(timer);
      socket.off('connect', onTcp);
      socket.off(tls ? 'secureConnect' : 'connect', onReady);
      socket.off('error', onError);
      socket.off('close', onClose);
      options.signal?.removeEventListener('abort', onAbort);
      if (!err) return resolve();
      socket.destroy();
      reject(err);
    };
    const started = performance.now();
    const onTcp = () => {
      tcpConnected = true;
      if (tls) options.onHandshake?.(performance.now() - started);
    };
    const onReady = () => done();
    // Once TCP is up in secure mode, a failure is the handshake's: most likely a server that
    // does not speak TLS, or one that refused our certificate.
    const handshakeFailed = (why: string) => new TxtmeshError('ERR_TLS_HANDSHAKE', `${label}: TLS handshake failed (${why}); does it run in secure mode with the same settings?`);
    const onError = (err: NodeJS.ErrnoException) => {
      if (tls && tcpConnected) return done(handshakeFailed(err.code ?? err.message));
      done(new TxtmeshError('ERR_PEER_UNREACHABLE', unreachable(peer, err), { cause: err }));
    };
    const onClose = () => done(tls && tcpConnected ? handshakeFailed('connection closed') : new TxtmeshError('ERR_PEER_UNREACHABLE', `${label} closed the connection`));
    const onAbort = () => done(aborted(label));
    const timer = setTimeout(() => done(new TxtmeshError('ERR_PEER_TIMEOUT', `${label} did not accept a connection within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', onTcp);
    socket.once(tls ? 'secureConnect' : 'connect', onReady);
    socket.once('error', onError);
    socket.once('close', onClose);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

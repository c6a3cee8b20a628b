/**
 * The secure-mode transport: mutual TLS 1.3 over the same TCP connection, with the same
 * frames inside (docs/PROTOCOL.md, "Transport and membership"). Both sides present their certificate; neither
 * trusts a certificate authority. TLS proves the other side holds the key of the certificate
 * it shows; whether that certificate belongs to the mesh is decided by its fingerprint
 * against the settings (checkPinnedCertificate on the client side), before any request is sent
 * or read.
 */
import type { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { type ConnectionOptions, type SecureContext, TLSSocket, createSecureContext } from 'node:tls';
import { TxtmeshError } from '../errors.js';
import { fingerprintOf, validityProblem } from '../security/identity.js';
import type { PeerAddress } from '../settings.js';

/** This peer's key and certificate, PEM. */
export interface TlsIdentity {
  readonly key: string;
  readonly cert: string;
}

/** The first byte of every TLS connection: a handshake record. */
const TLS_HANDSHAKE_RECORD = 0x16;

/** Options for tls.connect: our certificate, TLS 1.3 only, the server's checked by fingerprint. */
export function tlsClientOptions(identity: TlsIdentity): ConnectionOptions {
  return {
    secureContext: clientContextOf(identity),
    minVersion: 'TLSv1.3',
    // Self-signed certificates, pinned by fingerprint (checkPinnedCertificate): there is no CA to verify.
    rejectUnauthorized: false,
  };
}

// One context per identity, made on the first dial: a context parses the key and certificate
// (about 2 ms each time on this machine, 11 ms the first), and a download dials every holder.
const clientContexts = new WeakMap<TlsIdentity, SecureContext>();
function clientContextOf(identity: TlsIdentity): SecureContext {
  let context = clientContexts.get(identity);
  if (!context) clientContexts.set(identity, (context = createSecureContext({ key: identity.key, cert: identity.cert, minVersion: 'TLSv1.3' })));
  return context;
}

/** The server's TLS context: our certificate, TLS 1.3 only. */
export function tlsServerContext(identity: TlsIdentity): SecureContext {
  return createSecureContext({ key: identity.key, cert: identity.cert, minVersion: 'TLSv1.3' });
}

/** The certificate the other side presented, or undefined if none. */
export function peerCertificate(socket: TLSSocket): X509Certificate | undefined {
  return socket.getPeerX509Certificate();
}

/** SHA-256 fingerprint of the certificate the other side presented, or undefined if none. */
export function peerFingerprint(socket: TLSSocket): string | undefined {
  const cert = peerCertificate(socket);
  return cert && fingerprintOf(cert);
}

/**
 * The client's pinning check, right after the handshake and before anything is sent: the
 * certificate the server presented must be the one the settings list for the peer we dialled
 * (`peer.fingerprint`), and valid today.
 * @returns its fingerprint, or the error to fail the connect with: ERR_BAD_IDENTITY (none, or
 *   another certificate), ERR_CERT_EXPIRED (expired or not yet valid)
 */
export function checkPinnedCertificate(socket: TLSSocket, peer: PeerAddress, label: string): string | TxtmeshError {
  const cert = peerCertificate(socket);
  if (!cert) return new TxtmeshError('ERR_BAD_IDENTITY', `${label} presented no certificate`);
  const fingerprint = fingerprintOf(cert);
  if (fingerprint !== peer.fingerprint) {
    return new TxtmeshError('ERR_BAD_IDENTITY', `${label} presented certificate ${fingerprint}, but the settings list ${peer.fingerprint} for ${peer.id}`);
  }
  const problem = validityProblem(cert);
  if (problem) return new TxtmeshError('ERR_CERT_EXPIRED', `${label}'s certificate ${problem}`);
  return fingerprint;
}

/**
 * Waits for the first bytes of an accepted connection and tells whether they open a TLS
 * handshake. They are put back, so TLS (or the refusal) reads them as if untouched.
 * @returns 'tls', 'plain', or 'closed' if the connection ended or stayed silent for `timeoutMs`
 */
export function sniffTls(socket: Socket, timeoutMs: number): Promise<'tls' | 'plain' | 'closed'> {
  return new Promise((resolve) => {
    const done = (verdict: 'tls' | 'plain' | 'closed') => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('end', onClose);
      resolve(verdict);
    };
    const onData = (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      done(chunk[0] === TLS_HANDSHAKE_RECORD ? 'tls' : 'plain');
    };
    const onClose = () => done('closed');
    const timer = setTimeout(onClose, timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('end', onClose);
  });
}

/**
 * Runs the server side of the handshake on an accepted socket (after sniffTls said 'tls'),
 * asking for the client's certificate. Resolves when the handshake is complete; the caller
 * then checks the certificate before reading a single request.
 * @throws TxtmeshError ERR_TLS_HANDSHAKE (failed, timed out, or the connection ended)
 */
export function acceptTls(raw: Socket, context: SecureContext, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // Buffered bytes (the sniffed ClientHello) are fed to TLS when it takes the socket over.
    const socket = new TLSSocket(raw, { isServer: true, secureContext: context, requestCert: true, rejectUnauthorized: false });
    const onError = (err: NodeJS.ErrnoException) => fail(err.code ?? err.message);
    const onClose = () => fail('connection closed');
    const settle = () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const fail = (why: string) => {
      settle();
      socket.destroy();
      raw.destroy();
      reject(new TxtmeshError('ERR_TLS_HANDSHAKE', `TLS handshake failed: ${why}`));
    };
    const timer = setTimeout(() => fail(`not complete within ${timeoutMs} ms`), timeoutMs);
    socket.once('error', onError);
    socket.once('close', onClose);
    // 'secure' is the event node:tls's own server waits for on the sockets it wraps.
    socket.once('secure', () => {
      settle();
      socket.on('error', () => undefined); // a reset ends the connection; its reader sees the close
      resolve(socket);
    });
  });
}

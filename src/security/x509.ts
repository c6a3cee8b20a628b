/**
 * A self-signed X.509 v3 certificate for an Ed25519 key (RFC 5280, RFC 8410), built with
 * der.ts and signed with node:crypto. Node can make key pairs but not certificates; this is
 * the ~100 lines that fill the gap, so txtmesh needs no certificate package (docs/security.md,
 * "Why no certificate package"). The result is checked by Node's own parser (X509Certificate) in the tests
 * and by OpenSSL in every TLS handshake.
 *
 * Nothing in the certificate is trusted for what it says: a peer's identity is the SHA-256 of
 * the whole certificate, pinned in the settings, and the TLS handshake proves the peer holds
 * the private key. The name and extensions are there so standard tools read it sensibly.
 */
import { type KeyObject, createPublicKey, randomBytes, sign } from 'node:crypto';
import { bitString, boolean, explicit, integer, octetString, oid, sequence, set, time, utf8String } from './der.js';

const ED25519 = '1.3.101.112';
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
const EXT_KEY_USAGE = '2.5.29.37';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface CertificateOptions {
  /** An Ed25519 private key. */
  readonly privateKey: KeyObject;
  /** Subject and issuer common name, e.g. "txtmesh p1". */
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

function name(commonName: string): Buffer {
  return sequence(set(sequence(oid(COMMON_NAME), utf8String(commonName))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** The certificate in DER. */
export function selfSignedCertificate(options: CertificateOptions): Buffer {
  if (options.privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('selfSignedCertificate needs an Ed25519 key');
  const algorithm = sequence(oid(ED25519));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive, at most 20 octets (RFC 5280, 4.1.2.2)
  const tbs = sequence(
    explicit(0, integer(2)), // v3
    integer(serial),
    algorithm,
    name(options.commonName),
    sequence(time(options.notBefore), time(options.notAfter)),
    name(options.commonName),
    createPublicKey(options.privateKey).export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        extension(BASIC_CONSTRAINTS, true, sequence()), // not a CA
        extension(KEY_USAGE, true, bitString(Buffer.from([0x80]), 7)), // digitalSignature
        extension(EXT_KEY_USAGE, false, sequence(oid(SERVER_AUTH), oid(CLIENT_AUTH))),
      ),
    ),
  );
  return sequence(tbs, algorithm, bitString(sign(null, tbs, options.privateKey)));
}

/** DER to PEM, 64 base64 characters a line. */
export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

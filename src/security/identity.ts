/**
 * A peer's identity for secure mode: an Ed25519 key pair and a self-signed certificate, kept in
 * the peer folder's identity/ (key.pem, mode 0600, and cert.pem). The SHA-256 of the
 * certificate (DER) is the peer's fingerprint, which the settings pin in their fourth column,
 * as Syncthing pins device IDs. The private key is read here and handed to node:tls; it is
 * never sent anywhere nor copied out of the folder.
 */
import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TxtmeshError } from '../errors.js';
import { selfSignedCertificate, toPem } from './x509.js';

export { IDENTITY_DIR } from '../constants.js';
export const KEY_FILE = 'key.pem';
export const CERT_FILE = 'cert.pem';

/** How long a new certificate is valid: 20 years, as Syncthing's. Rotation is by hand. */
export const DEFAULT_VALIDITY_DAYS = 20 * 365;

/** What node:tls needs, plus the fingerprint the settings list for this peer. */
export interface Identity {
  /** Private key, PEM. */
  readonly key: string;
  /** Certificate, PEM. */
  readonly cert: string;
  /** SHA-256 of the certificate (DER), 64 lower-case hex digits. */
  readonly fingerprint: string;
  readonly notAfter: Date;
}

/** SHA-256 of a certificate's DER bytes, 64 lower-case hex digits. */
export function fingerprintOf(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}

/** Why a certificate cannot be used at `now`, or undefined if it is within its validity period. */
export function validityProblem(cert: X509Certificate, now = new Date()): string | undefined {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (!(now >= from)) return `is not valid before ${from.toISOString()}`;
  if (!(now <= to)) return `expired on ${to.toISOString()}`;
  return undefined;
}

export interface CreateOptions {
  /** Written into the certificate's name, for people reading it. */
  readonly peerId: string;
  readonly days?: number;
  /** Start of validity (default: an hour ago, to allow for clocks that are a little off). */
  readonly notBefore?: Date;
  /** Replace an identity that is already there (rotation). */
  readonly replace?: boolean;
}

/** Makes a new key pair and certificate, without touching the disk. */
export function generateIdentity(options: CreateOptions): Identity {
  const { privateKey } = generateKeyPairSync('ed25519');
  const notBefore = options.notBefore ?? new Date(Date.now() - 3600_000);
  const notAfter = new Date(notBefore.getTime() + (options.days ?? DEFAULT_VALIDITY_DAYS) * 86_400_000);
  const der = selfSignedCertificate({ privateKey, commonName: `txtmesh ${options.peerId}`, notBefore, notAfter });
  const cert = toPem(der);
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    cert,
    fingerprint: fingerprintOf(new X509Certificate(der)),
    notAfter,
  };
}

/** Writes a file that did not exist, with `mode`, through a temp name (never half-written). */
async function writeNew(path: string, text: string, mode: number): Promise<string> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    await handle.writeFile(text);
    await handle.chmod(mode); // whatever the umask
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/**
 * Creates an identity in `dir` (made with mode 0700 if missing): key.pem with mode 0600 and
 * cert.pem. Refuses to overwrite one unless `replace` is set.
 * @throws TxtmeshError ERR_IDENTITY_FILE if one exists and `replace` is not set
 */
export async function createIdentity(dir: string, options: CreateOptions): Promise<Identity> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, KEY_FILE);
  const certPath = join(dir, CERT_FILE);
  if (!options.replace && (await exists(keyPath) || await exists(certPath))) {
    throw new TxtmeshError('ERR_IDENTITY_FILE', `${dir} already holds an identity; use --rotate-identity to replace it`);
  }
  const identity = generateIdentity(options);
  const tempKey = await writeNew(keyPath, identity.key, 0o600);
  const tempCert = await writeNew(certPath, identity.cert, 0o644).catch(async (err: unknown) => {
    await rm(tempKey, { force: true });
    throw err;
  });
  await rename(tempKey, keyPath);
  await rename(tempCert, certPath);
  return identity;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/**
 * Loads and checks the identity in `dir`: both files readable and well-formed, the key not
 * readable by others, the key matching the certificate, the certificate valid at `now`.
 * @throws TxtmeshError ERR_IDENTITY_FILE (missing, malformed, unprotected, mismatched),
 *   ERR_CERT_EXPIRED
 */
export async function loadIdentity(dir: string, now = new Date()): Promise<Identity> {
  const keyPath = join(dir, KEY_FILE);
  const certPath = join(dir, CERT_FILE);
  const bad = (what: string) => new TxtmeshError('ERR_IDENTITY_FILE', what);
  const read = (path: string) =>
    readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT'
        ? bad(`no identity: ${path} is missing. Create one with txtmesh-server --init-identity (in the peer folder)`)
        : bad(`cannot read ${path}: ${err.message}`);
    });
  const keyText = await read(keyPath);
  const certText = await read(certPath);
  if (process.platform !== 'win32' && ((await stat(keyPath)).mode & 0o077) !== 0) {
    throw bad(`${keyPath} can be read by other users; make it private with: chmod 600 ${keyPath}`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certText);
  } catch (err) {
    throw bad(`${certPath} is not a certificate in PEM form (${(err as Error).message})`);
  }
  let key;
  try {
    key = createPrivateKey(keyText);
  } catch (err) {
    throw bad(`${keyPath} is not a private key in PEM form (${(err as Error).message})`);
  }
  if (!cert.checkPrivateKey(key)) throw bad(`${keyPath} is not the key of ${certPath}; use --rotate-identity to make a new pair`);
  const problem = validityProblem(cert, now);
  if (problem) {
    throw new TxtmeshError('ERR_CERT_EXPIRED', `this peer's certificate ${certPath} ${problem}; make a new one with txtmesh-server --rotate-identity and update the settings`);
  }
  return { key: keyText, cert: certText, fingerprint: fingerprintOf(cert), notAfter: new Date(cert.validTo) };
}

/**
 * Identities: the certificate our DER encoder builds is one Node and OpenSSL accept; files are
 * created private; every way an identity folder can be wrong is refused with its code.
 */
import { expect } from 'chai';
import { X509Certificate, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CERT_FILE, KEY_FILE, createIdentity, fingerprintOf, generateIdentity, loadIdentity, validityProblem } from '../../src/security/identity.js';
import { selfSignedCertificate, toPem } from '../../src/security/x509.js';
import { parseFingerprint } from '../../src/settings.js';
import { tempDir } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

describe('security/x509 and identity', function () {
  let root: string;
  beforeEach(async () => (root = await tempDir('txtmesh-id-')));
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('builds a self-signed v3 certificate that X509Certificate parses and verifies', function () {
    const { privateKey } = generateKeyPairSync('ed25519');
    const notBefore = new Date(Date.UTC(2026, 0, 1));
    const notAfter = new Date(Date.UTC(2060, 0, 1)); // GeneralizedTime
    const der = selfSignedCertificate({ privateKey, commonName: 'txtmesh p1', notBefore, notAfter });
    const cert = new X509Certificate(toPem(der));
    expect(cert.subject).to.equal('CN=txtmesh p1');
    expect(cert.issuer).to.equal('CN=txtmesh p1');
    expect(new Date(cert.validFrom).getTime()).to.equal(notBefore.getTime());
    expect(new Date(cert.validTo).getTime()).to.equal(notAfter.getTime());
    expect(cert.verify(createPublicKey(privateKey))).to.equal(true);
    expect(cert.checkPrivateKey(privateKey)).to.equal(true);
    expect(cert.ca).to.equal(false);
    expect(cert.raw.equals(der)).to.equal(true);
    // Our fingerprint is OpenSSL's SHA-256 fingerprint, without the colons.
    expect(fingerprintOf(cert)).to.equal(parseFingerprint(cert.fingerprint256));
  });

  it('creates identity/ with a private key file (0600) and prints the same fingerprint it loads', async function () {
    const dir = join(root, 'identity');
    const made = await createIdentity(dir, { peerId: 'p1' });
    expect(made.fingerprint).to.match(/^[0-9a-f]{64}$/);
    expect((await stat(join(dir, KEY_FILE))).mode & 0o777).to.equal(0o600);
    expect((await stat(dir)).mode & 0o077).to.equal(0);
    const loaded = await loadIdentity(dir);
    expect(loaded.fingerprint).to.equal(made.fingerprint);
    expect(loaded.notAfter.getTime()).to.be.above(Date.now() + 19 * 365 * 86_400_000);
  });

  it('refuses to overwrite an identity unless rotating, and rotation gives a new fingerprint', async function () {
    const dir = join(root, 'identity');
    const first = await createIdentity(dir, { peerId: 'p1' });
    await expectCode(createIdentity(dir, { peerId: 'p1' }), 'ERR_IDENTITY_FILE');
    expect((await loadIdentity(dir)).fingerprint).to.equal(first.fingerprint);
    const second = await createIdentity(dir, { peerId: 'p1', replace: true });
    expect(second.fingerprint).to.not.equal(first.fingerprint);
    expect((await loadIdentity(dir)).fingerprint).to.equal(second.fingerprint);
    expect((await stat(join(dir, KEY_FILE))).mode & 0o777).to.equal(0o600);
  });

  it('refuses a missing, malformed, unprotected or mismatched identity with ERR_IDENTITY_FILE', async function () {
    const dir = join(root, 'identity');
    await expectCode(loadIdentity(dir), 'ERR_IDENTITY_FILE');
    await createIdentity(dir, { peerId: 'p1' });
    const goodCert = await readFile(join(dir, CERT_FILE), 'utf8');
    const goodKey = await readFile(join(dir, KEY_FILE), 'utf8');

    await writeFile(join(dir, CERT_FILE), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
    const badCert = await expectCode(loadIdentity(dir), 'ERR_IDENTITY_FILE');
    expect(badCert.message).to.contain(CERT_FILE);
    await writeFile(join(dir, CERT_FILE), goodCert);

    await writeFile(join(dir, KEY_FILE), 'garbage', { mode: 0o600 });
    await expectCode(loadIdentity(dir), 'ERR_IDENTITY_FILE');
    await writeFile(join(dir, KEY_FILE), goodKey);

    await chmod(join(dir, KEY_FILE), 0o644);
    const open = await expectCode(loadIdentity(dir), 'ERR_IDENTITY_FILE');
    expect(open.message).to.contain('chmod 600');
    await chmod(join(dir, KEY_FILE), 0o600);

    await writeFile(join(dir, CERT_FILE), generateIdentity({ peerId: 'other' }).cert);
    await expectCode(loadIdentity(dir), 'ERR_IDENTITY_FILE');
  });

  it('refuses an expired or not yet valid certificate with ERR_CERT_EXPIRED', async function () {
    const expired = join(root, 'expired');
    await createIdentity(expired, { peerId: 'p1', notBefore: new Date(Date.now() - 3 * 86_400_000), days: 1 });
    await expectCode(loadIdentity(expired), 'ERR_CERT_EXPIRED');
    const future = join(root, 'future');
    await createIdentity(future, { peerId: 'p1', notBefore: new Date(Date.now() + 86_400_000) });
    await expectCode(loadIdentity(future), 'ERR_CERT_EXPIRED');
    const cert = new X509Certificate(generateIdentity({ peerId: 'p1' }).cert);
    expect(validityProblem(cert)).to.equal(undefined);
    expect(validityProblem(cert, new Date(Date.now() + 21 * 365 * 86_400_000))).to.match(/^expired on /);
  });

  it('loads a key in a folder made by hand', async function () {
    const dir = join(root, 'byhand');
    await mkdir(dir);
    const id = generateIdentity({ peerId: 'p1' });
    await writeFile(join(dir, KEY_FILE), id.key, { mode: 0o600 });
    await writeFile(join(dir, CERT_FILE), id.cert);
    expect((await loadIdentity(dir)).fingerprint).to.equal(id.fingerprint);
  });
});

/**
 * Secure mode: every connection is mutual TLS 1.3, each side pins the other's certificate to
 * the fingerprint the settings list for it, and anything else is refused before a request is
 * read. Real servers on 127.0.0.1 with identities in temp folders.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DownloadError, download } from '../../src/client/download.js';
import { fileInfo, listFiles } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { upload } from '../../src/client/upload.js';
import { peersView } from '../../src/client/views.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { REQUESTS } from '../../src/protocol/requests.js';
import { generateIdentity } from '../../src/security/identity.js';
import { Membership } from '../../src/security/membership.js';
import { PeerServer } from '../../src/server/peer-server.js';
import { type Mesh, makeText, rawExchange, startMesh, tlsExchange, writeFiles } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

const identityOf = (data: Buffer) => createHash('sha256').update(createHash('sha256').update(data).digest()).digest('hex');
const body = Buffer.from('planted words');
const put = (id: number, name = 'planted.txt') => Buffer.concat([REQUESTS.PUT.encode({ verb: 'PUT', id: id, name: name, size: body.length, identity: identityOf(body) }), body]);

describe('secure mode: mutual TLS pinned by fingerprint', function () {
  this.timeout(30_000);
  let mesh: Mesh;
  const text = makeText(40 * PIECE_SIZE + 123, [PIECE_SIZE, 17 * PIECE_SIZE]);

  before(async function () {
    const files = { 'big.txt': text };
    mesh = await startMesh({ p1: { files: { ...files, 'a.txt': 'p1 alone' } }, p2: { files }, p3: { files } }, ['me'], { secure: true });
    await writeFiles(mesh.dirOf('me'), { 'doc.txt': makeText(3 * PIECE_SIZE + 5) });
  });
  after(() => mesh.stop());

  const p1Files = () => readdir(mesh.dirOf('p1'));
  const me = () => mesh.credentialsOf('me');
  const statuses = (id: string) => (mesh.logs.get(id) ?? []).map((e) => e.status);

  it('downloads from three peers and uploads to two, byte for byte', async function () {
    const result = await download({ name: 'big.txt', peers: mesh.contextOf('me').others, folder: await mesh.folderOf('me'), as: me() });
    expect(result.status).to.equal('downloaded');
    expect((await readFile(join(mesh.dirOf('me'), 'big.txt'))).equals(text)).to.equal(true);
    for (const p of result.peers) expect(p.bytes, p.peer).to.be.above(0);

    const { outcomes } = await upload({ name: 'doc.txt', peers: [mesh.address('p2'), mesh.address('p3')], folder: await mesh.folderOf('me'), as: me() });
    expect(outcomes.map((o) => o.status)).to.deep.equal(['stored', 'stored']);
    const sent = await readFile(join(mesh.dirOf('me'), 'doc.txt'));
    for (const id of ['p2', 'p3']) expect((await readFile(join(mesh.dirOf(id), 'doc.txt'))).equals(sent), id).to.equal(true);
  });

  it('#PEERS says the mesh is secure and shows each peer\'s verified identity', async function () {
    const result = await peersView(mesh.peers, 'me', { as: me(), timeoutMs: 5000 });
    expect(result.mode).to.equal('secure');
    for (const id of ['p1', 'p2', 'p3']) {
      const row = result.peers.find((p) => p.peer === id);
      expect(row?.online, id).to.equal(true);
      expect(row?.identity, id).to.equal(mesh.identities.get(id)?.fingerprint);
    }
    expect(result.peers.find((p) => p.peer === 'me')).to.include({ online: false, identity: null });
  });

  it('refuses a certificate the settings do not list, before reading a request', async function () {
    const stranger = generateIdentity({ peerId: 'me' });
    const raw = await tlsExchange(mesh.address('p1').port, Buffer.concat([Buffer.from('HELLO 1 0 txtmesh/1 me\n'), put(2)]), stranger);
    expect(raw.text).to.match(/^ERR 0 0 ERR_NOT_A_MEMBER [^\n]*\n$/);
    expect(raw.closed).to.equal(true);
    const none = await tlsExchange(mesh.address('p1').port, 'LIST 1 0\n', undefined);
    expect(none.text).to.match(/^ERR 0 0 ERR_NOT_A_MEMBER [^\n]*no client certificate/);
    // The shipped client with that certificate: refused for uploads and downloads alike.
    const as = { id: 'me', tls: stranger };
    const { outcomes } = await upload({ name: 'doc.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me'), as });
    expect(outcomes[0]?.error?.code).to.equal('ERR_NOT_A_MEMBER');
    await expectCode(download({ name: 'a.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me'), as }), 'ERR_NOT_A_MEMBER', DownloadError);
    expect(await p1Files()).to.deep.equal(['a.txt', 'big.txt']);
    expect(mesh.logs.get('p1')?.filter((e) => e.verb !== '-' && e.status !== 'OK')).to.deep.equal([]);
  });

  it('refuses a certificate listed under another ID than the one claimed', async function () {
    const p2 = mesh.identities.get('p2');
    const raw = await tlsExchange(mesh.address('p1').port, Buffer.concat([Buffer.from('HELLO 1 0 txtmesh/1 me\n'), put(2)]), p2);
    expect(raw.text).to.match(/^ERR 1 0 ERR_BAD_IDENTITY [^\n]*\n$/);
    expect(raw.closed).to.equal(true);
    const { outcomes } = await upload({ name: 'doc.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me'), as: { id: 'me', tls: p2 } });
    expect(outcomes[0]?.error?.code).to.equal('ERR_BAD_IDENTITY');
    expect(await p1Files()).to.deep.equal(['a.txt', 'big.txt']);
    expect(statuses('p1').filter((s) => s === 'ERR_BAD_IDENTITY')).to.have.length(2);
  });

  it('does not talk to a server whose certificate is not the one listed for the peer dialled', async function () {
    const before = mesh.logs.get('p2')?.length ?? 0;
    // The settings say p1 is where p2 listens.
    const impostor = { ...mesh.address('p1'), port: mesh.address('p2').port };
    await expectCode(PeerConnection.connect(impostor, { as: me() }), 'ERR_BAD_IDENTITY');
    await new Promise((r) => setTimeout(r, 100));
    expect((mesh.logs.get('p2') ?? []).slice(before), 'nothing was sent').to.deep.equal([]);
  });

  it('answers a plain-TCP client in plaintext with ERR_TLS_REQUIRED and closes, reading nothing', async function () {
    const raw = await rawExchange(mesh.address('p1').port, Buffer.concat([Buffer.from('HELLO 1 0 txtmesh/1 me\n'), put(2)]));
    expect(raw.text).to.match(/^ERR 0 0 ERR_TLS_REQUIRED [^\n]*\n$/);
    expect(raw.closed).to.equal(true);
    // The shipped client knows from the settings that it needs a certificate.
    await expectCode(PeerConnection.connect(mesh.address('p1'), { as: { id: 'me' } }), 'ERR_TLS_REQUIRED');
    expect(await p1Files()).to.deep.equal(['a.txt', 'big.txt']);
    expect(statuses('p1')).to.include('ERR_TLS_REQUIRED');
  });

  it('refuses TLS older than 1.3', async function () {
    const raw = await tlsExchange(mesh.address('p1').port, 'LIST 1 0\n', me().tls, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(raw.text).to.equal('');
    expect(raw.error).to.match(/ERR_SSL/);
    await new Promise((r) => setTimeout(r, 50));
    expect(statuses('p1')).to.include('ERR_TLS_HANDSHAKE');
  });

  it('closes a connection that stays silent or stalls its handshake past the deadline', async function () {
    const log: string[] = [];
    const server = new PeerServer({
      peerId: 'p1',
      dir: mesh.dirOf('p1'),
      headerTimeoutMs: 300,
      mesh: { membership: mesh.membership, identity: mesh.identities.get('p1') },
      log: (e) => log.push(e.status),
    });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const started = performance.now();
      const [silent, stalled] = await Promise.all([rawExchange(port, '', 2000), rawExchange(port, Buffer.from([0x16, 0x03]), 2000)]);
      expect(silent.closed && stalled.closed).to.equal(true);
      expect(silent.text + stalled.text).to.equal('');
      expect(performance.now() - started).to.be.below(1500);
      expect(log).to.deep.equal(['ERR_TLS_HANDSHAKE']);
    } finally {
      await server.close();
    }
  });

  it('refuses an expired certificate, even a listed one, on either side', async function () {
    const expired = generateIdentity({ peerId: 'old', notBefore: new Date(Date.now() - 3 * 86_400_000), days: 1 });
    const listed = [...mesh.peers, { id: 'old', host: '127.0.0.1', port: 1, line: 99, fingerprint: expired.fingerprint }];
    await mesh.membership.update(listed);
    try {
      const raw = await tlsExchange(mesh.address('p1').port, 'LIST 1 0\n', expired);
      expect(raw.text).to.match(/^ERR 0 0 ERR_CERT_EXPIRED [^\n]*\n$/);
      // A server whose certificate has expired: the client will not talk to it.
      const server = new PeerServer({ peerId: 'old', dir: mesh.dirOf('me'), mesh: { membership: new Membership(listed), identity: expired } });
      const { port } = await server.listen(0, '127.0.0.1');
      try {
        await expectCode(PeerConnection.connect({ id: 'old', host: '127.0.0.1', port, line: 99, fingerprint: expired.fingerprint }, { as: me() }), 'ERR_CERT_EXPIRED');
      } finally {
        await server.close();
      }
    } finally {
      await mesh.membership.update(mesh.peers);
    }
  });

  it('neither serves nor follows symlinks out of the folder', async function () {
    const outside = join(mesh.root, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'secret.txt'), 'secret');
    const dir = mesh.dirOf('p3');
    await symlink(join(outside, 'secret.txt'), join(dir, 'link.txt'));
    await symlink(outside, join(dir, 'linkdir'));
    try {
      const conn = await PeerConnection.connect(mesh.address('p3'), { as: me() });
      try {
        expect((await listFiles(conn)).map((f) => f.name)).to.not.include.members(['link.txt', 'linkdir/secret.txt']);
        for (const name of ['link.txt', 'linkdir/secret.txt']) await expectCode(fileInfo(conn, name), 'ERR_NOT_FOUND');
      } finally {
        conn.close();
      }
      const raw = await tlsExchange(mesh.address('p3').port, Buffer.concat([Buffer.from('HELLO 1 0 txtmesh/1 me\n'), put(2, 'linkdir/planted.txt')]), me().tls);
      expect(raw.text).to.match(/^OK 1 0 txtmesh\/1 peer=p3\nERR 2 0 ERR_BAD_NAME /);
      expect(await readdir(outside)).to.deep.equal(['secret.txt']);
    } finally {
      await rm(join(dir, 'link.txt'));
      await rm(join(dir, 'linkdir'));
    }
  });
});

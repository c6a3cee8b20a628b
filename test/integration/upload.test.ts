/**
 * Uploads on real loopback servers: verified, atomic, never replacing a different file.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { upload } from '../../src/client/upload.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { REQUESTS } from '../../src/protocol/requests.js';
import { type Mesh, makeText, rawExchange, startMesh, waitFor, writeFiles } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

function identityOf(data: Buffer): string {
  const hashes: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += PIECE_SIZE) {
    hashes.push(createHash('sha256').update(data.subarray(offset, offset + PIECE_SIZE)).digest());
  }
  return createHash('sha256').update(Buffer.concat(hashes)).digest('hex');
}

describe('upload', function () {
  this.timeout(30_000);
  let mesh: Mesh;
  const text = makeText(3 * PIECE_SIZE + 99);

  beforeEach(async function () {
    mesh = await startMesh({ p2: { files: { 'taken.txt': 'their own words' } }, p3: {}, p4: { state: 'down' } }, ['me']);
    await writeFiles(mesh.dirOf('me'), { 'doc.txt': text, 'taken.txt': 'my different words', 'sub/n.txt': 'nested' });
  });
  afterEach(() => mesh.stop());

  it('pushes a file to two peers in parallel, byte for byte', async function () {
    const { outcomes } = await upload({ name: 'doc.txt', peers: [mesh.address('p2'), mesh.address('p3')], folder: await mesh.folderOf('me'), as: mesh.credentialsOf('me') });
    expect(outcomes.map((o) => [o.peer, o.status, o.bytes])).to.deep.equal([
      ['p2', 'stored', text.length],
      ['p3', 'stored', text.length],
    ]);
    for (const peer of ['p2', 'p3']) expect((await readFile(join(mesh.dirOf(peer), 'doc.txt'))).equals(text)).to.equal(true);
    // A second upload finds the same bytes there and sends nothing.
    const again = await upload({ name: 'doc.txt', peers: [mesh.address('p2')], folder: await mesh.folderOf('me'), as: mesh.credentialsOf('me') });
    expect(again.outcomes[0]?.status).to.equal('same');
  });

  it('uploads into subfolders', async function () {
    const { outcomes } = await upload({ name: 'sub/n.txt', peers: [mesh.address('p3')], folder: await mesh.folderOf('me'), as: mesh.credentialsOf('me') });
    expect(outcomes[0]?.status).to.equal('stored');
    expect(await readFile(join(mesh.dirOf('p3'), 'sub', 'n.txt'), 'utf8')).to.equal('nested');
  });

  it('is refused over different content, which stays untouched; other peers still get it', async function () {
    const { outcomes } = await upload({ name: 'taken.txt', peers: [mesh.address('p2'), mesh.address('p3'), mesh.address('p4')], folder: await mesh.folderOf('me'), as: mesh.credentialsOf('me') });
    expect(outcomes.map((o) => [o.peer, o.status, o.error?.code])).to.deep.equal([
      ['p2', 'failed', 'ERR_EXISTS'],
      ['p3', 'stored', undefined],
      ['p4', 'failed', 'ERR_PEER_UNREACHABLE'],
    ]);
    expect(await readFile(join(mesh.dirOf('p2'), 'taken.txt'), 'utf8')).to.equal('their own words');
  });

  it('is refused by the server even without the client\'s pre-check (raw PUT)', async function () {
    const body = Buffer.from('my different words');
    const raw = await rawExchange(mesh.address('p2').port, Buffer.concat([REQUESTS.PUT.encode({ verb: 'PUT', id: 1, name: 'taken.txt', size: body.length, identity: identityOf(body) }), body]), 300, { claimAs: 'me' });
    expect(raw.text).to.match(/^ERR 1 0 ERR_EXISTS /);
    expect(await readFile(join(mesh.dirOf('p2'), 'taken.txt'), 'utf8')).to.equal('their own words');
  });

  it('refuses bytes that do not match the announced identity, leaving nothing', async function () {
    const body = Buffer.from('actual bytes');
    const raw = await rawExchange(mesh.address('p3').port, Buffer.concat([REQUESTS.PUT.encode({ verb: 'PUT', id: 1, name: 'x.txt', size: body.length, identity: identityOf(Buffer.from('other bytes!')) }), body]), 300, { claimAs: 'me' });
    expect(raw.text).to.match(/^ERR 1 0 ERR_UPLOAD_MISMATCH /);
    expect(await readdir(mesh.dirOf('p3'))).to.deep.equal([]);
  });

  it('leaves nothing under the real name (and no temp file) when cut off half-way', async function () {
    const socket = connect(mesh.address('p3').port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(REQUESTS.HELLO.encode({ verb: 'HELLO', id: 9, peerId: 'me' })); // a member may upload
    socket.write(REQUESTS.PUT.encode({ verb: 'PUT', id: 1, name: 'cut.txt', size: text.length, identity: identityOf(text) }));
    socket.write(text.subarray(0, PIECE_SIZE));
    await waitFor(async () => (await readdir(mesh.dirOf('p3'))).length > 0); // the temp file exists
    expect(await readdir(mesh.dirOf('p3'))).to.not.include('cut.txt');
    socket.destroy();
    await waitFor(async () => (await readdir(mesh.dirOf('p3'))).length === 0);
  });

  it('fails with ERR_NOT_FOUND for a file this peer does not serve', async function () {
    await expectCode(upload({ name: 'absent.txt', peers: [mesh.address('p2')], folder: await mesh.folderOf('me'), as: mesh.credentialsOf('me') }), 'ERR_NOT_FOUND');
  });

  it('lets exactly one of two racing uploads of different content land', async function () {
    const a = Buffer.from('version A '.repeat(50_000));
    const b = Buffer.from('version B '.repeat(50_000));
    const [ra, rb] = await Promise.all([
      rawExchange(mesh.address('p3').port, Buffer.concat([REQUESTS.PUT.encode({ verb: 'PUT', id: 1, name: 'race.txt', size: a.length, identity: identityOf(a) }), a]), 500, { claimAs: 'me' }),
      rawExchange(mesh.address('p3').port, Buffer.concat([REQUESTS.PUT.encode({ verb: 'PUT', id: 1, name: 'race.txt', size: b.length, identity: identityOf(b) }), b]), 500, { claimAs: 'me' }),
    ]);
    const answers = [ra.text, rb.text].map((t) => t.split(' ')[0] === 'OK' ? 'OK' : t.split(' ')[3]).sort();
    expect(answers).to.deep.equal(['ERR_EXISTS', 'OK']);
    const landed = await readFile(join(mesh.dirOf('p3'), 'race.txt'));
    expect(landed.equals(ra.text.startsWith('OK') ? a : b)).to.equal(true);
    expect(await readdir(mesh.dirOf('p3'))).to.deep.equal(['race.txt']);
  });
});

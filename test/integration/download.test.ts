/**
 * Multi-peer downloads on real loopback servers: byte-exact joins, pieces verified, peers that
 * die or lie routed around, versions never mixed, nothing half-written.
 */
import { expect } from 'chai';
import { open, readFile, readdir, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { download } from '../../src/client/download.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { type Mesh, makeText, startMesh } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

describe('download from several peers', function () {
  this.timeout(60_000);
  let mesh: Mesh | undefined;
  afterEach(async () => {
    await mesh?.stop();
    mesh = undefined;
  });

  it('joins a multi-MiB UTF-8 CRLF text from 3 peers byte for byte, characters straddling piece boundaries', async function () {
    const boundaries = Array.from({ length: 15 }, (_, i) => (i + 1) * PIECE_SIZE);
    const text = makeText(4 * 1024 * 1024 + 12345, boundaries);
    // The test is about split characters: make sure they really straddle.
    expect(text.subarray(PIECE_SIZE - 1, PIECE_SIZE + 2).toString('utf8')).to.equal('€');
    expect(text.includes(Buffer.from('\r\n'))).to.equal(true);
    mesh = await startMesh({ p1: { files: { 'big.txt': text } }, p2: { files: { 'big.txt': text } }, p3: { files: { 'big.txt': text } } }, ['me']);
    const result = await download({ name: 'big.txt', peers: mesh.contextOf('me').others, folder: await mesh.folderOf('me') });
    const copy = await readFile(join(mesh.dirOf('me'), 'big.txt'));
    expect(copy.equals(text)).to.equal(true);
    expect(result.status).to.equal('downloaded');
    expect(result.peers.reduce((sum, p) => sum + p.bytes, 0)).to.equal(text.length);
    expect(result.peers.filter((p) => p.bytes > 0).length).to.equal(3);
    // The servers sent every byte as ranges (a range may cover several pieces).
    const gets = [...mesh.logs.values()].flat().filter((e) => e.verb === 'GET' && e.status === 'OK');
    expect(gets.reduce((sum, e) => sum + e.bytes, 0)).to.be.at.least(text.length);
    expect(gets.every((e) => e.bytes % PIECE_SIZE === 0 || e.bytes % PIECE_SIZE === text.length % PIECE_SIZE)).to.equal(true);
    expect(await readdir(mesh.dirOf('me'))).to.deep.equal(['big.txt']);
  });

  it('finishes from the others when a peer dies mid-download', async function () {
    const text = makeText(16 * 1024 * 1024);
    mesh = await startMesh({ p1: { files: { 'f.txt': text } }, p2: { files: { 'f.txt': text } }, p3: { files: { 'f.txt': text } } }, ['me']);
    const victim = mesh.servers.get('p2');
    let killed = false;
    let gets = 0;
    // Kill p2 as it answers its third piece: its open requests fail mid-stream.
    mesh.tap('p2', (entry) => {
      if (entry.verb === 'GET' && ++gets === 3) {
        killed = true;
        void victim?.close();
      }
    });
    const result = await download({ name: 'f.txt', peers: mesh.contextOf('me').others, folder: await mesh.folderOf('me') });
    expect(killed).to.equal(true);
    expect((await readFile(join(mesh.dirOf('me'), 'f.txt'))).equals(text)).to.equal(true);
    const p2 = result.peers.find((p) => p.peer === 'p2');
    expect(p2?.problem?.message).to.match(/ERR_PEER_CLOSED|ERR_PEER_UNREACHABLE/);
    expect(p2?.bytes).to.be.below(text.length);
  });

  it('drops a peer that sends a bad piece and fetches that piece from another', async function () {
    const text = makeText(8 * PIECE_SIZE);
    mesh = await startMesh({ liar: { files: { 'f.txt': text } }, honest: { files: { 'f.txt': text } } }, ['me']);
    // Prime the liar's identity cache, then corrupt its copy in place keeping size, inode and
    // mtime: it now serves wrong bytes under the old identity.
    const path = join(mesh.dirOf('liar'), 'f.txt');
    await utimes(path, 1_000_000, 1_000_000);
    await mesh.servers.get('liar')?.folder.describe('f.txt');
    const handle = await open(path, 'r+');
    // Every piece is bad, so whichever pieces the liar is asked for (downloads start at a
    // random piece), its first answer fails verification.
    for (let piece = 0; piece < 8; piece++) await handle.write(Buffer.from('XXXX'), 0, 4, piece * PIECE_SIZE);
    await handle.close();
    await utimes(path, 1_000_000, 1_000_000);
    const result = await download({ name: 'f.txt', peers: [mesh.address('liar'), mesh.address('honest')], folder: await mesh.folderOf('me') });
    expect((await readFile(join(mesh.dirOf('me'), 'f.txt'))).equals(text)).to.equal(true);
    expect(result.peers.find((p) => p.peer === 'liar')?.problem?.message).to.contain('ERR_HASH_MISMATCH');
    expect(result.peers.find((p) => p.peer === 'honest')?.bytes).to.be.at.least(PIECE_SIZE);
  });

  it('never mixes versions: the majority wins and the others are named', async function () {
    const a = makeText(3 * PIECE_SIZE + 5);
    const b = Buffer.from(a);
    b[PIECE_SIZE + 1] = 0x21;
    mesh = await startMesh({ p1: { files: { 'v.txt': a } }, p2: { files: { 'v.txt': b } }, p3: { files: { 'v.txt': a } } }, ['me']);
    const result = await download({ name: 'v.txt', peers: mesh.contextOf('me').others, folder: await mesh.folderOf('me') });
    expect((await readFile(join(mesh.dirOf('me'), 'v.txt'))).equals(a)).to.equal(true);
    const p2 = result.peers.find((p) => p.peer === 'p2');
    expect(p2?.bytes).to.equal(0);
    expect(p2?.problem?.message).to.contain('another version');
    expect(mesh.logs.get('p2')?.some((e) => e.verb === 'GET')).to.equal(false);
  });

  it('stops with ERR_VERSION_CONFLICT naming both versions when there is no majority', async function () {
    mesh = await startMesh({ p1: { files: { 'v.txt': 'one' } }, p2: { files: { 'v.txt': 'two' } } }, ['me']);
    const err = await expectCode(download({ name: 'v.txt', peers: mesh.contextOf('me').others, folder: await mesh.folderOf('me') }), 'ERR_VERSION_CONFLICT');
    expect(err.message).to.contain('p1').and.to.contain('p2');
    expect(await readdir(mesh.dirOf('me'))).to.deep.equal([]);
  });

  it('downloads an empty file without hanging', async function () {
    mesh = await startMesh({ p1: { files: { 'empty.txt': '' } }, p2: { files: { 'empty.txt': '' } } }, ['me']);
    const result = await download({ name: 'empty.txt', peers: mesh.contextOf('me').others, folder: await mesh.folderOf('me') });
    expect(result.size).to.equal(0);
    expect((await stat(join(mesh.dirOf('me'), 'empty.txt'))).size).to.equal(0);
  });

  it('says "already" for the same file, and for a different one keeps it, naming the versions the peers hold', async function () {
    mesh = await startMesh({ p1: { files: { 'x.txt': 'remote', 'y.txt': 'same' } } }, ['me']);
    await writeFile(join(mesh.dirOf('me'), 'x.txt'), 'local and different');
    await writeFile(join(mesh.dirOf('me'), 'y.txt'), 'same');
    const folder = await mesh.folderOf('me');
    const kept = await download({ name: 'x.txt', peers: [mesh.address('p1')], folder });
    expect(kept).to.deep.include({ status: 'already', size: 19, identity: (await folder.describe('x.txt')).identity });
    expect(kept.others?.map((v) => [v.size, v.peers])).to.deep.equal([[6, ['p1']]]);
    expect(await readFile(join(mesh.dirOf('me'), 'x.txt'), 'utf8')).to.equal('local and different');
    const same = await download({ name: 'y.txt', peers: [mesh.address('p1')], folder });
    expect(same.status).to.equal('already');
    expect(same.others).to.deep.equal([]);
    expect(await readdir(mesh.dirOf('me'))).to.deep.equal(['x.txt', 'y.txt']);
  });

  it('keeps verified pieces when every holder dies, and resumes from them', async function () {
    const text = makeText(32 * PIECE_SIZE);
    mesh = await startMesh({ p1: { files: { 'f.txt': text } } }, ['me']);
    const server = mesh.servers.get('p1');
    let gets = 0;
    mesh.tap('p1', (entry) => {
      if (entry.verb === 'GET' && ++gets === 6) void server?.close();
    });
    const fast = { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 };
    const err = await expectCode(download({ name: 'f.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me'), retry: fast }), 'ERR_DOWNLOAD_INCOMPLETE');
    expect(err.message).to.match(/stopped at \d+\/32 pieces.* pieces are verified and kept/);
    // Nothing under the real name; one hidden part file named after the version, and beside it
    // the record of its verified pieces (have-file.ts), which this peer's server serves from.
    const left = (await readdir(mesh.dirOf('me'))).sort();
    expect(left).to.have.length(2);
    expect(left[0]).to.match(/^\.f\.txt\.dl-[0-9a-f]{16}\.txtmesh-have$/);
    expect(left[1]).to.equal((left[0] as string).replace(/have$/, 'part'));

    // The peer comes back on the same port: the next download resumes.
    const { PeerServer } = await import('../../src/server/peer-server.js');
    const again = new PeerServer({ peerId: 'p1', dir: mesh.dirOf('p1') });
    await again.listen(mesh.address('p1').port, '127.0.0.1');
    try {
      let resumed = -1;
      const result = await download({ name: 'f.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me'), onResume: (pieces) => (resumed = pieces) });
      expect(resumed).to.be.at.least(1);
      expect(result.resumedBytes).to.equal(resumed * PIECE_SIZE);
      expect((await readFile(join(mesh.dirOf('me'), 'f.txt'))).equals(text)).to.equal(true);
      expect(await readdir(mesh.dirOf('me'))).to.deep.equal(['f.txt']);
    } finally {
      await again.close();
    }
  });

  it('re-verifies a part file before resuming: corrupt pieces are fetched again', async function () {
    const text = makeText(8 * PIECE_SIZE);
    mesh = await startMesh({ p1: { files: { 'f.txt': text } } }, ['me']);
    const info = await mesh.servers.get('p1')?.folder.describe('f.txt');
    const part = join(mesh.dirOf('me'), `.f.txt.dl-${info?.identity.slice(0, 16)}.txtmesh-part`);
    // An earlier attempt left pieces 0-3; piece 2 was damaged (say, by a power loss).
    const damaged = Buffer.from(text.subarray(0, 4 * PIECE_SIZE));
    damaged.fill(0, 2 * PIECE_SIZE + 10, 2 * PIECE_SIZE + 20);
    await writeFile(part, damaged);
    let resumed = -1;
    const result = await download({ name: 'f.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me'), onResume: (pieces) => (resumed = pieces) });
    expect(resumed).to.equal(3);
    expect(result.peers.find((p) => p.peer === 'p1')?.bytes).to.equal(5 * PIECE_SIZE);
    expect((await readFile(join(mesh.dirOf('me'), 'f.txt'))).equals(text)).to.equal(true);
  });

  it('starts afresh when the part file belongs to another version', async function () {
    const text = makeText(4 * PIECE_SIZE);
    mesh = await startMesh({ p1: { files: { 'f.txt': text } } }, ['me']);
    const stale = join(mesh.dirOf('me'), `.f.txt.dl-${'0'.repeat(16)}.txtmesh-part`);
    await writeFile(stale, text);
    let resumed = 0;
    await download({ name: 'f.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me'), onResume: (pieces) => (resumed = pieces) });
    expect(resumed).to.equal(0);
    expect(await readdir(mesh.dirOf('me'))).to.deep.equal(['f.txt']);
  });

  it('refuses a symlink at the target name before fetching anything, and leaves it be', async function () {
    mesh = await startMesh({ p1: { files: { 'f.txt': makeText(3 * PIECE_SIZE) } } }, ['me']);
    const outside = join(mesh.root, 'elsewhere.txt');
    await writeFile(outside, 'not to be touched\n');
    await symlink(outside, join(mesh.dirOf('me'), 'f.txt'));
    const err = await expectCode(download({ name: 'f.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me') }), 'ERR_EXISTS');
    expect(err.message).to.contain('not a file txtmesh serves');
    expect(mesh.logs.get('p1')?.filter((e) => e.verb === 'GET')).to.deep.equal([]);
    expect(await readlink(join(mesh.dirOf('me'), 'f.txt'))).to.equal(outside);
    expect(await readFile(outside, 'utf8')).to.equal('not to be touched\n');
    expect(await readdir(mesh.dirOf('me'))).to.deep.equal(['f.txt']);
  });

  it('reports ERR_NOT_FOUND when nobody has the file, naming why for each peer', async function () {
    mesh = await startMesh({ p1: { files: {} }, p2: { state: 'down' } }, ['me']);
    const err = await expectCode(download({ name: 'nope.txt', peers: mesh.contextOf('me').others, folder: await mesh.folderOf('me') }), 'ERR_NOT_FOUND');
    expect(err.message).to.contain('p1: does not have it').and.to.contain('p2');
  });

  it('refuses traversal names and options out of range before asking anyone', async function () {
    mesh = await startMesh({ p1: { files: {} } }, ['me']);
    await expectCode(download({ name: '../escape.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me') }), 'ERR_BAD_NAME');
    const err = await expectCode(download({ name: 'f.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me'), pipelineDepth: 0 }), 'ERR_USAGE');
    expect(err.message).to.match(/^pipelineDepth must be/);
    expect(mesh.logs.get('p1')).to.deep.equal([]);
  });
});

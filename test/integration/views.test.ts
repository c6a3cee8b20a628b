/**
 * The mesh-wide views over real servers: one peer down, one silent, one holding another
 * version of a file, and a settings entry that points at the wrong peer.
 */
import { expect } from 'chai';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { filesView, peersView, pingView } from '../../src/client/views.js';
import type { PeerAddress } from '../../src/settings.js';
import { type Mesh, startMesh, writeFiles } from '../helpers.js';

describe('mesh views over real servers', function () {
  this.timeout(20_000);
  let mesh: Mesh;
  let alias: PeerAddress;

  before(async function () {
    mesh = await startMesh(
      {
        p1: { files: { 'hello.txt': 'Hello\n', 'only1.txt': 'one' } },
        p2: { files: { 'hello.txt': 'Hello\n' } },
        p3: { files: { 'hello.txt': 'Hello, world\n' } },
        p4: { state: 'down' },
        p5: { state: 'silent' },
      },
      ['me'],
    );
    alias = { id: 'alias', host: '127.0.0.1', port: mesh.address('p1').port, line: 99 };
  });
  after(() => mesh.stop());

  it('#PEERS: online with RTT, version and file count; down and silent peers offline with why; this peer marked', async function () {
    const started = Date.now();
    const result = await peersView([...mesh.peers, alias], 'me', { timeoutMs: 10_000, myId: 'me' });
    // The silent peer is not waited for until --timeout: a little longer than the others took.
    expect(Date.now() - started, 'peers are asked in parallel, the silent one briefly').to.be.below(3000);
    const byId = new Map(result.peers.map((p) => [p.peer, p]));
    for (const [id, files] of [['p1', 2], ['p2', 1], ['p3', 1]] as const) {
      const p = byId.get(id)!;
      expect(p).to.include({ online: true, version: 'txtmesh/1', announced: id, files, self: false, error: null });
      expect(p.rttMs).to.be.a('number').and.to.be.above(0).and.below(1000);
    }
    expect(byId.get('p4')).to.include({ online: false, rttMs: null, files: null, version: null });
    expect(byId.get('p4')?.error?.code).to.equal('ERR_PEER_UNREACHABLE');
    expect(byId.get('p5')?.online).to.equal(false);
    expect(byId.get('p5')?.error?.code).to.equal('ERR_PEER_TIMEOUT');
    expect(byId.get('p5')?.error?.message).to.match(/^p5 \(127\.0\.0\.1:\d+\): no answer within \d+ ms, while \d+ peers answered within \d+ ms \(ERR_PEER_TIMEOUT\)$/);
    expect(byId.get('me')).to.include({ self: true, online: false });
    // The settings say "alias", the server at that address says it is p1.
    expect(byId.get('alias')).to.include({ online: true, announced: 'p1' });
    // The RTT is a real exchange, and one is enough: each online peer logged one HELLO and one LIST.
    expect(mesh.logs.get('p2')?.map((e) => e.verb)).to.deep.equal(['HELLO', 'LIST']);
  });

  it('#PING: several HELLOs on one connection per peer, min <= avg <= max; unreachable peers say why', async function () {
    const before = mesh.logs.get('p2')?.filter((e) => e.verb === 'HELLO').length ?? 0;
    const result = await pingView([mesh.address('p2'), mesh.address('p4'), mesh.address('p5')], 4, { timeoutMs: 800 });
    const [p2, p4, p5] = result.peers;
    expect(result.count).to.equal(4);
    expect(p2).to.include({ peer: 'p2', reachable: true, sent: 4, received: 4, version: 'txtmesh/1', error: null });
    expect(p2?.samples).to.have.length(4);
    const { min, avg, max } = p2!.rttMs!;
    expect(min).to.be.at.most(avg);
    expect(avg).to.be.at.most(max);
    const hellos = mesh.logs.get('p2')!.filter((e) => e.verb === 'HELLO').slice(before);
    expect(hellos).to.have.length(4);
    expect(new Set(hellos.map((e) => e.remote)).size, 'one connection').to.equal(1);
    expect(p4).to.include({ reachable: false, received: 0, rttMs: null });
    expect(p4?.error?.code).to.equal('ERR_PEER_UNREACHABLE');
    // The silent peer accepts the connection, then never answers: 1 HELLO sent, none answered.
    expect(p5).to.include({ reachable: false, sent: 1, received: 0 });
    expect(p5?.error?.code).to.equal('ERR_PEER_TIMEOUT');
  });

  it('#FILES: every name with the peers of each version; a name in two versions is a conflict', async function () {
    const result = await filesView(mesh.peers, { timeoutMs: 10_000 });
    const hello = result.files.find((f) => f.name === 'hello.txt')!;
    expect(hello.conflict).to.equal(true);
    expect(hello.versions.map((v) => [v.size, v.peers])).to.deep.equal([[6, ['p1', 'p2']], [13, ['p3']]]);
    expect(result.files.find((f) => f.name === 'only1.txt')).to.deep.include({ conflict: false });
    expect(result.peers.map((p) => [p.peer, p.ok ? p.files : p.error.code])).to.deep.equal([
      ['p1', 2],
      ['p2', 1],
      ['p3', 1],
      ['p4', 'ERR_PEER_UNREACHABLE'],
      ['p5', 'ERR_PEER_TIMEOUT'],
      ['me', 'ERR_PEER_UNREACHABLE'],
    ]);
    const silent = result.peers.find((p) => p.peer === 'p5');
    expect(silent && !silent.ok && silent.error.message).to.match(/^p5 \(127\.0\.0\.1:\d+\): no answer within \d+ ms, while 3 peers answered within \d+ ms \(ERR_PEER_TIMEOUT\)$/);
  });

  it('#FILES: a file dropped into served_files while the server runs is listed, and a deleted one disappears', async function () {
    const names = async () => (await filesView([mesh.address('p2')])).files.map((f) => f.name);
    await writeFiles(mesh.dirOf('p2'), { 'deep/dropped.txt': 'new' });
    expect(await names()).to.deep.equal(['deep/dropped.txt', 'hello.txt']);
    await unlink(join(mesh.dirOf('p2'), 'deep', 'dropped.txt'));
    expect(await names()).to.deep.equal(['hello.txt']);
  });
});

describe('mesh views over real servers, secure mode', function () {
  this.timeout(20_000);
  let mesh: Mesh;
  before(async () => (mesh = await startMesh({ p1: { files: { 'a.txt': 'a' } }, p2: {}, frozen: { state: 'silent' } }, ['me'], { secure: true })));
  after(() => mesh.stop());

  it('a peer that takes the connection and never answers the TLS handshake is silent, not waited for', async function () {
    const started = Date.now();
    const result = await filesView(mesh.peers, { timeoutMs: 10_000, as: mesh.credentialsOf('me'), myId: 'me' });
    // Not the 5 s a connect may take, nor --timeout: a little longer than p1 and p2 took.
    expect(Date.now() - started).to.be.below(3000);
    const frozen = result.peers.find((p) => p.peer === 'frozen');
    expect(frozen && !frozen.ok && frozen.error.message).to.match(/^frozen \(127\.0\.0\.1:\d+\): no answer within \d+ ms, while 2 peers answered/);
    expect(result.peers.filter((p) => p.ok).map((p) => p.peer)).to.deep.equal(['p1', 'p2']);
  });
});

/**
 * ConnectionPool against a real server on 127.0.0.1: a connection given back is the one taken
 * next (the server sees one connection), one the peer closed is never handed out, idle ones are
 * closed after idleMs, and at most one idle connection per peer is kept.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectionPool } from '../../src/client/connection-pool.js';
import { download } from '../../src/client/download.js';
import { fanOut } from '../../src/client/fan-out.js';
import { hello, listFiles } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { type Mesh, startMesh, waitFor } from '../helpers.js';

describe('client/connection-pool', function () {
  this.timeout(20_000);
  let mesh: Mesh;
  before(async () => (mesh = await startMesh({ p1: { files: { 'a.txt': 'alpha', 'b.txt': 'beta' } }, p2: {} }, ['me'])));
  after(() => mesh.stop());

  it('hands back the connection given, for the same peer only', async function () {
    const pool = new ConnectionPool();
    const conn = await PeerConnection.connect(mesh.address('p1'), { as: mesh.credentialsOf('me') });
    await hello(conn);
    pool.give(conn);
    expect(pool.size).to.equal(1);
    expect(pool.take(mesh.address('p2'))).to.equal(undefined);
    expect(pool.take(mesh.address('p1'))).to.equal(conn);
    expect(pool.take(mesh.address('p1')), 'taken: no longer idle').to.equal(undefined);
    expect((await listFiles(conn)).map((f) => f.name)).to.deep.equal(['a.txt', 'b.txt']);
    conn.close();
  });

  it('never hands out a connection the peer closed, keeps one per peer, closes idle ones after idleMs', async function () {
    const pool = new ConnectionPool({ idleMs: 150 });
    const [a, b] = await Promise.all([1, 2].map(() => PeerConnection.connect(mesh.address('p1'))));
    pool.give(a as PeerConnection);
    pool.give(b as PeerConnection);
    expect(pool.size).to.equal(1);
    expect(b?.closed, 'a second idle one for the same peer is closed').to.equal(true);
    await waitFor(() => a?.closed === true, 2000, 'the idle connection closed');
    expect(pool.size).to.equal(0);
    const c = await PeerConnection.connect(mesh.address('p2'));
    pool.give(c);
    c.close(); // as if the peer had hung up
    expect(pool.take(mesh.address('p2'))).to.equal(undefined);
  });

  it('lets downloads one after another share one connection per peer, given back when each is done', async function () {
    const pool = new ConnectionPool();
    const folder = await mesh.folderOf('me');
    const before = mesh.logs.get('p1')?.length ?? 0;
    for (const name of ['a.txt', 'b.txt']) {
      const result = await download({ name, peers: [mesh.address('p1')], folder, pool, as: mesh.credentialsOf('me') });
      expect(result.status).to.equal('downloaded');
      expect(pool.size, 'the connection is idle in the pool again').to.equal(1);
    }
    expect(await readFile(join(folder.root, 'b.txt'), 'utf8')).to.equal('beta');
    const entries = mesh.logs.get('p1')?.slice(before) ?? [];
    expect(entries.map((e) => e.verb)).to.deep.equal(['HELLO', 'INFO', 'GET', 'INFO', 'GET']);
    expect(new Set(entries.map((e) => e.remote)).size, 'one connection').to.equal(1);
    pool.close();
  });

  it('lets two fan-outs share one TCP connection per peer; after close(), nothing is kept', async function () {
    const pool = new ConnectionPool();
    const peers = [mesh.address('p1'), mesh.address('p2')];
    const before = mesh.logs.get('p1')?.length ?? 0;
    for (let i = 0; i < 2; i++) {
      const results = await fanOut(peers, (conn, { signal }) => listFiles(conn, signal), { pool, as: mesh.credentialsOf('me') });
      expect(results.map((r) => r.ok)).to.deep.equal([true, true]);
    }
    const entries = mesh.logs.get('p1')?.slice(before) ?? [];
    expect(entries.map((e) => e.verb)).to.deep.equal(['HELLO', 'LIST', 'LIST']);
    expect(new Set(entries.map((e) => e.remote)).size, 'one connection').to.equal(1);
    pool.close();
    expect(pool.size).to.equal(0);
    const conn = await PeerConnection.connect(mesh.address('p1'));
    pool.give(conn);
    expect(conn.closed, 'given to a closed pool: closed').to.equal(true);
  });
});

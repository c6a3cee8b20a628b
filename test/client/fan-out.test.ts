/**
 * fanOut against real servers on 127.0.0.1: a peer that answers, one that refuses connections
 * (nothing listens), one that accepts and never answers, one that comes up late, and one whose
 * connection slots are full for a moment (ERR_BUSY).
 */
import { expect } from 'chai';
import { type Socket, connect } from 'node:net';
import { type PeerResult, type PeerTurn, fanOut } from '../../src/client/fan-out.js';
import { hello, listFiles } from '../../src/client/peer-client.js';
import type { PeerConnection } from '../../src/client/peer-connection.js';
import { PROTOCOL_VERSION } from '../../src/constants.js';
import { codeOf } from '../../src/errors.js';
import { PeerServer } from '../../src/server/peer-server.js';
import type { PeerAddress } from '../../src/settings.js';
import { type Mesh, freePort, startMesh } from '../helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function codes<T>(results: PeerResult<T>[]): [string, string][] {
  return results.map((r) => [r.peer.id, r.ok ? 'ok' : r.problem.code]);
}

describe('client/fan-out', function () {
  let mesh: Mesh;

  before(async function () {
    mesh = await startMesh({
      up: { files: { 'a.txt': 'alpha' } },
      refused: { state: 'down' },
      silent: { state: 'silent' },
      up2: { files: {} },
    });
  });
  after(() => mesh.stop());

  it('gives one result per peer, in the order given: the value, or the code and message of why not', async function () {
    const started = performance.now();
    const results = await fanOut(mesh.peers, (conn, { signal }) => listFiles(conn, signal), { timeoutMs: 800 });
    expect(codes(results)).to.deep.equal([
      ['up', 'ok'],
      ['refused', 'ERR_PEER_UNREACHABLE'],
      ['silent', 'ERR_PEER_TIMEOUT'],
      ['up2', 'ok'],
    ]);
    const [up, refused, silent] = results;
    expect(up?.ok && up.value.map((f) => f.name)).to.deep.equal(['a.txt']);
    expect(refused && !refused.ok && refused.problem.message).to.match(/^nothing listens at 127\.0\.0\.1:\d+ \(ECONNREFUSED\): is refused's server running\? \(ERR_PEER_UNREACHABLE\)$/);
    const silentPeer = mesh.address('silent');
    expect(silent && !silent.ok && silent.problem.message).to.equal(`silent (127.0.0.1:${silentPeer.port}) did not answer within 800 ms (ERR_PEER_TIMEOUT)`);
    // Asked in parallel: the silent peer's deadline is paid once, and it is what the turn took.
    expect(silent?.ms).to.be.within(750, 3000);
    expect(performance.now() - started).to.be.below(3000);
    expect(up?.ms).to.be.below(silent?.ms ?? 0);
  });

  it('tells each exchange its peer, position and connect time, and closes the connection afterwards', async function () {
    const turns: PeerTurn[] = [];
    const conns: PeerConnection[] = [];
    const peers = [mesh.address('up'), mesh.address('up2')];
    const results = await fanOut(peers, async (conn, turn) => {
      turns.push(turn);
      conns.push(conn);
      return (await hello(conn)).version;
    });
    expect(results.map((r) => r.ok && r.value)).to.deep.equal([PROTOCOL_VERSION, PROTOCOL_VERSION]);
    expect(turns.map((t) => [t.peer.id, t.index])).to.have.deep.members([['up', 0], ['up2', 1]]);
    for (const t of turns) expect(t.connectMs).to.be.within(0, 2000);
    expect(conns.map((c) => c.closed)).to.deep.equal([true, true]);
  });

  it('leaves the connection open with keepOpen, for the caller to use and close', async function () {
    const [result] = await fanOut([mesh.address('up')], async (conn) => conn, { keepOpen: true });
    if (!result?.ok) throw new Error('expected the peer to answer');
    const conn = result.value;
    expect(conn.closed).to.equal(false);
    expect((await listFiles(conn)).map((f) => f.name)).to.deep.equal(['a.txt']);
    conn.close();
  });

  it('turns a failing exchange into that peer\'s problem and closes its connection, keepOpen or not', async function () {
    let seen: PeerConnection | undefined;
    const results = await fanOut(
      [mesh.address('up'), mesh.address('up2')],
      async (conn, { peer }) => {
        if (peer.id === 'up') {
          seen = conn;
          throw new Error('the exchange broke');
        }
        return 'fine';
      },
      { keepOpen: true },
    );
    expect(results.map((r) => (r.ok ? r.value : r.problem))).to.deep.equal([{ code: 'ERR_INTERNAL', message: 'the exchange broke' }, 'fine']);
    expect(seen?.closed).to.equal(true);
  });

  it('reports each result as soon as it is known, before the slowest peer is done', async function () {
    const order: string[] = [];
    const all = fanOut([mesh.address('silent'), mesh.address('up')], (conn, { signal }) => listFiles(conn, signal), {
      timeoutMs: 600,
      onResult: (r, index) => order.push(`${index}:${r.peer.id}:${r.ok}`),
    });
    await sleep(300);
    expect(order).to.deep.equal(['1:up:true']);
    await all;
    expect(order).to.deep.equal(['1:up:true', '0:silent:false']);
  });

  it('asks at most `limit` peers at once', async function () {
    const peers = Array.from({ length: 6 }, () => mesh.address('up'));
    let running = 0;
    let most = 0;
    const results = await fanOut(
      peers,
      async (conn) => {
        most = Math.max(most, ++running);
        await sleep(50);
        await hello(conn);
        running--;
      },
      { limit: 2 },
    );
    expect(results.every((r) => r.ok)).to.equal(true);
    expect(most).to.equal(2);
  });

  it('fails every turn when the caller aborts, at once, without calling it a deadline', async function () {
    const before = await fanOut(mesh.peers, (conn, { signal }) => listFiles(conn, signal), { timeoutMs: 5000, signal: AbortSignal.abort() });
    expect(before.map((r) => r.ok)).to.deep.equal([false, false, false, false]);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 200);
    const started = performance.now();
    const [during] = await fanOut([mesh.address('silent')], (conn, { signal }) => listFiles(conn, signal), { timeoutMs: 5000, signal: stop.signal });
    expect(performance.now() - started).to.be.below(2000);
    for (const r of [...before, during]) {
      if (r?.ok !== false) throw new Error('expected a failure');
      expect(r.problem.code).to.equal('ERR_PEER_TIMEOUT');
      expect(r.problem.message).not.to.contain('did not answer within');
    }
  });

  it('tries a refusing peer again with a retry policy, until it is up', async function () {
    const port = await freePort();
    const late = new PeerServer({ peerId: 'late', dir: mesh.dirOf('up') });
    const starting = sleep(400).then(() => late.listen(port, '127.0.0.1'));
    const retried: string[] = [];
    try {
      const [result] = await fanOut([{ id: 'late', host: '127.0.0.1', port, line: 9 }], (conn) => listFiles(conn), {
        retry: { attempts: 10, baseDelayMs: 100, maxDelayMs: 200 },
        onRetry: (peer, err) => retried.push(`${peer.id} ${(err as { code?: string }).code}`),
      });
      expect(result?.ok && result.value.map((f) => f.name)).to.deep.equal(['a.txt']);
      expect(retried.length).to.be.at.least(1);
      expect(new Set(retried)).to.deep.equal(new Set(['late ERR_PEER_UNREACHABLE']));
    } finally {
      await starting;
      await late.close();
    }
  });

  it('tries once by default', async function () {
    const retried: unknown[] = [];
    const [result] = await fanOut([mesh.address('refused')], (conn) => listFiles(conn), { onRetry: (_, err) => retried.push(err) });
    expect(result?.ok).to.equal(false);
    expect(retried).to.deep.equal([]);
  });

  describe('a peer whose connection slots are full for a moment (ERR_BUSY)', function () {
    let busy: PeerServer;
    let holder: Socket | undefined;
    let peer: PeerAddress;

    beforeEach(async function () {
      busy = new PeerServer({ peerId: 'busy', dir: mesh.dirOf('up'), maxConnections: 1 });
      peer = { id: 'busy', host: '127.0.0.1', port: (await busy.listen(0, '127.0.0.1')).port, line: 9 };
      // A PUT whose body is still coming keeps the one slot busy: no one may take it.
      holder = connect(peer.port, '127.0.0.1');
      holder.on('error', () => undefined);
      await new Promise((resolve) => holder?.once('connect', resolve));
      holder.write(`PUT 1 1000 held.txt ${'a'.repeat(64)}\nxx`);
      await sleep(100);
    });
    afterEach(async () => {
      holder?.destroy();
      await busy.close();
    });

    it('is asked again by default, and answers once the slot is free', async function () {
      const retried: string[] = [];
      setTimeout(() => holder?.destroy(), 200);
      const [result] = await fanOut([peer], (conn) => listFiles(conn), { onRetry: (p, err) => retried.push(`${p.id} ${codeOf(err)}`) });
      expect(result?.ok && result.value.map((f) => f.name)).to.deep.equal(['a.txt']);
      expect(retried[0]).to.equal('busy ERR_BUSY');
    });

    it('stays ERR_BUSY after three attempts when the slot never frees', async function () {
      const retried: string[] = [];
      const [result] = await fanOut([peer], (conn) => listFiles(conn), { onRetry: (p, err) => retried.push(`${p.id} ${codeOf(err)}`) });
      expect(result && !result.ok && result.problem.code).to.equal('ERR_BUSY');
      expect(retried).to.deep.equal(['busy ERR_BUSY', 'busy ERR_BUSY']);
    });
  });
});

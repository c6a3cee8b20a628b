import { expect } from 'chai';
import { chooseHolders, chooseTarget, setAside } from '../../../src/client/download/choose-holders.js';
import type { Holder } from '../../../src/client/download/find-holders.js';
import { NOT_HELD, PeerLedger } from '../../../src/client/download/peer-ledger.js';
import { fileInfo } from '../../../src/client/peer-client.js';
import { PeerConnection } from '../../../src/client/peer-connection.js';
import type { ErrorCode } from '../../../src/errors.js';
import { type Mesh, startMesh } from '../../helpers.js';
import { expectCode } from '../../helpers/expect-code.js';

describe('client/download/choose-holders', function () {
  let mesh: Mesh;
  const open: PeerConnection[] = [];

  /** Real holders: a connection to each peer, and the INFO it answered. */
  async function holders(...ids: string[]): Promise<Holder[]> {
    return Promise.all(
      ids.map(async (id) => {
        const conn = await PeerConnection.connect(mesh.address(id));
        open.push(conn);
        return { peer: mesh.address(id), conn, info: await fileInfo(conn, 'v.txt'), latencyMs: 1 };
      }),
    );
  }

  before(async function () {
    mesh = await startMesh({
      a1: { files: { 'v.txt': 'version A' } },
      a2: { files: { 'v.txt': 'version A' } },
      b1: { files: { 'v.txt': 'version B, longer' } },
    });
  });
  afterEach(() => {
    for (const conn of open.splice(0)) conn.close();
  });
  after(() => mesh.stop());

  it('keeps the largest group that agrees; the others are set aside, closed, with their version', async function () {
    const ledger = new PeerLedger();
    const all = await holders('b1', 'a1', 'a2');
    const { info, chosen } = chooseHolders('v.txt', all, ledger);
    expect(chosen.map((h) => h.peer.id)).to.deep.equal(['a1', 'a2']);
    expect(info).to.equal(all[1]?.info);
    expect(all.map((h) => h.conn.closed)).to.deep.equal([true, false, false]);
    const [b1] = ledger.outcomes();
    expect(b1).to.deep.equal({
      peer: 'b1',
      bytes: 0,
      problem: { code: 'ERR_VERSION_CONFLICT', message: `holds another version (${all[0]?.info.identity.slice(0, 12)}); not mixed` },
      identity: all[0]?.info.identity,
      size: 17,
    });
  });

  it('refuses to pick between versions without a majority', async function () {
    const both = await holders('a1', 'b1');
    expectCode(() => chooseHolders('v.txt', both, new PeerLedger()), 'ERR_VERSION_CONFLICT');
  });

  it('setAside says why a holder was left out', async function () {
    const ledger = new PeerLedger();
    const [b1] = await holders('b1');
    setAside(b1 as Holder, ledger, 'answered late with another version');
    expect(b1?.conn.closed).to.equal(true);
    expect(ledger.problems()[0]?.problem.message).to.match(/^answered late with another version \([0-9a-f]{12}\); not mixed$/);
  });

  describe('chooseTarget: what this peer holds, and what the user asked for', function () {
    it('a version here is kept: nothing fetched, every holder left to the search to close or pool, the other versions named', async function () {
      const all = await holders('a1', 'b1');
      const [a, b] = all.map((h) => h.info);
      const choice = chooseTarget('v.txt', all, new PeerLedger(), { local: { identity: a?.identity as string, size: 9 } });
      expect(choice).to.deep.equal({ kind: 'keep', local: { identity: a?.identity, size: 9 }, others: [{ identity: b?.identity, size: b?.size, peers: ['b1'] }] });
      expect(all.some((h) => h.conn.closed)).to.equal(false);
      for (const h of all) h.conn.close();
    });

    it('with replace, the majority is fetched as usual', async function () {
      const all = await holders('a1', 'a2', 'b1');
      const choice = chooseTarget('v.txt', all, new PeerLedger(), { local: { identity: 'f'.repeat(64), size: 1 }, replace: true });
      expect(choice.kind === 'fetch' && choice.chosen.map((h) => h.peer.id)).to.deep.equal(['a1', 'a2']);
    });

    it('with --version, the holders of that version only (in any case), even the minority; the local one if it is that version', async function () {
      const all = await holders('a1', 'a2', 'b1');
      const b = all[2]?.info.identity as string;
      const ledger = new PeerLedger();
      const choice = chooseTarget('v.txt', all, ledger, { version: b.slice(0, 6).toUpperCase() });
      expect(choice.kind === 'fetch' && choice.chosen.map((h) => h.peer.id)).to.deep.equal(['b1']);
      expect(ledger.problems().map((p) => [p.peer, p.problem.code])).to.deep.equal([['a1', 'ERR_VERSION_CONFLICT'], ['a2', 'ERR_VERSION_CONFLICT']]);
      const again = await holders('b1');
      expect(chooseTarget('v.txt', again, new PeerLedger(), { version: b.slice(0, 4), local: { identity: b, size: 17 } }).kind).to.equal('keep');
    });

    it('refuses a --version that is not hex or that no holder has', async function () {
      expectCode(() => chooseTarget('v.txt', [], new PeerLedger(), { version: 'xyz' }), 'ERR_PEER_UNREACHABLE');
      const all = await holders('a1', 'b1');
      expectCode(() => chooseTarget('v.txt', all, new PeerLedger(), { version: 'xyz' }), 'ERR_USAGE');
      const [a, b] = all.map((h) => h.info.identity);
      const none = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'].find((d) => !a?.startsWith(d) && !b?.startsWith(d)) as string;
      expectCode(() => chooseTarget('v.txt', all, new PeerLedger(), { version: none }), 'ERR_NOT_FOUND');
      expectCode(() => chooseTarget('v.txt', all, new PeerLedger(), { version: '' }), 'ERR_USAGE');
    });
  });

  describe('with no holder, says whose fault it is', function () {
    const cases: [string, [string, ErrorCode][], ErrorCode][] = [
      ['the file\'s, when a peer answered that it lacks it', [['p1', 'ERR_PEER_UNREACHABLE'], ['p2', 'ERR_NOT_FOUND']], 'ERR_NOT_FOUND'],
      ['ours, when every peer refused us for who we are', [['p1', 'ERR_NOT_A_MEMBER'], ['p2', 'ERR_NOT_A_MEMBER']], 'ERR_NOT_A_MEMBER'],
      ['the network\'s otherwise', [['p1', 'ERR_PEER_UNREACHABLE'], ['p2', 'ERR_PEER_TIMEOUT']], 'ERR_PEER_UNREACHABLE'],
      ['the network\'s when no peer was asked at all', [], 'ERR_PEER_UNREACHABLE'],
    ];
    for (const [what, problems, code] of cases) {
      it(what, function () {
        const ledger = new PeerLedger();
        for (const [peer, c] of problems) ledger.set(peer, { problem: { code: c, message: c === 'ERR_NOT_FOUND' ? NOT_HELD : `why (${c})` } });
        const err = expectCode(() => chooseHolders('v.txt', [], ledger), code);
        for (const [peer] of problems) expect(err.message).to.contain(`${peer}: `);
      });
    }
  });
});

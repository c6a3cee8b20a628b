/**
 * The holder search against real servers on 127.0.0.1: holders, a peer without the file, one
 * that refuses connections, one that never answers, one that comes up late, and one whose
 * piece hashes do not add up to the identity it claims.
 */
import { expect } from 'chai';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { HolderSearch } from '../../../src/client/download/find-holders.js';
import { type DownloadOptions, downloadSettings } from '../../../src/client/download/options.js';
import { NOT_HELD, PeerLedger } from '../../../src/client/download/peer-ledger.js';
import { PIECE_SIZE } from '../../../src/constants.js';
import { PeerServer } from '../../../src/server/peer-server.js';
import type { PeerAddress } from '../../../src/settings.js';
import { type Mesh, freePort, startMesh } from '../../helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ONCE = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

function problemCodes(ledger: PeerLedger): Record<string, string | undefined> {
  return Object.fromEntries(ledger.outcomes().map((o) => [o.peer, o.problem?.code]));
}

/**
 * A peer that answers every INFO for a one-piece file with an identity its piece hash does not
 * add up to (the wire format of docs/PROTOCOL.md, written out by hand).
 */
async function inconsistentPeer(): Promise<{ address: PeerAddress; server: Server }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\n')) >= 0) {
        const [verb, id] = buffered.slice(0, end).split(' ');
        buffered = buffered.slice(end + 1);
        if (verb === 'HELLO') socket.write(`OK ${id} 0 txtmesh/1\n`);
        if (verb === 'INFO') socket.write(Buffer.concat([Buffer.from(`OK ${id} 32 size=5 piece=${PIECE_SIZE} pieces=1 identity=${'e'.repeat(64)}\n`), Buffer.alloc(32, 7)]));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { address: { id: 'liar', host: '127.0.0.1', port: (server.address() as AddressInfo).port, line: 9 }, server };
}

describe('client/download/find-holders', function () {
  let mesh: Mesh;
  let options: DownloadOptions;

  before(async function () {
    mesh = await startMesh({
      h1: { files: { 'f.txt': 'the file\n' } },
      h2: { files: { 'f.txt': 'the file\n' } },
      lacks: { files: {} },
      down: { state: 'down' },
      silent: { state: 'silent' },
    });
    options = { name: 'f.txt', peers: [], folder: await mesh.folderOf('h1'), retry: ONCE };
  });
  after(() => mesh.stop());

  it('decides on the holders in the order given, each on an open connection; the others are in the ledger', async function () {
    const ledger = new PeerLedger();
    const peers = ['lacks', 'h2', 'down', 'h1'].map((id) => mesh.address(id));
    const search = new HolderSearch(downloadSettings({ ...options, peers }), new AbortController().signal, ledger);
    const holders = await search.decided;
    await search.settled;
    try {
      expect(holders.map((h) => h.peer.id)).to.deep.equal(['h2', 'h1']);
      expect(holders.map((h) => h.info.size)).to.deep.equal([9, 9]);
      expect(holders.every((h) => !h.conn.closed)).to.equal(true);
      expect(problemCodes(ledger)).to.deep.equal({ lacks: 'ERR_NOT_FOUND', h2: undefined, down: 'ERR_PEER_UNREACHABLE', h1: undefined });
      const lacks = ledger.outcomes().find((o) => o.peer === 'lacks');
      expect(lacks?.problem?.message).to.equal(NOT_HELD);
      expect(ledger.outcomes().find((o) => o.peer === 'h1')?.identity).to.equal(holders[0]?.info.identity);
    } finally {
      search.close();
    }
    // Connections no one took are closed.
    expect(holders.every((h) => h.conn.closed)).to.equal(true);
  });

  it('decides a grace period after the first answer, without waiting for a silent peer', async function () {
    const ledger = new PeerLedger();
    const started = performance.now();
    const search = new HolderSearch(downloadSettings({ ...options, peers: [mesh.address('silent'), mesh.address('h1')], graceMs: 100, stallTimeoutMs: 2000 }), new AbortController().signal, ledger);
    try {
      const holders = await search.decided;
      expect(performance.now() - started).to.be.below(1500);
      expect(holders.map((h) => h.peer.id)).to.deep.equal(['h1']);
      await search.settled;
      expect(performance.now() - started).to.be.at.least(1900);
      expect(problemCodes(ledger)).to.deep.equal({ h1: undefined, silent: 'ERR_PEER_TIMEOUT' });
    } finally {
      search.close();
    }
  });

  it('hands a holder found after the decision to its follower, queued until one follows', async function () {
    const ledger = new PeerLedger();
    const port = await freePort();
    const late = new PeerServer({ peerId: 'late', dir: mesh.dirOf('h2') });
    const starting = sleep(500).then(() => late.listen(port, '127.0.0.1'));
    const lateAddress = { id: 'late', host: '127.0.0.1', port, line: 9 };
    const search = new HolderSearch(
      downloadSettings({ ...options, peers: [mesh.address('h1'), lateAddress], graceMs: 100, retry: { attempts: 20, baseDelayMs: 100, maxDelayMs: 100 } }),
      new AbortController().signal,
      ledger,
    );
    try {
      expect((await search.decided).map((h) => h.peer.id)).to.deep.equal(['h1']);
      // Still being retried when the choice is made: known as such.
      expect(ledger.outcomes().find((o) => o.peer === 'late')?.problem?.message).to.match(/; still retrying$/);
      await search.settled;
      const found: string[] = [];
      search.onFound((holder) => found.push(`${holder.peer.id} ${holder.info.identity === ledger.outcomes()[0]?.identity}`));
      expect(found).to.deep.equal(['late true']);
      const entry = ledger.outcomes().find((o) => o.peer === 'late');
      expect([entry?.problem, entry?.size]).to.deep.equal([undefined, 9]);
    } finally {
      search.close();
      await starting;
      await late.close();
    }
  });

  it('does not take a peer whose piece hashes do not add up to the identity it claims', async function () {
    const { address, server } = await inconsistentPeer();
    const ledger = new PeerLedger();
    const search = new HolderSearch(downloadSettings({ ...options, peers: [address, mesh.address('h1')] }), new AbortController().signal, ledger);
    try {
      expect((await search.decided).map((h) => h.peer.id)).to.deep.equal(['h1']);
      await search.settled;
      expect(problemCodes(ledger)).to.deep.include({ liar: 'ERR_HASH_MISMATCH' });
    } finally {
      search.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('stops asking when aborted, records nothing more, and decides with what it has', async function () {
    const ledger = new PeerLedger();
    const stop = new AbortController();
    const search = new HolderSearch(downloadSettings({ ...options, peers: [mesh.address('silent')], stallTimeoutMs: 5000 }), stop.signal, ledger);
    setTimeout(() => stop.abort(), 100);
    const started = performance.now();
    try {
      expect(await search.decided).to.deep.equal([]);
      expect(performance.now() - started).to.be.below(2000);
      expect(ledger.outcomes()).to.deep.equal([]);
    } finally {
      search.close();
    }
  });
});

import { expect } from 'chai';
import { NOT_HELD, PeerLedger, downloadPeers, listProblems, wastedBytes } from '../../../src/client/download/peer-ledger.js';
import { newSource } from '../../../src/client/swarm-source.js';
import type { SourceState } from '../../../src/client/swarm.js';

const A = 'a'.repeat(64);

function source(id: string, bytes: number, extra: Partial<SourceState> = {}): SourceState {
  return { ...newSource({ id, host: '127.0.0.1', port: 1, line: 1 }, undefined, false), bytes, ...extra };
}

describe('client/download/peer-ledger', () => {
  it('gives each source its wasted bytes by why and whether it served as a partial holder; the summary rows sum them', () => {
    const ledger = new PeerLedger();
    const sources = [
      source('seed', 6, { duplicateBytes: 4, abortedBytes: 3 }),
      source('p2', 2, { partialHolder: true, partial: true, badBytes: 5 }),
      source('p3', 1, { seed: true, partial: true }), // a super-seeding seed offers some pieces: not a partial holder
    ];
    const outcomes = ledger.outcomes(sources);
    expect(outcomes.map(({ peer, bytes, duplicateBytes, abortedBytes, badBytes, partial }) => ({ peer, bytes, duplicateBytes, abortedBytes, badBytes, partial }))).to.deep.equal([
      { peer: 'seed', bytes: 6, duplicateBytes: 4, abortedBytes: 3, badBytes: undefined, partial: undefined },
      { peer: 'p2', bytes: 2, duplicateBytes: undefined, abortedBytes: undefined, badBytes: 5, partial: true },
      { peer: 'p3', bytes: 1, duplicateBytes: undefined, abortedBytes: undefined, badBytes: undefined, partial: undefined },
    ]);
    const rows = downloadPeers(outcomes);
    expect(rows.map((r) => [r.peer, r.duplicateBytes, r.abortedBytes, r.badBytes, r.partial])).to.deep.equal([
      ['seed', 4, 3, 0, false],
      ['p2', 0, 0, 5, true],
      ['p3', 0, 0, 0, false],
    ]);
    expect(wastedBytes(rows)).to.deep.equal({ duplicate: 4, aborted: 3, bad: 5 });
  });


  it('keeps the last thing known of each peer, in the order peers were first recorded', () => {
    const ledger = new PeerLedger();
    ledger.set('p1', { problem: { code: 'ERR_PEER_UNREACHABLE', message: 'down; still retrying' } });
    ledger.set('p2', { problem: { code: 'ERR_NOT_FOUND', message: NOT_HELD } });
    ledger.set('p1', { identity: A, size: 9 });
    expect(ledger.outcomes()).to.deep.equal([
      { peer: 'p1', bytes: 0, identity: A, size: 9 },
      { peer: 'p2', bytes: 0, problem: { code: 'ERR_NOT_FOUND', message: NOT_HELD } },
    ]);
    expect(ledger.problems()).to.deep.equal([{ peer: 'p2', problem: { code: 'ERR_NOT_FOUND', message: NOT_HELD } }]);
  });

  it('lists the swarm\'s sources first, with their bytes and why they stopped, then the peers it never used', () => {
    const ledger = new PeerLedger();
    ledger.set('p3', { problem: { code: 'ERR_VERSION_CONFLICT', message: 'holds another version' }, identity: 'b'.repeat(64), size: 4 });
    ledger.set('p1', { identity: A, size: 9 });
    ledger.set('p2', { identity: A, size: 9 });
    const sources = [
      source('p1', 6),
      source('p2', 3, { problem: { code: 'ERR_HASH_MISMATCH', message: 'bad piece; banned for this download' } }),
      source('p4', 0, { note: { code: 'ERR_PEER_CLOSED', message: 'closed; reconnecting' } }),
    ];
    expect(ledger.outcomes(sources)).to.deep.equal([
      { peer: 'p1', bytes: 6, identity: A, size: 9 },
      { peer: 'p2', bytes: 3, problem: { code: 'ERR_HASH_MISMATCH', message: 'bad piece; banned for this download' }, identity: A, size: 9 },
      { peer: 'p4', bytes: 0, problem: { code: 'ERR_PEER_CLOSED', message: 'closed; reconnecting' }, identity: undefined, size: undefined },
      { peer: 'p3', bytes: 0, problem: { code: 'ERR_VERSION_CONFLICT', message: 'holds another version' }, identity: 'b'.repeat(64), size: 4 },
    ]);
  });

  it('listProblems joins the peers that have one into a line', () => {
    expect(listProblems([{ peer: 'p1', problem: { code: 'ERR_PEER_UNREACHABLE', message: 'down (ERR_PEER_UNREACHABLE)' } }, { peer: 'p2' }, { peer: 'p3', problem: { code: 'ERR_NOT_FOUND', message: NOT_HELD } }])).to.equal(
      'p1: down (ERR_PEER_UNREACHABLE); p3: does not have it',
    );
    expect(listProblems([])).to.equal('');
  });
});

import { expect } from 'chai';
import { NOT_HELD, PeerLedger, listProblems } from '../../../src/client/download/peer-ledger.js';
import { SourcePace } from '../../../src/client/source-pace.js';
import type { SourceState } from '../../../src/client/swarm.js';

const A = 'a'.repeat(64);

function source(id: string, bytes: number, extra: Partial<SourceState> = {}): SourceState {
  return { peer: { id, host: '127.0.0.1', port: 1, line: 1 }, conn: undefined, bytes, duplicateBytes: 0, attempts: 0, pace: new SourcePace(), partial: false, asking: false, askedAt: 0, ...extra };
}

describe('client/download/peer-ledger', () => {
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

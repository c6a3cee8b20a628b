/**
 * server/slots: who gets a connection slot, decided without sockets. Member slots, the cap per
 * outside address, and which connection gives way: idle for a while, else the slowest answer;
 * outsiders first, proven peers last; a connection just made never.
 */
import { expect } from 'chai';
import { IDLE_GRACE_MS, type Occupant, admitConnection } from '../../src/server/slots.js';

const NOW = 100_000;
const limits = { maxConnections: 4, memberSlots: 1, maxPerAddress: 2 };

/** A connection; by default an anonymous one from a peer's address, idle since long ago. */
function occ(name: string, over: Partial<Occupant> = {}): Occupant & { name: string } {
  return { name, address: '10.0.0.1', member: true, proven: false, busy: false, lastActive: 0, slow: undefined, ...over };
}

const member = { address: '10.0.0.1', member: true };
const outsider = { address: '192.0.2.7', member: false };

function evicted(occupants: (Occupant & { name: string })[], newcomer = member, now = NOW): string | undefined {
  const verdict = admitConnection(occupants, newcomer, limits, now);
  expect(verdict.admit, 'admitted').to.equal(true);
  return verdict.admit ? verdict.evict?.name : undefined;
}

function refused(occupants: Occupant[], newcomer = member): string {
  const verdict = admitConnection(occupants, newcomer, limits, NOW);
  if (verdict.admit) expect.fail('expected a refusal');
  return verdict.reason;
}

describe('server/slots', () => {
  it('admits without evicting anyone while there is room', () => {
    expect(evicted([occ('a'), occ('b')])).to.equal(undefined);
  });

  it('when full, the connection idle longest gives way', () => {
    expect(evicted([occ('a', { lastActive: 50 }), occ('b', { lastActive: 10 }), occ('c', { busy: true }), occ('d', { lastActive: 30 })])).to.equal('b');
  });

  it('a connection idle for less than the grace period never gives way: it may be about to ask', () => {
    const fresh = NOW - IDLE_GRACE_MS + 1;
    const all = ['a', 'b', 'c', 'd'].map((n) => occ(n, { lastActive: fresh }));
    expect(refused(all)).to.match(/all 4 connections are in use/);
    expect(evicted(all, member, NOW + 1)).to.equal('a');
  });

  it('with none idle, the slowest answer gives way; answers that are not slow never do', () => {
    const busy = [occ('a', { busy: true, slow: 5000 }), occ('b', { busy: true, slow: 0 }), occ('c', { busy: true }), occ('d', { busy: true, slow: 100 })];
    expect(evicted(busy)).to.equal('b');
    expect(refused(busy.map((o) => ({ ...o, slow: undefined })))).to.match(/all 4 connections are in use/);
  });

  it('outsiders give way first, then anonymous connections from peers\' addresses, proven peers last', () => {
    const proven = occ('proven', { proven: true, lastActive: 1 });
    const anon = occ('anon', { lastActive: 2 });
    const out = occ('out', { member: false, address: '192.0.2.9', busy: true, slow: 60_000 });
    expect(evicted([proven, anon, out, occ('x', { busy: true })])).to.equal('out');
    expect(evicted([proven, anon, occ('y', { busy: true }), occ('x', { busy: true })])).to.equal('anon');
    // A proven peer's idle connection still makes room when nothing else can.
    expect(evicted([proven, occ('y', { busy: true }), occ('z', { busy: true }), occ('x', { busy: true })])).to.equal('proven');
  });

  it('keeps member slots: outsiders share the rest, and give way only among themselves', () => {
    const three = ['a', 'b', 'c'].map((n) => occ(n, { member: false, address: `192.0.2.${n.charCodeAt(0)}`, busy: true }));
    expect(refused(three, outsider)).to.match(/all 3 connections open to addresses outside the mesh are in use/);
    // A peer still gets the kept slot.
    expect(evicted(three, member)).to.equal(undefined);
    // An idle member connection does not give way to an outsider over the outsiders' limit.
    const withIdle = [...three.slice(0, 2), occ('m'), { ...three[2] as Occupant & { name: string }, busy: false }];
    expect(evicted(withIdle, outsider)).to.equal('c');
  });

  it('caps the connections of one outside address, and makes room among its own', () => {
    const mine = [occ('a', { member: false, address: outsider.address, busy: true }), occ('b', { member: false, address: outsider.address, busy: true })];
    expect(refused(mine, outsider)).to.match(/192\.0\.2\.7 already has 2 connections/);
    expect(evicted([mine[0] as Occupant & { name: string }, { ...(mine[1] as Occupant & { name: string }), busy: false }], outsider)).to.equal('b');
    // Another outside address is not held back by this one's cap.
    expect(evicted(mine, { address: '192.0.2.8', member: false })).to.equal(undefined);
  });

  it('always leaves outsiders one slot, whatever memberSlots says', () => {
    const verdict = admitConnection([], outsider, { maxConnections: 2, memberSlots: 5, maxPerAddress: 2 }, NOW);
    expect(verdict.admit).to.equal(true);
  });
});

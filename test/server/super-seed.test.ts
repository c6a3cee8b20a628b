/**
 * Super-seeding as a pure decision (src/server/super-seed.ts): scripted clients and times.
 */
import { expect } from 'chai';
import { CROWD_MS, OFFER, OFFER_MS, RELEASE_MS, SuperSeed } from '../../src/server/super-seed.js';

const ID = 'a'.repeat(64);
const PIECES = 32;

function held(flags: Uint8Array | undefined): number[] {
  return flags === undefined ? [] : [...flags.keys()].filter((p) => flags[p] === 1);
}

/** A deterministic tie-break, so tests do not depend on Math.random. */
function seeded(): () => number {
  let x = 1;
  return () => (x = (x * 16807) % 2147483647) / 2147483647;
}

describe('server/super-seed', () => {
  it('offers everything to a lone downloader', () => {
    const seed = new SuperSeed({ random: seeded() });
    expect(seed.offer(ID, PIECES, 'a', 0)).to.equal(undefined);
    expect(seed.offer(ID, PIECES, 'a', 1000)).to.equal(undefined);
  });

  it('offers each client of a crowd a few pieces nobody else was offered', () => {
    const seed = new SuperSeed({ random: seeded() });
    expect(seed.offer(ID, PIECES, 'a', 0)).to.equal(undefined);
    const b = held(seed.offer(ID, PIECES, 'b', 10));
    const a = held(seed.offer(ID, PIECES, 'a', 20));
    const c = held(seed.offer(ID, PIECES, 'c', 30));
    expect(a).to.have.length(OFFER);
    expect(b).to.have.length(OFFER);
    expect(c).to.have.length(OFFER);
    expect(new Set([...a, ...b, ...c]).size).to.equal(3 * OFFER);
  });

  it('keeps a sent piece offered and offers a fresh one in its place', () => {
    const seed = new SuperSeed({ random: seeded() });
    seed.offer(ID, PIECES, 'a', 0);
    const first = held(seed.offer(ID, PIECES, 'b', 0));
    const taken = first[0] as number;
    seed.sent(ID, 'b', taken, 1, 100);
    const next = held(seed.offer(ID, PIECES, 'b', 200));
    expect(next).to.include.members(first);
    expect(next).to.have.length(OFFER + 1);
    // The piece sent to b is no longer fresh: a newcomer is offered others first.
    expect(held(seed.offer(ID, PIECES, 'c', 300))).to.not.include(taken);
  });

  it('withdraws an offer not taken up and does not make it to that client again for a while', () => {
    const seed = new SuperSeed({ random: seeded() });
    seed.offer(ID, PIECES, 'a', 0);
    const first = held(seed.offer(ID, PIECES, 'b', 0));
    seed.offer(ID, PIECES, 'a', OFFER_MS); // a stays in the crowd
    const later = held(seed.offer(ID, PIECES, 'b', OFFER_MS));
    expect(later).to.have.length(OFFER);
    expect(later.filter((p) => first.includes(p))).to.deep.equal([]);
  });

  it('offers a piece sent long ago to everyone, so no client depends on the others alone', () => {
    const seed = new SuperSeed({ random: seeded() });
    seed.offer(ID, PIECES, 'a', 0);
    seed.offer(ID, PIECES, 'b', 0);
    seed.sent(ID, 'a', 5, 1, 0);
    const t = RELEASE_MS;
    seed.offer(ID, PIECES, 'a', t);
    expect(held(seed.offer(ID, PIECES, 'b', t))).to.include(5);
  });

  it('is a crowd only while two clients asked within CROWD_MS', () => {
    const seed = new SuperSeed({ random: seeded() });
    seed.offer(ID, PIECES, 'a', 0);
    expect(seed.offer(ID, PIECES, 'b', 0)).to.not.equal(undefined);
    expect(seed.offer(ID, PIECES, 'b', CROWD_MS + 1)).to.equal(undefined);
  });

  it('ignores sends of a version nobody asked about, and ranges past the end', () => {
    const seed = new SuperSeed({ random: seeded() });
    seed.sent(ID, 'a', 0, 4, 0);
    seed.offer(ID, PIECES, 'a', 0);
    seed.offer(ID, PIECES, 'b', 0);
    seed.sent(ID, 'a', PIECES - 1, 10, 0);
    expect(held(seed.offer(ID, PIECES, 'a', 0))).to.include(PIECES - 1);
  });
});

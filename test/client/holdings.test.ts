/**
 * Who holds which pieces (src/client/holdings.ts), driven with a scripted clock: counts for full
 * and partial holders, and a peer that refused a piece it claimed (ERR_NOT_HELD) is not believed
 * about that piece again on its next HAVE, only after a backoff that doubles with each refusal.
 */
import { expect } from 'chai';
import { Holdings, REFUSED_MAX_MS, REFUSED_MS } from '../../src/client/holdings.js';

const flags = (...held: number[]) => Uint8Array.from(held);

describe('client/holdings', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1000));

  it('counts full holders in every piece and partial holders piece by piece', () => {
    const h = new Holdings(3, clock);
    h.set('seed', 'all');
    h.set('p2', flags(1, 0, 1));
    expect([0, 1, 2].map((p) => h.count(p))).to.deep.equal([2, 1, 2]);
    expect(h.holds('p2', 1)).to.equal(false);
    expect(h.add('p2', 1)).to.equal(true);
    expect(h.add('p2', 1)).to.equal(false); // not news
    expect(h.count(1)).to.equal(2);
    h.remove('p2');
    expect([0, 1, 2].map((p) => h.count(p))).to.deep.equal([1, 1, 1]);
  });

  it('a partial holder that refused a piece is not believed about it on the next HAVE, nor when it says it gained it', () => {
    const h = new Holdings(4, clock);
    h.set('liar', flags(1, 1, 1, 1));
    h.drop('liar', 2); // ERR_NOT_HELD for piece 2
    expect(h.holds('liar', 2)).to.equal(false);
    now += 1000;
    h.set('liar', flags(1, 1, 1, 1)); // its next HAVE claims it again
    expect(h.holds('liar', 2)).to.equal(false);
    expect(h.count(2)).to.equal(0);
    expect(h.holds('liar', 1)).to.equal(true); // the pieces it did not refuse stand
    expect(h.add('liar', 2)).to.equal(false);
    expect(h.count(2)).to.equal(0);
  });

  it('believes it again after the backoff, which doubles with each refusal of the piece up to the cap', () => {
    const h = new Holdings(2, clock);
    const claimAt = (t: number) => {
      now = t;
      h.set('p', flags(1, 1));
      return h.holds('p', 0);
    };
    let at = now;
    for (let refusal = 1; refusal <= 6; refusal++) {
      now = at;
      h.drop('p', 0);
      const backoff = Math.min(REFUSED_MAX_MS, REFUSED_MS * 2 ** (refusal - 1));
      expect(claimAt(at + backoff - 1), `refusal ${refusal}: still not believed just before ${backoff} ms`).to.equal(false);
      expect(claimAt(at + backoff), `refusal ${refusal}: believed again at ${backoff} ms`).to.equal(true);
      at += backoff;
    }
    expect(REFUSED_MS * 2 ** 5).to.be.above(REFUSED_MAX_MS); // the last rounds met the cap
  });

  it('a full holder that refused a piece becomes a partial one, and an answer of every piece does not restore it early', () => {
    const h = new Holdings(3, clock);
    h.set('seed', 'all');
    h.drop('seed', 1);
    expect([0, 1, 2].map((p) => h.holds('seed', p))).to.deep.equal([true, false, true]);
    expect(h.anyPartial).to.equal(true);
    now += 1000;
    h.set('seed', 'all');
    expect([0, 1, 2].map((p) => h.holds('seed', p))).to.deep.equal([true, false, true]);
    now += REFUSED_MS;
    h.set('seed', 'all');
    expect([0, 1, 2].map((p) => h.holds('seed', p))).to.deep.equal([true, true, true]);
    expect(h.anyPartial).to.equal(false);
  });

  it('refusals are per peer: another peer claiming the piece is believed', () => {
    const h = new Holdings(2, clock);
    h.set('a', flags(1, 1));
    h.set('b', flags(1, 1));
    h.drop('a', 0);
    h.set('a', flags(1, 1));
    expect(h.holds('b', 0)).to.equal(true);
    expect(h.count(0)).to.equal(1);
  });
});

/**
 * The token bucket behind --max-upload-rate and --max-download-rate, on a clock the test
 * moves (take's timers are real but short: the clock they read is the test's).
 */
import { expect } from 'chai';
import { BURST_SECONDS, HOLDING_MS, MIN_BURST, RateLimit, sliceFor } from '../../src/transport/rate-limit.js';

/** A clock the test moves by hand. */
function clock() {
  const c = { now: 0, read: () => c.now };
  return c;
}

describe('transport/rate-limit', () => {
  it('without a limit lets everything go at once and never holds', () => {
    const limit = new RateLimit(0);
    expect(limit.take(10_000_000)).to.equal(undefined);
    expect(limit.spend(10_000_000)).to.equal(0);
    expect(limit.holding).to.equal(false);
  });

  it('spend: the debt of what was read, paid back at the rate, says how long to stop reading', () => {
    const c = clock();
    const limit = new RateLimit(100_000, c.read);
    // An empty bucket: 50 000 bytes read are half a second ahead of the rate.
    expect(limit.spend(50_000)).to.be.closeTo(500, 1e-6);
    expect(limit.holding).to.equal(true);
    c.now = 500;
    expect(limit.spend(10_000)).to.be.closeTo(100, 1e-6);
    // Paid back: within the idle bucket's saving nothing waits.
    c.now = 5000;
    expect(limit.spend(MIN_BURST)).to.equal(0);
    expect(limit.holding).to.equal(false, `nothing waited for more than ${HOLDING_MS} ms`);
  });

  it('an idle bucket saves at most BURST_SECONDS of its rate (at least MIN_BURST)', () => {
    const c = clock();
    const fast = new RateLimit(10_000_000, c.read);
    c.now = 60_000;
    // Saved: 0.05 s of 10 MB/s = 500 000 bytes, no more for having waited a minute.
    expect(fast.spend(10_000_000 * BURST_SECONDS)).to.equal(0);
    expect(fast.spend(1000)).to.be.closeTo(0.1, 1e-6);
  });

  it('take: waiters go first come, first served, one slice each: connections share the rate evenly', async () => {
    const limit = new RateLimit(1_000_000);
    const order: string[] = [];
    expect(limit.take(40_000)).to.equal(undefined, 'the first slice goes at once');
    const waits = ['a', 'b', 'a', 'b', 'c'].map((who) => limit.take(20_000)?.then(() => order.push(who)));
    expect(waits.every((w) => w instanceof Promise)).to.equal(true);
    expect(limit.holding).to.equal(true);
    await Promise.all(waits);
    expect(order).to.deep.equal(['a', 'b', 'a', 'b', 'c']);
  });

  it('take waits until the debt is paid: 5 slices of 20 000 bytes at 1 MB/s take about 100 ms', async () => {
    const limit = new RateLimit(1_000_000);
    const started = performance.now();
    for (let i = 0; i < 6; i++) await limit.take(20_000);
    // The first slice is free; the next five wait for the ones before them. A lower bound only.
    expect(performance.now() - started).to.be.at.least(95);
  });

  it('a rate of 0 set while some wait lets them all go', async () => {
    const limit = new RateLimit(1000);
    limit.take(100_000);
    const waiting = [limit.take(1000), limit.take(1000)];
    limit.rate = 0;
    await Promise.all(waiting);
    expect(limit.rate).to.equal(0);
    expect(limit.take(1)).to.equal(undefined);
  });

  it('close lets every waiter go', async () => {
    const limit = new RateLimit(10);
    limit.take(1_000_000);
    const waiting = limit.take(1);
    limit.close();
    await waiting;
  });

  it('slices are a fiftieth of a second of the rate, 16 KiB to 256 KiB', () => {
    expect(sliceFor(1)).to.equal(16 * 1024);
    expect(sliceFor(2 * 1024 * 1024)).to.equal(Math.floor((2 * 1024 * 1024) / 50));
    expect(sliceFor(1e12)).to.equal(256 * 1024);
  });
});

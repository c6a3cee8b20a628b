import { expect } from 'chai';
import { RateMeter } from '../../src/client/rate-meter.js';

const KiB = 1024;

describe('client/rate-meter', () => {
  it('is unknown (0) until it has seen a span worth measuring', () => {
    const m = new RateMeter();
    expect(m.rate).to.equal(0);
    m.start(0);
    m.record(256 * KiB, 10);
    expect(m.rate).to.equal(0);
    m.record(256 * KiB, 100);
    expect(m.rate).to.be.closeTo((512 * KiB) / 100, 1e-9);
  });

  it('does not read a burst of back-to-back arrivals as a fast link', () => {
    // A 40 mbit link (5 B/ms): 4 pieces sat in the socket buffer and arrive 0 ms apart at 1 s.
    const m = new RateMeter();
    m.start(0);
    for (let t = 200; t <= 800; t += 200) m.record(1000, t);
    for (let i = 0; i < 4; i++) m.record(256 * KiB, 1000);
    const perArrival = (256 * KiB) / 0.01; // what one sample per arrival with a 0.01 ms floor said
    expect(m.rate).to.be.lessThan(perArrival / 1000);
    expect(m.rate).to.be.closeTo((4000 + 4 * 256 * KiB) / 1000, 1e-9);
  });

  it('follows the last window only: an early fast phase does not hide a slow-down', () => {
    const m = new RateMeter(1000);
    m.start(0);
    for (let t = 10; t <= 1000; t += 10) m.record(10 * KiB, t); // 1 KiB/ms for a second
    expect(m.rate).to.be.closeTo(KiB, 1);
    for (let t = 1100; t <= 3000; t += 100) m.record(10 * KiB, t); // then 0.1 KiB/ms
    expect(m.rate).to.be.closeTo((10 * 10 * KiB) / 1000, 1);
  });

  it('keeps its estimate while no bytes arrive (measured up to the latest arrival)', () => {
    const m = new RateMeter();
    m.start(0);
    for (let t = 100; t <= 1000; t += 100) m.record(5000, t);
    const before = m.rate;
    expect(before).to.be.closeTo(50, 1e-9);
    expect(m.rate).to.equal(before);
  });

  it('holds a long steady run in bounded memory', () => {
    const m = new RateMeter(1000);
    m.start(0);
    for (let t = 1; t <= 200_000; t++) m.record(5, t);
    expect(m.rate).to.be.closeTo(5, 1e-9);
  });
});

import { expect } from 'chai';
import { SpeedWindow } from '../../src/web/speed.js';

describe('web/speed', () => {
  it('is bytes in the last second over a second once a second has passed', () => {
    const s = new SpeedWindow(0, 1000);
    for (let t = 100; t <= 3000; t += 100) s.record(10_000, t);
    expect(s.rate(3000)).to.be.closeTo(100_000, 1);
  });

  it('before a second has passed, is bytes over the time since the start', () => {
    const s = new SpeedWindow(1000, 1000);
    s.record(50_000, 1100);
    s.record(50_000, 1250);
    expect(s.rate(1500)).to.be.closeTo(200_000, 1);
  });

  it('falls to 0 when nothing arrives for a window (a stalled peer reads 0, not its old speed)', () => {
    const s = new SpeedWindow(0, 1000);
    s.record(1_000_000, 500);
    expect(s.rate(900)).to.be.greaterThan(0);
    expect(s.rate(1600)).to.equal(0);
  });

  it('is 0 with nothing recorded, or before any time has passed', () => {
    const s = new SpeedWindow(10);
    expect(s.rate(500)).to.equal(0);
    s.record(100, 10);
    expect(s.rate(10)).to.equal(0);
  });
});

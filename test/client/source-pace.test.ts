/** client/source-pace: how late a source is, from scripted request and arrival times. */
import { expect } from 'chai';
import { SourcePace } from '../../src/client/source-pace.js';

const MiB = 1024 * 1024;

describe('client/source-pace', function () {
  it('has nothing to deliver and no rate before any request', function () {
    const pace = new SourcePace();
    expect(pace.remainingMs(1000)).to.equal(0);
    expect(pace.msFor(MiB)).to.equal(undefined);
  });

  it('without a rate yet, a source is taken to need as long again as it has been silent', function () {
    const pace = new SourcePace();
    pace.asked(MiB, 100);
    expect(pace.remainingMs(100)).to.equal(0);
    expect(pace.remainingMs(130)).to.equal(30);
    expect(pace.msFor(MiB)).to.equal(undefined);
  });

  it('on pace, the queue at the observed rate, less the time since the last arrival', function () {
    const pace = new SourcePace();
    pace.asked(MiB, 0);
    pace.asked(MiB, 0);
    pace.arrived(MiB, 100); // 1 MiB per 100 ms
    expect(pace.msFor(MiB)).to.be.closeTo(100, 1e-9);
    expect(pace.queued).to.equal(MiB);
    expect(pace.remainingMs(100)).to.be.closeTo(100, 1e-9);
    expect(pace.remainingMs(160)).to.be.closeTo(40, 1e-9);
  });

  it('behind its rate, as late as it has been silent; an arrival resets that', function () {
    const pace = new SourcePace();
    pace.asked(2 * MiB, 0);
    pace.arrived(MiB, 100);
    expect(pace.remainingMs(300)).to.equal(200); // 100 ms of work due at 200, silent since 100
    expect(pace.remainingMs(1100)).to.equal(1000);
    pace.arrived(MiB, 1100);
    expect(pace.remainingMs(1100)).to.equal(0);
  });

  it('counts silence from when work was given to an idle source, not from its last arrival', function () {
    const pace = new SourcePace();
    pace.asked(MiB, 0);
    pace.arrived(MiB, 100);
    pace.asked(MiB, 5000); // idle from 100 to 5000
    expect(pace.remainingMs(5050)).to.be.closeTo(50, 1e-9);
  });

  it('before the meter has a rate, msFor goes by what was delivered so far', function () {
    const pace = new SourcePace();
    pace.asked(MiB, 0);
    pace.asked(MiB, 0);
    expect(pace.msFor(MiB)).to.equal(undefined);
    pace.arrived(MiB, 10); // too soon for the meter (under 50 ms)
    expect(pace.meter.rate).to.equal(0);
    expect(pace.msFor(MiB)).to.be.closeTo(10, 1e-9);
    expect(pace.msFor(MiB / 2)).to.be.closeTo(5, 1e-9);
  });

  it('a failed request leaves the queue', function () {
    const pace = new SourcePace();
    pace.asked(MiB, 0);
    pace.dropped(MiB);
    expect(pace.queued).to.equal(0);
    expect(pace.remainingMs(500)).to.equal(0);
  });
});

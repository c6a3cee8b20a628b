/**
 * SilenceWatch: who is cut, when. Real timers, short patience: a peer is never cut before some
 * other peer has answered, is cut after max(MIN_PATIENCE_MS, 4 × its connect, 2 × the slowest
 * answer) once one has, QUIET_MS after the last answer once only the silent are left, and
 * never once a byte of its answer has arrived.
 */
import { expect } from 'chai';
import { MAX_CONNECT_RTT_MS, MIN_PATIENCE_MS, QUIET_MS, SilenceWatch, type Waited } from '../../src/client/silence-watch.js';
import { waitFor } from '../helpers.js';
import type { TxtmeshError } from '../../src/errors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waited(label: string, connectMs = 0): Waited & { err: TxtmeshError | undefined; heardNow: boolean } {
  const w = {
    label,
    connectMs,
    since: performance.now(),
    err: undefined as TxtmeshError | undefined,
    heardNow: false,
    heard: () => w.heardNow,
    cut: (err: TxtmeshError) => (w.err = err),
  };
  return w;
}

describe('client/silence-watch', function () {
  it('works patience out from the slowest answer and the peer\'s own connect time, and has none before an answer', function () {
    const watch = new SilenceWatch();
    expect(watch.patienceFor({ connectMs: 1 })).to.equal(undefined);
    watch.answered(40);
    expect(watch.patienceFor({ connectMs: 1 })).to.equal(MIN_PATIENCE_MS);
    watch.answered(300);
    expect(watch.patienceFor({ connectMs: 1 })).to.equal(600);
    expect(watch.patienceFor({ connectMs: 200 })).to.equal(800);
    watch.close();
  });

  it('cuts a silent peer once others answered, with ERR_PEER_TIMEOUT and how long it was waited for; not one heard from', async function () {
    const watch = new SilenceWatch();
    const silent = waited('p5 (127.0.0.1:9)');
    const slow = waited('p6 (127.0.0.1:10)');
    watch.watch(silent);
    watch.watch(slow);
    await sleep(MIN_PATIENCE_MS + 100);
    expect(silent.err, 'no answer yet: nothing to compare with').to.equal(undefined);
    slow.heardNow = true;
    watch.answered(10);
    await sleep(100);
    expect(silent.err?.code).to.equal('ERR_PEER_TIMEOUT');
    expect(silent.err?.message).to.match(/^p5 \(127\.0\.0\.1:9\): no answer within \d+ ms, while 1 peer answered within 10 ms$/);
    expect(slow.err, 'bytes arrived: slow, not silent').to.equal(undefined);
    watch.close();
  });

  it('once the silent are all a view waits for, cuts them QUIET_MS after the last answer', async function () {
    const watch = new SilenceWatch(3);
    const silent = waited('p3 (127.0.0.1:9)');
    watch.watch(silent);
    watch.answered(2000); // a slow answer: 2 × it would be 4 s of patience
    watch.settled();
    await sleep(QUIET_MS + 100);
    expect(silent.err, 'one peer is neither settled nor silent yet').to.equal(undefined);
    watch.settled();
    const settledAt = performance.now();
    await waitFor(() => silent.err !== undefined, 2000, 'the cut');
    expect(performance.now() - settledAt).to.be.within(QUIET_MS - 10, QUIET_MS + 400);
    expect(silent.err?.code).to.equal('ERR_PEER_TIMEOUT');
    watch.close();
  });

  it('counts a connect time for at most MAX_CONNECT_RTT_MS once only the silent are left', function () {
    const watch = new SilenceWatch(2);
    const slow = waited('p2', 5000); // a connect measured on a client busy with handshakes
    watch.watch(slow);
    watch.answered(10);
    watch.settled();
    expect(watch.cutAt(slow) - slow.since).to.be.at.most(2 * MAX_CONNECT_RTT_MS + 1);
    watch.close();
  });

  it('stops watching a peer when told, and cuts nothing after close()', async function () {
    const watch = new SilenceWatch();
    const done = waited('p1');
    const later = waited('p2');
    watch.watch(done)();
    watch.watch(later);
    watch.answered(1);
    watch.close();
    await sleep(MIN_PATIENCE_MS + 100);
    expect([done.err, later.err]).to.deep.equal([undefined, undefined]);
  });
});

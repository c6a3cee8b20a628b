/**
 * client/source-workers: the workers of one source, driven by a scripted host (no sockets):
 * they fetch every piece within the queue budget, and idle workers sleep instead of looking
 * again at every change and tick.
 */
import { expect } from 'chai';
import { PieceScheduler } from '../../src/client/scheduler.js';
import { Wakeup, type WorkerHost, runWorkers } from '../../src/client/source-workers.js';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

/** A host whose fetches take `ms` each, with at most `budget` in flight; counts the scheduler's calls. */
function scriptedHost(scheduler: PieceScheduler, options: { depth: number; budget: number; ms: number; fail?: number; leave?: () => boolean }) {
  const changes = new Wakeup();
  const ticks = new Wakeup();
  const log = { looks: 0, fetched: [] as number[], inFlight: 0, most: 0, idle: 0 };
  const controller = new AbortController();
  const nextRun = scheduler.nextRun.bind(scheduler);
  scheduler.nextRun = (peer, max) => {
    log.looks++;
    return nextRun(peer, max);
  };
  const host: WorkerHost = {
    scheduler,
    peer: 'p',
    depth: options.depth,
    signal: controller.signal,
    full: () => log.inFlight >= options.budget,
    leave: options.leave ?? (() => false),
    runLength: () => 1,
    changed: () => changes.wait(),
    tick: () => ticks.wait(),
    idle: () => void log.idle++,
    fetch: async (first) => {
      log.inFlight++;
      log.most = Math.max(log.most, log.inFlight);
      await new Promise((resolve) => setTimeout(resolve, options.ms));
      log.inFlight--;
      if (first === options.fail) return new Error('link down');
      scheduler.markDone(first, 'p');
      log.fetched.push(first);
      return undefined;
    },
    notify: () => changes.wake(),
  };
  return { host, log, changes, ticks, controller };
}

describe('client/source-workers', () => {
  it('fetches every piece, never more at once than the budget allows', async () => {
    const scheduler = new PieceScheduler(12);
    const { host, log } = scriptedHost(scheduler, { depth: 4, budget: 2, ms: 2 });
    expect(await runWorkers(host, () => undefined)).to.equal(undefined);
    expect(scheduler.complete).to.equal(true);
    expect([...log.fetched].sort((a, b) => a - b)).to.deep.equal([...Array(12).keys()]);
    expect(log.most).to.equal(2);
  });

  it('idle workers sleep: ticks and changes elsewhere wake one watcher, not every worker', async () => {
    const scheduler = new PieceScheduler(2);
    scheduler.setHolding('p', new Uint8Array([1, 0])); // the source holds piece 0 only
    const { host, log, changes, ticks, controller } = scriptedHost(scheduler, { depth: 8, budget: 8, ms: 1 });
    const running = runWorkers(host, () => undefined);
    await tick();
    await tick();
    const looks = log.looks;
    for (let i = 0; i < 20; i++) {
      ticks.wake();
      changes.wake();
      await tick();
    }
    // One watcher looks again per wake-up, and asks the source what it holds each time.
    expect(log.looks - looks).to.be.at.most(20 * 2);
    expect(log.idle).to.be.at.least(20);
    // The source says it has piece 1 now: the watcher takes it, and the download completes.
    scheduler.addHolding('p', 1);
    changes.wake();
    await running;
    expect(scheduler.complete).to.equal(true);
    controller.abort();
  });

  it('a source left out near the end, with nothing in flight, looks again at the next change', async () => {
    const scheduler = new PieceScheduler(3);
    let leave = true;
    const { host, log, changes } = scriptedHost(scheduler, { depth: 4, budget: 4, ms: 1, leave: () => leave });
    const running = runWorkers(host, () => undefined);
    await tick();
    expect(log.fetched).to.deep.equal([]);
    // The other sources failed, say: this one is no longer left out, and a change says so.
    leave = false;
    changes.wake();
    await running;
    expect(scheduler.complete).to.equal(true);
    expect([...log.fetched].sort()).to.deep.equal([0, 1, 2]);
  });

  it('stops every worker, sleeping ones too, when the download is over', async () => {
    const scheduler = new PieceScheduler(4);
    scheduler.setHolding('p', new Uint8Array([0, 0, 0, 0]));
    const { host, controller } = scriptedHost(scheduler, { depth: 4, budget: 4, ms: 1 });
    const running = runWorkers(host, () => undefined);
    await tick();
    controller.abort();
    expect(await running).to.equal(undefined);
  });

  it('ends with the first failure, and reports it once', async () => {
    const scheduler = new PieceScheduler(8);
    const { host } = scriptedHost(scheduler, { depth: 3, budget: 3, ms: 1, fail: 1 });
    const failures: Error[] = [];
    const err = await runWorkers(host, (e) => failures.push(e));
    expect(err?.message).to.equal('link down');
    expect(failures).to.have.length(1);
  });
});

describe('client/source-workers Wakeup', () => {
  it('wakes every waiter of the moment, and later waiters only at the next call', async () => {
    const wakeup = new Wakeup();
    const woken: string[] = [];
    void wakeup.wait().then(() => woken.push('a'));
    void wakeup.wait().then(() => woken.push('b'));
    wakeup.wake();
    await tick();
    expect(woken).to.deep.equal(['a', 'b']);
    void wakeup.wait().then(() => woken.push('c'));
    await tick();
    expect(woken).to.deep.equal(['a', 'b']);
    wakeup.wake();
    await tick();
    expect(woken).to.deep.equal(['a', 'b', 'c']);
  });
});

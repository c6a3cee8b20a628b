/**
 * The workers of one source's connection (swarm.ts): each pulls the next run of pieces from the
 * scheduler and fetches it, as long as the source's queue budget allows. A worker with nothing
 * to do sleeps on its source's wake-up call; one worker per source (the watcher) waits for
 * changes anywhere in the download and for the endgame's tick, and wakes the others when it
 * finds work. Woken also when a request of the source settles. (Issue 10: in a crowd of 16,
 * every idle worker looking again at every change and every 25 ms cost a fifth of each
 * downloader's CPU, on a machine the crowd keeps busy.)
 */
import type { PieceScheduler } from './scheduler.js';

/** A reusable wake-up call: any number of waiters, all woken by the next wake(). */
export class Wakeup {
  #wake: () => void = () => undefined;
  #next: Promise<void> | undefined;

  /** Resolves at the next wake(). */
  wait(): Promise<void> {
    this.#next ??= new Promise<void>((resolve) => (this.#wake = resolve));
    return this.#next;
  }

  /** Wakes every current waiter (a later wait() waits for the next call). */
  wake(): void {
    if (this.#next === undefined) return;
    this.#next = undefined;
    this.#wake();
  }
}

/** What the workers of one source need from the swarm. */
export interface WorkerHost {
  readonly scheduler: PieceScheduler;
  readonly peer: string;
  readonly depth: number;
  /** Aborted when the download is over: every worker stops. */
  readonly signal: AbortSignal;
  /** True while the source has as much asked for as it should (swarm-source.ts queueBudget). */
  full(): boolean;
  /**
   * True while a fresh piece should go to the other sources (near the end, when this one would
   * deliver it last: swarm-source.ts leaveToOthers). Unlike full(), nothing of this source's
   * need end for it to change, so a watcher looks again at the swarm's changes and ticks.
   */
  leave(): boolean;
  /** Pieces per request for this source now. */
  runLength(): number;
  /** Resolves at the swarm's next change (a piece done or released, holdings learnt, a source added or dropped). */
  changed(): Promise<void>;
  /** Resolves at the endgame's next tick (swarm-source.ts endgameTick). */
  tick(): Promise<void>;
  /** The source has nothing for us now (a partial source may be asked again what it holds). */
  idle(): void;
  /** Fetches a run; resolves with what failed the connection, or undefined. */
  fetch(first: number, count: number): Promise<Error | undefined>;
  /** A fetch settled: wakes the swarm's watchers. */
  notify(): void;
}

/**
 * Runs `host.depth` workers until the download is complete or over, or a fetch fails.
 * @returns the failure that ended them, or undefined
 */
export async function runWorkers(host: WorkerHost, onFailure: (err: Error) => void): Promise<Error | undefined> {
  const { scheduler, signal } = host;
  const local = new Wakeup();
  const onEnd = () => local.wake();
  signal.addEventListener('abort', onEnd);
  let failure: Error | undefined;
  let watching = false;
  const worker = async () => {
    while (!scheduler.complete && !failure && !signal.aborted) {
      const full = host.full();
      const run = full || host.leave() ? undefined : scheduler.nextRun(host.peer, host.runLength());
      if (run === undefined) {
        if (full || watching) {
          await local.wait();
          continue;
        }
        host.idle();
        watching = true;
        await Promise.race([host.changed(), host.tick(), local.wait()]);
        watching = false;
        continue;
      }
      local.wake(); // another idle worker of this source may find work too
      const err = await host.fetch(run.first, run.count);
      if (err && !failure) {
        failure = err;
        onFailure(err);
      }
      local.wake();
      host.notify();
    }
  };
  try {
    await Promise.all(Array.from({ length: host.depth }, worker));
  } finally {
    signal.removeEventListener('abort', onEnd);
  }
  return failure;
}

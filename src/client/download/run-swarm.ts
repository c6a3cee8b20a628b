/**
 * Phase 4 of a download: the swarm fetches the missing pieces from the chosen holders
 * (swarm.ts). Holders the search finds later join while it runs, if they hold the same version.
 */
import { Swarm } from '../swarm.js';
import { setAside } from './choose-holders.js';
import type { Holder, HolderSearch } from './find-holders.js';
import type { DownloadSettings } from './options.js';
import type { PeerLedger } from './peer-ledger.js';
import type { Target } from './target.js';

/** What the phases of one download share. */
export interface DownloadRun {
  readonly options: DownloadSettings;
  readonly search: HolderSearch;
  readonly ledger: PeerLedger;
  /** Aborts when the caller aborts or the download is over: ends the search and reconnects. */
  readonly signal: AbortSignal;
  /** performance.now() when the download started. */
  readonly started: number;
}

/** Starts the swarm on `chosen`, and lets holders found later join it. */
export function startSwarm(run: DownloadRun, target: Target, chosen: readonly Holder[]): Swarm {
  const { options, started } = run;
  const { info, part, verified, resumedBytes, pieceCount } = target;
  let lastReport = 0;
  const swarm: Swarm = new Swarm({
    info,
    part,
    verified,
    depth: Math.max(1, Math.min(options.pipelineDepth, Math.ceil((pieceCount - verified.length) / chosen.length))),
    requestTimeoutMs: options.requestTimeoutMs,
    stallTimeoutMs: options.stallTimeoutMs,
    retry: options.retry,
    signal: run.signal,
    as: options.as,
    receiveLimit: options.receiveLimit,
    pool: options.pool,
    onPiece: (peer, bytes) => {
      const now = performance.now();
      options.onPiece?.(peer, bytes, now - started);
      if (options.onProgress && now - lastReport >= 100) {
        lastReport = now;
        options.onProgress({ name: info.name, size: info.size, received: resumedBytes + swarm.received, activePeers: swarm.live, partialPeers: swarm.livePartial, elapsedMs: now - started });
      }
    },
  });
  const join = (holder: Holder) => {
    options.onSource?.(holder.peer.id, holder.info.have !== undefined && holder.info.complete !== true);
    swarm.add(holder.peer, holder.conn, holder.info.have, holder.info.complete);
  };
  for (const holder of chosen) join(holder);
  run.search.onFound((holder) => {
    if (holder.info.identity === info.identity) join(holder);
    else setAside(holder, run.ledger, 'answered late with another version');
  });
  return swarm;
}

/**
 * Resolves when the swarm has stopped: the file is complete, or no source is left and no
 * peer still being asked can join.
 */
export async function swarmStopped(swarm: Swarm, run: DownloadRun): Promise<void> {
  await swarm.settled();
  if (!swarm.scheduler.complete && !run.signal.aborted) {
    await run.search.settled; // a peer still retrying may yet join
    await swarm.settled();
  }
}

/**
 * The engine's results as the console's typed results (client/results.ts), so the page's log
 * can word them as the console does. Pure.
 */
import { type ErrorCode, isTransport } from '../errors.js';
import { type DownloadResult, downloadPeers, wastedBytes } from '../client/download.js';
import type { UploadOutcome } from '../client/upload.js';
import type { DownloadSummary, UploadSummary } from '../client/results.js';

/** A finished download; `searched`: no peers were picked, every peer was asked. */
export function summaryOf(r: DownloadResult, searched: boolean): DownloadSummary {
  const peers = downloadPeers(r.peers);
  const failed = (o: DownloadResult['peers'][number]) => o.identity === undefined && o.problem !== undefined && isTransport(o.problem.code);
  return {
    command: 'download',
    name: r.name,
    status: r.status,
    size: r.size,
    identity: r.identity,
    seconds: r.seconds,
    resumedBytes: r.resumedBytes,
    searched,
    found: r.peers.filter((o) => o.identity !== undefined).map((o) => o.peer),
    missing: r.peers.filter((o) => o.problem?.code === 'ERR_NOT_FOUND').map((o) => o.peer),
    unreachable: r.peers.filter(failed).map((o) => ({ peer: o.peer, error: { code: o.problem?.code as ErrorCode, message: o.problem?.message ?? '' } })),
    peers,
    wasted: wastedBytes(peers),
    kept: r.kept ? { identity: r.kept.identity, size: r.kept.size, at: r.kept.at } : null,
    others: r.others ?? [],
  };
}

/** A finished upload: one row per target, in the order picked. */
export function uploadSummaryOf(name: string, r: { size: number; identity: string; outcomes: UploadOutcome[] }): UploadSummary {
  return {
    command: 'upload',
    name,
    size: r.size,
    identity: r.identity,
    peers: r.outcomes.map((o) => ({
      peer: o.peer,
      status: o.status,
      bytes: o.bytes,
      seconds: o.seconds,
      kept: o.kept ?? null,
      error: o.status === 'failed' ? (o.error ?? { code: 'ERR_INTERNAL', message: 'failed' }) : null,
    })),
  };
}

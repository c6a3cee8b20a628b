/**
 * #DOWNLOAD: fetch one file from every listed peer that has it, in verified pieces, in parallel.
 *
 * 1. Probe the peers in parallel (INFO, with retries): each answer's piece-hash list must
 *    match the identity it claims. Once one peer has answered, the others get a short grace
 *    period; a peer that answers later (or comes back up) joins if it has the chosen version.
 * 2. Keep the largest group of peers that agree on the identity (versions.ts).
 * 3. Resume from a part file of the same version if one is there (part-file.ts), then let the
 *    swarm fetch the missing pieces (swarm.ts).
 * 4. fsync, then link into place without replacing anything. An incomplete download keeps its
 *    verified pieces for the next attempt.
 */
import pLimit from 'p-limit';
import { PEER_CONCURRENCY, PIPELINE_DEPTH } from '../constants.js';
import { type ErrorCode, RemoteError, TxtmeshError, codeOf, describeError, isRefusal } from '../errors.js';
import { type FileInfo, HASH_BYTES } from '../protocol/messages.js';
import { checkName } from '../storage/names.js';
import { PartFile } from '../storage/part-file.js';
import { identityOf, shortIdentity } from '../storage/piece-hasher.js';
import type { ServedFolder } from '../storage/served-folder.js';
import type { Credentials } from '../security/credentials.js';
import type { PeerAddress } from '../settings.js';
import { fileInfo } from './peer-client.js';
import type { PeerConnection } from './peer-connection.js';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry.js';
import { Swarm } from './swarm.js';
import { chooseVersion } from './versions.js';

export interface DownloadProgress {
  readonly name: string;
  readonly size: number;
  /** Verified bytes on disk, resumed pieces included. */
  readonly received: number;
  readonly activePeers: number;
  readonly elapsedMs: number;
}

export interface DownloadOptions {
  readonly name: string;
  /** Peers to ask (the caller leaves out itself). */
  readonly peers: readonly PeerAddress[];
  /** This peer's own served folder: the file lands there. */
  readonly folder: ServedFolder;
  readonly pipelineDepth?: number;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** A connection with requests waiting and nothing received this long is dropped. */
  readonly stallTimeoutMs?: number;
  /** How long to wait for other peers' answers after the first one (at least). */
  readonly graceMs?: number;
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
  /** Who we are to the peers (claimed ID, certificate in secure mode). */
  readonly as?: Credentials;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Called after each verified piece is written: which peer delivered how many bytes. */
  readonly onPiece?: (peer: string, bytes: number, elapsedMs: number) => void;
  /** Called once the peers holding the chosen version are known. */
  readonly onPeers?: (used: readonly string[]) => void;
  /** Called when verified pieces of an earlier attempt are found and kept. */
  readonly onResume?: (pieces: number, ofPieces: number, bytes: number) => void;
}

export interface PeerOutcome {
  readonly peer: string;
  /** Bytes of verified pieces this peer delivered that were written. */
  readonly bytes: number;
  /** Why the peer was not used, or dropped part-way (undefined: served to the end). */
  readonly problem?: string;
  /** The code behind `problem`. */
  readonly code?: ErrorCode;
  /** The version the peer holds, when it answered with one. */
  readonly identity?: string;
  readonly size?: number;
}

/** A download that failed, with what each peer did by then. */
export class DownloadError extends TxtmeshError {
  readonly peers: PeerOutcome[];

  constructor(err: TxtmeshError, peers: PeerOutcome[]) {
    super(err.code, err.message, { cause: err, reasons: err.reasons });
    this.name = 'DownloadError';
    this.peers = peers;
  }
}

type Problems = Map<string, Omit<PeerOutcome, 'peer' | 'bytes'>>;

export interface DownloadResult {
  readonly name: string;
  readonly size: number;
  readonly identity: string;
  /** 'downloaded', or 'already' when this peer already had the same file. */
  readonly status: 'downloaded' | 'already';
  readonly seconds: number;
  /** Bytes taken from an interrupted earlier attempt. */
  readonly resumedBytes: number;
  readonly peers: PeerOutcome[];
}

/** The problem recorded for a peer that answered that it does not have the file. */
export const NOT_HELD = 'does not have it';

export const DEFAULT_STALL_TIMEOUT_MS = 5000;
const MIN_GRACE_MS = 500;

interface Answer {
  readonly peer: PeerAddress;
  readonly conn: PeerConnection;
  readonly info: FileInfo;
  readonly latencyMs: number;
}

/**
 * Downloads `name` into the folder.
 * @throws TxtmeshError ERR_NO_PEERS, ERR_VERSION_CONFLICT, ERR_EXISTS, ERR_DOWNLOAD_INCOMPLETE
 */
export async function download(options: DownloadOptions): Promise<DownloadResult> {
  const { name, folder } = options;
  checkName(name);
  const started = performance.now();
  const stop = new AbortController(); // ends probes and reconnects when we are done
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const problems: Problems = new Map();
  const probe = probePeers(options, stop.signal, problems);
  let swarm: Swarm | undefined;
  try {
    const answers = await probe.decided;
    if (answers.length === 0) {
      if (options.signal?.aborted) throw interrupted(name);
      const reasons = [...problems].map(([peer, p]) => `${peer}: ${p.problem}`).join('; ');
      // Someone answered that it lacks the file: the file is the problem; else the peers are.
      if ([...problems.values()].some((p) => p.code === 'ERR_NOT_FOUND')) {
        throw new TxtmeshError('ERR_NOT_FOUND', `no peer has ${name} (${reasons})`);
      }
      // Every peer refused us for who we are: that, not the network, is the problem.
      const codes = new Set([...problems.values()].map((p) => p.code));
      const [only] = codes;
      if (codes.size === 1 && only && isRefusal(only)) throw new TxtmeshError(only, `every peer refused this peer (${reasons})`);
      throw new TxtmeshError('ERR_PEER_UNREACHABLE', `no peer could be asked for ${name}${reasons ? ` (${reasons})` : ''}`);
    }
    for (const a of answers) problems.set(a.peer.id, { identity: a.info.identity, size: a.info.size });
    const choice = chooseVersion(name, answers, (a) => a.info.identity, (a) => a.peer.id);
    for (const { holder, identity } of choice.outvoted) {
      holder.conn.close();
      problems.set(holder.peer.id, { problem: `holds another version (${shortIdentity(identity)}); not mixed`, code: 'ERR_VERSION_CONFLICT', identity, size: holder.info.size });
    }
    const info = (choice.chosen[0] as Answer).info;
    options.onPeers?.(choice.chosen.map((a) => a.peer.id));
    const result = (status: DownloadResult['status'], resumedBytes = 0): DownloadResult => ({
      name,
      size: info.size,
      identity: info.identity,
      status,
      seconds: (performance.now() - started) / 1000,
      resumedBytes,
      peers: outcomes(swarm, problems),
    });

    const existing = folder.exists(name) ? await folder.describe(name).catch(() => undefined) : undefined;
    if (existing) {
      if (existing.identity === info.identity) return result('already');
      throw new TxtmeshError('ERR_EXISTS', `${name} already exists here with different content (${shortIdentity(existing.identity)}); nothing was replaced. Remove or rename it first.`);
    }

    const { part, verified } = await PartFile.open(folder, info);
    const pieceCount = info.pieceHashes.length / HASH_BYTES;
    const resumedBytes = verified.reduce((sum, p) => sum + Math.min(info.pieceSize, info.size - p * info.pieceSize), 0);
    if (verified.length > 0) options.onResume?.(verified.length, pieceCount, resumedBytes);
    let lastReport = 0;
    swarm = new Swarm({
      info,
      part,
      verified,
      depth: Math.max(1, Math.min(options.pipelineDepth ?? PIPELINE_DEPTH, Math.ceil((pieceCount - verified.length) / choice.chosen.length))),
      requestTimeoutMs: options.requestTimeoutMs,
      stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      retry: options.retry,
      signal: stop.signal,
      as: options.as,
      onPiece: (peer, bytes) => {
        const now = performance.now();
        options.onPiece?.(peer, bytes, now - started);
        if (options.onProgress && now - lastReport >= 100) {
          lastReport = now;
          options.onProgress({ name, size: info.size, received: resumedBytes + (swarm?.received ?? 0), activePeers: swarm?.live ?? 0, elapsedMs: now - started });
        }
      },
    });
    for (const a of choice.chosen) swarm.add(a.peer, a.conn);
    probe.onLate((a) => {
      if (a.info.identity === info.identity) return swarm?.add(a.peer, a.conn);
      a.conn.close();
      problems.set(a.peer.id, { problem: `answered late with another version (${shortIdentity(a.info.identity)}); not mixed`, code: 'ERR_VERSION_CONFLICT', identity: a.info.identity, size: a.info.size });
    });
    await swarm.settled();
    if (!swarm.scheduler.complete && !stop.signal.aborted) {
      await probe.settled; // a peer still retrying may yet join
      await swarm.settled();
    }

    if (!swarm.scheduler.complete) {
      const done = swarm.scheduler.doneCount;
      if (done === 0) await part.discard();
      else await part.close();
      const kept = done > 0 ? `; ${done} of ${pieceCount} pieces are verified and kept, so the same #DOWNLOAD resumes from them` : '';
      if (options.signal?.aborted) throw interrupted(name, kept);
      const failed = outcomes(swarm, problems).filter((o) => o.problem);
      const reasons = failed.map((o) => `${o.peer}: ${o.problem}`).join('; ');
      const codes = failed.flatMap((o) => (o.code ? [o.code] : []));
      throw new TxtmeshError('ERR_DOWNLOAD_INCOMPLETE', `download of ${name} stopped at ${done}/${pieceCount} pieces: no peer left to serve the rest (${reasons})${kept}`, { reasons: codes });
    }
    const stamp = await part.publish();
    if (!stamp) {
      await part.discard();
      const now = await folder.describe(name).catch(() => undefined);
      if (now?.identity !== info.identity) {
        throw new TxtmeshError('ERR_EXISTS', `${name} appeared here with different content during the download; nothing was replaced`);
      }
      return result('already');
    }
    await part.discard(); // the temp name; the file itself is now linked under its real name
    folder.remember(info, stamp);
    return result('downloaded', resumedBytes);
  } catch (err) {
    if (err instanceof TxtmeshError && !(err instanceof DownloadError)) throw new DownloadError(err, outcomes(swarm, problems));
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stop.abort();
    swarm?.close();
    probe.closeUnused();
  }
}

function interrupted(name: string, kept = ''): TxtmeshError {
  return new TxtmeshError('ERR_DOWNLOAD_INCOMPLETE', `download of ${name} was interrupted${kept}`);
}

function outcomes(swarm: Swarm | undefined, problems: Problems): PeerOutcome[] {
  const used = [...(swarm?.sources.values() ?? [])].map((s): PeerOutcome => {
    const problem = s.problem ?? s.note;
    const code = s.problemCode ?? s.noteCode;
    const known = problems.get(s.peer.id);
    return { peer: s.peer.id, bytes: s.bytes, ...(problem ? { problem } : {}), ...(code ? { code } : {}), identity: known?.identity, size: known?.size };
  });
  const usedIds = new Set(used.map((u) => u.peer));
  const others = [...problems].filter(([peer]) => !usedIds.has(peer)).map(([peer, p]): PeerOutcome => ({ peer, bytes: 0, ...p }));
  return [...used, ...others];
}

/**
 * Asks every peer for INFO in parallel (p-limit caps how many at once), with retries.
 * `decided` resolves with the answers in hand once every peer has answered or failed, or a
 * grace period after the first answer; answers after that go to the `onLate` handler.
 */
function probePeers(options: DownloadOptions, signal: AbortSignal, problems: Problems) {
  const limit = pLimit(PEER_CONCURRENCY);
  const answers: Answer[] = [];
  const pendingLate: Answer[] = [];
  const all = new Set<PeerConnection>();
  let late: ((a: Answer) => void) | undefined;
  let decided = false;
  let decide: () => void = () => undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const decision = new Promise<void>((resolve) => (decide = resolve));
  const started = performance.now();

  const settled = Promise.allSettled(
    options.peers.map((peer) =>
      limit(async () => {
        try {
          const { conn, value: info } = await withRetry(peer, (c) => fileInfo(c, options.name), {
            signal,
            as: options.as,
            timeoutMs: options.connectTimeoutMs,
            stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
            policy: options.retry ?? DEFAULT_RETRY,
            // Known while it is still being retried, in case the download ends first.
            onRetry: (err) => problems.set(peer.id, { problem: `${describeError(err)}; still retrying`, code: codeOf(err) }),
          });
          all.add(conn);
          if (identityOf(info.pieceHashes) !== info.identity) {
            conn.close();
            throw new TxtmeshError('ERR_HASH_MISMATCH', 'its piece-hash list does not match the identity it claims');
          }
          const answer = { peer, conn, info, latencyMs: performance.now() - started };
          if (!decided) {
            answers.push(answer);
            graceTimer ??= setTimeout(decide, Math.max(options.graceMs ?? MIN_GRACE_MS, 3 * answer.latencyMs));
          } else if (late) late(answer);
          else pendingLate.push(answer);
        } catch (err) {
          if (!signal.aborted) {
            const notHeld = err instanceof RemoteError && err.code === 'ERR_NOT_FOUND';
            problems.set(peer.id, { problem: notHeld ? NOT_HELD : describeError(err), code: codeOf(err) });
          }
        }
      }),
    ),
  ).then(() => decide());

  return {
    decided: decision.then(() => {
      decided = true;
      clearTimeout(graceTimer);
      // Keep the order the user gave.
      return options.peers.flatMap((p) => answers.filter((a) => a.peer === p));
    }),
    settled,
    onLate(handler: (a: Answer) => void) {
      late = handler;
      for (const a of pendingLate.splice(0)) handler(a);
    },
    /** Closes connections of answers never handed to the swarm. */
    closeUnused() {
      clearTimeout(graceTimer);
      for (const conn of all) if (!conn.closed && conn.waiting === 0) conn.close();
    },
  };
}

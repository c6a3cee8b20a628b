/**
 * #DOWNLOAD: fetch one file from every listed peer that has it, in verified pieces, in parallel.
 *
 * 1. Ask each peer for INFO (in parallel, p-limit caps how many at once); check each peer's
 *    piece-hash list against the identity it claims.
 * 2. Keep the largest group of peers that agree on the identity (versions.ts).
 * 3. Each peer connection pulls pieces from the scheduler with a few requests in flight; every
 *    piece is hashed and compared before it is written at its offset into a hidden temp file.
 *    A peer that fails or lies loses its pieces to the others.
 * 4. fsync, then link into place without replacing anything (atomic-file.ts).
 */
import type { FileHandle } from 'node:fs/promises';
import pLimit from 'p-limit';
import { PEER_CONCURRENCY, PIPELINE_DEPTH } from '../constants.js';
import { RemoteError, TxtmeshError, describeError } from '../errors.js';
import { type FileInfo, HASH_BYTES } from '../protocol/messages.js';
import { createTempFile, publishNoReplace, removeQuietly } from '../storage/atomic-file.js';
import { checkName } from '../storage/names.js';
import { hashPiece, identityOf, shortIdentity } from '../storage/piece-hasher.js';
import { type ServedFolder, stampOf } from '../storage/served-folder.js';
import type { PeerAddress } from '../settings.js';
import { fileInfo, getRange } from './peer-client.js';
import { PeerConnection } from './peer-connection.js';
import { PieceScheduler } from './scheduler.js';
import { chooseVersion } from './versions.js';

export interface DownloadProgress {
  readonly name: string;
  readonly size: number;
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
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Called after each verified piece is written: which peer delivered how many bytes. */
  readonly onPiece?: (peer: string, bytes: number, elapsedMs: number) => void;
  /** Called once the peers holding the chosen version are known. */
  readonly onPeers?: (used: readonly string[]) => void;
}

export interface PeerOutcome {
  readonly peer: string;
  /** Bytes of verified pieces this peer delivered that were written. */
  readonly bytes: number;
  /** Why the peer was not used, or dropped part-way (undefined: served to the end). */
  readonly problem?: string;
}

export interface DownloadResult {
  readonly name: string;
  readonly size: number;
  readonly identity: string;
  /** 'downloaded', or 'already' when this peer already had the same file. */
  readonly status: 'downloaded' | 'already';
  readonly seconds: number;
  readonly peers: PeerOutcome[];
}

/** The problem recorded for a peer that answered that it does not have the file. */
export const NOT_HELD = 'does not have it';

interface Source {
  readonly peer: PeerAddress;
  readonly conn: PeerConnection;
  readonly info: FileInfo;
  bytes: number;
  problem?: string;
}

/**
 * Downloads `name` into the folder.
 * @throws TxtmeshError ERR_NO_PEERS, ERR_VERSION_CONFLICT, ERR_EXISTS, ERR_DOWNLOAD_INCOMPLETE
 */
export async function download(options: DownloadOptions): Promise<DownloadResult> {
  const { name, folder } = options;
  checkName(name);
  const started = performance.now();
  const outcomes: PeerOutcome[] = [];
  // One abort listener for the whole download closes every connection: requests then fail
  // with ERR_PEER_CLOSED instead of each request holding a listener of its own.
  const connections = new Set<PeerConnection>();
  const onAbort = () => connections.forEach((c) => c.close());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const sources = await askPeers(options, outcomes, connections);
  try {
    if (sources.length === 0) {
      const reasons = outcomes.map((o) => `${o.peer}: ${o.problem}`).join('; ');
      throw new TxtmeshError('ERR_NO_PEERS', `no peer can serve ${name}${reasons ? ` (${reasons})` : ''}`);
    }
    const choice = chooseVersion(name, sources, (s) => s.info.identity, (s) => s.peer.id);
    for (const { holder, identity } of choice.outvoted) {
      holder.conn.close();
      outcomes.push({ peer: holder.peer.id, bytes: 0, problem: `holds another version (${shortIdentity(identity)}); not mixed` });
    }
    const chosen = choice.chosen;
    const info = (chosen[0] as Source).info;
    options.onPeers?.(chosen.map((s) => s.peer.id));

    const existing = await folder.describe(name).catch(() => undefined);
    if (existing) {
      if (existing.identity === info.identity) {
        return finish('already', chosen, info);
      }
      throw new TxtmeshError('ERR_EXISTS', `${name} already exists here with different content (${shortIdentity(existing.identity)}); nothing was replaced. Remove or rename it first.`);
    }

    const finalPath = await folder.prepareDir(name);
    const { path: tempPath, handle } = await createTempFile(finalPath);
    try {
      await fetchPieces(options, chosen, info, handle, started);
      await handle.sync();
      const stamp = await stampOf(handle);
      await handle.close();
      if (!(await publishNoReplace(tempPath, finalPath))) {
        const now = await folder.describe(name).catch(() => undefined);
        if (now?.identity !== info.identity) {
          throw new TxtmeshError('ERR_EXISTS', `${name} appeared here with different content during the download; nothing was replaced`);
        }
        return finish('already', chosen, info);
      }
      folder.remember(info, stamp);
    } finally {
      await handle.close().catch(() => undefined);
      await removeQuietly(tempPath);
    }
    return finish('downloaded', chosen, info);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    for (const conn of connections) conn.close();
  }

  function finish(status: DownloadResult['status'], chosen: Source[], info: FileInfo): DownloadResult {
    const used = chosen.map((s) => ({ peer: s.peer.id, bytes: s.bytes, ...(s.problem ? { problem: s.problem } : {}) }));
    return { name, size: info.size, identity: info.identity, status, seconds: (performance.now() - started) / 1000, peers: [...used, ...outcomes] };
  }
}

/** Connects to every peer and asks INFO; returns the peers that have a consistent description. */
async function askPeers(options: DownloadOptions, outcomes: PeerOutcome[], connections: Set<PeerConnection>): Promise<Source[]> {
  const limit = pLimit(PEER_CONCURRENCY);
  const sources: Source[] = [];
  await Promise.all(
    options.peers.map((peer) =>
      limit(async () => {
        let conn: PeerConnection | undefined;
        try {
          if (options.signal?.aborted) throw new TxtmeshError('ERR_DOWNLOAD_INCOMPLETE', 'interrupted');
          conn = await PeerConnection.connect(peer, { timeoutMs: options.connectTimeoutMs, signal: options.signal });
          connections.add(conn);
          const info = await fileInfo(conn, options.name);
          if (identityOf(info.pieceHashes) !== info.identity) {
            throw new TxtmeshError('ERR_HASH_MISMATCH', 'its piece-hash list does not match the identity it claims');
          }
          sources.push({ peer, conn, info, bytes: 0 });
        } catch (err) {
          conn?.close();
          const problem = err instanceof RemoteError && err.code === 'ERR_NOT_FOUND' ? NOT_HELD : describeError(err);
          outcomes.push({ peer: peer.id, bytes: 0, problem });
        }
      }),
    ),
  );
  // Keep the order the user gave.
  return options.peers.flatMap((p) => sources.filter((s) => s.peer === p));
}

/** Runs the piece workers until every piece is written or no source is left. */
async function fetchPieces(options: DownloadOptions, sources: Source[], info: FileInfo, handle: FileHandle, started: number): Promise<void> {
  const pieceCount = info.pieceHashes.length / HASH_BYTES;
  const scheduler = new PieceScheduler(pieceCount);
  // A small file has few pieces: cap the depth so every peer gets a share from the start.
  const depth = Math.max(1, Math.min(options.pipelineDepth ?? PIPELINE_DEPTH, Math.ceil(pieceCount / sources.length)));
  let received = 0;
  let active = sources.length;
  let lastReport = 0;
  let wake: (() => void) | undefined;
  let changed = new Promise<void>((resolve) => (wake = resolve));
  // Workers with nothing to fetch wait here until a piece is released or finished.
  const notify = () => {
    wake?.();
    changed = new Promise<void>((resolve) => (wake = resolve));
  };
  const report = (force = false) => {
    const now = performance.now();
    if (!options.onProgress || (!force && now - lastReport < 100)) return;
    lastReport = now;
    options.onProgress({ name: info.name, size: info.size, received, activePeers: active, elapsedMs: now - started });
  };

  const dropSource = (source: Source, err: unknown) => {
    if (source.problem) return;
    source.problem = describeError(err);
    scheduler.ban(source.peer.id);
    source.conn.close();
    active--;
    notify();
  };

  const worker = async (source: Source) => {
    const peer = source.peer.id;
    while (!scheduler.complete && !source.problem) {
      const piece = scheduler.next(peer);
      if (piece === undefined) {
        if (active === 0) return;
        await changed;
        continue;
      }
      const offset = piece * info.pieceSize;
      const length = Math.min(info.pieceSize, info.size - offset);
      let data: Buffer;
      try {
        data = await getRange(source.conn, info.name, offset, length, info.identity, { timeoutMs: options.requestTimeoutMs });
      } catch (err) {
        scheduler.release(piece, peer);
        dropSource(source, err);
        return;
      }
      const expected = info.pieceHashes.subarray(piece * HASH_BYTES, (piece + 1) * HASH_BYTES);
      if (!hashPiece(data).equals(expected)) {
        scheduler.release(piece, peer);
        dropSource(source, new TxtmeshError('ERR_HASH_MISMATCH', `sent a bad piece ${piece}; dropped for this download`));
        return;
      }
      if (scheduler.markDone(piece, peer)) {
        let written = 0;
        while (written < length) written += (await handle.write(data, written, length - written, offset + written)).bytesWritten;
        source.bytes += length;
        received += length;
        options.onPiece?.(peer, length, performance.now() - started);
        report();
      }
      notify();
    }
  };

  const workers = sources.flatMap((source) => Array.from({ length: depth }, () => worker(source)));
  await Promise.all(workers);
  report(true);
  if (options.signal?.aborted) throw new TxtmeshError('ERR_DOWNLOAD_INCOMPLETE', `download of ${info.name} was interrupted`);
  if (!scheduler.complete) {
    const reasons = sources.map((s) => `${s.peer.id}: ${s.problem ?? 'no answer'}`).join('; ');
    throw new TxtmeshError('ERR_DOWNLOAD_INCOMPLETE', `download of ${info.name} stopped at ${scheduler.doneCount}/${pieceCount} pieces: every peer failed (${reasons})`);
  }
}

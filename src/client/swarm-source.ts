/**
 * What a download's piece engine (swarm.ts) is given and what it keeps per source: the options,
 * a source's state, and the engine's constants.
 */
import { HASH_BYTES, PIECE_SIZE } from '../constants.js';
import type { FileInfo } from '../protocol/messages.js';
import type { Credentials } from '../security/credentials.js';
import type { PeerAddress } from '../settings.js';
import type { PartFile } from '../storage/part-file.js';
import { BufferPool } from '../transport/buffer-pool.js';
import type { RateLimit } from '../transport/rate-limit.js';
import type { ConnectionPool } from './connection-pool.js';
import type { PeerConnection } from './peer-connection.js';
import { PieceVerifier } from './piece-verifier.js';
import type { Problem } from './problem.js';
import type { RetryPolicy } from './retry.js';
import type { Pace } from './scheduler.js';
import { SourcePace } from './source-pace.js';

export interface SwarmOptions {
  readonly info: FileInfo;
  readonly part: PartFile;
  /** Pieces already on disk and verified (resume). */
  readonly verified: readonly number[];
  readonly depth: number;
  readonly requestTimeoutMs?: number;
  readonly stallTimeoutMs: number;
  readonly retry?: RetryPolicy;
  readonly signal: AbortSignal;
  /** Who we are when reconnecting. */
  readonly as?: Credentials;
  readonly onPiece?: (peer: string, bytes: number) => void;
  /** Paces what every source's connection receives, together (--max-download-rate). */
  readonly receiveLimit?: RateLimit;
  /** Where the sources' idle connections go once the file is complete (the console's pool). */
  readonly pool?: ConnectionPool;
}

export interface SourceState {
  readonly peer: PeerAddress;
  conn: PeerConnection | undefined;
  /** Bytes of verified pieces written from this source. */
  bytes: number;
  /** Verified bytes it sent of pieces another source had delivered first (the endgame's duplicates). */
  duplicateBytes: number;
  /** Bytes it sent for requests that failed or were cancelled before they were whole (wasted). */
  abortedBytes: number;
  /** Bytes of its answers that failed verification (a run with a bad piece is thrown away whole). */
  badBytes: number;
  /** Set when the source is out of this download for good. */
  problem?: Problem;
  /** The last failure it recovered from (or was recovering from when the download ended). */
  note?: Problem;
  /** Reconnects since the last piece delivered. */
  attempts: number;
  /** Observed throughput over the last second, and what it still owes us (source-pace.ts). */
  readonly pace: SourcePace;
  /** It offers only some pieces: asked again every few seconds which. */
  partial: boolean;
  /** A full holder offering some pieces at a time (super-seeding, INFO's `complete`), not a downloader. */
  seed: boolean;
  /** It served as a partial holder (a peer still downloading the file) at some time in this download. */
  partialHolder: boolean;
  /** A HAVE to it is under way. */
  asking: boolean;
  /** performance.now() of the last HAVE sent to it. */
  askedAt: number;
}

/**
 * Verifies every piece of a run before any of it is written (on worker threads for a large
 * file). @returns the index in `pieces` of the first whose hash is wrong, or -1
 */
export async function firstBad(info: FileInfo, data: Buffer, pieces: readonly number[], lengths: readonly number[]): Promise<number> {
  const digests = await VERIFIER.digests(data, lengths);
  return pieces.findIndex((p, i) => !(digests[i] as Buffer).equals(info.pieceHashes.subarray(p * HASH_BYTES, (p + 1) * HASH_BYTES)));
}

/** A new source's state. */
export function newSource(peer: PeerAddress, conn: PeerConnection | undefined, seed: boolean): SourceState {
  const pace = new SourcePace();
  return { peer, conn, bytes: 0, duplicateBytes: 0, abortedBytes: 0, badBytes: 0, attempts: 0, pace, partial: false, seed, partialHolder: false, asking: false, askedAt: 0 };
}

/** How often a partial holder is asked again which pieces it holds (docs/PROTOCOL.md, "Partial holders"). */
export const HOLDINGS_POLL_MS = 1000;

/** A partial source with nothing left for us is asked again at most this often (swarm.ts #askSoon). */
export const QUICK_ASK_MS = 200;

/** A download with only partial sources left stops after this long without a verified piece. */
export const PARTIAL_ONLY_GIVE_UP_MS = 20_000;

/** Bytes of one socket read: what a request's deadline gives a peer time to send (swarm.ts, #deadline). */
export const SILENCE_BYTES = 64 * 1024;

/** Most pieces one request may cover. */
export const MAX_RUN_PIECES = 4;

/**
 * Receive buffers of MAX_RUN_PIECES pieces, shared by the downloads of this process; in shared
 * memory, so the verifier's worker threads hash them where they were received.
 */
export const RECEIVE_POOL = new BufferPool(MAX_RUN_PIECES * PIECE_SIZE, 16, { shared: true });

/** SHA-256 of received pieces, on worker threads for large downloads (piece-verifier.ts). */
export const VERIFIER = new PieceVerifier();

/** The endgame's view of the sources (scheduler.ts Pace), from what each has delivered so far. */
export function paceOf(sources: ReadonlyMap<string, SourceState>, pieceSize: number): Pace {
  return {
    remainingMs: (peer) => sources.get(peer)?.pace.remainingMs(performance.now()) ?? 0,
    pieceMs: (peer) => sources.get(peer)?.pace.msFor(pieceSize),
  };
}

/** How often idle workers look again for a late request to duplicate (lateness grows with time alone). */
const ENDGAME_TICK_MS = 25;
let ticking: Promise<void> | undefined;

/** Resolves ENDGAME_TICK_MS from the first call, for every caller meanwhile (one timer). */
export function endgameTick(): Promise<void> {
  ticking ??= new Promise<void>((resolve) => {
    // Unref'd: the sockets keep the process alive, and a swarm's end wakes its workers itself.
    setTimeout(() => {
      ticking = undefined;
      resolve();
    }, ENDGAME_TICK_MS).unref();
  });
  return ticking;
}

/**
 * A request's deadline is how long the peer may send nothing at all while it waits (deadlines
 * follow bytes arriving, not whole pieces: a slow but steady source is never cut off): the
 * request timeout (`ceiling`) until the peer's speed is known, then 8 times what a socket
 * read's worth of bytes should take at that speed, plus 1 s; at least 2 s, never above the
 * ceiling.
 */
export function deadlineOf(source: SourceState, ceiling: number): number {
  const rate = source.pace.meter.rate;
  if (rate <= 0) return ceiling;
  return Math.min(ceiling, Math.max(2000, (8 * SILENCE_BYTES) / rate + 1000));
}

/**
 * Pieces per request: one for a slow peer; up to four (1 MiB) for a peer fast enough to
 * deliver them in about 20 ms, so fast links spend less per request.
 */
export function runLengthOf(source: SourceState, pieceSize: number): number {
  const pieces = Math.floor((source.pace.meter.rate * 20) / pieceSize);
  return Math.max(1, Math.min(MAX_RUN_PIECES, pieces));
}

/**
 * Near the end of a download, whether a fresh piece should be left to the other sources: it
 * would arrive from `source` (after what it has queued, at its observed rate) later than the
 * others would deliver it. They would deliver it no sooner than they are through the `openBytes`
 * nobody is fetching yet and their own queues, together (a fluid estimate), and no sooner than
 * the quickest of them could fetch one more piece. Without this a slow source took pieces up to
 * its queue budget to the very end: on 80/40/20 mbit links the 20 mbit one held the last ~0.4 s
 * of the download, and the endgame fetched its pieces again from the fast ones (issue 11).
 * The source that would deliver soonest is never held back, so some source always takes the
 * piece. Only when every source holds every piece (a partial holder may be the only one with
 * a piece) and the rates are known.
 */
export function leaveToOthers(source: SourceState, sources: Iterable<SourceState>, openBytes: number, pieceBytes: number): boolean {
  const rate = source.pace.meter.rate;
  if (rate <= 0 || openBytes <= 0) return false;
  let othersRate = 0;
  let othersQueued = 0;
  let soonest = Infinity;
  for (const other of sources) {
    if (other.partial) return false;
    const r = other.pace.meter.rate;
    if (other === source || other.problem || !other.conn || r <= 0) continue;
    othersRate += r;
    othersQueued += other.pace.queued;
    soonest = Math.min(soonest, (other.pace.queued + pieceBytes) / r);
  }
  if (othersRate <= 0) return false;
  const byOthers = Math.max((openBytes + othersQueued) / othersRate, soonest);
  return (source.pace.queued + pieceBytes) / rate > byOthers;
}

/** How long the requests queued on one source should take at its observed rate. */
export const QUEUE_MS = 500;

/**
 * Bytes a source may have asked for and not delivered: what it sends in QUEUE_MS at its
 * observed rate, at least a piece; two pieces until its rate is known. A source with a small
 * share of a crowded uplink gets a short queue, so the pieces it would sit on go to faster
 * sources, and a piece it sends is soon whole and can be passed on (issue 10).
 */
export function queueBudget(source: SourceState, pieceSize: number): number {
  const rate = source.pace.meter.rate;
  return rate > 0 ? Math.max(pieceSize, rate * QUEUE_MS) : 2 * pieceSize;
}

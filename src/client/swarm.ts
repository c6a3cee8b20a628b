/**
 * The piece engine of a download: every source (a peer holding the chosen version) runs a few
 * workers on one pipelined connection, each pulling the next piece from the scheduler,
 * verifying it and writing it. A source whose link fails is reconnected with backoff (its
 * pieces go to the others meanwhile); one that lies (bad piece, wrong length) is banned for the
 * rest of the download; one whose copy changed is dropped. Sources may join late.
 */
import { randomInt } from 'node:crypto';
import { PIECE_SIZE, REQUEST_TIMEOUT_MS } from '../constants.js';
import { type ErrorCode, TxtmeshError, codeOf, describeError, isLie, isTransient } from '../errors.js';
import { type FileInfo, HASH_BYTES } from '../protocol/messages.js';
import type { PartFile } from '../storage/part-file.js';
import type { Credentials } from '../security/credentials.js';
import type { PeerAddress } from '../settings.js';
import { BufferPool } from '../transport/buffer-pool.js';
import { fileInfo, getRange } from './peer-client.js';
import { PeerConnection } from './peer-connection.js';
import { PieceVerifier } from './piece-verifier.js';
import { DEFAULT_RETRY, type RetryPolicy, backoffDelay, sleep } from './retry.js';
import { PieceScheduler } from './scheduler.js';
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
}

export interface SourceState {
  readonly peer: PeerAddress;
  conn: PeerConnection | undefined;
  /** Bytes of verified pieces written from this source. */
  bytes: number;
  /** Set when the source is out of this download for good. */
  problem?: string;
  problemCode?: ErrorCode;
  /** The last failure it recovered from (or was recovering from when the download ended). */
  note?: string;
  noteCode?: ErrorCode;
  /** Reconnects since the last piece delivered. */
  attempts: number;
  /** Observed throughput over the last second, and what it still owes us (source-pace.ts). */
  readonly pace: SourcePace;
}

/** How often an idle worker looks again for a late request to duplicate (scheduler.ts). */
const ENDGAME_TICK_MS = 25;

/** Most pieces one request may cover. */
const MAX_RUN_PIECES = 4;

/**
 * Receive buffers of MAX_RUN_PIECES pieces, shared by the downloads of this process; in shared
 * memory, so the verifier's worker threads hash them where they were received.
 */
const RECEIVE_POOL = new BufferPool(MAX_RUN_PIECES * PIECE_SIZE, 16, { shared: true });
/** SHA-256 of received pieces, on worker threads for large downloads (piece-verifier.ts). */
const VERIFIER = new PieceVerifier();

export class Swarm {
  readonly scheduler: PieceScheduler;
  readonly sources = new Map<string, SourceState>();
  /** Bytes written in this run (not counting resumed pieces). */
  received = 0;
  readonly #options: SwarmOptions;
  readonly #runs: Promise<void>[] = [];
  /** Aborted when the download is complete or the caller aborts: ends backoff sleeps at once. */
  readonly #finished = new AbortController();
  /** Receive buffers, one per request in flight, reused (shared by every download). */
  readonly #pool = RECEIVE_POOL;
  readonly #signal: AbortSignal;
  #wake: () => void = () => undefined;
  #ticking: Promise<void> | undefined;
  #changed: Promise<void>;

  constructor(options: SwarmOptions) {
    this.#options = options;
    const pieces = options.info.pieceHashes.length / HASH_BYTES;
    // A random first piece (then onwards and round), so downloaders of one file ask for
    // different pieces and have something to trade (scheduler.ts).
    // The endgame duplicates only what is late by the sources' observed pace (source-pace.ts).
    const pace = {
      remainingMs: (peer: string) => this.sources.get(peer)?.pace.remainingMs(performance.now()) ?? 0,
      pieceMs: (peer: string) => this.sources.get(peer)?.pace.msFor(options.info.pieceSize),
    };
    this.scheduler = new PieceScheduler(pieces, { done: options.verified, start: randomInt(Math.max(1, pieces)), pace });
    this.#changed = this.#nextChange();
    VERIFIER.prepare(options.info.size - options.verified.length * options.info.pieceSize);
    this.#signal = AbortSignal.any([options.signal, this.#finished.signal]);
    // Done or aborted: close every connection, so workers waiting on a slow or frozen peer's
    // answer (an endgame loser) stop at once.
    this.#signal.addEventListener('abort', () => (this.close(), this.#notify()), { once: true });
    if (this.scheduler.complete) this.#finished.abort();
  }

  /** Sources still taking part (connected or reconnecting). */
  get live(): number {
    let n = 0;
    for (const s of this.sources.values()) if (!s.problem) n++;
    return n;
  }

  /** Adds a source with an open connection that has confirmed the identity. */
  add(peer: PeerAddress, conn: PeerConnection): void {
    const source: SourceState = { peer, conn, bytes: 0, attempts: 0, pace: new SourcePace() };
    this.scheduler.setHolding(peer.id, 'all');
    this.sources.set(peer.id, source);
    this.#runs.push(this.#run(source));
    this.#notify();
  }

  /** Resolves when every source has stopped (the file is complete, or no source is left). */
  async settled(): Promise<void> {
    while (this.#runs.length > 0) await Promise.all(this.#runs.splice(0));
  }

  /** Closes every connection. */
  close(): void {
    for (const s of this.sources.values()) s.conn?.close();
  }

  /** Resolves ENDGAME_TICK_MS from the first call, for every caller meanwhile (one timer). */
  #tick(): Promise<void> {
    this.#ticking ??= new Promise<void>((resolve) => {
      setTimeout(() => {
        this.#ticking = undefined;
        resolve();
      }, ENDGAME_TICK_MS).unref(); // the sockets keep the process alive; the end wakes every worker
    });
    return this.#ticking;
  }

  #nextChange(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  #notify(): void {
    const wake = this.#wake;
    this.#changed = this.#nextChange();
    wake();
  }

  #drop(source: SourceState, problem: string, ban: boolean, code?: ErrorCode): void {
    source.problem = problem;
    source.problemCode = code;
    source.conn?.close();
    source.conn = undefined;
    if (ban) this.scheduler.ban(source.peer.id);
    this.#notify();
  }

  async #run(source: SourceState): Promise<void> {
    const signal = this.#signal;
    const policy = this.#options.retry ?? DEFAULT_RETRY;
    let lastError = '';
    let lastCode: ErrorCode | undefined;
    while (!this.scheduler.complete && !signal.aborted && !source.problem) {
      if (!source.conn) {
        if (source.attempts >= policy.attempts) return this.#drop(source, `gave up after ${source.attempts} reconnects: ${lastError}`, false, lastCode);
        source.attempts++;
        try {
          await sleep(backoffDelay(source.attempts + 1, policy), signal);
          const conn = await PeerConnection.connect(source.peer, { signal, stallTimeoutMs: this.#options.stallTimeoutMs, as: this.#options.as });
          source.conn = conn;
          const info = await fileInfo(conn, this.#options.info.name);
          if (info.identity !== this.#options.info.identity) {
            return this.#drop(source, `its copy changed (now ${info.identity.slice(0, 12)}); dropped (ERR_CHANGED)`, true, 'ERR_CHANGED');
          }
        } catch (err) {
          source.conn?.close();
          source.conn = undefined;
          if (signal.aborted) return;
          lastError = describeError(err);
          lastCode = codeOf(err);
          if (!isTransient(err)) return this.#drop(source, lastError, true, lastCode);
          continue;
        }
      }
      const failure = await this.#work(source, source.conn);
      source.conn?.close();
      source.conn = undefined;
      if (failure === undefined || signal.aborted) return;
      if (isLie(failure)) return this.#drop(source, `${describeError(failure)}; banned for this download`, true, codeOf(failure));
      if (!isTransient(failure)) return this.#drop(source, describeError(failure), true, codeOf(failure));
      lastError = describeError(failure);
      lastCode = codeOf(failure);
      source.note = `${lastError}; reconnecting`;
      source.noteCode = lastCode;
      this.#notify();
    }
  }

  /** Runs the workers of one connection; resolves with what ended it (undefined: done). */
  async #work(source: SourceState, conn: PeerConnection): Promise<Error | undefined> {
    const signal = this.#signal;
    let failure: Error | undefined;
    const worker = async () => {
      while (!this.scheduler.complete && !failure && !signal.aborted) {
        const run = this.scheduler.nextRun(source.peer.id, this.#runLength(source));
        if (run === undefined) {
          // Lateness grows with time alone: look again after a while even if nothing happens.
          await Promise.race([this.#changed, this.#tick()]);
          continue;
        }
        const err = await this.#fetch(source, conn, run.first, run.count);
        if (err !== undefined) {
          failure ??= err instanceof Error ? err : new Error(String(err));
          conn.close();
        }
        this.#notify();
      }
    };
    await Promise.all(Array.from({ length: this.#options.depth }, worker));
    return failure;
  }

  /**
   * Fetches `count` pieces from `first` in one GET, verifies every one of them before writing
   * any, and writes them. Returns what went wrong (the pieces go back to the scheduler).
   */
  async #fetch(source: SourceState, conn: PeerConnection, first: number, count: number): Promise<unknown> {
    const { info } = this.#options;
    const id = source.peer.id;
    const pieces = Array.from({ length: count }, (_, i) => first + i);
    const lengths = pieces.map((p) => Math.min(info.pieceSize, info.size - p * info.pieceSize));
    const offset = first * info.pieceSize;
    const length = lengths.reduce((a, b) => a + b, 0);
    const data = this.#pool.take(length);
    let arrived = false;
    try {
      source.pace.asked(length, performance.now());
      await getRange(conn, info.name, offset, length, info.identity, { timeoutMs: this.#deadline(source, conn, length), into: data });
      source.pace.arrived(length, performance.now());
      arrived = true;
      const digests = await VERIFIER.digests(data, lengths);
      const bad = pieces.findIndex((p, i) => !(digests[i] as Buffer).equals(info.pieceHashes.subarray(p * HASH_BYTES, (p + 1) * HASH_BYTES)));
      if (bad >= 0) throw new TxtmeshError('ERR_HASH_MISMATCH', `sent a bad piece ${first + bad}`);
    } catch (err) {
      if (!arrived) source.pace.dropped(length);
      this.#pool.give(data);
      for (const p of pieces) this.scheduler.release(p, id);
      return err;
    }
    await this.#keep(source, pieces, lengths, offset, data).finally(() => this.#pool.give(data));
    return undefined;
  }

  /** Writes verified pieces, unless another peer delivered them first (endgame). */
  async #keep(source: SourceState, pieces: readonly number[], lengths: readonly number[], offset: number, data: Buffer): Promise<void> {
    const id = source.peer.id;
    // A piece another peer delivered first has the same verified bytes.
    const freshPieces = lengths.filter((_, i) => this.scheduler.markDone(pieces[i] as number, id));
    const fresh = freshPieces.reduce((a, b) => a + b, 0);
    if (fresh === 0) return;
    await this.#options.part.write(offset, data);
    for (const piece of pieces) if (this.scheduler.isDone(piece)) await this.#options.part.markVerified(piece);
    source.bytes += fresh;
    source.attempts = 0;
    source.note = undefined;
    source.noteCode = undefined;
    this.received += fresh;
    for (const bytes of freshPieces) this.#options.onPiece?.(id, bytes);
    if (this.scheduler.complete) this.#finished.abort();
  }

  /**
   * A request's deadline adapts to the peer's observed speed: generous multiples of the time
   * the bytes queued ahead of it should take, never above the request timeout. Before any
   * speed is known, the request timeout applies (and the stall detector catches silence).
   */
  #deadline(source: SourceState, conn: PeerConnection, length: number): number {
    const ceiling = this.#options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    const rate = source.pace.meter.rate;
    if (rate <= 0) return ceiling;
    const expected = ((conn.waiting + 1) * length) / rate;
    return Math.min(ceiling, Math.max(2000, 8 * expected + 1000));
  }

  /**
   * Pieces per request: one for a slow peer; up to four (1 MiB) for a peer fast enough to
   * deliver them in about 20 ms, so fast links spend less per request.
   */
  #runLength(source: SourceState): number {
    const pieces = Math.floor((source.pace.meter.rate * 20) / this.#options.info.pieceSize);
    return Math.max(1, Math.min(MAX_RUN_PIECES, pieces));
  }
}

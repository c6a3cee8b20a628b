/**
 * The piece engine of a download: every source (a peer holding the chosen version) runs a few
 * workers on one pipelined connection, each pulling the next piece from the scheduler,
 * verifying it and writing it. A source whose link fails is reconnected with backoff (its
 * pieces go to the others meanwhile); one that lies (bad piece, wrong length) is banned for the
 * rest of the download; one whose copy changed is dropped. Sources may join late, and a source
 * may be a partial holder (a peer still downloading the file): it is given only the pieces it
 * holds, and asked again every few seconds which those are.
 */
import { randomInt } from 'node:crypto';
import { REQUEST_TIMEOUT_MS } from '../constants.js';
import { TxtmeshError, codeOf, isLie, isTransient } from '../errors.js';
import { HASH_BYTES } from '../protocol/messages.js';
import type { PeerAddress } from '../settings.js';
import { fileInfo, getRange, holding } from './peer-client.js';
import { PeerConnection } from './peer-connection.js';
import { type Problem, problemOf } from './problem.js';
import { DEFAULT_RETRY, type RetryPolicy, backoffDelay, sleep } from './retry.js';
import { PieceScheduler } from './scheduler.js';
import { type WorkerHost, runWorkers } from './source-workers.js';
import { HOLDINGS_POLL_MS, PARTIAL_ONLY_GIVE_UP_MS, QUICK_ASK_MS, RECEIVE_POOL, type SourceState, type SwarmOptions, VERIFIER, deadlineOf, endgameTick, firstBad, leaveToOthers, newSource, paceOf, queueBudget, runLengthOf } from './swarm-source.js';

export type { SourceState, SwarmOptions } from './swarm-source.js';

export class Swarm {
  readonly scheduler: PieceScheduler;
  readonly sources = new Map<string, SourceState>();
  /** Bytes written in this run (not counting resumed pieces). */
  received = 0;
  readonly #options: SwarmOptions;
  readonly #runs: Promise<void>[] = [];
  /** Aborted when the download is complete or the caller aborts: ends backoff sleeps at once. */
  readonly #finished = new AbortController();
  readonly #signal: AbortSignal;
  #wake: () => void = () => undefined;
  /** performance.now() of the last verified piece (or of the start). */
  #lastPiece = performance.now();
  #changed: Promise<void>;
  readonly #hashed: () => void; // piece-verifier.ts prepare()

  constructor(options: SwarmOptions) {
    this.#options = options;
    const pieces = options.info.pieceHashes.length / HASH_BYTES;
    // A random first piece, so downloaders of one file have something to trade (scheduler.ts);
    // the endgame duplicates only what is late by the sources' observed pace (source-pace.ts).
    this.scheduler = new PieceScheduler(pieces, { done: options.verified, start: randomInt(Math.max(1, pieces)), pace: paceOf(this.sources, options.info.pieceSize) });
    this.#changed = this.#nextChange();
    this.#hashed = VERIFIER.prepare(options.info.size - options.verified.length * options.info.pieceSize);
    this.#signal = AbortSignal.any([options.signal, this.#finished.signal]);
    // Done or aborted: close every connection, so workers waiting on a slow or frozen peer's
    // answer (an endgame loser) stop at once.
    this.#signal.addEventListener('abort', () => (this.close(), this.#notify()), { once: true });
    if (this.scheduler.complete) this.#finished.abort();
  }

  /** Sources still taking part (connected or reconnecting), and of those the partial holders (not seeds). */
  get live(): number {
    return [...this.sources.values()].filter((s) => !s.problem).length;
  }

  get livePartial(): number {
    return [...this.sources.values()].filter((s) => !s.problem && s.partial && !s.seed).length;
  }

  /**
   * Adds a source with an open connection that has confirmed the identity: a full holder, or with
   * `have` a partial holder (a peer still downloading the file), or with `complete` a seed offering those.
   */
  add(peer: PeerAddress, conn: PeerConnection, have?: Uint8Array, complete = false): void {
    const source = newSource(peer, conn, complete);
    this.#hold(source, have);
    this.sources.set(peer.id, source);
    this.#runs.push(this.#run(source));
    this.#notify();
  }

  /** Resolves when every source has stopped (the file is complete, or no source is left). */
  async settled(): Promise<void> {
    while (this.#runs.length > 0) await Promise.all(this.#runs.splice(0));
  }

  /** Closes every connection (once the file is complete, idle ones go to the pool, if any), and lets the hash workers go. */
  close(): void {
    this.#hashed();
    const pool = this.scheduler.complete && !this.#options.signal.aborted ? this.#options.pool : undefined;
    for (const s of this.sources.values()) {
      void (pool && s.conn ? pool.give(s.conn) : s.conn?.close()); // give() closes one still waiting on an answer
      s.conn = undefined;
    }
  }

  #nextChange(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  #notify(): void {
    const wake = this.#wake;
    this.#changed = this.#nextChange();
    wake();
  }

  #drop(source: SourceState, problem: Problem, ban: boolean): void {
    source.problem = problem;
    source.conn?.close();
    source.conn = undefined;
    if (ban) this.scheduler.ban(source.peer.id);
    this.#notify();
  }

  async #run(source: SourceState): Promise<void> {
    const signal = this.#signal;
    const policy = this.#options.retry ?? DEFAULT_RETRY;
    let last: Problem | undefined;
    while (!this.scheduler.complete && !signal.aborted && !source.problem) {
      let conn = source.conn;
      if (!conn) {
        if (source.attempts >= policy.attempts) {
          return this.#drop(source, { code: last?.code ?? 'ERR_PEER_CLOSED', message: `gave up after ${source.attempts} reconnects: ${last?.message ?? ''}` }, false);
        }
        source.attempts++;
        const attempt = await this.#reconnect(source, policy);
        if (signal.aborted || source.problem) return;
        if ('failed' in attempt) {
          last = problemOf(attempt.failed);
          if (!isTransient(attempt.failed)) return this.#drop(source, last, true);
          continue;
        }
        conn = attempt.conn;
      }
      const failure = await this.#work(source, conn);
      source.conn?.close();
      source.conn = undefined;
      if (failure === undefined || signal.aborted) return;
      last = problemOf(failure);
      if (isLie(failure)) return this.#drop(source, { ...last, message: `${last.message}; banned for this download` }, true);
      if (!isTransient(failure)) return this.#drop(source, last, true);
      source.note = { ...last, message: `${last.message}; reconnecting` };
      this.#notify();
    }
  }

  /** After a backoff, connects again, checks the peer still has the same version, and learns what it holds. */
  async #reconnect(source: SourceState, policy: RetryPolicy): Promise<{ conn: PeerConnection } | { failed: unknown }> {
    const signal = this.#signal;
    try {
      await sleep(backoffDelay(source.attempts + 1, policy), signal);
      const conn = await PeerConnection.connect(source.peer, { signal, stallTimeoutMs: this.#options.stallTimeoutMs, as: this.#options.as });
      source.conn = conn;
      const info = await fileInfo(conn, this.#options.info.name, undefined, { partial: true });
      if (info.identity !== this.#options.info.identity) {
        this.#drop(source, { code: 'ERR_CHANGED', message: `its copy changed (now ${info.identity.slice(0, 12)}); dropped (ERR_CHANGED)` }, true);
      } else {
        source.seed = info.complete === true;
        this.#hold(source, info.have);
      }
      return { conn };
    } catch (err) {
      source.conn = void source.conn?.close();
      return { failed: err };
    }
  }

  /** Runs the workers of one connection (source-workers.ts); resolves with what ended it (undefined: done). */
  async #work(source: SourceState, conn: PeerConnection): Promise<Error | undefined> {
    const { info, depth } = this.#options;
    conn.paceReceiving(this.#options.receiveLimit);
    void this.#pollHoldings(source, conn); // ends when the connection closes, without holding up a reconnect
    const host: WorkerHost = {
      scheduler: this.scheduler,
      peer: source.peer.id,
      depth,
      signal: this.#signal,
      full: () => source.pace.queued >= queueBudget(source, info.pieceSize),
      // Near the end a fresh piece goes only to a source that would not deliver it last.
      leave: () => leaveToOthers(source, this.sources.values(), this.scheduler.openCount * info.pieceSize, info.pieceSize),
      runLength: () => runLengthOf(source, info.pieceSize),
      changed: () => this.#changed,
      tick: endgameTick,
      // A partial source with nothing for us (super-seed.ts, a downloader): ask again soon.
      idle: () => source.partial && this.#askSoon(source, conn),
      fetch: (first, count) => this.#fetch(source, conn, first, count),
      notify: () => this.#notify(),
    };
    return runWorkers(host, () => conn.close());
  }

  /**
   * Fetches, verifies and writes a run of pieces from one source.
   * @returns what failed the connection, or undefined (done, or a piece the source turned out
   *   not to hold: its holdings are asked again and the pieces go back to the pool)
   */
  async #fetch(source: SourceState, conn: PeerConnection, first: number, count: number): Promise<Error | undefined> {
    const { info } = this.#options;
    const id = source.peer.id;
    const pieces = Array.from({ length: count }, (_, i) => first + i);
    const lengths = pieces.map((p) => Math.min(info.pieceSize, info.size - p * info.pieceSize));
    const offset = first * info.pieceSize;
    const length = lengths.reduce((a, b) => a + b, 0);
    const data = RECEIVE_POOL.take(length);
    const received = { bytes: 0 };
    const giveBack = (err?: Error) => {
      RECEIVE_POOL.give(data);
      for (const p of pieces) this.scheduler.release(p, id);
      return err;
    };
    source.pace.asked(length, performance.now());
    try {
      await getRange(conn, info.name, offset, length, info.identity, { timeoutMs: deadlineOf(source, this.#options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS), into: data, received });
    } catch (err) {
      source.pace.dropped(length);
      source.abortedBytes += received.bytes;
      if (codeOf(err) !== 'ERR_NOT_HELD') return giveBack(err instanceof Error ? err : new Error(String(err)));
      for (const p of pieces) this.scheduler.forget(id, p);
      void this.#refreshHoldings(source, conn);
      return giveBack();
    }
    source.pace.arrived(length, performance.now());
    const bad = await firstBad(info, data, pieces, lengths);
    if (bad >= 0) {
      source.badBytes += length;
      return giveBack(new TxtmeshError('ERR_HASH_MISMATCH', `sent a bad piece ${first + bad}`));
    }
    // A piece another peer delivered first (endgame) has the same verified bytes.
    const freshPieces = lengths.filter((_, i) => this.scheduler.markDone(pieces[i] as number, id));
    source.duplicateBytes += length - freshPieces.reduce((a, b) => a + b, 0);
    if (freshPieces.length === 0) {
      RECEIVE_POOL.give(data);
      return undefined;
    }
    await this.#options.part.write(offset, data).finally(() => RECEIVE_POOL.give(data));
    await this.#options.part.markVerified(first, count); // every piece of the run is done now, by us or another
    this.#credit(source, freshPieces);
    return undefined;
  }

  /** A source delivered verified pieces of these lengths: it is healthy again. */
  #credit(source: SourceState, freshPieces: readonly number[]): void {
    const fresh = freshPieces.reduce((a, b) => a + b, 0);
    this.#lastPiece = performance.now();
    source.bytes += fresh;
    source.attempts = 0;
    source.note = undefined;
    this.received += fresh;
    for (const bytes of freshPieces) this.#options.onPiece?.(source.peer.id, bytes);
    if (this.scheduler.complete) this.#finished.abort();
  }

  /**
   * Asks a partial source again which pieces it holds, every HOLDINGS_POLL_MS, until it holds
   * them all. When only partial sources are left and none has delivered a piece for
   * PARTIAL_ONLY_GIVE_UP_MS, the download stops (its verified pieces are kept): they may all be
   * waiting for pieces nobody has.
   */
  async #pollHoldings(source: SourceState, conn: PeerConnection): Promise<void> {
    // A full holder may turn partial (a seed facing a crowd offers a few pieces at a time).
    while (!conn.closed && !this.scheduler.complete && !this.#signal.aborted) {
      await sleep(HOLDINGS_POLL_MS, this.#signal).catch(() => undefined);
      if (conn.closed || this.#signal.aborted) return;
      if (!source.partial) continue;
      await this.#refreshHoldings(source, conn);
      const onlyPartial = [...this.sources.values()].every((s) => s.problem !== undefined || s.partial);
      if (onlyPartial && performance.now() - this.#lastPiece > PARTIAL_ONLY_GIVE_UP_MS) this.#finished.abort();
    }
  }

  /** A HAVE now, unless one is under way or went out less than QUICK_ASK_MS ago. */
  #askSoon(source: SourceState, conn: PeerConnection): void {
    const now = performance.now();
    if (source.asking || now - source.askedAt < QUICK_ASK_MS) return;
    void this.#refreshHoldings(source, conn);
  }

  /** One HAVE: the scheduler learns what the source holds now. A malformed answer fails the connection. */
  async #refreshHoldings(source: SourceState, conn: PeerConnection): Promise<void> {
    const { info } = this.#options;
    source.asking = true;
    source.askedAt = performance.now();
    try {
      const have = await holding(conn, info.name, info.identity, info.pieceHashes.length / HASH_BYTES);
      this.#hold(source, have);
      this.#notify();
    } catch (err) {
      if (isLie(err)) {
        const { code, message } = problemOf(err);
        this.#drop(source, { code, message: `${message}; banned for this download` }, true);
      }
    } finally {
      source.asking = false;
    }
  }

  /** Records what a source holds: every piece, or those flagged. */
  #hold(source: SourceState, have: Uint8Array | undefined): void {
    const all = have === undefined || have.every((flag) => flag === 1);
    source.partial = !all;
    source.partialHolder ||= !all && !source.seed;
    this.scheduler.setHolding(source.peer.id, all ? 'all' : have);
  }
}

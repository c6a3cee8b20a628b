/**
 * Asking many peers at once, the one way every multi-peer command does it (#FILELIST, #FILES,
 * #PEERS, #PING, #UPLOAD, and the holder search of #DOWNLOAD): for each peer, connect (or take
 * an idle connection from the console's pool), run the exchange, close or give it back, and
 * turn a failure into data. Peers are asked in parallel (p-limit caps how many at once), each
 * with its own deadline, so a peer that is down or silent costs its own deadline and never
 * holds up the others' answers; a view also stops waiting for a peer that has said nothing
 * long after the others answered (silence-watch.ts).
 */
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { CONNECT_TIMEOUT_MS, PEER_CONCURRENCY, REQUEST_TIMEOUT_MS, VIEW_CONCURRENCY } from '../constants.js';
import { TxtmeshError, codeOf } from '../errors.js';
import type { Credentials } from '../security/credentials.js';
import type { PeerAddress } from '../settings.js';
import { peerLabel } from '../transport/dial.js';
import type { ConnectionPool } from './connection-pool.js';
import { withDeadline } from './deadline.js';
import type { PeerConnection } from './peer-connection.js';
import { type Problem, problemOf } from './problem.js';
import { type RetryPolicy, withRetry } from './retry.js';
import { SilenceWatch } from './silence-watch.js';

/** What an exchange is told about its turn. */
export interface PeerTurn {
  readonly peer: PeerAddress;
  /** The peer's position in the list given. */
  readonly index: number;
  /** Aborts with the caller's signal or when the peer's deadline passes. */
  readonly signal: AbortSignal | undefined;
  /** How long the connect took, in ms (0 for a connection reused). */
  readonly connectMs: number;
  /** The connection was an idle one from the pool: no connect. */
  readonly reused: boolean;
}

/** One peer's result: the exchange's value, or why there is none. `ms`: the whole turn. */
export type PeerResult<T> =
  | { readonly peer: PeerAddress; readonly ok: true; readonly value: T; readonly ms: number }
  | { readonly peer: PeerAddress; readonly ok: false; readonly problem: Problem; readonly ms: number };

export interface FanOutOptions<T> {
  /** How many peers are asked at once (default PEER_CONCURRENCY). */
  readonly limit?: number;
  /** Who we are (claimed on connect; our certificate in secure mode). */
  readonly as?: Credentials;
  /** Aborts every turn. */
  readonly signal?: AbortSignal;
  /** A deadline for each peer's whole turn, connect included: ERR_PEER_TIMEOUT when it passes. */
  readonly timeoutMs?: number;
  /** A deadline for the connect alone (default CONNECT_TIMEOUT_MS, and never above timeoutMs). */
  readonly connectTimeoutMs?: number;
  /** Passed to the connection: a peer silent this long with requests waiting is dropped. */
  readonly stallTimeoutMs?: number;
  /** Transient failures (the peer could not be reached) are tried again (default: only ERR_BUSY, twice). */
  readonly retry?: RetryPolicy;
  readonly onRetry?: (peer: PeerAddress, err: unknown) => void;
  /** Leave the connection open after an exchange that succeeded: its value carries it. */
  readonly keepOpen?: boolean;
  /** Idle connections to take, and to give back after an exchange that succeeded. */
  readonly pool?: ConnectionPool;
  /** The deadline of each request that sets none, following bytes (--timeout). */
  readonly requestTimeoutMs?: number;
  /** false: connect without the HELLO claim (the exchange sends its own). */
  readonly claim?: boolean;
  /** A view: stop waiting for a peer silent long after the others answered (silence-watch.ts). */
  readonly patience?: boolean;
  /** Called with each peer's result as soon as it is known. */
  readonly onResult?: (result: PeerResult<T>, index: number) => void;
}

/**
 * The default: a peer that cannot be reached is not asked again (a view must not wait on it),
 * but one that answered ERR_BUSY (its connection slots were full for a moment) is, twice.
 */
const BUSY_ONLY: RetryPolicy = { attempts: 3, baseDelayMs: 300, maxDelayMs: 600, retryIf: (err) => codeOf(err) === 'ERR_BUSY' };

/**
 * Runs `exchange` on a connection to each peer; one result per peer, in the order given.
 * Never throws for a peer's failure.
 */
export async function fanOut<T>(peers: readonly PeerAddress[], exchange: (conn: PeerConnection, turn: PeerTurn) => Promise<T>, options: FanOutOptions<T> = {}): Promise<PeerResult<T>[]> {
  const limit = pLimit(options.limit ?? PEER_CONCURRENCY);
  // One signal of our own for the whole fan-out: every turn's requests listen to it, so the
  // caller's signal gets one listener, not one per peer (no MaxListenersExceededWarning at 100).
  const scope = new AbortController();
  setMaxListeners(0, scope.signal);
  const onAbort = () => scope.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const watch = options.patience ? new SilenceWatch(peers.length) : undefined;
  try {
    return await Promise.all(
      peers.map((peer, index) =>
        limit(async () => {
          const result = await turn(peer, index, exchange, options, { signal: scope.signal, watch });
          options.onResult?.(result, index);
          return result;
        }),
      ),
    );
  } finally {
    watch?.close();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** What a view is told: its deadline (--timeout), who we are, Ctrl-C, the console's idle connections. */
export interface ViewAsk {
  readonly timeoutMs?: number;
  readonly as?: Credentials;
  readonly signal?: AbortSignal;
  readonly pool?: ConnectionPool;
}

/** A view's fan-out: every peer within --timeout, many at once, the silent cut early (silence-watch.ts). */
export function viewFanOut<T>(options: ViewAsk): FanOutOptions<T> {
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  return { timeoutMs, requestTimeoutMs: timeoutMs, as: options.as, signal: options.signal, pool: options.pool, limit: VIEW_CONCURRENCY, patience: true };
}

interface Scope {
  readonly signal: AbortSignal;
  readonly watch: SilenceWatch | undefined;
}

async function turn<T>(peer: PeerAddress, index: number, exchange: (conn: PeerConnection, turn: PeerTurn) => Promise<T>, options: FanOutOptions<T>, scope: Scope): Promise<PeerResult<T>> {
  const started = performance.now();
  const ms = () => performance.now() - started;
  const cut = new AbortController();
  let handshake: (() => void) | undefined; // stops watching the TLS handshake
  try {
    // A peer still waiting for its turn when the caller gave up is not asked at all.
    if (scope.signal.aborted) throw new TxtmeshError('ERR_PEER_TIMEOUT', `${peerLabel(peer)} was not asked: aborted`);
    const outer = scope.watch ? AbortSignal.any([scope.signal, cut.signal]) : scope.signal;
    // Secure mode: a peer that takes the TCP connection and then never answers the TLS
    // handshake is as silent as one that never answers a request (a frozen process).
    const onHandshake = scope.watch && ((tcpMs: number) => {
      handshake = scope.watch?.watch({ label: peerLabel(peer), connectMs: tcpMs, since: performance.now(), heard: () => false, cut: (err) => cut.abort(err) });
    });
    const value = await withDeadline(peer, options.timeoutMs, outer, async (signal) => {
      const run = (c: PeerConnection, connectMs: number, reused: boolean) => {
        handshake?.();
        return watched(c, connectMs, scope.watch, cut, () => exchange(c, { peer, index, signal, connectMs, reused }));
      };
      const { conn, value } = await withRetry(peer, run, {
        signal,
        as: options.as,
        claim: options.claim,
        pool: options.pool,
        timeoutMs: Math.min(options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, options.timeoutMs ?? Infinity),
        stallTimeoutMs: options.stallTimeoutMs,
        requestTimeoutMs: options.requestTimeoutMs,
        onHandshake,
        policy: options.retry ?? BUSY_ONLY,
        onRetry: options.onRetry && ((err) => options.onRetry?.(peer, err)),
      });
      if (!options.keepOpen) release(conn, options.pool);
      return value;
    });
    return { peer, ok: true, value, ms: ms() };
  } catch (err) {
    return { peer, ok: false, problem: problemOf(cut.signal.aborted ? cut.signal.reason : err), ms: ms() };
  } finally {
    handshake?.();
    scope.watch?.settled(cut.signal.aborted);
  }
}

/** Runs one exchange under the view's watch, if any: told when it answers, cut if it stays silent. */
async function watched<T>(conn: PeerConnection, connectMs: number, watch: SilenceWatch | undefined, cut: AbortController, exchange: () => Promise<T>): Promise<T> {
  if (!watch) return exchange();
  const heard = conn.bytesReceived;
  const since = performance.now();
  const stop = watch.watch({ label: peerLabel(conn.peer), connectMs, since, heard: () => conn.bytesReceived > heard, cut: (err) => cut.abort(err) });
  try {
    const value = await exchange();
    watch.answered(performance.now() - since);
    return value;
  } finally {
    stop();
  }
}

/** Done with a connection: back to the pool if there is one, else closed. */
function release(conn: PeerConnection, pool: ConnectionPool | undefined): void {
  if (pool) pool.give(conn);
  else conn.close();
}

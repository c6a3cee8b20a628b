/**
 * Asking many peers at once, the one way every multi-peer command does it (#FILELIST, #FILES,
 * #PEERS, #PING, #UPLOAD, and the holder search of #DOWNLOAD): for each peer, connect, run the
 * exchange, close, and turn a failure into data. Peers are asked in parallel (p-limit caps how
 * many at once), each with its own deadline, so a peer that is down or silent costs its own
 * deadline and never holds up the others' answers.
 */
import pLimit from 'p-limit';
import { CONNECT_TIMEOUT_MS, PEER_CONCURRENCY } from '../constants.js';
import { TxtmeshError, codeOf } from '../errors.js';
import type { Credentials } from '../security/credentials.js';
import type { PeerAddress } from '../settings.js';
import { peerLabel } from '../transport/dial.js';
import { withDeadline } from './deadline.js';
import type { PeerConnection } from './peer-connection.js';
import { type Problem, problemOf } from './problem.js';
import { type RetryPolicy, withRetry } from './retry.js';

/** What an exchange is told about its turn. */
export interface PeerTurn {
  readonly peer: PeerAddress;
  /** The peer's position in the list given. */
  readonly index: number;
  /** Aborts with the caller's signal or when the peer's deadline passes. */
  readonly signal: AbortSignal | undefined;
  /** How long the connect took, in ms. */
  readonly connectMs: number;
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
export function fanOut<T>(peers: readonly PeerAddress[], exchange: (conn: PeerConnection, turn: PeerTurn) => Promise<T>, options: FanOutOptions<T> = {}): Promise<PeerResult<T>[]> {
  const limit = pLimit(options.limit ?? PEER_CONCURRENCY);
  return Promise.all(
    peers.map((peer, index) =>
      limit(async () => {
        const result = await turn(peer, index, exchange, options);
        options.onResult?.(result, index);
        return result;
      }),
    ),
  );
}

async function turn<T>(peer: PeerAddress, index: number, exchange: (conn: PeerConnection, turn: PeerTurn) => Promise<T>, options: FanOutOptions<T>): Promise<PeerResult<T>> {
  const started = performance.now();
  const ms = () => performance.now() - started;
  try {
    // A peer still waiting for its turn when the caller gave up is not asked at all.
    if (options.signal?.aborted) throw new TxtmeshError('ERR_PEER_TIMEOUT', `${peerLabel(peer)} was not asked: aborted`);
    const value = await withDeadline(peer, options.timeoutMs, options.signal, async (signal) => {
      const { conn, value } = await withRetry(peer, (c, connectMs) => exchange(c, { peer, index, signal, connectMs }), {
        signal,
        as: options.as,
        timeoutMs: Math.min(options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, options.timeoutMs ?? Infinity),
        stallTimeoutMs: options.stallTimeoutMs,
        policy: options.retry ?? BUSY_ONLY,
        onRetry: options.onRetry && ((err) => options.onRetry?.(peer, err)),
      });
      if (!options.keepOpen) conn.close();
      return value;
    });
    return { peer, ok: true, value, ms: ms() };
  } catch (err) {
    return { peer, ok: false, problem: problemOf(err), ms: ms() };
  }
}

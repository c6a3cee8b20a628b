/**
 * Retries with exponential backoff, for peers that refuse connections for a moment (a peer
 * restarting). Only transport failures are retried; a peer's answer (not found, another
 * version) or a lie is not.
 */
import { TxtmeshError, codeOf, isTransient } from '../errors.js';
import type { PeerAddress } from '../settings.js';
import type { ConnectionPool } from './connection-pool.js';
import { type ConnectOptions, PeerConnection } from './peer-connection.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Delay before the second attempt; doubled each time, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Only these failures are tried again (default: every transient one). */
  readonly retryIf?: (err: unknown) => boolean;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 4000 };

/** Delay before attempt number `attempt` (1-based; attempt 1 has none), with ±20% jitter. */
export function backoffDelay(attempt: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  if (attempt <= 1) return 0;
  const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 2));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}


/** Resolves after `ms`, or rejects at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new TxtmeshError('ERR_DOWNLOAD_INCOMPLETE', 'interrupted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new TxtmeshError('ERR_DOWNLOAD_INCOMPLETE', 'interrupted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Connects (or takes an idle connection from `pool`) and runs `then` on the connection, told
 * how long the connect took in ms (0 for a reused one), retrying transient failures with
 * backoff. A reused connection the peer had closed meanwhile is dialled again at once, without
 * counting as an attempt. The connection is closed if `then` fails; on success the caller owns it.
 */
export async function withRetry<T>(
  peer: PeerAddress,
  then: (conn: PeerConnection, connectMs: number, reused: boolean) => Promise<T>,
  options: ConnectOptions & { policy?: RetryPolicy; onRetry?: (err: unknown, attempt: number) => void; pool?: ConnectionPool } = {},
): Promise<{ conn: PeerConnection; value: T }> {
  const policy = options.policy ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) await sleep(backoffDelay(attempt, policy), options.signal);
    let conn: PeerConnection | undefined;
    let reused = false;
    try {
      const started = performance.now();
      conn = options.pool?.take(peer);
      conn?.retune(options);
      reused = conn !== undefined;
      conn ??= await PeerConnection.connect(peer, options);
      return { conn, value: await then(conn, reused ? 0 : performance.now() - started, reused) };
    } catch (err) {
      conn?.close();
      if (reused && codeOf(err) === 'ERR_PEER_CLOSED' && !options.signal?.aborted) {
        attempt--;
        continue;
      }
      if (!(policy.retryIf ?? isTransient)(err) || attempt >= policy.attempts || options.signal?.aborted) throw err;
      options.onRetry?.(err, attempt);
    }
  }
}

/**
 * Probing peers with real protocol exchanges: connect, time HELLO round trips on that one
 * connection, and optionally count its files with LIST. The round-trip time is the HELLO
 * exchange alone (connect time is reported apart), so it measures the peer answering, not
 * only the kernel accepting.
 */
import { CONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../constants.js';
import type { Credentials } from '../security/credentials.js';
import type { ConnectionPool } from './connection-pool.js';
import { type PeerAddress, formatAddress } from '../settings.js';
import { withDeadline } from './deadline.js';
import { type PeerTurn, fanOut } from './fan-out.js';
import { hello, listFiles } from './peer-client.js';
import type { PeerConnection } from './peer-connection.js';
import type { Problem } from './problem.js';

export interface ProbeOptions {
  /** HELLO round trips to time (at least 1). */
  readonly samples?: number;
  /** Also LIST the peer's files, to count them. */
  readonly list?: boolean;
  /** Deadline for each exchange (connect is capped at CONNECT_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Our own ID, announced in HELLO. */
  readonly myId?: string;
  /** Who we are (claimed on connect; our certificate in secure mode). */
  readonly as?: Credentials;
  readonly signal?: AbortSignal;
  /** Idle connections to reuse (the console's). */
  readonly pool?: ConnectionPool;
  /** How many peers are asked at once. */
  readonly limit?: number;
  /** Stop waiting for peers silent long after the others answered (silence-watch.ts). */
  readonly patience?: boolean;
}

export interface Probe {
  readonly peer: string;
  readonly address: string;
  /** Connected and answered at least one HELLO. */
  readonly reachable: boolean;
  readonly connectMs: number | null;
  /** Round-trip time of each HELLO that was answered, in ms. */
  readonly samples: number[];
  /** HELLOs sent (answered or not). */
  readonly sent: number;
  readonly version: string | null;
  /** The ID the peer announced in its HELLO answer (may differ from the settings!). */
  readonly announced: string | null;
  /** The peer serves us as an anonymous reader: our ID is not in its settings (reads only). */
  readonly anonymous: boolean;
  /** Files the peer listed, if asked and it answered. */
  readonly files: number | null;
  /** The first failure, if any. */
  readonly error: Problem | null;
  /** The fingerprint of the peer's certificate, verified against the settings (secure mode). */
  readonly identity: string | null;
}

/** Rounds a duration in ms to microseconds, for output. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** What one probe has learned so far: kept when a later exchange fails. */
type Learned = { -readonly [K in 'samples' | 'sent' | 'connectMs' | 'version' | 'announced' | 'anonymous' | 'files' | 'identity']: Probe[K] };

/** Probes every peer in parallel (fan-out.ts); one probe per peer, in the order given. */
export async function probePeers(peers: readonly PeerAddress[], options: ProbeOptions = {}): Promise<Probe[]> {
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const learned = peers.map((): Learned => ({ samples: [], sent: 0, connectMs: null, version: null, announced: null, anonymous: false, files: null, identity: null }));
  const results = await fanOut(peers, (conn, turn) => exchange(conn, turn, learned[turn.index] as Learned, timeoutMs, options), {
    connectTimeoutMs: Math.min(timeoutMs, CONNECT_TIMEOUT_MS),
    requestTimeoutMs: timeoutMs,
    signal: options.signal,
    as: options.as,
    pool: options.pool,
    limit: options.limit,
    patience: options.patience,
    // The first HELLO timed here is the claim: no other goes out before it.
    claim: false,
  });
  return results.map((r, i) => {
    const known = learned[i] as Learned;
    return { peer: r.peer.id, address: formatAddress(r.peer), reachable: known.samples.length > 0, ...known, error: r.ok ? null : r.problem };
  });
}

/**
 * HELLO round trips on one connection, each with its own deadline; LIST, if asked, goes out
 * right behind the first HELLO (pipelined), so #PEERS costs one round trip per peer.
 */
async function exchange(conn: PeerConnection, turn: PeerTurn, learned: Learned, timeoutMs: number, options: ProbeOptions): Promise<void> {
  const { peer, signal } = turn;
  learned.identity = conn.verifiedFingerprint ?? null;
  learned.connectMs = turn.reused ? null : roundMs(turn.connectMs);
  let listing: Promise<unknown[]> | undefined;
  for (let i = 0; i < Math.max(1, options.samples ?? 1); i++) {
    learned.sent++;
    const t0 = performance.now();
    const answering = withDeadline(peer, timeoutMs, signal, (s) => hello(conn, options.myId ?? options.as?.id, s));
    if (i === 0 && options.list) {
      listing = withDeadline(peer, timeoutMs, signal, (s) => listFiles(conn, s));
      listing.catch(() => undefined); // awaited below; a failed HELLO must not leave it unhandled
    }
    const answer = await answering;
    learned.samples.push(roundMs(performance.now() - t0));
    learned.version = answer.version;
    learned.announced = answer.peerId ?? null;
    learned.anonymous = answer.anonymous;
  }
  if (listing) learned.files = (await listing).length;
}

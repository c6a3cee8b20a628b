/**
 * Probing one peer with real protocol exchanges: connect, time HELLO round trips on that one
 * connection, and optionally count its files with LIST. The round-trip time is the HELLO
 * exchange alone (connect time is reported apart), so it measures the peer answering, not
 * only the kernel accepting.
 */
import { CONNECT_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../constants.js';
import { type ErrorCode, TxtmeshError, codeOf, describeError } from '../errors.js';
import type { Credentials } from '../security/credentials.js';
import { type PeerAddress, formatAddress } from '../settings.js';
import { hello, listFiles } from './peer-client.js';
import { PeerConnection } from './peer-connection.js';

/** A failure, as results carry it: the stable code and a one-line message. */
export interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
}

export function problemOf(err: unknown): Problem {
  return { code: codeOf(err), message: describeError(err) };
}

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

/** Probes one peer; never throws (a failure is in `error`). */
export async function probePeer(peer: PeerAddress, options: ProbeOptions = {}): Promise<Probe> {
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const wanted = Math.max(1, options.samples ?? 1);
  const samples: number[] = [];
  let sent = 0;
  let connectMs: number | null = null;
  let version: string | null = null;
  let announced: string | null = null;
  let anonymous = false;
  let files: number | null = null;
  let error: Problem | null = null;
  let identity: string | null = null;
  let conn: PeerConnection | undefined;
  try {
    const started = performance.now();
    conn = await PeerConnection.connect(peer, { timeoutMs: Math.min(timeoutMs, CONNECT_TIMEOUT_MS), signal: options.signal, as: options.as });
    identity = conn.verifiedFingerprint ?? null;
    connectMs = roundMs(performance.now() - started);
    for (let i = 0; i < wanted; i++) {
      sent++;
      const t0 = performance.now();
      const answer = await withDeadline(timeoutMs, peer, options.signal, (signal) => hello(conn as PeerConnection, options.myId ?? options.as?.id, signal));
      samples.push(roundMs(performance.now() - t0));
      version = answer.version;
      announced = answer.peerId ?? null;
      anonymous = answer.anonymous;
    }
    if (options.list) files = (await withDeadline(timeoutMs, peer, options.signal, (signal) => listFiles(conn as PeerConnection, signal))).length;
  } catch (err) {
    error = problemOf(err);
  } finally {
    conn?.close();
  }
  return { peer: peer.id, address: formatAddress(peer), reachable: samples.length > 0, connectMs, samples, sent, version, announced, anonymous, files, error, identity };
}

/**
 * Runs `fn` with a signal that fires after `ms` or when `outer` does. A deadline that passes
 * is reported as such (the connection itself only knows it was aborted).
 */
async function withDeadline<T>(ms: number, peer: PeerAddress, outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const timeout = AbortSignal.timeout(ms);
  try {
    return await fn(outer ? AbortSignal.any([outer, timeout]) : timeout);
  } catch (err) {
    if (timeout.aborted && !outer?.aborted) {
      throw new TxtmeshError('ERR_PEER_TIMEOUT', `${peer.id} (${formatAddress(peer)}) did not answer within ${ms} ms`, { cause: err });
    }
    throw err;
  }
}

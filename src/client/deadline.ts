/**
 * Deadlines on exchanges with a peer. A connection only learns that its signal was aborted;
 * the deadline that passed is known here, and the error says so ("did not answer within").
 */
import { TxtmeshError } from '../errors.js';
import type { PeerAddress } from '../settings.js';
import { peerLabel } from '../transport/dial.js';

/** ERR_PEER_TIMEOUT: the peer called `label` (peerLabel) did not answer within `ms`. */
export function noAnswer(label: string, ms: number, cause?: unknown): TxtmeshError {
  // Deadlines worked out from measured rates are fractional: whole ms are exact enough.
  return new TxtmeshError('ERR_PEER_TIMEOUT', `${label} did not answer within ${Math.round(ms)} ms`, cause === undefined ? {} : { cause });
}

/**
 * ERR_PEER_TIMEOUT: `label` sent nothing for `ms` while a request waited; `answer`, when the
 * request's answer had begun to arrive, says how much of it had.
 */
export function silentFor(label: string, ms: number, answer?: { readonly filled: number; readonly body: Buffer | undefined }): TxtmeshError {
  const got = answer?.body ? `, after ${answer.filled} of the ${answer.body.length} bytes of its answer` : '';
  return new TxtmeshError('ERR_PEER_TIMEOUT', `${label} sent nothing for ${Math.round(ms)} ms while a request waited${got}`);
}

/** ERR_PEER_TIMEOUT: requests waited on `label` and nothing at all arrived for `ms` (the stall timeout). */
export function stalledFor(label: string, ms: number): TxtmeshError {
  return new TxtmeshError('ERR_PEER_TIMEOUT', `${label} stalled: nothing received for ${ms} ms`);
}

/**
 * Runs `fn` with a signal that fires after `ms` (if given) or when `outer` does. A failure
 * after the deadline passed is reported as ERR_PEER_TIMEOUT naming the deadline; one from
 * `outer` is left as it is.
 */
export async function withDeadline<T>(peer: PeerAddress, ms: number | undefined, outer: AbortSignal | undefined, fn: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  if (ms === undefined) return fn(outer);
  const timeout = AbortSignal.timeout(ms);
  try {
    return await fn(outer ? AbortSignal.any([outer, timeout]) : timeout);
  } catch (err) {
    if (timeout.aborted && !outer?.aborted) throw noAnswer(peerLabel(peer), ms, err);
    throw err;
  }
}

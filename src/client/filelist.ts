/**
 * #FILELIST: what each peer serves. Peers are asked in parallel, each with its own deadline,
 * so an unreachable or silent peer is reported as such and does not stall the rest.
 */
import pLimit from 'p-limit';
import { CONNECT_TIMEOUT_MS, PEER_CONCURRENCY, REQUEST_TIMEOUT_MS } from '../constants.js';
import { type ErrorCode, TxtmeshError, codeOf, describeError } from '../errors.js';
import type { FileEntry } from '../protocol/messages.js';
import type { Credentials } from '../security/credentials.js';
import { type PeerAddress, formatAddress } from '../settings.js';
import { listFiles } from './peer-client.js';
import { PeerConnection } from './peer-connection.js';

export type PeerListing =
  | { readonly peer: string; readonly ok: true; readonly files: FileEntry[] }
  | { readonly peer: string; readonly ok: false; readonly error: string; readonly code: ErrorCode };

/** Lists the files of each peer; one result per peer, in the order given. */
export function fileLists(peers: readonly PeerAddress[], options: { timeoutMs?: number; as?: Credentials } = {}): Promise<PeerListing[]> {
  return askEach(peers, options, (conn, signal) => listFiles(conn, signal)).then((results) =>
    results.map((r) => (r.ok ? { peer: r.peer, ok: true, files: r.value } : r)),
  );
}

/** One peer's answer, or why there is none. */
export type PeerAnswer<T> =
  | { readonly peer: string; readonly ok: true; readonly value: T }
  | { readonly peer: string; readonly ok: false; readonly error: string; readonly code: ErrorCode };

/** Runs `exchange` on a connection to each peer, in parallel, each with its own deadline. */
export async function askEach<T>(peers: readonly PeerAddress[], options: { timeoutMs?: number; as?: Credentials }, exchange: (conn: PeerConnection, signal: AbortSignal) => Promise<T>): Promise<PeerAnswer<T>[]> {
  const limit = pLimit(PEER_CONCURRENCY);
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  return Promise.all(
    peers.map((peer) =>
      limit(async (): Promise<PeerAnswer<T>> => {
        const signal = AbortSignal.timeout(timeoutMs);
        let conn: PeerConnection | undefined;
        try {
          conn = await PeerConnection.connect(peer, { signal, timeoutMs: Math.min(timeoutMs, CONNECT_TIMEOUT_MS), as: options.as });
          return { peer: peer.id, ok: true, value: await exchange(conn, signal) };
        } catch (caught) {
          // The connection only knows it was aborted; say which deadline passed.
          const err = signal.aborted && codeOf(caught) === 'ERR_PEER_TIMEOUT'
            ? new TxtmeshError('ERR_PEER_TIMEOUT', `${peer.id} (${formatAddress(peer)}) did not answer within ${timeoutMs} ms`)
            : caught;
          return { peer: peer.id, ok: false, error: describeError(err), code: codeOf(err) };
        } finally {
          conn?.close();
        }
      }),
    ),
  );
}

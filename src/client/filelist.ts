/**
 * #FILELIST: what each peer serves. Peers are asked in parallel, each with its own deadline
 * (fan-out.ts), so an unreachable or silent peer is reported as such and does not stall the rest.
 */
import { REQUEST_TIMEOUT_MS } from '../constants.js';
import type { FileEntry } from '../protocol/messages.js';
import type { Credentials } from '../security/credentials.js';
import type { PeerAddress } from '../settings.js';
import { fanOut } from './fan-out.js';
import { listFiles } from './peer-client.js';
import type { Problem } from './problem.js';

/** One peer's files, or why it could not be listed. */
export type PeerListing =
  | { readonly peer: string; readonly ok: true; readonly files: FileEntry[] }
  | { readonly peer: string; readonly ok: false; readonly error: Problem };

/** Lists the files of each peer; one result per peer, in the order given. */
export async function fileLists(peers: readonly PeerAddress[], options: { timeoutMs?: number; as?: Credentials } = {}): Promise<PeerListing[]> {
  const results = await fanOut(peers, (conn, { signal }) => listFiles(conn, signal), { timeoutMs: options.timeoutMs ?? REQUEST_TIMEOUT_MS, as: options.as });
  return results.map((r): PeerListing => (r.ok ? { peer: r.peer.id, ok: true, files: r.value } : { peer: r.peer.id, ok: false, error: r.problem }));
}

/**
 * #VERSIONS with peer IDs: the versions of a name each peer holds, under the name and kept in
 * its versions area (the VERSIONS request), asked in parallel, each peer with its own deadline
 * (fan-out.ts).
 */
import type { VersionEntry } from '../protocol/messages.js';
import type { PeerAddress } from '../settings.js';
import { type ViewAsk, fanOut, viewFanOut } from './fan-out.js';
import { listVersions } from './peer-client.js';
import type { Problem } from './problem.js';

/** One peer's versions, or why it could not be asked. */
export type PeerVersionList =
  | { readonly peer: string; readonly ok: true; readonly versions: VersionEntry[] }
  | { readonly peer: string; readonly ok: false; readonly error: Problem };

/**
 * The versions of `name` (of every name without one) at each peer; one answer per peer, in the
 * order given. A peer whose server predates VERSIONS answers ERR_UNKNOWN_COMMAND.
 */
export async function peerVersions(peers: readonly PeerAddress[], name: string | undefined, options: ViewAsk = {}): Promise<PeerVersionList[]> {
  const results = await fanOut(peers, (conn, { signal }) => listVersions(conn, name, signal), viewFanOut(options));
  return results.map((r): PeerVersionList => (r.ok ? { peer: r.peer.id, ok: true, versions: r.value } : { peer: r.peer.id, ok: false, error: r.problem }));
}

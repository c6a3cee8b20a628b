/**
 * #VERSIONS with peer IDs: the versions of a name each peer holds, under the name and kept in
 * its versions area (the VERSIONS request), asked in parallel, each peer with its own deadline.
 */
import { REQUEST_TIMEOUT_MS } from '../constants.js';
import type { VersionEntry } from '../protocol/messages.js';
import type { Credentials } from '../security/credentials.js';
import type { PeerAddress } from '../settings.js';
import { type PeerAnswer, askEach } from './filelist.js';
import { listVersions } from './peer-client.js';

/**
 * The versions of `name` (of every name without one) at each peer; one answer per peer, in the
 * order given. A peer whose server predates VERSIONS answers ERR_UNKNOWN_COMMAND.
 */
export function peerVersions(peers: readonly PeerAddress[], name: string | undefined, options: { timeoutMs?: number; as?: Credentials } = {}): Promise<PeerAnswer<VersionEntry[]>[]> {
  return askEach(peers, { timeoutMs: options.timeoutMs ?? REQUEST_TIMEOUT_MS, as: options.as }, (conn, signal) => listVersions(conn, name, signal));
}

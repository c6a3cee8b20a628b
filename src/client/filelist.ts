/**
 * #FILELIST: what each peer serves. Peers are asked in parallel, each with its own deadline
 * (fan-out.ts), so an unreachable or silent peer is reported as such and does not stall the rest
 * (a silent one is waited for a little longer than the others took: silence-watch.ts).
 */
import type { FileEntry } from '../protocol/messages.js';
import type { PeerAddress } from '../settings.js';
import { type PeerResult, type ViewAsk, fanOut, viewFanOut } from './fan-out.js';
import { codeOf } from '../errors.js';
import { listFiles, listVersions } from './peer-client.js';
import type { PeerConnection } from './peer-connection.js';
import type { Problem } from './problem.js';

/** A listed file; `time` (ms since 1970, by the peer's clock) when its file last changed, if the peer said (VERSIONS). */
export type ListedFile = FileEntry & { readonly time?: number };

/** One peer's files, or why it could not be listed. */
export type PeerListing =
  | { readonly peer: string; readonly ok: true; readonly files: ListedFile[] }
  | { readonly peer: string; readonly ok: false; readonly error: Problem };

/** How a view lists: its deadline, who we are, Ctrl-C, and the console's idle connections. */
export type ListOptions = ViewAsk;

/**
 * The files each peer serves with the time each last changed there: VERSIONS without a name,
 * its current versions; a peer whose server predates VERSIONS is listed (LIST) without times.
 */
export async function timedFileLists(peers: readonly PeerAddress[], options: ListOptions = {}): Promise<PeerListing[]> {
  const exchange = async (conn: PeerConnection, signal: AbortSignal | undefined): Promise<ListedFile[]> => {
    const versions = await listVersions(conn, undefined, signal).catch((err: unknown) => {
      if (codeOf(err) === 'ERR_UNKNOWN_COMMAND') return undefined;
      throw err;
    });
    if (!versions) return listFiles(conn, signal);
    return versions.flatMap(({ name, size, identity, time, state }) => (state === 'current' ? [{ name, size, identity, time }] : []));
  };
  return listings(await fanOut(peers, (conn, { signal }) => exchange(conn, signal), viewFanOut(options)));
}

/** Lists the files of each peer; one result per peer, in the order given. */
export async function fileLists(peers: readonly PeerAddress[], options: ListOptions = {}): Promise<PeerListing[]> {
  return listings(await fanOut(peers, (conn, { signal }) => listFiles(conn, signal), viewFanOut(options)));
}

function listings(results: PeerResult<ListedFile[]>[]): PeerListing[] {
  return results.map((r): PeerListing => (r.ok ? { peer: r.peer.id, ok: true, files: r.value } : { peer: r.peer.id, ok: false, error: r.problem }));
}

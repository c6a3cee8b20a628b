/**
 * #UPLOAD: push one of this peer's served files to other peers, in parallel. Each receiver
 * verifies size and identity before the file appears under its name, and never replaces a
 * different file (server/handlers.ts, onPut).
 */
import { CONNECT_TIMEOUT_MS } from '../constants.js';
import type { RateLimit } from '../transport/rate-limit.js';
import { RemoteError, TxtmeshError } from '../errors.js';
import type { FileInfo } from '../protocol/messages.js';
import { checkName, resolveName } from '../storage/names.js';
import { shortIdentity } from '../storage/piece-hasher.js';
import type { ServedFolder } from '../storage/served-folder.js';
import type { Credentials } from '../security/credentials.js';
import type { PeerAddress } from '../settings.js';
import { fileInfo, putFile } from './peer-client.js';
import type { ConnectionPool } from './connection-pool.js';
import { fanOut } from './fan-out.js';
import type { PeerConnection } from './peer-connection.js';
import type { Problem } from './problem.js';

export interface UploadOutcome {
  readonly peer: string;
  /**
   * stored: sent and kept; same: the peer already had these bytes; replaced: sent, and it took
   * the name from another version, which the peer keeps (`kept`); failed: see error.
   */
  readonly status: 'stored' | 'same' | 'replaced' | 'failed';
  /** The identity of the version a replacing upload displaced (kept in the peer's versions area). */
  readonly kept?: string;
  readonly bytes: number;
  readonly seconds: number;
  readonly error?: Problem;
}

export interface UploadOptions {
  readonly name: string;
  readonly peers: readonly PeerAddress[];
  readonly folder: ServedFolder;
  readonly connectTimeoutMs?: number;
  /** A peer that sends nothing for this long while it is waited for fails (--timeout). */
  readonly requestTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Idle connections to reuse, and to give back (the console's). */
  readonly pool?: ConnectionPool;
  /** Who we are: a peer accepts uploads only from members of its mesh. */
  readonly as?: Credentials;
  /** Replace another version of the name at the peers (they keep it in their versions area). */
  readonly replace?: boolean;
  /** Paces what is sent to all the peers together (#LIMIT up in the console). */
  readonly sendLimit?: RateLimit;
}

/**
 * Uploads `name` from the folder to each peer; one outcome per peer, in the order given.
 * @throws TxtmeshError ERR_BAD_NAME, ERR_NOT_FOUND (this peer does not serve the file)
 */
export async function upload(options: UploadOptions): Promise<{ size: number; identity: string; outcomes: UploadOutcome[] }> {
  const { name, folder } = options;
  checkName(name);
  const info = await folder.describe(name).catch((err: unknown) => {
    if (err instanceof TxtmeshError && err.code === 'ERR_NOT_FOUND') {
      throw new TxtmeshError('ERR_NOT_FOUND', `${name} is not in this peer's served files (${folder.root}); put it there first`);
    }
    throw err;
  });
  const path = resolveName(folder.root, name);
  const results = await fanOut(options.peers, (conn, { peer, signal }) => sendFile(conn, peer, { name, path, info, replace: options.replace === true, limit: options.sendLimit }, signal), {
    connectTimeoutMs: Math.min(options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, options.requestTimeoutMs ?? Infinity),
    requestTimeoutMs: options.requestTimeoutMs,
    signal: options.signal,
    as: options.as,
    pool: options.pool,
  });
  const outcomes = results.map((r): UploadOutcome => {
    const seconds = r.ms / 1000;
    if (!r.ok) return { peer: r.peer.id, status: 'failed', bytes: 0, seconds, error: r.problem };
    const { result, kept } = r.value;
    return { peer: r.peer.id, status: result, bytes: result === 'same' ? 0 : info.size, seconds, ...(kept ? { kept } : {}) };
  });
  return { size: info.size, identity: info.identity, outcomes };
}

/**
 * Sends the file unless the peer already has it; a different file under the name is ERR_EXISTS,
 * unless `replace` (then the PUT says so, and the peer keeps the version it replaces).
 */
async function sendFile(conn: PeerConnection, peer: PeerAddress, file: { name: string; path: string; info: FileInfo; replace: boolean; limit?: RateLimit }, signal?: AbortSignal): Promise<{ result: 'stored' | 'same' | 'replaced'; kept?: string }> {
  const { name, path, info } = file;
  // Ask first, so a file the peer already has (or has in another version) is not sent.
  const theirs = await fileInfo(conn, name, signal).catch((err: unknown) => {
    if (err instanceof RemoteError && err.code === 'ERR_NOT_FOUND') return undefined;
    throw err;
  });
  if (theirs?.identity === info.identity) return { result: 'same' };
  if (theirs && !file.replace) {
    throw new TxtmeshError('ERR_EXISTS', `${peer.id} already has a different ${name} (${shortIdentity(theirs.identity)}); nothing was replaced (--replace replaces it, and ${peer.id} keeps the old one)`);
  }
  return putFile(conn, name, path, info.size, info.identity, signal, theirs !== undefined, file.limit);
}

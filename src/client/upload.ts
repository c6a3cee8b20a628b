/**
 * #UPLOAD: push one of this peer's served files to other peers, in parallel. Each receiver
 * verifies size and identity before the file appears under its name, and never replaces a
 * different file (server/handlers.ts, onPut).
 */
import pLimit from 'p-limit';
import { PEER_CONCURRENCY } from '../constants.js';
import { RemoteError, TxtmeshError, codeOf, describeError, type ErrorCode } from '../errors.js';
import { checkName, resolveName } from '../storage/names.js';
import { shortIdentity } from '../storage/piece-hasher.js';
import type { ServedFolder } from '../storage/served-folder.js';
import type { Credentials } from '../security/credentials.js';
import type { PeerAddress } from '../settings.js';
import { fileInfo, putFile } from './peer-client.js';
import { PeerConnection } from './peer-connection.js';

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
  readonly error?: string;
  readonly code?: ErrorCode;
}

export interface UploadOptions {
  readonly name: string;
  readonly peers: readonly PeerAddress[];
  readonly folder: ServedFolder;
  readonly connectTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Who we are: a peer accepts uploads only from members of its mesh. */
  readonly as?: Credentials;
  /** Replace another version of the name at the peers (they keep it in their versions area). */
  readonly replace?: boolean;
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
  const limit = pLimit(PEER_CONCURRENCY);
  const outcomes = await Promise.all(
    options.peers.map((peer) =>
      limit(async (): Promise<UploadOutcome> => {
        const started = performance.now();
        const seconds = () => (performance.now() - started) / 1000;
        let conn: PeerConnection | undefined;
        try {
          conn = await PeerConnection.connect(peer, { timeoutMs: options.connectTimeoutMs, signal: options.signal, as: options.as });
          // Ask first, so a file the peer already has (or has in another version) is not sent.
          const theirs = await fileInfo(conn, name, options.signal).catch((err: unknown) => {
            if (err instanceof RemoteError && err.code === 'ERR_NOT_FOUND') return undefined;
            throw err;
          });
          if (theirs?.identity === info.identity) return { peer: peer.id, status: 'same', bytes: 0, seconds: seconds() };
          if (theirs && !options.replace) {
            throw new TxtmeshError('ERR_EXISTS', `${peer.id} already has a different ${name} (${shortIdentity(theirs.identity)}); nothing was replaced (--replace replaces it, and ${peer.id} keeps the old one)`);
          }
          const { result, kept } = await putFile(conn, name, path, info.size, info.identity, options.signal, theirs !== undefined);
          return { peer: peer.id, status: result, bytes: result === 'same' ? 0 : info.size, seconds: seconds(), ...(kept ? { kept } : {}) };
        } catch (err) {
          return { peer: peer.id, status: 'failed', bytes: 0, seconds: seconds(), error: describeError(err), code: codeOf(err) };
        } finally {
          conn?.close();
        }
      }),
    ),
  );
  return { size: info.size, identity: info.identity, outcomes };
}

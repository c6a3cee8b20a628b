/**
 * The commands that move files: #DOWNLOAD, #UPLOAD, #SHARE. Each returns a typed result
 * (results.ts) or throws a TxtmeshError; commands.ts dispatches to them.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TxtmeshError } from '../errors.js';
import { type PeerAddress, findPeers } from '../settings.js';
import { nameProblem } from '../storage/names.js';
import { shortIdentity } from '../storage/piece-hasher.js';
import type { Session } from './commands.js';
import { NOT_HELD, download } from './download.js';
import { fileLists } from './filelist.js';
import { type Whereabouts, groupFiles, locate } from './mesh-files.js';
import { withDetails } from './command-failure.js';
import { formatBytes, formatProgress } from './format.js';
import type { DownloadPeer, DownloadSummary, ShareSummary, UploadSummary } from './results.js';
import { share } from './share.js';
import { upload } from './upload.js';

/** Seconds to the microsecond, for output. */
function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

export function usageError(usage: string, what: string): TxtmeshError {
  return new TxtmeshError('ERR_USAGE', `${what}; usage: ${usage}`);
}

/**
 * #DOWNLOAD: first ask the candidates (named, or every other peer) who holds the name, so the
 * user sees who was found and a failure says whether the file is missing or the peers are
 * unreachable; then download from the holders (download.ts groups them by version).
 */
export async function downloadCommand(session: Session, args: string[], signal: AbortSignal): Promise<DownloadSummary> {
  const [name, ...ids] = args;
  if (name === undefined) throw usageError('#DOWNLOAD name [peer ...]', 'missing file name');
  const problem = nameProblem(name);
  if (problem) throw new TxtmeshError('ERR_BAD_NAME', `bad file name ${JSON.stringify(name.slice(0, 200))}: ${problem}`);
  const searched = ids.length === 0;
  const candidates = searched ? session.ctx.others : findPeers(session.ctx.peers, ids);
  if (candidates.length === 0) throw new TxtmeshError('ERR_NO_PEERS', 'there are no other peers in the settings');
  const { out } = session;

  const listings = await fileLists(candidates, { timeoutMs: session.timeoutMs });
  const where = locate(name, listings);
  const unreachable = where.unreachable.map((u) => ({ peer: u.peer, bytes: 0, problem: u.error.message }));
  const missing = where.missing.map((peer) => ({ peer, bytes: 0, problem: NOT_HELD }));
  // What a failure from here on reports besides its error (--json).
  const details = {
    name,
    found: where.holders.map((h) => h.peer),
    missing: where.missing,
    unreachable: where.unreachable,
    versions: groupFiles(listings).find((f) => f.name === name)?.versions ?? [],
  };
  if (where.holders.length === 0) {
    const reasons = [...missing, ...unreachable].map((p) => `${p.peer}: ${p.problem}`).join('; ');
    // Nobody answered at all: the peers are the problem. Someone answered: the file is.
    const code = where.missing.length === 0 ? 'ERR_PEER_UNREACHABLE' : 'ERR_NOT_FOUND';
    throw withDetails(new TxtmeshError(code, `no peer ${code === 'ERR_NOT_FOUND' ? 'has' : 'could be asked for'} ${name} (${reasons})`), details);
  }
  if (searched) out.note(foundLine(name, where.holders));
  const holders = new Set(where.holders.map((h) => h.peer));
  const sources: PeerAddress[] = candidates.filter((p) => holders.has(p.id));

  const result = await download({
    name,
    peers: sources,
    folder: session.folder,
    signal,
    requestTimeoutMs: session.timeoutMs,
    onPeers: (used) => out.note(`Downloading ${name} from ${used.join(', ')}`),
    onResume: (pieces, of, bytes) => out.note(`Resuming: ${pieces} of ${of} pieces (${formatBytes(bytes)}) from an earlier attempt are verified and kept`),
    onProgress: (p) => out.progress(formatProgress(p)),
    onPiece: session.trace && ((peer, bytes, ms) => session.trace?.({ name, peer, bytes, ms: Math.round(ms * 1000) / 1000 })),
  })
    .catch((err: unknown) => {
      throw withDetails(err, details);
    })
    .finally(() => out.progress(undefined));
  session.names?.add(name);
  const peers: DownloadPeer[] = [...result.peers.map((p) => ({ peer: p.peer, bytes: p.bytes, problem: p.problem ?? null })), ...missing, ...unreachable];
  // Report in the order the peers were asked.
  const order = new Map(candidates.map((p, i) => [p.id, i]));
  peers.sort((a, b) => (order.get(a.peer) ?? 0) - (order.get(b.peer) ?? 0));
  return {
    command: 'download',
    name,
    status: result.status,
    size: result.size,
    identity: result.identity,
    seconds: roundSeconds(result.seconds),
    resumedBytes: result.resumedBytes,
    searched,
    found: where.holders.map((h) => h.peer),
    missing: where.missing,
    unreachable: where.unreachable,
    peers,
  };
}

/** "Found a.txt at p1, p2", or with versions: "Found a.txt in 2 versions: 1f2e… at p1, p2; 9c8d… at p3". */
function foundLine(name: string, holders: Whereabouts['holders']): string {
  const versions = new Map<string, string[]>();
  for (const h of holders) versions.set(h.file.identity, [...(versions.get(h.file.identity) ?? []), h.peer]);
  if (versions.size === 1) return `Found ${name} at ${holders.map((h) => h.peer).join(', ')}`;
  const list = [...versions.entries()].map(([identity, peers]) => `${shortIdentity(identity)} at ${peers.join(', ')}`);
  return `Found ${name} in ${versions.size} versions: ${list.join('; ')}`;
}

/** #UPLOAD: push a served file to the named peers. A file not yet served gets a #SHARE hint. */
export async function uploadCommand(session: Session, args: string[], signal: AbortSignal): Promise<UploadSummary> {
  const [name, ...ids] = args;
  const usage = '#UPLOAD name peer [peer ...]';
  if (name === undefined) throw usageError(usage, 'missing file name');
  if (ids.length === 0) throw usageError(usage, 'name at least one peer to upload to');
  const peers = findPeers(session.ctx.peers, ids);
  try {
    const { size, identity, outcomes } = await upload({ name, peers, folder: session.folder, signal });
    return {
      command: 'upload',
      name,
      size,
      identity,
      peers: outcomes.map((o) => ({
        peer: o.peer,
        status: o.status,
        bytes: o.bytes,
        seconds: roundSeconds(o.seconds),
        error: o.status === 'failed' ? { code: o.code ?? 'ERR_INTERNAL', message: o.error ?? 'failed' } : null,
      })),
    };
  } catch (err) {
    throw await withShareHint(session, name, err);
  }
}

/** Adds "#SHARE it first" to a not-served or bad-name error when `name` is a file on disk. */
async function withShareHint(session: Session, name: string, err: unknown): Promise<unknown> {
  if (!(err instanceof TxtmeshError) || (err.code !== 'ERR_NOT_FOUND' && err.code !== 'ERR_BAD_NAME')) return err;
  const path = resolve(session.cwd ?? process.cwd(), name);
  const onDisk = await stat(path).then((s) => s.isFile(), () => false);
  const quoted = (s: string) => (/[\s"]/.test(s) ? JSON.stringify(s) : s);
  if (onDisk) {
    return new TxtmeshError(err.code, `${name} is a file on disk but not served by this peer: #SHARE ${quoted(name)} first, then #UPLOAD the name it gets`);
  }
  if (err.code === 'ERR_NOT_FOUND') {
    return new TxtmeshError('ERR_NOT_FOUND', `${name} is not served by this peer (not in ${session.folder.root}); to send a file from elsewhere on disk, #SHARE path [name] first`);
  }
  return err;
}

/** #SHARE: copy a file from disk into served_files/. */
export async function shareCommand(session: Session, args: string[]): Promise<ShareSummary> {
  const [source, name, ...extra] = args;
  const usage = '#SHARE path [name]';
  if (source === undefined) throw usageError(usage, 'missing the path of the file to share');
  if (extra.length > 0) throw usageError(usage, `unexpected ${extra.join(' ')}`);
  const result = await share({ source, name, folder: session.folder, cwd: session.cwd });
  session.names?.add(result.name);
  return result;
}

/**
 * The commands that move files: #DOWNLOAD, #UPLOAD, #SHARE. Each returns a typed result
 * (results.ts) or throws a TxtmeshError; commands.ts dispatches to them.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ErrorCode, TxtmeshError, isTransport } from '../errors.js';
import { findPeers } from '../settings.js';
import { nameProblem } from '../storage/names.js';
import type { Session } from './session.js';
import { DownloadError, type PeerOutcome, download } from '../client/download.js';
import { parseCommandArgs } from './command-args.js';
import { withDetails } from './command-failure.js';
import { type CommandSpec, findSpec } from './command-specs.js';
import { formatBytes, formatProgress } from './format.js';
import type { DownloadPeer, DownloadSummary, ShareSummary, UploadSummary } from '../client/results.js';
import { share } from '../client/share.js';
import { upload } from '../client/upload.js';
import { fileVersions } from '../client/versions.js';

/** Seconds to the microsecond, for output. */
function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

export function usageError(usage: string, what: string): TxtmeshError {
  return new TxtmeshError('ERR_USAGE', `${what}; usage: ${usage}`);
}

/**
 * #DOWNLOAD: download.ts asks the candidates (named, or every other peer) for the file, keeps
 * the largest group that agrees on its version, and fetches from them. The summary says who was
 * found, who lacked the file and who could not be reached; a failure carries the same details.
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
  const order = new Map(candidates.map((p, i) => [p.id, i]));
  const byOrder = <T extends { peer: string }>(list: T[]) => list.sort((a, b) => (order.get(a.peer) ?? 0) - (order.get(b.peer) ?? 0));

  const result = await download({
    name,
    peers: candidates,
    folder: session.folder,
    signal,
    as: session.ctx.credentials,
    requestTimeoutMs: session.timeoutMs,
    onPeers: (used) => out.note(`${searched ? 'Found' : 'Downloading'} ${name} ${searched ? 'at' : 'from'} ${used.join(', ')}`),
    onResume: (pieces, of, bytes) => out.note(`Resuming: ${pieces} of ${of} pieces (${formatBytes(bytes)}) from an earlier attempt are verified and kept`),
    onProgress: (p) => out.progress(formatProgress(p)),
    onPiece: session.trace && ((peer, bytes, ms) => session.trace?.({ name, peer, bytes, ms: Math.round(ms * 1000) / 1000 })),
  })
    .catch((err: unknown) => {
      throw err instanceof DownloadError ? withDetails(err, { name, ...whereabouts(err.peers, byOrder) }) : err;
    })
    .finally(() => out.progress(undefined));
  session.names?.add(name);
  const where = whereabouts(result.peers, byOrder);
  const peers: DownloadPeer[] = byOrder(result.peers.map((p) => ({ peer: p.peer, bytes: p.bytes, problem: p.problem?.message ?? null })));
  return {
    command: 'download',
    name,
    status: result.status,
    size: result.size,
    identity: result.identity,
    seconds: roundSeconds(result.seconds),
    resumedBytes: result.resumedBytes,
    searched,
    found: where.found,
    missing: where.missing,
    unreachable: where.unreachable,
    peers,
  };
}

/** Who held which version, who lacked the file, who could not be asked, in the order asked. */
function whereabouts(outcomes: readonly PeerOutcome[], byOrder: <T extends { peer: string }>(list: T[]) => T[]) {
  const holders = byOrder(outcomes.flatMap((o) => (o.identity === undefined ? [] : [{ peer: o.peer, identity: o.identity, size: o.size ?? 0 }])));
  const failed = (test: (o: PeerOutcome, code: ErrorCode) => boolean) => byOrder(outcomes.flatMap((o) => (o.problem && test(o, o.problem.code) ? [{ peer: o.peer, error: o.problem }] : [])));
  return {
    found: holders.map((h) => h.peer),
    missing: failed((_, code) => code === 'ERR_NOT_FOUND').map((o) => o.peer),
    unreachable: failed((o, code) => o.identity === undefined && isTransport(code)),
    versions: fileVersions(holders),
  };
}

/** #UPLOAD: push a served file to the named peers. A file not yet served gets a #SHARE hint. */
export async function uploadCommand(session: Session, args: string[], signal: AbortSignal): Promise<UploadSummary> {
  const spec = findSpec('#UPLOAD') as CommandSpec;
  const { words, flags, lists } = parseCommandArgs(spec, args);
  const [name, ...ids] = [...words, ...(lists.get('to') ?? [])];
  if (name === undefined) throw usageError(spec.usage, 'missing file name');
  if (ids.length === 0) throw usageError(spec.usage, 'name at least one peer to upload to');
  const peers = findPeers(session.ctx.peers, ids);
  try {
    const { size, identity, outcomes } = await upload({ name, peers, folder: session.folder, signal, as: session.ctx.credentials, replace: flags.has('replace') });
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
        kept: o.kept ?? null,
        error: o.error ?? null,
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

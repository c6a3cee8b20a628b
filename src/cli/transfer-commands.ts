/**
 * The commands that send or share files: #UPLOAD, #SHARE (#DOWNLOAD: download-command.ts). Each
 * returns a typed result (results.ts) or throws a TxtmeshError; commands.ts dispatches to them.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { TxtmeshError } from '../errors.js';
import { findPeers } from '../settings.js';
import type { Session } from './session.js';
import { parseCommandArgs, usageError } from './command-args.js';
import { type CommandSpec, findSpec } from './command-specs.js';
import type { ShareSummary, UploadSummary } from '../client/results.js';
import { share } from '../client/share.js';
import { upload } from '../client/upload.js';
import { pingView } from '../client/views.js';

/** Seconds to the microsecond, for output. */
function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

/** How long #SHARE waits for this peer's own server to answer before saying it is not running. */
const SELF_CHECK_MS = 1500;

/** #UPLOAD: push a served file to the named peers. A file not yet served gets a #SHARE hint. */
export async function uploadCommand(session: Session, args: string[], signal: AbortSignal): Promise<UploadSummary> {
  const spec = findSpec('#UPLOAD') as CommandSpec;
  const { words, flags, lists } = parseCommandArgs(spec, args);
  const [name, ...ids] = [...words, ...(lists.get('to') ?? [])];
  if (name === undefined) throw usageError(spec.usage, 'missing file name');
  if (ids.length === 0) throw usageError(spec.usage, 'name at least one peer to upload to');
  const peers = findPeers(session.ctx.peers, ids);
  try {
    const { size, identity, outcomes } = await upload({ name, peers, folder: session.folder, signal, as: session.ctx.credentials, replace: flags.has('replace'), requestTimeoutMs: session.timeoutMs, pool: session.pool, sendLimit: session.limits?.up });
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

/**
 * Adds a hint to a not-served or bad-name error: the name a file already served goes by (a
 * path that leads into served_files/), or "share it first" for a file elsewhere on disk, in
 * the syntax of where it was typed (console or subcommand).
 */
async function withShareHint(session: Session, name: string, err: unknown): Promise<unknown> {
  if (!(err instanceof TxtmeshError) || (err.code !== 'ERR_NOT_FOUND' && err.code !== 'ERR_BAD_NAME')) return err;
  const path = resolve(session.cwd ?? process.cwd(), name);
  const onDisk = await stat(path).then((s) => s.isFile(), () => false);
  const quoted = (s: string) => (/[\s"]/.test(s) ? JSON.stringify(s) : s);
  const inFolder = relative(resolve(session.folder.root), path);
  const served = onDisk && !inFolder.startsWith('..') && !isAbsolute(inFolder) ? inFolder.split(sep).join('/') : undefined;
  const sub = session.syntax === 'subcommand';
  if (served !== undefined && served !== name) {
    const again = sub ? `txtmesh-client upload ${quoted(served)} --to …` : `#UPLOAD ${quoted(served)} …`;
    return new TxtmeshError(err.code, `${name} is served by this peer as ${served} (names are relative to ${session.folder.root}): ${again}`);
  }
  const share = (what: string) => (sub ? `txtmesh-client share ${what}` : `#SHARE ${what}`);
  if (onDisk) {
    return new TxtmeshError(err.code, `${name} is a file on disk but not served by this peer: ${share(quoted(name))} first, then upload the name it gets`);
  }
  if (err.code === 'ERR_NOT_FOUND') {
    return new TxtmeshError('ERR_NOT_FOUND', `${name} is not served by this peer (not in ${session.folder.root}); to send a file from elsewhere on disk, ${share('path [name]')} first`);
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
  // "This peer now serves it" only if its server answers: one HELLO, with a short deadline.
  const ping = await pingView([session.ctx.self], 1, { timeoutMs: SELF_CHECK_MS, as: session.ctx.credentials });
  return { ...result, serving: ping.peers[0]?.reachable === true };
}

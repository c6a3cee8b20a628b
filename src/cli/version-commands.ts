/**
 * The commands of the versions area: #VERSIONS, #RESTORE, #UNSHARE. This peer's versions are
 * read from its own folder (no server needed); other peers' are asked with VERSIONS.
 */
import { findPeers } from '../settings.js';
import { checkName } from '../storage/names.js';
import { VersionsArea } from '../storage/versions-area.js';
import type { PeerVersions, RestoreSummary, UnshareSummary, VersionsResult } from '../client/results.js';
import { peerVersions } from '../client/peer-versions.js';
import type { Session } from './session.js';
import { usageError } from './command-args.js';

/** The session's versions area (one per run, so its operations on a name take turns). */
export function versionsArea(session: Session): VersionsArea {
  return session.versions ?? new VersionsArea(session.folder);
}

/** #VERSIONS name [peer ...]: this peer's versions of the name, or the named peers'. */
export async function versionsCommand(session: Session, args: string[], signal?: AbortSignal): Promise<VersionsResult> {
  const [name, ...ids] = args;
  if (name === undefined) throw usageError('#VERSIONS name [peer ...]', 'missing file name');
  checkName(name);
  session.names?.add(name);
  if (ids.length === 0) {
    const versions = (await versionsArea(session).versions(name)).map(({ identity, size, time, state }) => ({ identity, size, time, state }));
    return { command: 'versions', name, peers: [{ peer: session.ctx.id, self: true, ok: true, versions }] };
  }
  const answers = await peerVersions(findPeers(session.ctx.peers, ids), name, { timeoutMs: session.timeoutMs, as: session.ctx.credentials, signal, pool: session.pool });
  const peers = answers.map((a): PeerVersions => {
    const self = a.peer === session.ctx.id;
    if (!a.ok) return { peer: a.peer, self, ok: false, error: a.error };
    return { peer: a.peer, self, ok: true, versions: a.versions.map(({ identity, size, time, state }) => ({ identity, size, time, state })) };
  });
  return { command: 'versions', name, peers };
}

/** #RESTORE name identity: a kept version takes the name back; the current one is kept. */
export async function restoreCommand(session: Session, args: string[]): Promise<RestoreSummary> {
  const [name, prefix, ...extra] = args;
  const usage = '#RESTORE name identity';
  if (name === undefined || prefix === undefined) throw usageError(usage, name === undefined ? 'missing file name' : 'missing the identity of the version to restore (#VERSIONS name lists them)');
  if (extra.length > 0) throw usageError(usage, `unexpected ${extra.join(' ')}`);
  const r = await versionsArea(session).restore(name, prefix.toLowerCase());
  const kept = r.kept ? { identity: r.kept.identity, size: r.kept.size, at: r.kept.at } : null;
  return { command: 'restore', name, status: r.status, identity: r.identity, size: r.size, kept };
}

/** #UNSHARE name: stop serving it; it moves to the versions area. */
export async function unshareCommand(session: Session, args: string[]): Promise<UnshareSummary> {
  const [name, ...extra] = args;
  const usage = '#UNSHARE name';
  if (name === undefined) throw usageError(usage, 'missing file name');
  if (extra.length > 0) throw usageError(usage, `unexpected ${extra.join(' ')}`);
  const kept = await versionsArea(session).unshare(name);
  return { command: 'unshare', name, identity: kept.identity, size: kept.size, at: kept.at };
}

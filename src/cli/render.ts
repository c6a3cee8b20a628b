/**
 * Results as lines for people: what the console prints and what the subcommands print
 * without --json. Pure: a result in, lines out. Every name, peer ID, version and error text
 * in them came from the settings, the disk or a peer, so each line is made visible
 * (terminal-text.ts; table() does it to each cell before laying out the columns).
 */
import { shortIdentity } from '../storage/piece-hasher.js';
import { NOT_HELD } from '../client/download.js';
import { formatBytes, formatRate, formatSeconds, formatTime, table } from './format.js';
import { renderLimits } from './limit-command.js';
import { visible } from './terminal-text.js';
import type {
  DownloadPeer,
  DownloadSummary,
  DownloadsSummary,
  FileListResult,
  FilesResult,
  PeersResult,
  PingStatus,
  Problem,
  Result,
  RestoreSummary,
  ShareSummary,
  UploadSummary,
  VersionsResult,
} from '../client/results.js';

/** 0.4213 → "0.42 ms"; 12.5 → "12.5 ms"; 250 → "250 ms". */
export function formatMs(ms: number): string {
  return `${ms.toFixed(ms < 10 ? 2 : ms < 100 ? 1 : 0)} ms`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function renderResult(result: Result): string[] {
  return renderLines(result).map(visible);
}

function renderLines(result: Result): string[] {
  switch (result.command) {
    case 'peers':
      return renderPeers(result);
    case 'ping':
      return result.peers.map(renderPing);
    case 'files':
      return renderFiles(result);
    case 'filelist':
      return renderFileList(result);
    case 'download':
      return renderDownload(result);
    case 'downloads':
      return renderDownloads(result);
    case 'upload':
      return renderUpload(result);
    case 'share':
      return renderShare(result);
    case 'versions':
      return renderVersions(result);
    case 'restore':
      return renderRestore(result);
    case 'unshare':
      return [`Unshared ${result.name} (identity ${shortIdentity(result.identity)}); kept in served_files/.txtmesh/versions/, #RESTORE ${quoteName(result.name)} ${shortIdentity(result.identity)} brings it back`];
    case 'limit':
      return renderLimits(result);
    case 'help':
      return result.lines;
  }
}

/** What each mode means, in one line under #PEERS. */
export const MODE_NOTES = {
  open: 'mesh: open (plain TCP, nothing encrypted; peers known by address only; uploads accepted only from listed addresses)',
  secure: 'mesh: secure (mutual TLS 1.3; each identity below is the certificate fingerprint the peer proved, as the settings list it)',
} as const;

/** A peer that took our claim as an outsider's (docs/PROTOCOL.md, "HELLO"). */
const ANONYMOUS_NOTE = 'serves us as anonymous: our ID is not in its settings (reads only, no uploads)';

/** A peer that said nothing within the deadline is silent: it may be up, but it did not answer. */
function silentOrOffline(error: Problem | null, otherwise = 'offline'): string {
  return error?.code === 'ERR_PEER_TIMEOUT' ? 'silent' : otherwise;
}

function renderPeers(result: PeersResult): string[] {
  const secure = result.mode === 'secure';
  const rows = result.peers.map((p) => {
    const notes = [
      ...(p.self ? ['this peer'] : []),
      ...(p.announced !== null && p.announced !== p.peer ? [`answers as ${p.announced}!`] : []),
      ...(p.anonymous ? [ANONYMOUS_NOTE] : []),
      ...(p.error ? [p.error.message] : []),
    ];
    return [
      p.peer,
      p.address,
      p.online ? 'online' : silentOrOffline(p.error),
      p.rttMs === null ? '-' : formatMs(p.rttMs),
      p.files === null ? '-' : String(p.files),
      p.version ?? '-',
      ...(secure ? [p.identity === null ? '-' : `${p.identity.slice(0, 16)}… verified`] : []),
      notes.join('; '),
    ];
  });
  const online = result.peers.filter((p) => p.online).length;
  const head = ['peer', 'address', 'status', 'rtt', 'files', 'version', ...(secure ? ['identity'] : []), ''];
  return [
    MODE_NOTES[result.mode],
    ...table([head, ...rows], '').map((l) => l.trimEnd()),
    `${online} of ${plural(result.peers.length, 'peer')} online`,
  ];
}

function renderPing(p: PingStatus): string {
  const head = `${p.peer} (${p.address}): `;
  if (!p.rttMs) return `${head}unreachable: ${p.error?.message ?? 'no answer'}`;
  const { min, avg, max } = p.rttMs;
  const parts = [
    `${p.received}/${p.sent} answered`,
    `rtt min/avg/max ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)} ms`,
    ...(p.connectMs === null ? [] : [`connect ${formatMs(p.connectMs)}`]),
    ...(p.version ? [p.version] : []),
    ...(p.announced !== null && p.announced !== p.peer ? [`answers as ${p.announced}!`] : []),
    ...(p.anonymous ? [ANONYMOUS_NOTE] : []),
  ];
  return head + parts.join(', ') + (p.error ? `; then ${p.error.message}` : '');
}

function renderFiles(result: FilesResult): string[] {
  const listed = result.peers.filter((p) => p.ok).length;
  const conflicts = result.files.filter((f) => f.conflict).length;
  const head = `${result.files.length === 0 ? 'no files' : plural(result.files.length, 'file')} on the mesh (${listed} of ${plural(result.peers.length, 'peer')} listed` +
    `${conflicts > 0 ? `; ${plural(conflicts, 'name')} held in different versions` : ''})`;
  const rows = result.files.flatMap((f) =>
    f.versions.map((v, i) => {
      const marks = [
        ...(v.here ? ['HERE'] : []),
        ...(v.newer && v.changed !== null ? [`NEWER (changed ${formatTime(v.changed)})`] : []),
        ...(f.conflict ? [`CONFLICT: version ${i + 1} of ${f.versions.length}`] : []),
      ];
      return [f.name, formatBytes(v.size), shortIdentity(v.identity), v.peers.join(', ') || '-', marks.join('; ')];
    }),
  );
  const failed = result.peers.flatMap((p) => (p.ok ? [] : [`${p.peer}: ${silentOrOffline(p.error, 'unreachable')}: ${p.error.message}`]));
  const newer = result.files.some((f) => f.versions.some((v) => v.newer));
  const legend = newer ? ['HERE: the version this peer holds; NEWER: changed later than it, by the holders\' own clocks (which may differ)'] : [];
  return [head, ...table(rows).map((l) => l.trimEnd()), ...legend, ...failed];
}

function renderFileList(result: FileListResult): string[] {
  return result.peers.flatMap((listing) => {
    if (!listing.ok) return [`${listing.peer}: ${silentOrOffline(listing.error, 'unreachable')}: ${listing.error.message}`];
    const n = listing.files.length;
    const rows = listing.files.map((f) => [f.name, formatBytes(f.size), shortIdentity(f.identity)]);
    return [`${listing.peer}: ${n === 0 ? 'no files' : plural(n, 'file')}`, ...table(rows)];
  });
}

function renderDownload(r: DownloadSummary): string[] {
  const lines: string[] = [];
  if (r.status === 'already' && r.others.length === 0) {
    lines.push(`Already have ${r.name} (${r.size} bytes, identity ${shortIdentity(r.identity)}); nothing to do`);
  } else if (r.status === 'already') {
    const theirs = r.others.map((v) => `${v.peers.join(', ')} ${v.peers.length === 1 ? 'holds' : 'hold'} ${shortIdentity(v.identity)}`).join('; ');
    lines.push(`Already have version ${shortIdentity(r.identity)} of ${r.name}; ${theirs}. Kept this peer's: --replace fetches theirs (this one is kept in the versions area), --version ID picks one`);
  } else {
    const served = r.peers.filter((p) => p.bytes > 0 || p.problem === null).map(servedBy).join(', ');
    const fetched = r.size - r.resumedBytes;
    const resumed = r.resumedBytes === 0 ? '' : fetched === 0 ? ' (all resumed: nothing fetched)' : ` (${r.resumedBytes} resumed)`;
    // A speed only for bytes that came over the wire: none came for an empty or a fully resumed file.
    const rate = fetched > 0 ? ` (${formatRate(fetched, r.seconds)})` : '';
    const replaced = r.kept ? `; replaced version ${shortIdentity(r.kept.identity)}, kept in the versions area` : '';
    const { duplicate, aborted, bad } = r.wasted;
    const wasted = duplicate + aborted + bad > 0 ? `; wasted ${duplicate + aborted + bad} bytes (${duplicate} duplicate, ${aborted} aborted, ${bad} bad)` : '';
    lines.push(`Downloaded ${r.name}: ${r.size} bytes${resumed} in ${formatSeconds(r.seconds)}${rate}, identity ${shortIdentity(r.identity)}; bytes per peer: ${served || 'none'}${wasted}${replaced}`);
  }
  // Peers the user named are all accounted for; of the rest, only those that failed.
  for (const p of r.peers) {
    if (p.problem !== null && (!r.searched || p.problem !== NOT_HELD)) lines.push(`  ${p.peer}: ${p.problem}`);
  }
  return lines;
}

/** `p4 262144 (partial holder; +262144 duplicate)`: a peer's verified bytes, what it was, what it wasted. */
function servedBy(p: DownloadPeer): string {
  const notes = [p.partial ? 'partial holder' : '', ...(['duplicate', 'aborted', 'bad'] as const).map((why) => (p[`${why}Bytes`] > 0 ? `+${p[`${why}Bytes`]} ${why}` : ''))];
  const said = notes.filter((n) => n !== '');
  return `${p.peer} ${p.bytes}${said.length > 0 ? ` (${said.join('; ')})` : ''}`;
}

/** Several files: each file's own lines, then one line for all. */
function renderDownloads(r: DownloadsSummary): string[] {
  const lines = r.files.flatMap((f) => (f.ok ? renderDownload({ ...f, command: 'download' }) : [`${f.name}: failed: ${f.error.message}`]));
  const failed = r.files.filter((f) => !f.ok).length;
  const bytes = r.files.reduce((sum, f) => sum + (f.ok && f.status !== 'already' ? f.size - f.resumedBytes : 0), 0);
  const fetched = r.files.filter((f) => f.ok && f.status !== 'already').length;
  const have = r.files.length - fetched - failed;
  const parts = [`${fetched} downloaded`, ...(have > 0 ? [`${have} already here`] : []), ...(failed > 0 ? [`${failed} failed`] : [])];
  lines.push(`${plural(r.files.length, 'file')}: ${parts.join(', ')}; ${bytes} bytes in ${formatSeconds(r.seconds)} (${formatRate(bytes, r.seconds)})`);
  return lines;
}

function renderUpload(r: UploadSummary): string[] {
  return r.peers.map((o) => {
    if (o.status === 'stored') return `${o.peer}: stored ${r.name} (${r.size} bytes in ${formatSeconds(o.seconds)})`;
    if (o.status === 'replaced') {
      const kept = o.kept ? ` ${shortIdentity(o.kept)}` : '';
      return `${o.peer}: replaced ${r.name} (${r.size} bytes in ${formatSeconds(o.seconds)}); it keeps the old version${kept} in its versions area`;
    }
    if (o.status === 'same') return `${o.peer}: already has ${r.name} (same content)`;
    return `${o.peer}: failed: ${o.error?.message ?? 'unknown error'}`;
  });
}

function renderShare(r: ShareSummary): string[] {
  if (r.status === 'already') return [`Already serving ${r.name} (same content as ${r.source}); nothing to do`];
  const serving = r.serving === false ? 'this peer\'s server is not running: it serves the file once txtmesh-server runs in this peer folder' : 'this peer now serves it';
  return [`Shared ${r.source} as ${r.name} (${r.size} bytes, identity ${shortIdentity(r.identity)}); ${serving}`];
}

const STATE_WORDS = { current: 'current', replaced: 'replaced', unshared: 'unshared' } as const;

function renderVersions(r: VersionsResult): string[] {
  return r.peers.flatMap((p) => {
    const who = p.self ? `${p.peer} (this peer)` : p.peer;
    if (!p.ok) return [`${who}: ${p.error.message}`];
    if (p.versions.length === 0) return [`${who}: no version of ${r.name}`];
    const rows = p.versions.map((v) => [shortIdentity(v.identity), formatBytes(v.size), STATE_WORDS[v.state], `${v.state === 'current' ? 'changed' : 'since'} ${formatTime(v.time)}`]);
    return [`${who}: ${plural(p.versions.length, 'version')} of ${r.name}, newest kept first`, ...table(rows).map((l) => l.trimEnd())];
  });
}

function renderRestore(r: RestoreSummary): string[] {
  if (r.status === 'current') return [`${r.name} is version ${shortIdentity(r.identity)} already; nothing to do`];
  const kept = r.kept ? `; the version it replaced (${shortIdentity(r.kept.identity)}) is kept` : '';
  return [`Restored ${r.name} to version ${shortIdentity(r.identity)} (${r.size} bytes)${kept}`];
}

/** A name as the console reads it back: quoted when it has spaces. */
function quoteName(name: string): string {
  return /[\s"]/.test(name) ? JSON.stringify(name) : name;
}

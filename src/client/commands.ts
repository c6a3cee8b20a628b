/**
 * Console commands (#FILELIST, #DOWNLOAD, #UPLOAD, #HELP, #QUIT): parse a line, run it, print
 * the result. Each command returns whether it succeeded; the console turns any failure into a
 * non-zero exit status when stdin is piped.
 */
import { TxtmeshError, describeError } from '../errors.js';
import type { PeerContext } from '../peer-context.js';
import { type PeerAddress, findPeers } from '../settings.js';
import { shortIdentity } from '../storage/piece-hasher.js';
import type { ServedFolder } from '../storage/served-folder.js';
import { splitCommandLine } from './command-line.js';
import { NOT_HELD, download } from './download.js';
import { fileLists } from './filelist.js';
import { formatBytes, formatProgress, formatRate, formatSeconds, table } from './format.js';
import { upload } from './upload.js';

/** Where command output goes: results to `print` (stdout), live progress to `progress`. */
export interface Output {
  print(line: string): void;
  /** Replaces the live progress line; undefined clears it. No-op when not on a TTY. */
  progress(line: string | undefined): void;
}

export interface Session {
  readonly ctx: PeerContext;
  readonly folder: ServedFolder;
  readonly out: Output;
  readonly timeoutMs?: number;
  /** If set, every verified piece of a download is reported here (see --trace). */
  readonly trace?: (event: { name: string; peer: string; bytes: number; ms: number }) => void;
}

export type CommandResult = 'ok' | 'failed' | 'quit';

interface CommandSpec {
  readonly usage: string;
  readonly summary: string;
  readonly run: (session: Session, args: string[], signal: AbortSignal) => Promise<boolean>;
}

export const COMMANDS: Record<string, CommandSpec> = {
  '#FILELIST': {
    usage: '#FILELIST [peer ...]',
    summary: 'list the files those peers serve (all peers if none given)',
    run: fileListCommand,
  },
  '#DOWNLOAD': {
    usage: '#DOWNLOAD name [peer ...]',
    summary: 'fetch a file in verified pieces from every listed peer that has it (all peers if none given)',
    run: downloadCommand,
  },
  '#UPLOAD': {
    usage: '#UPLOAD name peer [peer ...]',
    summary: 'push a file from this peer\'s served_files/ to those peers',
    run: uploadCommand,
  },
  '#HELP': { usage: '#HELP', summary: 'show this help', run: async (s) => (help(s.out), true) },
  '#QUIT': { usage: '#QUIT', summary: 'leave the console', run: async () => true },
};

/** Runs one console line. Blank lines succeed and do nothing. */
export async function runCommandLine(session: Session, line: string, signal: AbortSignal): Promise<CommandResult> {
  const { out } = session;
  let words: string[];
  try {
    words = splitCommandLine(line);
  } catch (err) {
    out.print(`error: ${describeError(err)}`);
    return 'failed';
  }
  const [word, ...args] = words;
  if (word === undefined) return 'ok';
  const command = word.toUpperCase();
  const spec = COMMANDS[command] ?? COMMANDS[`#${command}`];
  if (!spec) {
    out.print(`error: unknown command ${word}; type #HELP for the list (ERR_USAGE)`);
    return 'failed';
  }
  if (spec === COMMANDS['#QUIT']) return 'quit';
  try {
    return (await spec.run(session, args, signal)) ? 'ok' : 'failed';
  } catch (err) {
    out.progress(undefined);
    out.print(`error: ${describeError(err)}`);
    return 'failed';
  }
}

function help(out: Output): void {
  out.print('Commands (names with spaces go in double quotes):');
  for (const line of table(Object.values(COMMANDS).map((c) => [c.usage, c.summary]))) out.print(line);
}

function usageError(usage: string, what: string): TxtmeshError {
  return new TxtmeshError('ERR_USAGE', `${what}; usage: ${usage}`);
}

/** The peers named, or every other peer if none. */
function peersFor(session: Session, ids: string[]): PeerAddress[] {
  return ids.length === 0 ? session.ctx.others : findPeers(session.ctx.peers, ids);
}

async function fileListCommand(session: Session, args: string[]): Promise<boolean> {
  const peers = args.length === 0 ? session.ctx.peers : findPeers(session.ctx.peers, args);
  const listings = await fileLists(peers, { timeoutMs: session.timeoutMs });
  let ok = true;
  for (const listing of listings) {
    if (!listing.ok) {
      ok = false;
      session.out.print(`${listing.peer}: unreachable: ${listing.error}`);
      continue;
    }
    const n = listing.files.length;
    session.out.print(`${listing.peer}: ${n === 0 ? 'no files' : `${n} file${n === 1 ? '' : 's'}`}`);
    const rows = listing.files.map((f) => [f.name, formatBytes(f.size), shortIdentity(f.identity)]);
    for (const line of table(rows)) session.out.print(line);
  }
  return ok;
}

async function downloadCommand(session: Session, args: string[], signal: AbortSignal): Promise<boolean> {
  const [name, ...ids] = args;
  if (name === undefined) throw usageError(COMMANDS['#DOWNLOAD']!.usage, 'missing file name');
  const peers = peersFor(session, ids);
  if (peers.length === 0) throw new TxtmeshError('ERR_NO_PEERS', 'there are no other peers in the settings');
  const { out } = session;
  const result = await download({
    name,
    peers,
    folder: session.folder,
    signal,
    requestTimeoutMs: session.timeoutMs,
    onPeers: (used) => out.print(`Downloading ${name} from ${used.join(', ')}`),
    onResume: (pieces, of, bytes) => out.print(`Resuming: ${pieces} of ${of} pieces (${formatBytes(bytes)}) from an earlier attempt are verified and kept`),
    onProgress: (p) => out.progress(formatProgress(p)),
    onPiece: session.trace && ((peer, bytes, ms) => session.trace?.({ name, peer, bytes, ms: Math.round(ms * 1000) / 1000 })),
  }).finally(() => out.progress(undefined));
  const served = result.peers.filter((p) => p.bytes > 0 || !p.problem).map((p) => `${p.peer} ${p.bytes}`).join(', ');
  if (result.status === 'already') {
    out.print(`Already have ${name} (${result.size} bytes, identity ${shortIdentity(result.identity)}); nothing to do`);
  } else {
    const fetched = result.size - result.resumedBytes;
    const resumed = result.resumedBytes > 0 ? ` (${result.resumedBytes} resumed)` : '';
    out.print(
      `Downloaded ${name}: ${result.size} bytes${resumed} in ${formatSeconds(result.seconds)} (${formatRate(fetched, result.seconds)}), identity ${shortIdentity(result.identity)}; bytes per peer: ${served || 'none'}`,
    );
  }
  // Peers the user named are all accounted for; of the rest, only those that failed.
  for (const p of result.peers) {
    if (p.problem && (ids.length > 0 || p.problem !== NOT_HELD)) out.print(`  ${p.peer}: ${p.problem}`);
  }
  return true;
}

async function uploadCommand(session: Session, args: string[], signal: AbortSignal): Promise<boolean> {
  const [name, ...ids] = args;
  const usage = COMMANDS['#UPLOAD']!.usage;
  if (name === undefined) throw usageError(usage, 'missing file name');
  if (ids.length === 0) throw usageError(usage, 'name at least one peer to upload to');
  const peers = findPeers(session.ctx.peers, ids);
  const { size, outcomes } = await upload({ name, peers, folder: session.folder, signal });
  for (const o of outcomes) {
    if (o.status === 'stored') session.out.print(`${o.peer}: stored ${name} (${size} bytes in ${formatSeconds(o.seconds)})`);
    else if (o.status === 'same') session.out.print(`${o.peer}: already has ${name} (same content)`);
    else session.out.print(`${o.peer}: failed: ${o.error}`);
  }
  return outcomes.every((o) => o.status !== 'failed');
}

/**
 * The server console's commands (the tracker-based cousin's server commands, for one peer):
 * `status`, `files`, `peers`, `quit`, `help`. A command line and the server's state in, text
 * out; the terminal side is server-tty.ts. Tests drive it directly.
 */
import { formatBytes, table } from './format.js';
import { describeError } from '../errors.js';
import type { FileEntry } from '../protocol/messages.js';
import type { StatsSnapshot, Transfer } from '../server/stats.js';
import { shortIdentity } from '../storage/piece-hasher.js';
import type { RateLimit } from '../transport/rate-limit.js';
import { serverLimitLines } from './limit-command.js';
import { jsonLine } from './terminal-text.js';

/** What the console can see of its server. */
export interface ServerConsoleState {
  readonly peerId: string;
  /** The address the server listens on, host:port. */
  readonly address: string;
  readonly dir: string;
  stats(): StatsSnapshot;
  /** The served files, listed now (the folder is rescanned on each call). */
  files(): Promise<FileEntry[]>;
  /** Files in the folder that are not served, and why (e.g. NOTES.TXT). */
  skipped?(): Promise<{ name: string; reason: string }[]>;
  /** The size of a served file, if it is still there. */
  sizeOf(name: string): Promise<number | undefined>;
  /** The reachability of the other peers, as lines. */
  peers(): Promise<string[]>;
  /** What the server sends to every client together (--max-upload-rate): `limit` shows and sets it. */
  readonly uploadLimit?: RateLimit;
}

export interface ServerConsoleAnswer {
  readonly lines: string[];
  /** Set by `quit`: graceful lets transfers in flight finish first; now cuts them off. */
  readonly quit?: 'graceful' | 'now';
}

export const SERVER_COMMANDS: readonly (readonly [string, string])[] = [
  ['status', 'uptime, connections, requests, bytes served, transfers in flight with progress'],
  ['files', 'the files this peer serves, with size and identity'],
  ['peers', 'reachability and round-trip time of the other peers (also: list)'],
  ['limit [up RATE]', 'the upload limit for all clients together (--max-upload-rate): shows it, or sets it (2M, 500k; 0: none)'],
  ['quit [now]', 'stop: let transfers in flight finish (up to --grace seconds), then exit; "now" cuts them off'],
  ['help', 'this list'],
];

/** 3723000 → "1h02m03s"; 72000 → "1m12s"; 5400 → "5s". */
export function formatUptime(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h${pad(m)}m${pad(s)}s`;
  if (m > 0) return `${m}m${pad(s)}s`;
  return `${s}s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function status(state: ServerConsoleState): Promise<string[]> {
  const s = state.stats();
  const lines = [
    `peer ${state.peerId} serving ${state.dir} on ${state.address}`,
    `up ${formatUptime(s.uptimeMs)}; connections: ${s.connections.open} open, ${s.connections.total} since start; requests: ${s.requests.total} (${s.requests.refused} refused${s.requests.cut > 0 ? `, ${s.requests.cut} cut off` : ''})`,
    `bytes served: ${formatBytes(s.bytesServed)} (${s.bytesServed} B); received in uploads: ${formatBytes(s.bytesReceived)} (${s.bytesReceived} B)`,
    `transfers in flight: ${s.transfers.length === 0 ? 'none' : s.transfers.length}`,
    ...(state.uploadLimit ? serverLimitLines(state.uploadLimit, []) : []),
  ];
  const rows = await Promise.all(s.transfers.map(async (t) => transferRow(t, t.total ?? (await state.sizeOf(t.name)))));
  return [...lines, ...table(rows)];
}

function transferRow(t: Transfer, total: number | undefined): string[] {
  // Quoted as the request log quotes names (control characters escaped).
  const what = `${t.direction} ${jsonLine(t.name)}`;
  if (total === undefined) return [t.remote, what, formatBytes(t.bytes)];
  const percent = total === 0 ? 100 : (t.bytes / total) * 100;
  return [t.remote, what, `${formatBytes(t.bytes)} of ${formatBytes(total)}`, `${percent.toFixed(1)}%`];
}

async function files(state: ServerConsoleState): Promise<string[]> {
  const list = await state.files();
  const total = list.reduce((sum, f) => sum + f.size, 0);
  const head = `${list.length === 0 ? 'no files' : plural(list.length, 'file')} in ${state.dir}${list.length > 0 ? ` (${formatBytes(total)})` : ''}`;
  const skipped = (await state.skipped?.()) ?? [];
  const notServed = skipped.length === 0 ? [] : [`not served: ${plural(skipped.length, 'file')}`, ...table(skipped.map((f) => [jsonLine(f.name), f.reason]))];
  return [head, ...table(list.map((f) => [f.name, formatBytes(f.size), shortIdentity(f.identity)])), ...notServed];
}

/** Runs one console line. Unknown commands answer with the list; nothing throws. */
export async function runServerCommand(line: string, state: ServerConsoleState): Promise<ServerConsoleAnswer> {
  const [typed = '', ...args] = line.trim().split(/\s+/).filter((w) => w !== '');
  const word = typed.replace(/^#/, ''); // the client console's spelling (#LIMIT) works too
  try {
    switch (word.toLowerCase()) {
      case '':
        return { lines: [] };
      case 'status':
        return { lines: await status(state) };
      case 'files':
        return { lines: await files(state) };
      case 'peers':
      case 'list':
        return { lines: await state.peers() };
      case 'quit':
      case 'exit':
        if (args[0] !== undefined && args[0].toLowerCase() !== 'now') return { lines: [`quit takes only "now"; got ${args[0]}`] };
        return { lines: [], quit: args[0] === undefined ? 'graceful' : 'now' };
      case 'limit':
        if (!state.uploadLimit) return { lines: ['this server has no upload limit to set'] };
        return { lines: serverLimitLines(state.uploadLimit, args) };
      case 'help':
        return { lines: ['Server commands:', ...table(SERVER_COMMANDS)] };
      default:
        return { lines: [`unknown command ${word}; commands: ${SERVER_COMMANDS.map(([c]) => c.split(' ')[0]).join(', ')}`] };
    }
  } catch (err) {
    return { lines: [`error: ${describeError(err)}`] };
  }
}

/** Tab completion of the server commands, for node:readline. */
export function completeServerCommand(line: string): [string[], string] {
  if (/\s/.test(line.trimStart())) return [[], line];
  const word = line.trimStart();
  const names = [...SERVER_COMMANDS.map(([c]) => c.split(' ')[0] as string), 'list', 'exit'];
  return [names.filter((n) => n.startsWith(word.toLowerCase())).sort(), word];
}

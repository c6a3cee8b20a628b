/**
 * The options every txtmesh-client run takes (console and subcommands alike), defined once:
 * yargs reads them for subcommands and --help, and the console's own lean parser (node:util
 * parseArgs, so starting the console does not load yargs) reads the same table.
 */
import { parseArgs } from 'node:util';
import { REQUEST_TIMEOUT_MS } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import { type CommandSpec, findSpec } from './command-specs.js';
import { CONSOLE_UI_OPTION, UI_OPTIONS, type UiArgs } from './ui-options.js';

/** Options every run shares. */
export interface GlobalArgs {
  readonly id?: string;
  readonly settings?: string;
  readonly dir?: string;
  readonly identity?: string;
  readonly trace?: string;
  /** Seconds to wait for a peer's answer. */
  readonly timeout: number;
  readonly json?: boolean;
  /** What downloads receive, all sources together: `2M`, `500k`; 0 or none: no limit (#LIMIT down changes it). */
  readonly 'max-download-rate'?: string;
  /** What uploads (#UPLOAD) send, all peers together (#LIMIT up changes it). */
  readonly 'max-upload-rate'?: string;
}

interface GlobalOption {
  readonly type: 'string' | 'number';
  readonly describe: string;
  readonly default?: number;
}

export const GLOBAL_OPTIONS: Readonly<Record<Exclude<keyof GlobalArgs, 'json'>, GlobalOption>> = {
  id: { type: 'string', describe: 'this peer\'s ID [default: the working directory\'s name]' },
  settings: { type: 'string', describe: 'settings file [default: ../peer_settings.txt]' },
  dir: { type: 'string', describe: 'folder of served files, where downloads land [default: ./served_files]' },
  identity: { type: 'string', describe: 'folder of this peer\'s key and certificate, for a secure mesh [default: ./identity]' },
  trace: { type: 'string', describe: 'append one JSON line per downloaded piece to this file ({name, peer, bytes, ms}), for benchmarks' },
  timeout: { type: 'number', default: REQUEST_TIMEOUT_MS / 1000, describe: 'seconds to wait for a peer\'s answer' },
  'max-download-rate': { type: 'string', describe: 'bytes a second downloads receive, all sources together, e.g. 2M or 500k (1024-based) [default: 0, no limit]; #LIMIT down changes it' },
  'max-upload-rate': { type: 'string', describe: 'bytes a second this client\'s uploads send, all peers together [default: 0, no limit]; #LIMIT up changes it (the server has its own)' },
};

/**
 * Reads the console's command line (no subcommand) without yargs.
 * @throws TxtmeshError ERR_USAGE for an unknown option, a missing value, or a stray argument
 */
export function parseConsoleArgs(args: readonly string[]): GlobalArgs & UiArgs {
  const ui = { ui: CONSOLE_UI_OPTION, ...UI_OPTIONS };
  const options = Object.fromEntries([
    ...Object.keys(GLOBAL_OPTIONS).map((name) => [name, { type: 'string' as const }]),
    ...Object.entries(ui).map(([name, o]) => [name, { type: o.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
  ]);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }) as { values: Record<string, string | boolean | undefined> });
  } catch (err) {
    throw new TxtmeshError('ERR_USAGE', (err as Error).message.split('\n')[0] ?? 'bad command line');
  }
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const timeoutText = text('timeout');
  const timeout = timeoutText === undefined ? (GLOBAL_OPTIONS.timeout.default as number) : Number(timeoutText);
  const number = (name: string) => (text(name) === undefined ? undefined : Number(text(name)));
  return {
    id: text('id'),
    settings: text('settings'),
    dir: text('dir'),
    identity: text('identity'),
    trace: text('trace'),
    timeout,
    'max-download-rate': text('max-download-rate'),
    'max-upload-rate': text('max-upload-rate'),
    ui: values.ui === true,
    open: values.open === true,
    'ui-port': number('ui-port'),
    'server-log': text('server-log'),
    'ui-max-share': number('ui-max-share'),
  };
}

/**
 * Subcommands the lean parser reads, and the positional words each takes: `name` then peer
 * IDs, peer IDs only, or none. The rest (--from/--to lists, ping's --count, share, ui) and
 * anything unusual go to yargs.
 */
const LEAN_SUBCOMMANDS: Readonly<Record<string, 'name+peers' | 'peers' | 'none'>> = {
  download: 'name+peers',
  upload: 'name+peers',
  filelist: 'peers',
  discover: 'peers',
  peers: 'none',
  files: 'none',
};

/** A subcommand read without yargs: its options, its command, and the command's arguments. */
export interface LeanSubcommand {
  readonly argv: GlobalArgs;
  readonly spec: CommandSpec;
  readonly args: string[];
}

/**
 * Reads a plain subcommand line (`download notes.txt p1 p2 --json`) without yargs, so a script
 * does not pay to load it (issue 11, start-up); undefined when the line needs yargs: --help,
 * --version, another subcommand, a flag it does not take, or words that do not fit.
 */
export function parseSubcommandArgs(args: readonly string[]): LeanSubcommand | undefined {
  const words = LEAN_SUBCOMMANDS[args[0] ?? ''];
  const spec = findSpec(args[0] ?? '');
  if (!words || !spec || args.includes('--help') || args.includes('-h') || args.includes('--version')) return undefined;
  const options = { ...Object.fromEntries(Object.keys(GLOBAL_OPTIONS).map((name) => [name, { type: 'string' as const }])), json: { type: 'boolean' as const } };
  let parsed;
  try {
    parsed = parseArgs({ args: args.slice(1), options, strict: true, allowPositionals: true });
  } catch {
    return undefined;
  }
  const { positionals } = parsed;
  const values = parsed.values as Record<string, string | undefined> & { json?: boolean };
  const timeout = values.timeout === undefined ? (GLOBAL_OPTIONS.timeout.default as number) : Number(values.timeout);
  if (Number.isNaN(timeout) || (words === 'none' && positionals.length > 0) || (words === 'name+peers' && positionals.length === 0)) return undefined;
  const { id, settings, dir, identity, trace, json } = values;
  const rates = { 'max-download-rate': values['max-download-rate'], 'max-upload-rate': values['max-upload-rate'] };
  return { argv: { id, settings, dir, identity, trace, timeout, json: json === true, ...rates }, spec, args: positionals };
}

/** True when the command line needs yargs: a subcommand, --help or --version. */
export function needsFullParser(args: readonly string[]): boolean {
  const valued = [...Object.keys(GLOBAL_OPTIONS), ...Object.entries(UI_OPTIONS).flatMap(([name, o]) => (o.type === 'boolean' ? [] : [name]))];
  const takesValue = new Set(valued.map((name) => `--${name}`));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h' || arg === '--version') return true;
    if (takesValue.has(arg)) i++;
    else if (!arg.startsWith('-')) return true;
  }
  return false;
}

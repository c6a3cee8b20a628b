/**
 * txtmesh-server's command line: every option with its help text, and how the numeric ones map
 * onto PeerServer's limits (server/options.ts holds the defaults and rules; this file only
 * converts units and names the flag when a value breaks a rule).
 */
import { parseArgs } from 'node:util';
import type { Argv } from 'yargs';
import { checkNumber, parseRate } from '../options.js';
import type { ServeTo } from '../server/admission.js';
import { SERVER_DEFAULTS, SERVER_RULES, type ServerLimits } from '../server/options.js';
import type { LogFormat } from './request-log.js';

/** A numeric flag, the limit it sets, and its unit on the command line. */
interface LimitFlag {
  readonly flag: string;
  readonly key: keyof ServerLimits;
  /** Engine units per command-line unit (1000: seconds on the command line, ms in the engine). */
  readonly scale: number;
  readonly describe: string;
}

const LIMIT_FLAGS: readonly LimitFlag[] = [
  { flag: 'max-upload', key: 'maxUploadBytes', scale: 1, describe: 'largest file accepted by upload, in bytes' },
  { flag: 'max-connections', key: 'maxConnections', scale: 1, describe: 'connections served at once; when full the longest-idle one, or else the slowest answer, gives way, or a newcomer gets ERR_BUSY' },
  { flag: 'max-header', key: 'maxHeaderBytes', scale: 1, describe: 'longest request header line, in bytes' },
  { flag: 'idle-timeout', key: 'idleTimeoutMs', scale: 1000, describe: 'close a connection that sends and receives nothing this many seconds (0: never)' },
  { flag: 'header-timeout', key: 'headerTimeoutMs', scale: 1000, describe: 'seconds a request header may take from its first byte to its end' },
  { flag: 'send-timeout', key: 'sendTimeoutMs', scale: 1000, describe: 'close a connection whose client takes less than --min-send-rate of an answer over this many seconds (0: never)' },
  { flag: 'min-send-rate', key: 'minSendRate', scale: 1, describe: 'bytes a second a client must take of an answer, measured over --send-timeout' },
  { flag: 'member-slots', key: 'memberSlots', scale: 1, describe: 'connections kept for the peers in the settings; other addresses share the rest (at least one)' },
  { flag: 'max-per-address', key: 'maxPerAddress', scale: 1, describe: 'connections one address that is no peer\'s may hold at once' },
  { flag: 'max-buffered', key: 'maxBufferedBytes', scale: 1, describe: 'bytes of answers held for slow clients, in all; past it the slowest are closed' },
  { flag: 'keep-versions', key: 'keepVersions', scale: 1, describe: 'versions of a name kept in served_files/.txtmesh/versions/ when uploads replace it (the oldest beyond this are deleted)' },
];

/** Seconds a graceful stop lets transfers in flight finish. */
export const DEFAULT_GRACE_SECONDS = 10;

/** The parsed command line. */
export interface ServerArgs {
  readonly id?: string;
  readonly settings?: string;
  readonly dir?: string;
  readonly port?: number;
  readonly host?: string;
  readonly quiet: boolean;
  readonly 'log-format': LogFormat;
  readonly console?: boolean;
  readonly grace: number;
  readonly 'serve-to': ServeTo;
  readonly 'refuse-replace': boolean;
  readonly secure: boolean;
  readonly identity?: string;
  readonly 'init-identity': boolean;
  readonly 'show-identity': boolean;
  readonly 'rotate-identity': boolean;
  readonly [flag: string]: unknown;
}

/** One flag of txtmesh-server: yargs reads the table for --help, the lean parser for the rest. */
interface Flag {
  readonly type: 'string' | 'number' | 'boolean';
  readonly describe: string;
  readonly default?: string | number | boolean;
  readonly choices?: readonly string[];
}

const FLAGS: Readonly<Record<string, Flag>> = {
  id: { type: 'string', describe: 'this peer\'s ID [default: the working directory\'s name]' },
  settings: { type: 'string', describe: 'settings file [default: ../peer_settings.txt]' },
  dir: { type: 'string', describe: 'folder of served files [default: ./served_files]' },
  port: { type: 'number', describe: 'port to listen on [default: this peer\'s port in the settings]' },
  host: { type: 'string', describe: 'address to listen on [default: this peer\'s address in the settings]' },
  ...Object.fromEntries(LIMIT_FLAGS.map((f) => [f.flag, { type: 'number', default: SERVER_DEFAULTS[f.key] / f.scale, describe: f.describe }])),
  'max-upload-rate': { type: 'string', default: '0', describe: 'bytes a second sent to all clients together, e.g. 2M or 500k (1024-based; 0: no limit); the console\'s limit command changes it' },
  quiet: { type: 'boolean', default: false, describe: 'do not log each request' },
  'log-format': { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'request log: a line of text, or one JSON object per line (other messages then go to stderr)' },
  console: { type: 'boolean', describe: 'take commands on stdin [default: when stdin and stdout are terminals and the server runs in the foreground]' },
  grace: { type: 'number', default: DEFAULT_GRACE_SECONDS, describe: 'on quit, seconds to let transfers in flight finish before cutting them off' },
  'serve-to': { type: 'string', choices: ['any', 'mesh'], default: 'any', describe: 'who may list and download: anyone who can connect, or only the peers in the settings (uploads are always mesh-only)' },
  'refuse-replace': { type: 'boolean', default: false, describe: 'refuse every upload that asks to replace another version of a name (#UPLOAD --replace)' },
  secure: { type: 'boolean', default: false, describe: 'refuse to run unless the settings put the mesh in secure mode; create this peer\'s identity first if it has none' },
  identity: { type: 'string', describe: 'folder of this peer\'s key and certificate [default: ./identity]' },
  'init-identity': { type: 'boolean', default: false, describe: 'create this peer\'s key and certificate, print its fingerprint, and exit' },
  'show-identity': { type: 'boolean', default: false, describe: 'print this peer\'s fingerprint (for the settings\' fourth column) and exit' },
  'rotate-identity': { type: 'boolean', default: false, describe: 'replace this peer\'s key and certificate with new ones, print the new fingerprint, and exit' },
};

/** Adds every option of txtmesh-server to a parser. */
export function serverOptions(parser: Argv): Argv {
  let y = parser;
  for (const [name, flag] of Object.entries(FLAGS)) y = y.option(name, { ...flag, choices: flag.choices && [...flag.choices] });
  return y;
}

/**
 * Reads a command line without yargs (it costs ~80 ms to load: issue 11, start-up), or returns
 * undefined when the line needs yargs: --help, --version, and anything the lean parser does not
 * take as given (an unknown or repeated flag, a value that is not a plain number or not one of
 * the choices, camelCase or --flag=value for booleans), which yargs then reads or explains.
 */
export function parseServerArgs(args: readonly string[]): ServerArgs | undefined {
  const negated: Record<string, boolean> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const flag = arg.startsWith('--') ? FLAGS[arg.slice(2)] : undefined;
    if (arg.startsWith('--no-') && FLAGS[arg.slice(5)]?.type === 'boolean') negated[arg.slice(5)] = false;
    else rest.push(arg);
    // A flag's value is never read as a flag of its own, even if it looks like one.
    if (flag && flag.type !== 'boolean' && i + 1 < args.length) rest.push(args[++i] as string);
  }
  if (rest.some((a) => a === '--help' || a === '-h' || a === '--version')) return undefined;
  const options = Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: f.type === 'boolean' ? ('boolean' as const) : ('string' as const), multiple: true }]));
  let values: Record<string, (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch {
    return undefined;
  }
  const argv: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(FLAGS)) {
    const given = values[name];
    if (given && (given.length > 1 || name in negated)) return undefined;
    const value = given?.[0] ?? negated[name] ?? flag.default;
    if (typeof value === 'string' && flag.type === 'number' && !/^\d+(\.\d+)?$/.test(value)) return undefined;
    if (typeof value === 'string' && flag.choices && !flag.choices.includes(value)) return undefined;
    argv[name] = typeof value === 'string' && flag.type === 'number' ? Number(value) : value;
  }
  return argv as ServerArgs;
}

/**
 * The server limits the command line asks for, each checked against its rule.
 * @throws TxtmeshError ERR_USAGE naming the flag (`--max-connections must be …`)
 */
export function limitsFromArgs(argv: ServerArgs): ServerLimits {
  const limits = { ...SERVER_DEFAULTS };
  for (const f of LIMIT_FLAGS) {
    const rule = SERVER_RULES[f.key];
    const value = checkNumber(`--${f.flag}`, Number(argv[f.flag]), { ...rule, min: rule.min / f.scale, integer: f.scale === 1 && rule.integer });
    limits[f.key] = value * f.scale;
  }
  limits.maxUploadRate = parseRate('--max-upload-rate', String(argv['max-upload-rate'] ?? '0'));
  if (argv.port !== undefined) checkNumber('--port', argv.port, { min: 0, max: 65535, integer: true });
  checkNumber('--grace', argv.grace, { min: 0 });
  return limits;
}

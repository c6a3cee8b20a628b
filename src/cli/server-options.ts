/**
 * txtmesh-server's command line: every option with its help text, and how the numeric ones map
 * onto PeerServer's limits (server/options.ts holds the defaults and rules; this file only
 * converts units and names the flag when a value breaks a rule).
 */
import type { Argv } from 'yargs';
import { checkNumber } from '../options.js';
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

/** Adds every option of txtmesh-server to a parser. */
export function serverOptions(parser: Argv): Argv {
  let y = parser
    .option('id', { type: 'string', describe: 'this peer\'s ID [default: the working directory\'s name]' })
    .option('settings', { type: 'string', describe: 'settings file [default: ../peer_settings.txt]' })
    .option('dir', { type: 'string', describe: 'folder of served files [default: ./served_files]' })
    .option('port', { type: 'number', describe: 'port to listen on [default: this peer\'s port in the settings]' })
    .option('host', { type: 'string', describe: 'address to listen on [default: this peer\'s address in the settings]' });
  for (const f of LIMIT_FLAGS) y = y.option(f.flag, { type: 'number', default: SERVER_DEFAULTS[f.key] / f.scale, describe: f.describe });
  return y
    .option('quiet', { type: 'boolean', default: false, describe: 'do not log each request' })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text', describe: 'request log: a line of text, or one JSON object per line (other messages then go to stderr)' })
    .option('console', { type: 'boolean', describe: 'take commands on stdin [default: when stdin and stdout are terminals and the server runs in the foreground]' })
    .option('grace', { type: 'number', default: DEFAULT_GRACE_SECONDS, describe: 'on quit, seconds to let transfers in flight finish before cutting them off' })
    .option('serve-to', { choices: ['any', 'mesh'] as const, default: 'any', describe: 'who may list and download: anyone who can connect, or only the peers in the settings (uploads are always mesh-only)' })
    .option('refuse-replace', { type: 'boolean', default: false, describe: 'refuse every upload that asks to replace another version of a name (#UPLOAD --replace)' })
    .option('secure', { type: 'boolean', default: false, describe: 'refuse to run unless the settings put the mesh in secure mode; create this peer\'s identity first if it has none' })
    .option('identity', { type: 'string', describe: 'folder of this peer\'s key and certificate [default: ./identity]' })
    .option('init-identity', { type: 'boolean', default: false, describe: 'create this peer\'s key and certificate, print its fingerprint, and exit' })
    .option('show-identity', { type: 'boolean', default: false, describe: 'print this peer\'s fingerprint (for the settings\' fourth column) and exit' })
    .option('rotate-identity', { type: 'boolean', default: false, describe: 'replace this peer\'s key and certificate with new ones, print the new fingerprint, and exit' });
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
  if (argv.port !== undefined) checkNumber('--port', argv.port, { min: 0, max: 65535, integer: true });
  checkNumber('--grace', argv.grace, { min: 0 });
  return limits;
}

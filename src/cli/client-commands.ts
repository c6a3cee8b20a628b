/**
 * The console commands as yargs subcommands, for scripts that should not feed stdin:
 * `txtmesh-client peers --json`. Each runs the console's own runner (client/commands.ts) and
 * prints its result for people, or as one JSON document on stdout with --json (notes and
 * progress then go to stderr). The exit status says which class of failure happened
 * (client/exit-codes.ts; docs/cli.md, "Exit status").
 */
import { createWriteStream } from 'node:fs';
import type { Argv } from 'yargs';
import { type Output, type Session, runCommand } from '../client/commands.js';
import { CommandFailure } from '../client/command-failure.js';
import { type CommandSpec, findSpec } from '../client/command-specs.js';
import { terminalOutput } from '../client/console.js';
import { EXIT, type ExitCode, exitCodeFor, exitCodeOf } from '../client/exit-codes.js';
import { renderResult } from '../client/render.js';
import type { Result } from '../client/results.js';
import { DEFAULT_PING_COUNT } from '../client/views.js';
import { TxtmeshError, codeOf, describeError } from '../errors.js';
import { loadPeerContext } from '../peer-context.js';
import { ServedFolder } from '../storage/served-folder.js';

/** Options every subcommand shares with the console. */
export interface GlobalArgs {
  readonly id?: string;
  readonly settings?: string;
  readonly dir?: string;
  readonly identity?: string;
  readonly timeout: number;
  readonly trace?: string;
  readonly json?: boolean;
}

/** One JSON document for a result: `{command, ok, exitCode, ...the result}`. */
export function resultDocument(result: Result, exitCode: ExitCode): object {
  const { command, ...rest } = result;
  return { command, ok: exitCode === EXIT.OK, exitCode, ...rest };
}

/**
 * One JSON document for a failure: `{command, ok: false, exitCode, error: {code, message}}`,
 * plus what the command had learned (CommandFailure details), if anything.
 */
export function errorDocument(command: string | null, code: string, message: string, exitCode: number): object {
  return { command, ok: false, exitCode, error: { code, message } };
}

/** Runs one console command with its arguments, prints the result, sets process.exitCode. */
export async function runSubcommand(argv: GlobalArgs, spec: CommandSpec, args: string[], extra: Partial<Session> = {}): Promise<void> {
  const command = (spec.aliasOf ?? spec.name).slice(1).toLowerCase();
  const json = argv.json === true;
  const out: Output = terminalOutput(process.stdout, process.stderr, json ? process.stderr : process.stdout);
  const controller = new AbortController();
  let interrupted = false;
  const onInterrupt = () => {
    if (interrupted) process.exit(EXIT.INTERRUPTED);
    interrupted = true;
    process.stderr.write('interrupted; cancelling (press Ctrl-C again to quit)\n');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  let exitCode: ExitCode;
  try {
    if (!(argv.timeout > 0)) throw new TxtmeshError('ERR_USAGE', '--timeout must be a positive number of seconds');
    const ctx = await loadPeerContext({ id: argv.id, settings: argv.settings, dir: argv.dir, identity: argv.identity });
    const folder = new ServedFolder(ctx.dir);
    await folder.init();
    const traceFile = argv.trace === undefined ? undefined : createWriteStream(argv.trace, { flags: 'a' });
    const trace = traceFile && ((event: object) => void traceFile.write(JSON.stringify(event) + '\n'));
    const session: Session = { ctx, folder, out, timeoutMs: argv.timeout * 1000, trace, ...extra };
    const result = await runCommand(session, spec, args, controller.signal).finally(() => traceFile && new Promise((r) => traceFile.end(r)));
    exitCode = interrupted ? EXIT.INTERRUPTED : exitCodeOf(result);
    if (json) process.stdout.write(JSON.stringify(resultDocument(result, exitCode)) + '\n');
    else for (const line of renderResult(result)) out.print(line);
  } catch (err) {
    const code = codeOf(err);
    exitCode = interrupted ? EXIT.INTERRUPTED : exitCodeFor(code);
    const message = describeError(err);
    out.progress(undefined);
    process.stderr.write(`txtmesh-client ${command}: ${message}\n`);
    const details = err instanceof CommandFailure ? err.details : {};
    if (json) process.stdout.write(JSON.stringify({ ...errorDocument(command, code, message, exitCode), ...details }) + '\n');
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  process.exitCode = exitCode;
}

const json = { type: 'boolean', default: false, describe: 'print one JSON document on stdout (notes and progress go to stderr)' } as const;
const peers = { type: 'string', array: true, default: [] as string[] } as const;

/** Per-subcommand --help epilogue: what it prints and when it fails. */
const EPILOGUE: Record<string, string> = {
  filelist: 'JSON: {command: "filelist", ok, exitCode, peers: [{peer, ok, files: [{name, size, identity}]} | {peer, ok: false, error: {code, message}}]}. Exit status: 0; 3 if a peer could not be listed; 2 for an unknown peer.',
  peers: 'JSON: {command: "peers", ok, exitCode, mode: "open"|"secure", peers: [{peer, address, self, online, rttMs, version, announced, files, error, identity}]}; identity is the verified certificate fingerprint (secure mode) or null. Exit status: 0 (offline peers are part of the answer); 2 usage.',
  ping: 'JSON: {command: "ping", ok, exitCode, count, peers: [{peer, address, reachable, sent, received, connectMs, rttMs: {min, avg, max}, samples, version, announced, error}]}. Exit status: 0; 3 if a peer did not answer; 2 usage.',
  files: 'JSON: {command: "files", ok, exitCode, files: [{name, conflict, versions: [{identity, size, peers}]}], peers: [{peer, ok, files} | {peer, ok: false, error}]}. Exit status: 0 (unreachable peers are named in the answer); 2 usage.',
  download: 'JSON: {command: "download", ok, exitCode, name, status: "downloaded"|"already", size, identity, seconds, searched, found, missing, unreachable, peers: [{peer, bytes, problem}]}; on failure {…, error, name, found, missing, unreachable, versions: [{identity, size, peers}]}. Exit status: 0; 2 usage; 3 no holder could be reached; 4 nobody has it; 5 versions without a majority, or a different file here already; 6 bytes failed verification.',
  upload: 'JSON: {command: "upload", ok, exitCode, name, size, identity, peers: [{peer, status: "stored"|"same"|"failed", bytes, seconds, error}]}. Exit status: 0; 2 usage; 3 a peer unreachable; 4 the file is not served here (#SHARE it first); 5 a peer has a different file of that name.',
  share: 'JSON: {command: "share", ok, exitCode, name, source, size, identity, status: "shared"|"already"}. Exit status: 0; 2 bad name; 4 no such file; 5 a different file is served under that name.',
};

function spec(name: string): CommandSpec {
  return findSpec(name) as CommandSpec;
}

/** Adds the subcommands to a yargs parser whose global options are GlobalArgs. */
export function addSubcommands<T>(parser: Argv<T>): Argv<T> {
  const global = (argv: unknown) => argv as GlobalArgs & Record<string, unknown>;
  const ids = (argv: Record<string, unknown>, ...keys: string[]) => keys.flatMap((k) => (argv[k] as string[] | undefined) ?? []).map(String);
  return parser
    .command('filelist [peers..]', 'list the files those peers serve (all peers if none)', (y) => y.positional('peers', { ...peers, describe: 'peer IDs' }).option('json', json).epilogue(EPILOGUE.filelist as string), (argv) =>
      runSubcommand(global(argv), spec('#FILELIST'), ids(global(argv), 'peers')),
    )
    .command('discover [peers..]', 'same as filelist (the tracker-based cousin\'s name)', (y) => y.positional('peers', { ...peers, describe: 'peer IDs' }).option('json', json).epilogue(EPILOGUE.filelist as string), (argv) =>
      runSubcommand(global(argv), spec('#DISCOVER'), ids(global(argv), 'peers')),
    )
    .command('peers', 'every peer in the settings: online or not, round-trip time, files, version (an offline peer is not a failure)', (y) => y.option('json', json).epilogue(EPILOGUE.peers as string), (argv) =>
      runSubcommand(global(argv), spec('#PEERS'), []),
    )
    .command('ping [peers..]', 'round-trip time of those peers (all others if none): min/avg/max of several HELLOs', (y) =>
      y.positional('peers', { ...peers, describe: 'peer IDs' })
        .option('count', { alias: 'c', type: 'number', default: DEFAULT_PING_COUNT, describe: 'HELLO round trips per peer (1-100)' })
        .option('json', json).epilogue(EPILOGUE.ping as string)
        .check((a) => {
          if (!Number.isInteger(a.count) || a.count < 1 || a.count > 100) throw new Error('--count must be a whole number from 1 to 100');
          return true;
        }), (argv) => runSubcommand(global(argv), spec('#PING'), ids(global(argv), 'peers'), { pingCount: argv.count }),
    )
    .command('files', 'every file on the mesh, which peers hold it, and names held in conflicting versions', (y) => y.option('json', json).epilogue(EPILOGUE.files as string), (argv) =>
      runSubcommand(global(argv), spec('#FILES'), []),
    )
    .command('download <name> [peers..]', 'fetch a file from the peers that have it (every other peer is asked if none named)', (y) =>
      y.positional('name', { type: 'string', describe: 'file name (relative to served_files/)' })
        .positional('peers', { ...peers, describe: 'peer IDs (same as --from)' })
        .option('from', { ...peers, describe: 'peer IDs to download from' })
        .option('json', json).epilogue(EPILOGUE.download as string)
        .example('$0 download notes.txt --from p1 p2 --json', 'download from p1 and p2, print the result as JSON'), (argv) =>
      runSubcommand(global(argv), spec('#DOWNLOAD'), [String(argv.name), ...ids(global(argv), 'from', 'peers')]),
    )
    .command('upload <name> [peers..]', 'push a file from served_files/ to those peers', (y) =>
      y.positional('name', { type: 'string', describe: 'file name (relative to served_files/)' })
        .positional('peers', { ...peers, describe: 'peer IDs (same as --to)' })
        .option('to', { ...peers, describe: 'peer IDs to upload to' })
        .option('json', json).epilogue(EPILOGUE.upload as string)
        .example('$0 upload notes.txt --to p2 p3', 'send notes.txt to p2 and p3'), (argv) =>
      runSubcommand(global(argv), spec('#UPLOAD'), [String(argv.name), ...ids(global(argv), 'to', 'peers')]),
    )
    .command('share <path> [name]', 'copy a .txt file from anywhere on disk into served_files/ so this peer serves it', (y) =>
      y.positional('path', { type: 'string', describe: 'the file to copy' })
        .positional('name', { type: 'string', describe: 'name to serve it under [default: the file\'s own name]' })
        .option('json', json).epilogue(EPILOGUE.share as string), (argv) =>
      runSubcommand(global(argv), spec('#SHARE'), [String(argv.path), ...(argv.name === undefined ? [] : [String(argv.name)])]),
    );
}

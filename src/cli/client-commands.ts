/**
 * The console commands as yargs subcommands, for scripts that should not feed stdin:
 * `txtmesh-client peers --json`. Each runs the console's own runner (client/commands.ts) and
 * prints its result for people, or as one JSON document on stdout with --json (notes and
 * progress then go to stderr). The exit status says which class of failure happened
 * (client/exit-codes.ts; docs/cli.md, "Exit status").
 */
import { setMaxListeners } from 'node:events';
import type { Argv } from 'yargs';
import { type Output, type Session, runCommand } from './commands.js';
import { optionWords } from './command-args.js';
import { CommandFailure } from './command-failure.js';
import { type CommandSpec, findSpec } from './command-specs.js';
import { terminalOutput } from './console.js';
import { EXIT, type ExitCode, exitCodeOf, exitCodeOfError } from './exit-codes.js';
import type { Result } from '../client/results.js';
import { DEFAULT_PING_COUNT } from '../constants.js';
import { codeOf, describeError } from '../errors.js';
import type { GlobalArgs } from './client-options.js';
import { startClient } from './startup.js';
import { jsonLine, visible } from './terminal-text.js';

export type { GlobalArgs } from './client-options.js';

/** One JSON document for a result: `{command, ok, exitCode, ...the result}`. */
export function resultDocument(result: Result, exitCode: ExitCode, command: string = result.command): object {
  const { command: _kind, ...rest } = result;
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
  const command = spec.name.slice(1).toLowerCase();
  const json = argv.json === true;
  const out: Output = terminalOutput(process.stdout, process.stderr, json ? process.stderr : process.stdout);
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // watched by every connection of the command
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
    const started = await startClient(argv);
    const session: Session = { ...started.session, out, syntax: 'subcommand', ...extra };
    const result = await runCommand(session, spec, args, controller.signal).finally(() => started.close());
    exitCode = interrupted ? EXIT.INTERRUPTED : exitCodeOf(result);
    if (json) process.stdout.write(jsonLine(resultDocument(result, exitCode, command)) + '\n');
    else for (const line of (await import('./render.js')).renderResult(result)) out.print(line);
  } catch (err) {
    const code = codeOf(err);
    exitCode = interrupted ? EXIT.INTERRUPTED : exitCodeOfError(err);
    const message = describeError(err);
    out.progress(undefined);
    process.stderr.write(`txtmesh-client ${command}: ${visible(message)}\n`);
    const details = err instanceof CommandFailure ? err.details : {};
    if (json) process.stdout.write(jsonLine({ ...errorDocument(command, code, message, exitCode), ...details }) + '\n');
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  process.exitCode = exitCode;
}

const json = { type: 'boolean', default: false, describe: 'print one JSON document on stdout (notes and progress go to stderr)' } as const;
const peers = { type: 'string', array: true, default: [] as string[] } as const;

/** A subcommand's --help epilogue, from its spec: what --json prints and when it fails. */
function epilogue(spec: CommandSpec): string {
  return `JSON: ${spec.json ?? '-'}. Exit status: ${spec.exit ?? '0'}`;
}

/** The spec's options as yargs options, with --json and the epilogue. */
function withSpecOptions<T>(y: Argv<T>, s: CommandSpec): Argv<T> {
  // `download --version ID` picks a version: yargs's own --version (the program's) gives way.
  let parser = s.options?.some((o) => o.name === 'version') ? y.version(false) : y;
  for (const o of s.options ?? []) {
    const describe = o.value ? `${o.describe} [${o.value}${o.takes === 'many' ? ' ...' : ''}]` : o.describe;
    parser = parser.option(o.name, o.takes === 'nothing' ? { type: 'boolean', describe } : o.takes === 'one' ? { type: 'string', describe } : { ...peers, describe });
  }
  return parser.option('json', json).epilogue(epilogue(s));
}

/** What yargs read for the spec's options, as the words the console reads (command-args.ts). */
function specOptionWords(s: CommandSpec, argv: Record<string, unknown>): string[] {
  return (s.options ?? []).flatMap((o) => optionWords(o, argv[o.name]));
}

function spec(name: string): CommandSpec {
  return findSpec(name) as CommandSpec;
}

/** Adds the subcommands to a yargs parser whose global options are GlobalArgs. */
export function addSubcommands<T>(parser: Argv<T>): Argv<T> {
  const global = (argv: unknown) => argv as GlobalArgs & Record<string, unknown>;
  const ids = (argv: Record<string, unknown>, ...keys: string[]) => keys.flatMap((k) => (argv[k] as string[] | undefined) ?? []).map(String);
  return parser
    .command('filelist [peers..]', spec('#FILELIST').summary, (y) => y.positional('peers', { ...peers, describe: 'peer IDs' }).option('json', json).epilogue(epilogue(spec('#FILELIST'))), (argv) =>
      runSubcommand(global(argv), spec('#FILELIST'), ids(global(argv), 'peers')),
    )
    .command('discover [peers..]', spec('#DISCOVER').summary, (y) => y.positional('peers', { ...peers, describe: 'peer IDs' }).option('json', json).epilogue(epilogue(spec('#DISCOVER'))), (argv) =>
      runSubcommand(global(argv), spec('#DISCOVER'), ids(global(argv), 'peers')),
    )
    .command('peers', spec('#PEERS').summary, (y) => y.option('json', json).epilogue(epilogue(spec('#PEERS'))), (argv) =>
      runSubcommand(global(argv), spec('#PEERS'), []),
    )
    .command('ping [peers..]', spec('#PING').summary, (y) =>
      y.positional('peers', { ...peers, describe: 'peer IDs' })
        .option('count', { alias: 'c', type: 'number', default: DEFAULT_PING_COUNT, describe: 'HELLO round trips per peer (1-100)' })
        .option('json', json).epilogue(epilogue(spec('#PING')))
        .check((a) => {
          if (!Number.isInteger(a.count) || a.count < 1 || a.count > 100) throw new Error('--count must be a whole number from 1 to 100');
          return true;
        }), (argv) => runSubcommand(global(argv), spec('#PING'), ids(global(argv), 'peers'), { pingCount: argv.count }),
    )
    .command('files', spec('#FILES').summary, (y) => y.option('json', json).epilogue(epilogue(spec('#FILES'))), (argv) =>
      runSubcommand(global(argv), spec('#FILES'), []),
    )
    .command('download <names..>', spec('#DOWNLOAD').summary, (y) =>
      withSpecOptions(y.positional('names', { type: 'string', array: true, describe: 'file names (relative to served_files/) or globs, then peer IDs (the same as --from)' }), spec('#DOWNLOAD'))
        .example('$0 download notes.txt --from p1 p2 --json', 'download from p1 and p2, print the result as JSON')
        .example("$0 download 'notes/*.txt' a.txt", 'every file under notes/ on the mesh, and a.txt'), (argv) =>
      runSubcommand(global(argv), spec('#DOWNLOAD'), [...ids(global(argv), 'names'), ...specOptionWords(spec('#DOWNLOAD'), argv)]),
    )
    .command('upload <name> [peers..]', spec('#UPLOAD').summary, (y) =>
      withSpecOptions(y.positional('name', { type: 'string', describe: 'file name (relative to served_files/)' }).positional('peers', { ...peers, describe: 'peer IDs (same as --to)' }), spec('#UPLOAD'))
        .example('$0 upload notes.txt --to p2 p3 --replace', 'send notes.txt to p2 and p3, replacing the version they have'), (argv) =>
      runSubcommand(global(argv), spec('#UPLOAD'), [String(argv.name), ...ids(global(argv), 'peers'), ...specOptionWords(spec('#UPLOAD'), argv)]),
    )
    .command('versions <name> [peers..]', spec('#VERSIONS').summary, (y) =>
      y.positional('name', { type: 'string', describe: 'file name' }).positional('peers', { ...peers, describe: 'peer IDs (default: this peer, from its own folder)' })
        .option('json', json).epilogue(epilogue(spec('#VERSIONS'))), (argv) =>
      runSubcommand(global(argv), spec('#VERSIONS'), [String(argv.name), ...ids(global(argv), 'peers')]),
    )
    .command('restore <name> <identity>', spec('#RESTORE').summary, (y) =>
      y.positional('name', { type: 'string', describe: 'file name' }).positional('identity', { type: 'string', describe: 'the kept version\'s identity, or its first hex digits' })
        .option('json', json).epilogue(epilogue(spec('#RESTORE'))), (argv) =>
      runSubcommand(global(argv), spec('#RESTORE'), [String(argv.name), String(argv.identity)]),
    )
    .command('unshare <name>', spec('#UNSHARE').summary, (y) =>
      y.positional('name', { type: 'string', describe: 'file name' }).option('json', json).epilogue(epilogue(spec('#UNSHARE'))), (argv) =>
      runSubcommand(global(argv), spec('#UNSHARE'), [String(argv.name)]),
    )
    .command('share <path> [name]', spec('#SHARE').summary, (y) =>
      y.positional('path', { type: 'string', describe: 'the file to copy' })
        .positional('name', { type: 'string', describe: 'name to serve it under [default: the file\'s own name]' })
        .option('json', json).epilogue(epilogue(spec('#SHARE'))), (argv) =>
      runSubcommand(global(argv), spec('#SHARE'), [String(argv.path), ...(argv.name === undefined ? [] : [String(argv.name)])]),
    );
}

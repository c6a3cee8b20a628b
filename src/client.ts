#!/usr/bin/env node
/**
 * txtmesh-client: this peer's console, and the same commands as subcommands for scripts.
 * Run it with the peer folder as the working directory (see README, "Running a peer"); type
 * #HELP for the commands, pipe them in one a line, or run e.g. `txtmesh-client files --json`.
 */
import { createWriteStream } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { addSubcommands, errorDocument } from './cli/client-commands.js';
import { runConsole } from './cli/console.js';
import { EXIT } from './cli/exit-codes.js';
import { describeError } from './errors.js';
import { loadPeerContext } from './cli/peer-context.js';
import { ServedFolder } from './storage/served-folder.js';

const SUBCOMMANDS = ['filelist', 'discover', 'peers', 'ping', 'files', 'download', 'upload', 'share'];

interface ConsoleArgs {
  readonly id?: string;
  readonly settings?: string;
  readonly dir?: string;
  readonly identity?: string;
  readonly trace?: string;
  readonly timeout: number;
}

/** The interactive or piped console: the behaviour without a subcommand. */
async function consoleMain(argv: ConsoleArgs): Promise<void> {
  try {
    if (!(argv.timeout > 0)) throw new Error('--timeout must be a positive number of seconds');
    const ctx = await loadPeerContext({ id: argv.id, settings: argv.settings, dir: argv.dir, identity: argv.identity });
    const folder = new ServedFolder(ctx.dir);
    await folder.init();
    const traceFile = argv.trace === undefined ? undefined : createWriteStream(argv.trace, { flags: 'a' });
    const trace = traceFile && ((event: object) => void traceFile.write(JSON.stringify(event) + '\n'));
    const failures = await runConsole(
      { ctx, folder, timeoutMs: argv.timeout * 1000, trace },
      { input: process.stdin, output: process.stdout, errorOutput: process.stderr, interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) },
    );
    if (traceFile) await new Promise((resolve) => traceFile.end(resolve));
    if (process.exitCode === undefined) process.exitCode = failures > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`txtmesh-client: ${describeError(err)}\n`);
    process.exitCode = 2;
  }
}

/** A bad command line: say so on stderr (and as JSON on stdout under --json), exit 2. */
function usageFailure(message: string, err: Error | undefined): never {
  const text = err && !message ? describeError(err) : message;
  const args = hideBin(process.argv);
  const command = args.find((a) => SUBCOMMANDS.includes(a)) ?? null;
  process.stderr.write(`txtmesh-client${command ? ` ${command}` : ''}: ${text}\nRun txtmesh-client${command ? ` ${command}` : ''} --help for usage.\n`);
  if (args.includes('--json')) process.stdout.write(JSON.stringify(errorDocument(command, 'ERR_USAGE', text, EXIT.USAGE)) + '\n');
  process.exit(EXIT.USAGE);
}

const parser = yargs(hideBin(process.argv))
  .scriptName('txtmesh-client')
  .usage(
    '$0 [options]            the console of a txtmesh peer\n$0 <command> [options]  one command, for scripts (add --json for JSON output)\n\n' +
      'In the console, type commands at the prompt or pipe them in one a line:\n' +
      '  #FILELIST [peer ...]          list files those peers serve (all if none); #DISCOVER is the same\n' +
      '  #PEERS                        every peer: online, round-trip time, files, version\n' +
      '  #PING [peer ...]              round-trip time of those peers (min/avg/max)\n' +
      '  #FILES                        every file on the mesh and who holds which version\n' +
      '  #DOWNLOAD name [peer ...]     fetch a file from every listed peer that has it\n' +
      '  #UPLOAD name peer [peer ...]  push a file from served_files/ to those peers\n' +
      '  #SHARE path [name]            copy a .txt file into served_files/ to serve it\n' +
      '  #HELP [command], #QUIT\n' +
      'With piped input the exit status is 1 if any command failed.',
  )
  .option('id', { type: 'string', global: true, describe: 'this peer\'s ID [default: the working directory\'s name]' })
  .option('settings', { type: 'string', global: true, describe: 'settings file [default: ../peer_settings.txt]' })
  .option('dir', { type: 'string', global: true, describe: 'folder of served files, where downloads land [default: ./served_files]' })
  .option('identity', { type: 'string', global: true, describe: 'folder of this peer\'s key and certificate, for a secure mesh [default: ./identity]' })
  .option('trace', { type: 'string', global: true, describe: 'append one JSON line per downloaded piece to this file ({name, peer, bytes, ms}), for benchmarks' })
  .option('timeout', { type: 'number', global: true, default: 15, describe: 'seconds to wait for a peer\'s answer' })
  .command('$0', 'the console (reads commands from the terminal or stdin)', (y) => y, (argv) => consoleMain(argv))
  .example('cd example/p5 && echo "#FILELIST" | txtmesh-client', 'list every peer\'s files')
  .example('cd example/p5 && txtmesh-client files --json', 'every file on the mesh, as JSON')
  .epilogue(
    'Exit status of a subcommand: 0 ok, 1 other failure, 2 usage (bad arguments, unknown peer, bad name or settings), ' +
      '3 unreachable, 4 not found, 5 conflict (versions disagree, or a different file has the name), ' +
      '6 integrity (bad bytes, incomplete transfer), 7 refused (not a member of the peer\'s mesh, identity not accepted), 130 interrupted. The console: 0 ok, 1 a command failed, 2 could not start.',
  )
  .strict()
  .help()
  .version()
  .fail((message, err) => usageFailure(message, err));

await addSubcommands(parser).parseAsync();

/**
 * txtmesh-server's command line read by yargs: --help, --version, and the command lines the
 * lean reader (server-args.ts) leaves to it, whose errors yargs words (then the server does not
 * start: failStart).
 */
import yargs from 'yargs';
import { describeError } from '../errors.js';
import { failStart } from './server-main.js';
import { type ServerArgs, serverOptions } from './server-options.js';

/** Parses the command line (exits for --help, --version and errors). */
export async function parseServerCommandLine(args: readonly string[]): Promise<ServerArgs> {
  const argv = await serverOptions(
    yargs([...args])
      .scriptName('txtmesh-server')
      .usage(
        '$0 [options]\n\nServes the *.txt files in this peer folder\'s served_files/ to the other peers.\nRun it with the peer folder as the working directory.\n' +
          'On a terminal it takes commands: status, files, peers, quit [now], help.',
      ),
  )
    .example('cd example/p1 && txtmesh-server', 'serve p1 as listed in example/peer_settings.txt')
    .example('txtmesh-server --log-format json --no-console >> requests.jsonl', 'log requests as JSON lines')
    .example('txtmesh-server --init-identity', 'make this peer\'s identity for a secure mesh and print its fingerprint')
    .strict()
    .help()
    .version()
    .fail((message, err) => failStart(message || describeError(err)))
    .parseAsync();
  return argv as unknown as ServerArgs;
}

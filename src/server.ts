#!/usr/bin/env node
/**
 * txtmesh-server: serves this peer's files to the mesh. Run it with the peer folder as the
 * working directory (README, "Running a peer"). On a terminal it also takes console
 * commands (status, files, peers, quit). The work is in cli/server-main.ts.
 *
 * A plain command line is read with node:util (cli/server-options.ts parseServerArgs): yargs
 * costs ~80 ms to load, so it is loaded only for --help, --version and lines the lean parser
 * leaves to it (issue 11, start-up).
 */
import { describeError } from './errors.js';
import { failOnLoad, failStart } from './cli/load-failure.js';
import { type ServerArgs, parseServerArgs, serverOptions } from './cli/server-options.js';
import { quietWhenOutputCloses } from './cli/closed-output.js';

quietWhenOutputCloses();

/** The full parser: help, version, and yargs's own reading and diagnostics of any other line. */
async function parseWithYargs(args: string[]): Promise<ServerArgs> {
  const { default: yargs } = await import('yargs');
  const argv = await serverOptions(
    yargs(args)
      .scriptName('txtmesh-server')
      .usage(
        '$0 [options]\n\nServes the *.txt files in this peer folder\'s served_files/ to the other peers.\nRun it with the peer folder as the working directory.\n' +
          'On a terminal it takes commands: status, files, peers, quit [now], help.',
      ),
  )
    .example('cd example/p1 && txtmesh-server', 'serve p1 as listed in example/peer_settings.txt')
    .example('txtmesh-server --log-format json --no-console >> requests.jsonl', 'log requests as JSON lines')
    .example('txtmesh-server --init-identity', 'make this peer\'s identity for a secure mesh and print its fingerprint')
    // The terminal's width (yargs stops at 80 otherwise, breaking the option table); no wrap into a pipe.
    .wrap(process.stdout.isTTY ? process.stdout.columns : null)
    .strict()
    .help()
    .version()
    .fail((message, err) => failStart(message || describeError(err)))
    .parseAsync();
  return argv as unknown as ServerArgs;
}

const args = process.argv.slice(2);
await failOnLoad('txtmesh-server', async () => {
  const argv = parseServerArgs(args) ?? (await parseWithYargs(args));
  const { serverMain } = await import('./cli/server-main.js');
  await serverMain(argv);
});

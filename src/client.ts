#!/usr/bin/env node
/**
 * txtmesh-client: this peer's console. Run it with the peer folder as the working directory
 * (see README, "Running a peer"); type #HELP for the commands, or pipe them in, one a line.
 */
import { createWriteStream } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runConsole } from './client/console.js';
import { describeError } from './errors.js';
import { loadPeerContext } from './peer-context.js';
import { ServedFolder } from './storage/served-folder.js';

const argv = await yargs(hideBin(process.argv))
  .scriptName('txtmesh-client')
  .usage(
    '$0 [options]\n\nThe console of a txtmesh peer. Type commands at the prompt, or pipe them in one a line:\n' +
      '  #FILELIST [peer ...]          list files those peers serve (all if none)\n' +
      '  #DOWNLOAD name [peer ...]     fetch a file from every listed peer that has it\n' +
      '  #UPLOAD name peer [peer ...]  push a file from served_files/ to those peers\n' +
      '  #HELP, #QUIT\n' +
      'With piped input the exit status is 1 if any command failed.',
  )
  .option('id', { type: 'string', describe: 'this peer\'s ID [default: the working directory\'s name]' })
  .option('settings', { type: 'string', describe: 'settings file [default: ../peer_settings.txt]' })
  .option('dir', { type: 'string', describe: 'folder of served files, where downloads land [default: ./served_files]' })
  .option('trace', { type: 'string', describe: 'append one JSON line per downloaded piece to this file ({name, peer, bytes, ms}), for benchmarks' })
  .option('timeout', { type: 'number', default: 15, describe: 'seconds to wait for a peer\'s answer' })
  .example('cd example/p5 && echo "#FILELIST" | txtmesh-client', 'list every peer\'s files')
  .strict()
  .help()
  .version()
  .parseAsync();

try {
  if (!(argv.timeout > 0)) throw new Error('--timeout must be a positive number of seconds');
  const ctx = await loadPeerContext({ id: argv.id, settings: argv.settings, dir: argv.dir });
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

/**
 * The console of txtmesh-client (no subcommand): commands typed at the prompt or piped in one
 * a line. Exit status: 0 if every command succeeded, 1 if one failed, 2 if it could not start.
 */
import { describeError } from '../errors.js';
import type { GlobalArgs } from './client-options.js';
import { runConsole } from './console.js';
import { startClient } from './startup.js';
import { visible } from './terminal-text.js';

export async function consoleMain(argv: GlobalArgs): Promise<void> {
  try {
    const started = await startClient(argv);
    const failures = await runConsole(started.session, {
      input: process.stdin,
      output: process.stdout,
      errorOutput: process.stderr,
      interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    });
    await started.close();
    if (process.exitCode === undefined) process.exitCode = failures > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`txtmesh-client: ${visible(describeError(err))}\n`);
    process.exitCode = 2;
  }
}

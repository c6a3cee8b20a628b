/**
 * The console of txtmesh-client (no subcommand): commands typed at the prompt or piped in one
 * a line. Exit status: 0 if every command succeeded, 1 if one failed, 2 if it could not start.
 */
import { describeError } from '../errors.js';
import type { GlobalArgs } from './client-options.js';
import { runConsole } from './console.js';
import { startClient } from './startup.js';
import type { PageHooks } from './ui-main.js';
import type { UiArgs } from './ui-options.js';
import { visible } from './terminal-text.js';

/** `page`: how to start the page for --ui (client.ts wires it). */
export async function consoleMain(argv: GlobalArgs & UiArgs, page?: PageHooks): Promise<void> {
  try {
    const started = await startClient(argv);
    // --ui: the page runs beside the console and closes with it.
    const { startPage } = argv.ui && page ? await import('./ui-main.js') : { startPage: undefined };
    const running = page && (await startPage?.(page, started, argv, (line) => process.stdout.write(`txtmesh-client: ${line}\n`)));
    const failures = await runConsole(started.session, {
      input: process.stdin,
      output: process.stdout,
      errorOutput: process.stderr,
      interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    });
    await running?.close();
    await started.close();
    if (process.exitCode === undefined) process.exitCode = failures > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`txtmesh-client: ${visible(describeError(err))}\n`);
    process.exitCode = 2;
  }
}

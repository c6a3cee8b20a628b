/**
 * `txtmesh-client ui`, and the console's --ui: start this peer's page (web/ui-server.ts) and
 * say where it is. The page runs until Ctrl-C (ui) or until the console ends (--ui).
 */
import { resolve } from 'node:path';
import { describeError } from '../errors.js';
import { openBrowser } from '../web/open-browser.js';
import { type RunningUi, startUi } from '../web/ui-server.js';
import type { GlobalArgs } from './client-options.js';
import { renderResult } from './render.js';
import { startClient, type Started } from './startup.js';
import { type UiArgs, checkUiArgs } from './ui-options.js';

/** Starts the page for a started client; `say` gets the lines for people. */
export async function startPage(started: Started, argv: UiArgs, say: (line: string) => void): Promise<RunningUi> {
  checkUiArgs(argv);
  const { ctx, folder, timeoutMs } = started.session;
  const page = await startUi({
    ctx,
    folder,
    timeoutMs,
    render: renderResult,
    port: argv['ui-port'],
    maxShareBytes: argv['ui-max-share'],
    serverLog: resolve(argv['server-log'] ?? 'server.log'),
  });
  say(`page for peer ${ctx.id}: ${page.url}`);
  say('(on this machine only; the address carries a token, and requests without it are refused)');
  if (argv.open) {
    const opened = openBrowser(page.url);
    say(opened.opened ? `opened it with ${opened.command}` : opened.reason);
  }
  return page;
}

/** Runs `txtmesh-client ui` until SIGINT or SIGTERM. Exit status 2 if it could not start. */
export async function uiMain(argv: GlobalArgs & UiArgs): Promise<void> {
  let started: Started | undefined;
  let page: RunningUi | undefined;
  try {
    started = await startClient(argv);
    page = await startPage(started, argv, (line) => process.stdout.write(`txtmesh-client ui: ${line}\n`));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const text = code === 'EADDRINUSE' ? `--ui-port is already in use: ${(err as Error).message}` : describeError(err);
    process.stderr.write(`txtmesh-client ui: ${text}\n`);
    await started?.close();
    process.exitCode = 2;
    return;
  }
  process.stdout.write('txtmesh-client ui: Ctrl-C stops it\n');
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await page.close();
  await started.close();
  process.exitCode = 0;
}

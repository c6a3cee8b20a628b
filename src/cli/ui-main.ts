/**
 * `txtmesh-client ui`, and the console's --ui: start this peer's page and say where it is. The
 * page runs until Ctrl-C (ui) or until the console ends (--ui).
 *
 * The page itself is web/, which stands beside cli/ and does not import it, nor cli/ it: the
 * program (client.ts) hands the page's start and --open in as PageHooks.
 */
import { resolve } from 'node:path';
import { describeError } from '../errors.js';
import type { ServedFolder } from '../storage/served-folder.js';
import type { RateLimits } from '../transport/rate-limit.js';
import type { GlobalArgs } from './client-options.js';
import type { PeerContext } from './peer-context.js';
import { startClient, type Started } from './startup.js';
import { type UiArgs, checkUiArgs } from './ui-options.js';

export interface PageOptions {
  readonly ctx: PeerContext;
  readonly folder: ServedFolder;
  readonly timeoutMs?: number;
  readonly port?: number;
  readonly maxShareBytes?: number;
  readonly serverLog: string;
  readonly limits?: RateLimits;
}

export interface RunningPage {
  readonly url: string;
  close(): Promise<void>;
}

/** How the page is started and a browser opened on it (web/ui-server.ts, web/open-browser.ts). */
export interface PageHooks {
  start(options: PageOptions): Promise<RunningPage>;
  open(url: string): Promise<{ readonly opened: true; readonly command: string } | { readonly opened: false; readonly reason: string }>;
}

/** Starts the page for a started client; `say` gets the lines for people. */
export async function startPage(hooks: PageHooks, started: Started, argv: UiArgs, say: (line: string) => void): Promise<RunningPage> {
  checkUiArgs(argv);
  const { ctx, folder, timeoutMs, limits } = started.session;
  const page = await hooks.start({
    ctx,
    folder,
    timeoutMs,
    port: argv['ui-port'],
    maxShareBytes: argv['ui-max-share'],
    serverLog: resolve(argv['server-log'] ?? 'server.log'),
    limits,
  });
  say(`page for peer ${ctx.id}: ${page.url}`);
  say('(on this machine only; the address carries a token, and requests without it are refused)');
  if (argv.open) {
    const opened = await hooks.open(page.url);
    say(opened.opened ? `opened it with ${opened.command}` : opened.reason);
  }
  return page;
}

/** Runs `txtmesh-client ui` until SIGINT or SIGTERM. Exit status 2 if it could not start. */
export async function uiMain(argv: GlobalArgs & UiArgs, hooks: PageHooks): Promise<void> {
  let started: Started | undefined;
  let page: RunningPage | undefined;
  try {
    started = await startClient(argv);
    page = await startPage(hooks, started, argv, (line) => process.stdout.write(`txtmesh-client ui: ${line}\n`));
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

#!/usr/bin/env node
/**
 * txtmesh-client: this peer's console, and the same commands as subcommands for scripts.
 * Run it with the peer folder as the working directory (README, "Running a peer"); type
 * #HELP for the commands, pipe them in one a line, or run e.g. `txtmesh-client files --json`.
 *
 * The console and plain subcommand lines are parsed with node:util (cli/client-options.ts):
 * yargs costs ~80 ms to load, so it is loaded only for --help, --version and the lines the
 * lean parsers leave to it (issue 11, start-up).
 */
import { needsFullParser, parseConsoleArgs, parseSubcommandArgs } from './cli/client-options.js';
import type { PageHooks } from './cli/ui-main.js';
import { describeError } from './errors.js';
import { quietWhenOutputCloses } from './cli/closed-output.js';
import { visible } from './cli/terminal-text.js';
import { failOnLoad } from './cli/load-failure.js';

quietWhenOutputCloses();

// The web console (`ui`, `--ui`): its page (web/) words results as the console does (cli/render.ts).
// web/ and cli/ do not import each other, so the two are joined here, loaded only when used.
const page: PageHooks = {
  async start(options) {
    const [{ startUi }, { renderResult }] = await Promise.all([import('./web/ui-server.js'), import('./cli/render.js')]);
    return startUi({ ...options, render: renderResult });
  },
  open: async (url) => (await import('./web/open-browser.js')).openBrowser(url),
};

const args = process.argv.slice(2);
await failOnLoad('txtmesh-client', async () => {
  const lean = parseSubcommandArgs(args);
  if (lean) {
    const { runSubcommand } = await import('./cli/client-commands.js');
    await runSubcommand(lean.argv, lean.spec, lean.args);
  } else if (needsFullParser(args)) {
    const { runFullParser } = await import('./cli/client-parser.js');
    await runFullParser(args, page);
  } else {
    let argv;
    try {
      argv = parseConsoleArgs(args);
    } catch (err) {
      process.stderr.write(`txtmesh-client: ${visible(describeError(err))}\nRun txtmesh-client --help for usage.\n`);
      process.exit(2);
    }
    const { consoleMain } = await import('./cli/console-main.js');
    await consoleMain(argv, page);
  }
});

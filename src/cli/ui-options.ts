/**
 * The web console's command-line options: `txtmesh-client ui` takes them, and so does the
 * console with --ui. One table for yargs and for the console's lean parser (client-options.ts).
 */
import { checkNumber } from '../options.js';

export interface UiArgs {
  /** Console only: also serve the page. */
  readonly ui?: boolean;
  readonly 'ui-port'?: number;
  readonly open?: boolean;
  readonly 'server-log'?: string;
  readonly 'ui-max-share'?: number;
}

interface UiOption {
  readonly type: 'string' | 'number' | 'boolean';
  readonly describe: string;
}

export const UI_OPTIONS: Readonly<Record<Exclude<keyof UiArgs, 'ui'>, UiOption>> = {
  'ui-port': { type: 'number', describe: 'port of the page, on 127.0.0.1 only [default: a free port]' },
  open: { type: 'boolean', describe: 'start the system browser on the page (xdg-open; says so when there is none)' },
  'server-log': { type: 'string', describe: 'the file this peer\'s server writes its output to, shown live on the page [default: ./server.log]' },
  // The default is the page's own (web/share-upload.ts); test/cli/ui-options.test.ts checks this text against it.
  'ui-max-share': { type: 'number', describe: 'largest file the page may share, in bytes [default: 67108864, 64 MiB]' },
};

/** The console's --ui switch. */
export const CONSOLE_UI_OPTION: UiOption = { type: 'boolean', describe: 'also serve this peer\'s page, as `txtmesh-client ui` does' };

/**
 * Checks the numbers among the options.
 * @throws TxtmeshError ERR_USAGE naming the flag
 */
export function checkUiArgs(argv: UiArgs): void {
  if (argv['ui-port'] !== undefined) checkNumber('--ui-port', argv['ui-port'], { min: 0, max: 65535, integer: true });
  if (argv['ui-max-share'] !== undefined) checkNumber('--ui-max-share', argv['ui-max-share'], { min: 0, integer: true });
}

/**
 * txtmesh-client's full command line (yargs): the subcommands, --help and --version. Loaded
 * only when the command line needs it; the console alone starts without it (client.ts).
 * Every description comes from the command spec (command-specs.ts) and the option table
 * (client-options.ts).
 */
import type { Argv } from 'yargs';
import { describeError } from '../errors.js';
import { GLOBAL_OPTIONS } from './client-options.js';
import { addSubcommands, errorDocument } from './client-commands.js';
import { COMMAND_SPECS } from './command-specs.js';
import { commandIndex, commandWords, nearest, subcommandOf } from './command-words.js';
import { consoleMain } from './console-main.js';
import { EXIT } from './exit-codes.js';
import type { PageHooks } from './ui-main.js';
import { CONSOLE_UI_OPTION, UI_OPTIONS } from './ui-options.js';
import { jsonLine, visible } from './terminal-text.js';

const SUBCOMMANDS = COMMAND_SPECS.flatMap((s) => (s.subcommand ? [s.name.slice(1).toLowerCase()] : []));

/** The console commands, one line each, for the top-level --help. */
function consoleCommands(): string {
  const width = Math.max(...COMMAND_SPECS.map((s) => s.usage.length)) + 2;
  return COMMAND_SPECS.map((s) => `  ${s.usage.padEnd(width)}${s.summary}`).join('\n');
}

/** A bad command line: say so on stderr (and as JSON on stdout under --json), exit 2. */
function usageFailure(args: readonly string[], message: string, err: Error | undefined): never {
  const text = err && !message ? describeError(err) : message;
  const command = args.find((a) => SUBCOMMANDS.includes(a)) ?? null;
  const name = `txtmesh-client${command ? ` ${command}` : ''}`;
  process.stderr.write(`${name}: ${visible(text)}\nRun ${name} --help for usage.\n`);
  if (args.includes('--json')) process.stdout.write(jsonLine(errorDocument(command, 'ERR_USAGE', text, EXIT.USAGE)) + '\n');
  process.exit(EXIT.USAGE);
}

/** The page's options (ui-options.ts), plus --ui for the console. */
function withUiOptions(parser: Argv, console: boolean): Argv {
  let y = console ? parser.option('ui', CONSOLE_UI_OPTION) : parser;
  for (const [name, option] of Object.entries(UI_OPTIONS)) y = y.option(name, option);
  return y;
}

function withGlobalOptions(parser: Argv): Argv {
  let y = parser;
  for (const [name, option] of Object.entries(GLOBAL_OPTIONS)) y = y.option(name, { ...option, global: true });
  return y;
}

/**
 * The command line with its subcommand word made canonical (`FILES` → `files`, `fetch` →
 * `download`); a word that is no subcommand is refused here, with the nearest one if it looks
 * like a typo, rather than by yargs as "Unknown arguments".
 */
function canonicalArgs(args: readonly string[]): string[] {
  const valued = [...Object.keys(GLOBAL_OPTIONS), ...Object.entries(UI_OPTIONS).flatMap(([name, o]) => (o.type === 'boolean' ? [] : [name]))];
  const takesValue = new Set(valued.map((name) => `--${name}`));
  const at = commandIndex(args, takesValue);
  if (at < 0) return [...args];
  const word = args[at] as string;
  const command = subcommandOf(word, ['ui']);
  if (command === undefined) {
    const guess = nearest(word, [...commandWords(), 'ui']);
    usageFailure(args, `unknown command ${word}${guess ? `: did you mean ${subcommandOf(guess, ['ui']) ?? guess}?` : ''}`, undefined);
  }
  return [...args.slice(0, at), command, ...args.slice(at + 1)];
}

/** Parses and runs a command line that has a subcommand, --help or --version; `page` serves ui and --ui. */
export async function runFullParser(given: readonly string[], page: PageHooks): Promise<void> {
  const args = canonicalArgs(given);
  // Imported here, not above: the bundled program (scripts/bundle.mjs) would load it at start.
  const { default: yargs } = await import('yargs');
  const parser = withGlobalOptions(yargs([...args]).scriptName('txtmesh-client'))
    .usage(
      '$0 [options]            the console of a txtmesh peer\n$0 <command> [options]  one command, for scripts (add --json for JSON output)\n\n' +
        `In the console, type commands at the prompt or pipe them in one a line:\n${consoleCommands()}\n` +
        'With piped input the exit status is 1 if any command failed.',
    )
    .command('$0', 'the console (reads commands from the terminal or stdin)', (y) => withUiOptions(y, true), (argv) => consoleMain(argv as never, page))
    .command('ui', 'serve this peer\'s page on 127.0.0.1: peers, files, downloads with live per-peer bars, uploads, sharing (docs/web.md)', (y) => withUiOptions(y, false), async (argv) => {
      const { uiMain } = await import('./ui-main.js');
      await uiMain(argv as never, page);
    })
    .example('cd example/p5 && echo "#FILELIST" | txtmesh-client', 'list every peer\'s files')
    .example('cd example/p5 && txtmesh-client files --json', 'every file on the mesh, as JSON')
    .epilogue(
      'Exit status of a subcommand: 0 ok, 1 other failure, 2 usage (bad arguments, unknown peer, bad name or settings), ' +
        '3 unreachable, 4 not found, 5 conflict (versions disagree, or a different file has the name), ' +
        '6 integrity (bad bytes), 7 refused (not a member of the peer\'s mesh, identity not accepted), 130 interrupted. ' +
        'An incomplete download exits with the status of why it stopped. The console: 0 ok, 1 a command failed, 2 could not start.',
    )
    .wrap(process.stdout.isTTY ? process.stdout.columns : null)
    .strict()
    .help()
    .version()
    .fail((message, err) => usageFailure(args, message, err));
  await addSubcommands(parser).parseAsync();
}

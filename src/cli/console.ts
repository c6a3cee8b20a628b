/**
 * The interactive console. On a TTY: a prompt, line editing and history (node:readline), tab
 * completion of commands, peer IDs and file names, a live progress line, and Ctrl-C cancels
 * the running command (a second Ctrl-C, or Ctrl-C at the prompt, leaves). With piped stdin:
 * one command a line, no prompt, exit at end of input.
 */
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { type Interface, createInterface } from 'node:readline';
import { ConnectionPool } from '../client/connection-pool.js';
import { type Output, type Session, runCommandLine } from './commands.js';
import { isOutputGone } from './closed-output.js';
import { complete } from './completer.js';
import { HISTORY_FILE, HISTORY_SIZE, addHistorySearch, loadHistory, saveHistory } from './console-history.js';
import { pathsFor } from './path-completion.js';
import { visible } from './terminal-text.js';

export interface ConsoleOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { isTTY?: boolean };
  readonly errorOutput: NodeJS.WritableStream & { isTTY?: boolean };
  readonly interactive: boolean;
}

/**
 * Makes an Output that prints results to `stdout`, notes to `notes` (stdout unless told) and
 * draws progress on `stderr` when it is a TTY. Every line is made visible (terminal-text.ts):
 * they carry names, peer IDs and error texts from peers.
 */
export function terminalOutput(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream & { isTTY?: boolean }, notes: NodeJS.WritableStream = stdout): Output {
  let drawn = false;
  const clear = () => {
    if (drawn) stderr.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    print(line) {
      clear();
      stdout.write(visible(line) + '\n');
    },
    note(line) {
      clear();
      notes.write(visible(line) + '\n');
    },
    progress(line) {
      if (!stderr.isTTY) return;
      if (line === undefined) return clear();
      // Never wider than the terminal: a line that wraps leaves its first row behind at each redraw.
      const width = (stderr as { columns?: number }).columns;
      const text = visible(line);
      stderr.write('\r\x1b[2K' + (width && text.length >= width ? text.slice(0, width - 1) : text));
      drawn = true;
    },
  };
}

/**
 * The line reader. On a terminal: a prompt, history kept in the peer folder and searched with
 * Ctrl-R (console-history.ts), and completion of commands, peer IDs, names and, for #SHARE,
 * paths on disk.
 */
function lineReader(session: Omit<Session, 'out'>, names: ReadonlySet<string>, options: ConsoleOptions): Interface {
  const cwd = session.cwd ?? process.cwd();
  const completer = (line: string, callback: (err: null, result: [string[], string]) => void) => {
    void session.folder.names().catch(() => []).then((local) => {
      callback(null, complete(line, { peers: session.ctx.peers.map((p) => p.id), names: [...names, ...local], paths: (partial) => pathsFor(cwd, partial) }));
    });
  };
  const historyPath = join(cwd, HISTORY_FILE);
  const rl = createInterface({
    input: options.input,
    output: options.interactive ? options.output : undefined,
    terminal: options.interactive,
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    ...(options.interactive ? { completer, history: loadHistory(historyPath) } : {}),
  });
  if (options.interactive) {
    rl.on('history', (history: string[]) => saveHistory(historyPath, history));
    addHistorySearch(rl, `${session.ctx.id}> `);
  }
  return rl;
}

/** On a terminal: the banner, and the first prompt. */
function greet(session: Omit<Session, 'out'>, out: Output, rl: Interface): void {
  const mode = session.ctx.mode === 'secure' ? 'secure mesh: mutual TLS, peers known by certificate' : 'open mesh: plain TCP, peers known by address';
  out.print(`txtmesh console for peer ${session.ctx.id} (${session.ctx.peers.length} peers in ${session.ctx.settingsPath}; ${mode}); #HELP lists commands`);
  rl.setPrompt(`${session.ctx.id}> `);
  rl.prompt();
}

/** Runs the console until #QUIT or end of input; resolves with the number of failed commands. */
export async function runConsole(session: Omit<Session, 'out'>, options: ConsoleOptions): Promise<number> {
  const out = terminalOutput(options.output, options.errorOutput);
  const names = session.names ?? new Set<string>();
  // Connections to the peers a command talked to stay open for the next one (idle-closed).
  const pool = new ConnectionPool();
  const full: Session = { ...session, names, out, pool };
  const rl = lineReader(session, names, options);
  let failures = 0;
  let running: AbortController | undefined;
  let stopped = false;

  // On a terminal Ctrl-C cancels the running command and returns to the prompt; at the prompt
  // it leaves. With piped input it cancels the command and stops reading: exit status 130.
  const onInterrupt = () => {
    const cancelling = running && !running.signal.aborted;
    if (cancelling) running?.abort();
    if (options.interactive && cancelling) {
      out.print('interrupted; cancelling (press Ctrl-C again to quit)');
      return;
    }
    stopped = true;
    rl.close();
    process.exitCode = 130;
  };
  rl.on('SIGINT', onInterrupt);
  if (!options.interactive) process.on('SIGINT', onInterrupt);
  // Output piped into a reader that has gone (`| head`): finish the command running, read no more.
  const onOutputGone = (err: NodeJS.ErrnoException) => {
    if (!isOutputGone(err)) return;
    stopped = true;
    rl.close();
  };
  options.output.on('error', onOutputGone);

  if (options.interactive) greet(session, out, rl);
  let quit = false;
  try {
    for await (const line of rl) {
      running = new AbortController();
      // A command talks to many peers at once, each connection watching this one signal.
      setMaxListeners(0, running.signal);
      const result = await runCommandLine(full, line, running.signal);
      running = undefined;
      if (result === 'failed') failures++;
      quit = result === 'quit';
      if (quit || stopped) break;
      if (options.interactive) rl.prompt();
    }
    // Ctrl-D or Ctrl-C at the prompt: end the prompt's line, so the shell's starts on its own.
    if (options.interactive && !quit) options.output.write('\n');
  } finally {
    pool.close();
    rl.close();
    process.off('SIGINT', onInterrupt);
    options.output.off('error', onOutputGone);
  }
  return failures;
}

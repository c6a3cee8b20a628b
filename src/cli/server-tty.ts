/**
 * The server console on a terminal: a prompt with line editing, history and tab completion
 * (node:readline) over the commands of server-console.ts. Request log lines are printed
 * above the prompt, so the two do not garble each other.
 */
import { createInterface } from 'node:readline';
import { type ServerConsoleState, completeServerCommand, runServerCommand } from './server-console.js';
import { visible } from './terminal-text.js';

export interface ServerTtyOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { isTTY?: boolean };
  /** `quit`, Ctrl-D: graceful; `quit now`: now. Called once. */
  readonly onQuit: (mode: 'graceful' | 'now') => void;
  /** Ctrl-C at the prompt. */
  readonly onInterrupt: () => void;
}

export interface ServerTty {
  /** Prints a line above the prompt. */
  print(line: string): void;
  close(): void;
}

export function startServerTty(state: ServerConsoleState, options: ServerTtyOptions): ServerTty {
  const { output } = options;
  const rl = createInterface({
    input: options.input,
    output,
    terminal: output.isTTY === true,
    historySize: 500,
    removeHistoryDuplicates: true,
    completer: completeServerCommand,
  });
  let quitting = false;
  const quit = (mode: 'graceful' | 'now') => {
    if (quitting) return;
    quitting = true;
    options.onQuit(mode);
  };
  // One command at a time, in the order typed, even if one (peers) takes a while.
  let queue: Promise<void> = Promise.resolve();
  rl.on('line', (line) => {
    queue = queue.then(async () => {
      if (quitting) return;
      const answer = await runServerCommand(line, state);
      for (const l of answer.lines) output.write(visible(l) + '\n');
      if (answer.quit) quit(answer.quit);
      else rl.prompt();
    });
  });
  // Ctrl-C and Ctrl-D leave the cursor after the prompt; start what follows on a line of its own.
  rl.on('SIGINT', () => {
    if (output.isTTY) output.write('\n');
    options.onInterrupt();
  });
  rl.on('close', () => {
    if (!quitting && output.isTTY) output.write('\n');
    quit('graceful');
  });
  output.write(`server console for peer ${state.peerId}; type help for the commands\n`);
  // Without a terminal (--console with piped input) there is no one to prompt.
  rl.setPrompt(output.isTTY ? `${state.peerId}-server> ` : '');
  rl.prompt();
  return {
    print(line) {
      output.write((output.isTTY ? '\r\x1b[2K' : '') + visible(line) + '\n');
      if (!quitting && output.isTTY) rl.prompt(true);
    },
    close() {
      quitting = true;
      rl.close();
    },
  };
}

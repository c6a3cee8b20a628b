/**
 * Console commands: parse a line, run the command, print its result. The same runners serve
 * the subcommands (cli/client-commands.ts): each returns a typed result (results.ts) or throws
 * a TxtmeshError; render.ts and --json only differ in how they show it.
 */
import { TxtmeshError, describeError } from '../errors.js';
import { type PeerAddress, findPeers } from '../settings.js';
import { splitCommandLine } from './command-line.js';
import { COMMAND_SPECS, type CommandSpec, findSpec } from './command-specs.js';
import { exitCodeOf } from './exit-codes.js';
import type { HelpResult, Result } from '../client/results.js';
import { table } from './format.js';
import type { Session } from './session.js';
import { limitCommand } from './limit-command.js';
import { RateLimit } from '../transport/rate-limit.js';

export type { Output, Session } from './session.js';

export type CommandResult = 'ok' | 'failed' | 'quit';

/** The limits of a session made without any (a test's): #LIMIT still answers and sets them. */
const NO_LIMITS = { up: new RateLimit(), down: new RateLimit() };

// Each command's module is loaded when the command first runs, not at start: a console or
// subcommand sends its first request after loading only what that command needs (issue 11,
// start-up). The promise is kept: a second import() of a loaded module still resolves its
// URL again, ~0.2 ms, which a thousand small #DOWNLOADs in a row would pay twice each.
const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
};
const views = once(() => import('../client/views.js'));
const transfers = once(() => import('./transfer-commands.js'));
const versions = once(() => import('./version-commands.js'));
const downloads = once(() => import('./download-command.js'));
const render = once(() => import('./render.js'));

const HALTED_BY_ABORT: ReadonlySet<Result['command']> = new Set(['peers', 'ping', 'files', 'filelist', 'upload', 'versions']);

/**
 * Runs one command with its arguments. Throws TxtmeshError on failure, and ERR_INTERRUPTED when
 * `signal` aborted (Ctrl-C) before a view or an upload was done: a half-asked view is no answer.
 */
export async function runCommand(session: Session, spec: CommandSpec, args: string[], signal: AbortSignal): Promise<Result> {
  const result = await dispatch(session, spec, args, signal);
  // A download says itself what an interruption kept; a share or help is done by then.
  if (signal.aborted && HALTED_BY_ABORT.has(result.command)) throw new TxtmeshError('ERR_INTERRUPTED', `${spec.name} was interrupted`);
  return result;
}

async function dispatch(session: Session, spec: CommandSpec, args: string[], signal: AbortSignal): Promise<Result> {
  const view = { timeoutMs: session.timeoutMs, myId: session.ctx.id, as: session.ctx.credentials, signal, pool: session.pool };
  const noArgs = () => {
    if (args.length > 0) throw new TxtmeshError('ERR_USAGE', `${spec.name} takes no arguments; usage: ${spec.usage}`);
  };
  switch (spec.aliasOf ?? spec.name) {
    case '#FILELIST': {
      const { fileListView } = await views();
      const result = await fileListView(args.length === 0 ? session.ctx.peers : findPeers(session.ctx.peers, args), view);
      for (const l of result.peers) if (l.ok) for (const f of l.files) session.names?.add(f.name);
      return result;
    }
    case '#PEERS':
      noArgs();
      return (await views()).peersView(session.ctx.peers, session.ctx.id, view);
    case '#PING':
      return (await views()).pingView(peersFor(session, args), session.pingCount, view);
    case '#FILES': {
      noArgs();
      const [{ filesView }, { versionsArea }] = await Promise.all([views(), versions()]);
      // What this peer holds, from its own folder: known whether or not its server runs.
      const held = await versionsArea(session).versions().catch(() => []);
      const here = new Map(held.flatMap((v) => (v.state === 'current' ? [[v.name, { identity: v.identity, size: v.size, time: v.time }] as const] : [])));
      const result = await filesView(session.ctx.peers, { ...view, here });
      for (const f of result.files) session.names?.add(f.name);
      return result;
    }
    case '#DOWNLOAD':
      return (await downloads()).downloadCommand(session, args, signal);
    case '#UPLOAD':
      return (await transfers()).uploadCommand(session, args, signal);
    case '#SHARE':
      return (await transfers()).shareCommand(session, args);
    case '#UNSHARE':
      return (await versions()).unshareCommand(session, args);
    case '#VERSIONS':
      return (await versions()).versionsCommand(session, args, signal);
    case '#RESTORE':
      return (await versions()).restoreCommand(session, args);
    case '#LIMIT':
      return limitCommand(session.limits ?? NO_LIMITS, args);
    case '#HELP':
      return help(args);
    default:
      throw new TxtmeshError('ERR_USAGE', `${spec.name} cannot be run here`);
  }
}

/** Runs one console line and prints its result. Blank lines succeed and do nothing. */
export async function runCommandLine(session: Session, line: string, signal: AbortSignal): Promise<CommandResult> {
  const { out } = session;
  let words: string[];
  try {
    words = splitCommandLine(line);
  } catch (err) {
    out.print(`error: ${describeError(err)}`);
    return 'failed';
  }
  const [word, ...args] = words;
  if (word === undefined) return 'ok';
  const spec = findSpec(word);
  if (!spec) {
    out.print(`error: unknown command ${word}; type #HELP for the list (ERR_USAGE)`);
    return 'failed';
  }
  if (spec.name === '#QUIT') return 'quit';
  try {
    const result = await runCommand(session, spec, args, signal);
    const { renderResult } = await render();
    for (const l of renderResult(result)) out.print(l);
    return exitCodeOf(result) === 0 ? 'ok' : 'failed';
  } catch (err) {
    out.progress(undefined);
    out.print(`error: ${describeError(err)}`);
    return 'failed';
  }
}

/** The peers named, or every other peer if none. */
function peersFor(session: Session, ids: string[]): PeerAddress[] {
  return ids.length === 0 ? session.ctx.others : findPeers(session.ctx.peers, ids);
}

/** #HELP: the command list, or one command explained. */
export function help(args: readonly string[]): HelpResult {
  const [word] = args;
  if (word === undefined) {
    const rows = COMMAND_SPECS.map((c) => [c.usage, c.summary]);
    return { command: 'help', lines: ['Commands (names with spaces go in double quotes; #HELP command explains one):', ...table(rows)] };
  }
  const spec = findSpec(word);
  if (!spec) throw new TxtmeshError('ERR_USAGE', `no command ${word}; type #HELP for the list`);
  return {
    command: 'help',
    lines: [
      `${spec.usage}: ${spec.summary}`,
      ...spec.details.map((d) => `  ${d}`),
      ...(spec.subcommand ? [`  In scripts: ${spec.subcommand} [--json]`] : []),
    ],
  };
}

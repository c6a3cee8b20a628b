/**
 * What txtmesh-server does once its command line is parsed: identity commands, start-up
 * checks, the server itself, its log and console, and a graceful stop on quit or a signal.
 */
import { TxtmeshError, describeError } from '../errors.js';
import { Membership } from '../security/membership.js';
import { PeerServer } from '../server/peer-server.js';
import type { ServerLimits } from '../server/options.js';
import { formatAddress } from '../settings.js';
import { type PeerContext, loadPeerContext, peerPaths } from './peer-context.js';
import { formatRequestLog } from './request-log.js';
import { type ServerArgs, limitsFromArgs } from './server-options.js';
import type { ServerTty } from './server-tty.js';
import { jsonLine, visible } from './terminal-text.js';
import { failStart } from './load-failure.js';

// Loaded when used, most of them once the port accepts connections: the identity commands,
// the settings watch, the skipped-names check, the terminal console (issue 11, start-up).
const security = () => import('./server-security.js');
const skippedNames = async (dir: string) => (await import('../storage/skipped-names.js')).skippedNames(dir);

/** Deadline for the server console's `peers` view, in ms. */
const CONSOLE_PEERS_TIMEOUT_MS = 5000;

/**
 * Where the server's messages go: above the console prompt once there is one. Every line is
 * made visible (terminal-text.ts): names, addresses and error texts in it came from clients
 * or the disk.
 */
class ServerOutput {
  tty: ServerTty | undefined;
  constructor(readonly argv: ServerArgs) {}

  /** Messages for people: above the prompt, or on stdout (stderr when stdout carries JSON). */
  say(line: string): void {
    if (this.tty) this.tty.print(line);
    else (this.argv['log-format'] === 'json' ? process.stderr : process.stdout).write(visible(line) + '\n');
  }

  /** One request log line; JSON lines stay on stdout, whole, for whatever collects them. */
  log(line: string): void {
    if (this.tty && this.argv['log-format'] === 'text') this.tty.print(line);
    else process.stdout.write(visible(line) + '\n');
  }
}

/** Runs txtmesh-server with a parsed command line. */
export async function serverMain(argv: ServerArgs): Promise<void> {
  const out = new ServerOutput(argv);
  try {
    const limits = limitsFromArgs(argv);
    const where = { id: argv.id, settings: argv.settings, dir: argv.dir, identity: argv.identity };
    const action = argv['show-identity'] ? 'show' : argv['rotate-identity'] ? 'rotate' : argv['init-identity'] ? 'init' : undefined;
    if (action) {
      const { identityCommand } = await security();
      for (const line of await identityCommand(action, peerPaths(where))) process.stdout.write(visible(line) + '\n');
      process.exit(0);
    }
    if (argv.secure) for (const line of await (await security()).prepareSecureStart(peerPaths(where))) out.say(line);
    const ctx = await loadPeerContext(where);
    if (argv.secure && ctx.mode !== 'secure') {
      failStart(`--secure: ${ctx.settingsPath} lists no certificate fingerprints, so the mesh would run open. Put every peer's fingerprint (txtmesh-server --show-identity) in the fourth column.`);
    }
    const { server, address } = await startServer(argv, ctx, limits, out);
    const stop = handleStops(server, argv, out);
    const inForeground = async () => (await import('./foreground.js')).inForeground();
    if (argv.console ?? Boolean(process.stdin.isTTY && process.stdout.isTTY && (await inForeground()))) await startConsole(server, ctx, address, out, stop);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') failStart(`port already in use: ${(err as Error).message}`);
    if (code === 'EADDRNOTAVAIL') failStart(`cannot listen on that address: ${(err as Error).message}`);
    failStart(describeError(err));
  }
}

async function startServer(argv: ServerArgs, ctx: PeerContext, limits: ServerLimits, out: ServerOutput): Promise<{ server: PeerServer; address: string }> {
  const membership = new Membership(ctx.peers);
  await membership.start();
  const server = new PeerServer({
    peerId: ctx.id,
    dir: ctx.dir,
    ...limits,
    refuseReplace: argv['refuse-replace'],
    mesh: { membership, serveTo: argv['serve-to'], identity: ctx.credentials.tls },
    log: (entry) => {
      if (!argv.quiet) out.log(formatRequestLog(entry, argv['log-format']));
    },
  });
  const bound = await server.listen(argv.port ?? ctx.self.port, argv.host ?? ctx.self.host).catch((err: NodeJS.ErrnoException) => {
    throw unresolved(err, argv, ctx);
  });
  const address = formatAddress({ host: bound.address, port: bound.port });
  const { modeNote, watchSettings } = await security();
  out.say(`txtmesh-server: peer ${ctx.id} serving ${ctx.dir} on ${address}`);
  // Index the served files in the background (identities are cached), so the first LIST or
  // INFO after a start does not wait for every file to be hashed; requests meanwhile are served.
  void server.folder.list().catch(() => undefined);
  void skippedNames(ctx.dir).then((skipped) => {
    if (skipped.length > 0) out.say(`txtmesh-server: not serving ${skipped.map((f) => `${jsonLine(f.name)} (${f.reason})`).join(', ')}; the console's files lists them`);
  }, () => undefined);
  out.say(`txtmesh-server: ${modeNote(ctx, argv['serve-to'])}`);
  watchSettings(ctx.settingsPath, ctx.id, membership, (line) => out.say(`txtmesh-server: ${line}`));
  return { server, address };
}

/** A listen address that does not resolve, said with where it came from; other errors as they are. */
function unresolved(err: NodeJS.ErrnoException, argv: ServerArgs, ctx: PeerContext): Error {
  if (err.code !== 'ENOTFOUND' && err.code !== 'EAI_AGAIN' && err.code !== 'EAI_FAIL') return err;
  if (argv.host !== undefined) return new TxtmeshError('ERR_USAGE', `--host ${argv.host} does not resolve to an address of this machine (${err.code})`, { cause: err });
  return new TxtmeshError('ERR_SETTINGS_LINE', `${ctx.settingsPath}:${ctx.self.line}: this peer's address ${ctx.self.host} does not resolve (${err.code})`, { cause: err });
}

type Stop = (why: string, mode: 'graceful' | 'now') => Promise<void>;

/** Stops on SIGINT/SIGTERM or a console quit: gracefully, or at once on a second signal. */
function handleStops(server: PeerServer, argv: ServerArgs, out: ServerOutput): Stop {
  let stopping = false;
  const stop = async (why: string, mode: 'graceful' | 'now') => {
    if (stopping) process.exit(130);
    stopping = true;
    out.tty?.close();
    out.tty = undefined;
    out.say(`txtmesh-server: ${why}, shutting down`);
    let cut = 0;
    if (mode === 'now') {
      cut = server.stats.transfers().length;
      await server.close();
    } else {
      const running = server.stats.transfers().length;
      if (running > 0) out.say(`txtmesh-server: letting ${running} transfer${running === 1 ? '' : 's'} finish (up to ${argv.grace} s; Ctrl-C again stops now)`);
      cut = await server.drain(argv.grace * 1000);
    }
    if (cut > 0) out.say(`txtmesh-server: cut off ${cut} transfer${cut === 1 ? '' : 's'} still running; partial uploads were removed`);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT', 'graceful'));
  process.on('SIGTERM', () => void stop('SIGTERM', 'graceful'));
  return stop;
}

async function startConsole(server: PeerServer, ctx: PeerContext, address: string, out: ServerOutput, stop: Stop): Promise<void> {
  const { startServerTty } = await import('./server-tty.js');
  out.tty = startServerTty(
    {
      peerId: ctx.id,
      address,
      dir: ctx.dir,
      stats: () => server.stats.snapshot(),
      files: () => server.folder.list(),
      skipped: () => skippedNames(ctx.dir),
      sizeOf: (name) => server.folder.describe(name).then((f) => f.size, () => undefined),
      uploadLimit: server.uploadLimit,
      peers: async () => {
        // Loaded on first use: the client's engine is not needed to start serving (issue 11).
        const [{ peersView }, { renderResult }] = await Promise.all([import('../client/views.js'), import('./render.js')]);
        return renderResult(await peersView(ctx.others, ctx.id, { myId: ctx.id, as: ctx.credentials, timeoutMs: CONSOLE_PEERS_TIMEOUT_MS }));
      },
    },
    {
      input: process.stdin,
      output: process.stdout,
      onQuit: (mode) => void stop(mode === 'now' ? 'quit now' : 'quit', mode),
      onInterrupt: () => void stop('SIGINT', 'graceful'),
    },
  );
}

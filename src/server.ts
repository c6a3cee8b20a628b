#!/usr/bin/env node
/**
 * txtmesh-server: serves this peer's files to the mesh. Run it with the peer folder as the
 * working directory (see README, "Running a peer"). On a terminal it also takes console
 * commands (status, files, peers, quit).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { inForeground } from './cli/foreground.js';
import { formatRequestLog, type LogFormat } from './cli/request-log.js';
import type { ServerConsoleState } from './cli/server-console.js';
import { type ServerTty, startServerTty } from './cli/server-tty.js';
import { renderResult } from './cli/render.js';
import { peersView } from './client/views.js';
import { identityCommand, modeNote, prepareSecureStart, watchSettings } from './cli/server-security.js';
import { describeError } from './errors.js';
import { loadPeerContext, peerPaths } from './cli/peer-context.js';
import { Membership } from './security/membership.js';
import type { ServeTo } from './server/admission.js';
import { PeerServer, SERVER_DEFAULTS } from './server/peer-server.js';
import { formatAddress } from './settings.js';

const argv = await yargs(hideBin(process.argv))
  .scriptName('txtmesh-server')
  .usage(
    '$0 [options]\n\nServes the *.txt files in this peer folder\'s served_files/ to the other peers.\nRun it with the peer folder as the working directory.\n' +
      'On a terminal it takes commands: status, files, peers, quit [now], help.',
  )
  .option('id', { type: 'string', describe: 'this peer\'s ID [default: the working directory\'s name]' })
  .option('settings', { type: 'string', describe: 'settings file [default: ../peer_settings.txt]' })
  .option('dir', { type: 'string', describe: 'folder of served files [default: ./served_files]' })
  .option('port', { type: 'number', describe: 'port to listen on [default: this peer\'s port in the settings]' })
  .option('host', { type: 'string', describe: 'address to listen on [default: this peer\'s address in the settings]' })
  .option('max-upload', { type: 'number', default: SERVER_DEFAULTS.maxUploadBytes, describe: 'largest file accepted by upload, in bytes' })
  .option('max-connections', { type: 'number', default: SERVER_DEFAULTS.maxConnections, describe: 'connections served at once; when full the longest-idle one is closed, or a newcomer gets ERR_BUSY' })
  .option('max-header', { type: 'number', default: SERVER_DEFAULTS.maxHeaderBytes, describe: 'longest request header line, in bytes' })
  .option('idle-timeout', { type: 'number', default: SERVER_DEFAULTS.idleTimeoutMs / 1000, describe: 'close a connection that sends and receives nothing this many seconds (0: never)' })
  .option('header-timeout', { type: 'number', default: SERVER_DEFAULTS.headerTimeoutMs / 1000, describe: 'seconds a request header may take from its first byte to its end' })
  .option('quiet', { type: 'boolean', default: false, describe: 'do not log each request' })
  .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as LogFormat, describe: 'request log: a line of text, or one JSON object per line (other messages then go to stderr)' })
  .option('console', { type: 'boolean', describe: 'take commands on stdin [default: when stdin and stdout are terminals and the server runs in the foreground]' })
  .option('grace', { type: 'number', default: 10, describe: 'on quit, seconds to let transfers in flight finish before cutting them off' })
  .option('serve-to', { choices: ['any', 'mesh'] as const, default: 'any' as ServeTo, describe: 'who may list and download: anyone who can connect, or only the peers in the settings (uploads are always mesh-only)' })
  .option('secure', { type: 'boolean', default: false, describe: 'refuse to run unless the settings put the mesh in secure mode; create this peer\'s identity first if it has none' })
  .option('identity', { type: 'string', describe: 'folder of this peer\'s key and certificate [default: ./identity]' })
  .option('init-identity', { type: 'boolean', default: false, describe: 'create this peer\'s key and certificate, print its fingerprint, and exit' })
  .option('show-identity', { type: 'boolean', default: false, describe: 'print this peer\'s fingerprint (for the settings\' fourth column) and exit' })
  .option('rotate-identity', { type: 'boolean', default: false, describe: 'replace this peer\'s key and certificate with new ones, print the new fingerprint, and exit' })
  .example('cd example/p1 && txtmesh-server', 'serve p1 as listed in example/peer_settings.txt')
  .example('txtmesh-server --log-format json --no-console >> requests.jsonl', 'log requests as JSON lines')
  .example('txtmesh-server --init-identity', 'make this peer\'s identity for a secure mesh and print its fingerprint')
  .strict()
  .help()
  .version()
  .fail((message, err) => fail(message || describeError(err)))
  .parseAsync();

function fail(message: string): never {
  process.stderr.write(`txtmesh-server: ${message}\n`);
  process.exit(2);
}

const numeric = [
  ['port', argv.port],
  ['max-upload', argv['max-upload']],
  ['max-connections', argv['max-connections']],
  ['max-header', argv['max-header']],
  ['idle-timeout', argv['idle-timeout']],
  ['header-timeout', argv['header-timeout']],
  ['grace', argv.grace],
] as const;
for (const [flag, value] of numeric) {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) fail(`--${flag} must be a non-negative number`);
}
if (argv['max-connections'] < 1) fail('--max-connections must be at least 1');
if (argv['max-header'] < 64) fail('--max-header must be at least 64');
if (!(argv['header-timeout'] > 0)) fail('--header-timeout must be positive');

const logFormat = argv['log-format'];
let tty: ServerTty | undefined;
/** Messages for people: above the console prompt, or on stdout (stderr when stdout carries JSON). */
function say(line: string): void {
  if (tty) tty.print(line);
  else (logFormat === 'json' ? process.stderr : process.stdout).write(line + '\n');
}

try {
  const where = { id: argv.id, settings: argv.settings, dir: argv.dir, identity: argv.identity };
  const paths = peerPaths(where);
  const action = argv['show-identity'] ? 'show' : argv['rotate-identity'] ? 'rotate' : argv['init-identity'] ? 'init' : undefined;
  if (action) {
    for (const line of await identityCommand(action, paths)) process.stdout.write(line + '\n');
    process.exit(0);
  }
  if (argv.secure) for (const line of await prepareSecureStart(paths)) say(line);
  const ctx = await loadPeerContext(where);
  if (argv.secure && ctx.mode !== 'secure') {
    fail(`--secure: ${ctx.settingsPath} lists no certificate fingerprints, so the mesh would run open. Put every peer's fingerprint (txtmesh-server --show-identity) in the fourth column.`);
  }
  const membership = new Membership(ctx.peers);
  await membership.start();
  const server = new PeerServer({
    peerId: ctx.id,
    dir: ctx.dir,
    maxUploadBytes: argv['max-upload'],
    maxConnections: argv['max-connections'],
    maxHeaderBytes: argv['max-header'],
    idleTimeoutMs: argv['idle-timeout'] * 1000,
    headerTimeoutMs: argv['header-timeout'] * 1000,
    mesh: { membership, serveTo: argv['serve-to'], identity: ctx.credentials.tls },
    log: (entry) => {
      if (argv.quiet) return;
      const line = formatRequestLog(entry, logFormat);
      // JSON lines stay on stdout, whole, for whatever collects them.
      if (tty && logFormat === 'text') tty.print(line);
      else process.stdout.write(line + '\n');
    },
  });
  const bound = await server.listen(argv.port ?? ctx.self.port, argv.host ?? ctx.self.host);
  const address = formatAddress({ host: bound.address, port: bound.port });
  say(`txtmesh-server: peer ${ctx.id} serving ${ctx.dir} on ${address}`);
  // Index the served files in the background (identities are cached), so the first LIST or
  // INFO after a start does not wait for every file to be hashed; requests meanwhile are served.
  void server.folder.list().catch(() => undefined);
  say(`txtmesh-server: ${modeNote(ctx, argv['serve-to'])}`);
  watchSettings(ctx.settingsPath, membership, (line) => say(`txtmesh-server: ${line}`));

  let stopping = false;
  const stop = async (why: string, mode: 'graceful' | 'now') => {
    if (stopping) process.exit(130);
    stopping = true;
    tty?.close();
    tty = undefined;
    say(`txtmesh-server: ${why}, shutting down`);
    let cut = 0;
    if (mode === 'now') {
      cut = server.stats.transfers().length;
      await server.close();
    } else {
      const running = server.stats.transfers().length;
      if (running > 0) say(`txtmesh-server: letting ${running} transfer${running === 1 ? '' : 's'} finish (up to ${argv.grace} s; Ctrl-C again stops now)`);
      cut = await server.drain(argv.grace * 1000);
    }
    if (cut > 0) say(`txtmesh-server: cut off ${cut} transfer${cut === 1 ? '' : 's'} still running; partial uploads were removed`);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT', 'graceful'));
  process.on('SIGTERM', () => void stop('SIGTERM', 'graceful'));

  if (argv.console ?? Boolean(process.stdin.isTTY && process.stdout.isTTY && inForeground())) {
    const state: ServerConsoleState = {
      peerId: ctx.id,
      address,
      dir: ctx.dir,
      stats: () => server.stats.snapshot(),
      files: () => server.folder.list(),
      sizeOf: (name) => server.folder.describe(name).then((f) => f.size, () => undefined),
      peers: async () => renderResult(await peersView(ctx.others, ctx.id, { myId: ctx.id, as: ctx.credentials, timeoutMs: 5000 })),
    };
    tty = startServerTty(state, {
      input: process.stdin,
      output: process.stdout,
      onQuit: (mode) => void stop(mode === 'now' ? 'quit now' : 'quit', mode),
      onInterrupt: () => void stop('SIGINT', 'graceful'),
    });
  }
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') fail(`port already in use: ${(err as Error).message}`);
  if (code === 'EADDRNOTAVAIL') fail(`cannot listen on that address: ${(err as Error).message}`);
  fail(describeError(err));
}

#!/usr/bin/env node
/**
 * txtmesh-server: serves this peer's files to the mesh. Run it with the peer folder as the
 * working directory (see README, "Running a peer").
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { describeError } from './errors.js';
import { loadPeerContext } from './peer-context.js';
import type { RequestLog } from './server/connection.js';
import { PeerServer, SERVER_DEFAULTS } from './server/peer-server.js';
import { formatAddress } from './settings.js';

const argv = await yargs(hideBin(process.argv))
  .scriptName('txtmesh-server')
  .usage('$0 [options]\n\nServes the *.txt files in this peer folder\'s served_files/ to the other peers.\nRun it with the peer folder as the working directory.')
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
  .example('cd example/p1 && txtmesh-server', 'serve p1 as listed in example/peer_settings.txt')
  .strict()
  .help()
  .version()
  .parseAsync();

function fail(message: string): never {
  process.stderr.write(`txtmesh-server: ${message}\n`);
  process.exit(2);
}

function logLine(entry: RequestLog): void {
  if (argv.quiet) return;
  const name = entry.name === undefined ? '-' : JSON.stringify(entry.name);
  process.stdout.write(`${new Date().toISOString()} ${entry.remote} ${entry.verb} ${name} ${entry.bytes}B ${entry.ms.toFixed(1)}ms ${entry.status}\n`);
}

const numeric = [
  ['port', argv.port],
  ['max-upload', argv['max-upload']],
  ['max-connections', argv['max-connections']],
  ['max-header', argv['max-header']],
  ['idle-timeout', argv['idle-timeout']],
  ['header-timeout', argv['header-timeout']],
] as const;
for (const [flag, value] of numeric) {
  if (value !== undefined && (!Number.isFinite(value) || value < 0)) fail(`--${flag} must be a non-negative number`);
}
if (argv['max-connections'] < 1) fail('--max-connections must be at least 1');
if (argv['max-header'] < 64) fail('--max-header must be at least 64');
if (!(argv['header-timeout'] > 0)) fail('--header-timeout must be positive');

try {
  const ctx = await loadPeerContext({ id: argv.id, settings: argv.settings, dir: argv.dir });
  const server = new PeerServer({
    peerId: ctx.id,
    dir: ctx.dir,
    maxUploadBytes: argv['max-upload'],
    maxConnections: argv['max-connections'],
    maxHeaderBytes: argv['max-header'],
    idleTimeoutMs: argv['idle-timeout'] * 1000,
    headerTimeoutMs: argv['header-timeout'] * 1000,
    log: logLine,
  });
  const address = await server.listen(argv.port ?? ctx.self.port, argv.host ?? ctx.self.host);
  process.stdout.write(`txtmesh-server: peer ${ctx.id} serving ${ctx.dir} on ${formatAddress({ host: address.address, port: address.port })}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stdout.write(`txtmesh-server: ${signal}, shutting down\n`);
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') fail(`port already in use: ${(err as Error).message}`);
  if (code === 'EADDRNOTAVAIL') fail(`cannot listen on that address: ${(err as Error).message}`);
  fail(describeError(err));
}

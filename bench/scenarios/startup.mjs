// Scenario 7: start-up, the part of every command and every server a user waits for first.
//
// Client: spawn → the first bytes of its first request reach a peer. The peer is a stand-in, a
// bare TCP listener in this process named in the settings, that notes when the first bytes
// arrive and closes the connection (the client is then killed: only its start-up is timed).
// Timed for the console (`printf '#DOWNLOAD big.txt p1\n' | node dist/client.js`) and for the
// subcommand (`node dist/client.js download big.txt p1`); aria2c on the same stand-in is the
// anchor. Server: spawn → its port accepts a TCP connection (polled every millisecond); nginx
// the anchor. `node -e 0` from spawn to exit is the floor of any Node program here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missing, startNginx } from '../lib/anchors.mjs';
import { Mesh, benchRoot } from '../lib/files.mjs';
import { acceptsAt, firstBytesListener, freePort } from '../lib/net.mjs';
import { LineReader, clientJs, runToExit, serverJs, spawnNode, spawnProgram, stop } from '../lib/procs.mjs';
import { spread, summarize, table, target } from '../lib/report.mjs';

const TARGET_MS = 150;

/** Spawn → first bytes at a stand-in peer, for a program spawned by `start(port)`. */
async function toFirstRequest(mesh, start) {
  const peer = await firstBytesListener();
  mesh.setPort('p1', peer.port);
  const started = performance.now();
  const child = start(peer.port);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const at = await Promise.race([peer.firstBytes, exited.then(() => Promise.reject(new Error(`${child.spawnfile} exited before sending anything`)))]);
    return at - started;
  } finally {
    child.kill('SIGKILL');
    await exited;
    peer.close();
  }
}

/** Spawn → port accepts, for `node dist/server.js`; also spawn → its "serving … on" line. */
async function serverStartup(mesh) {
  const port = await freePort();
  const started = performance.now();
  const child = spawnNode([serverJs, '--host', '127.0.0.1', '--port', String(port), '--log-format', 'json'], { cwd: mesh.dir('s1') });
  const err = new LineReader(child.stderr);
  try {
    const accepted = await acceptsAt('127.0.0.1', port, { everyMs: 1 });
    await err.waitFor((l) => / serving .* on /.test(l), 0, 15_000);
    return { acceptMs: accepted - started };
  } finally {
    await stop(child);
  }
}

async function nginxStartup(mesh) {
  const port = await freePort();
  const started = performance.now();
  const nginx = await startNginx({ root: mesh.served('s1'), host: '127.0.0.1', port, stateDir: join(mesh.root, 'nginx'), pollMs: 1 });
  const ms = performance.now() - started;
  await nginx.stop();
  return ms;
}

export async function startup(ctx) {
  const samples = ctx.sizes.startupSamples;
  const mesh = new Mesh(benchRoot('startup'), ['p1', 'd', 's1'].map((id) => ({ id, host: '127.0.0.1', port: 1 })));
  writeFileSync(join(mesh.served('s1'), 'a.txt'), 'a small file\n');
  mkdirSync(mesh.served('d'), { recursive: true });
  const aria = missing('aria2c');
  const nginx = missing('nginx');
  const kinds = {
    node: async () => (await runToExit(process.execPath, ['-e', '0'])).ms,
    console: () =>
      toFirstRequest(mesh, () => {
        const child = spawnNode([clientJs], { cwd: mesh.dir('d') });
        child.stdin.end('#DOWNLOAD big.txt p1\n');
        return child;
      }),
    subcommand: () => toFirstRequest(mesh, () => spawnNode([clientJs, 'download', 'big.txt', 'p1'], { cwd: mesh.dir('d') })),
    ...(aria ? {} : { aria2c: () => toFirstRequest(mesh, (port) => spawnProgram('aria2c', ['--no-conf', '-d', mesh.served('d'), `http://127.0.0.1:${port}/big.txt`])) }),
    server: async () => (await serverStartup(mesh)).acceptMs,
    ...(nginx ? {} : { nginx: () => nginxStartup(mesh) }),
  };
  const order = Object.keys(kinds);
  const values = Object.fromEntries(order.map((k) => [k, []]));
  for (let i = 0; i < samples; i++) {
    for (let k = 0; k < order.length; k++) {
      const kind = order[(k + i) % order.length];
      values[kind].push(await kinds[kind]());
    }
  }
  const ms = Object.fromEntries(order.map((k) => [k, summarize(values[k])]));
  ctx.log(order.map((k) => `${k} ${ms[k].median.toFixed(0)} ms`).join(', '));
  const row = (label, kind, why) => (ms[kind] ? [label, ...spread(ms[kind], 1, 0)] : [label, 'SKIP', why]);
  const rows = [
    row('node -e 0, spawn to exit (the floor)', 'node'),
    row('client console: spawn → first request at a peer', 'console'),
    row('client `download` subcommand: spawn → first request', 'subcommand'),
    row('aria2c: spawn → first request (anchor)', 'aria2c', aria),
    row('server: spawn → port accepts a connection', 'server'),
    row('nginx: spawn → port accepts a connection (anchor)', 'nginx', nginx),
  ];
  const notes = [`median of ${samples}, kinds interleaved; the stand-in peer answers nothing, so the client is killed once its first bytes arrive`];
  for (const [what, why] of [['aria2c', aria], ['nginx', nginx]]) if (why) notes.push(`SKIP ${what} row: ${why}`);
  return {
    params: { samples },
    figures: Object.fromEntries(order.map((k) => [`${k}Ms`, ms[k]])),
    targets: [
      target('client console, spawn → first request (ms)', ms.console.median, '<=', TARGET_MS),
      target('client subcommand, spawn → first request (ms)', ms.subcommand.median, '<=', TARGET_MS),
      target('server, spawn → accepting (ms)', ms.server.median, '<=', TARGET_MS),
    ],
    table: table(['row', 'median ms', 'spread'], rows),
    notes,
  };
}

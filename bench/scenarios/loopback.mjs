// Scenario 3: loopback throughput. One file from 1 and from 3 peers on 127.0.0.1, verified and
// written to disk, against a plain Node copy over one TCP socket (bench/tcp-copy.mjs) and
// against aria2c from three nginx serving the same file. The 3-peer download is timed in a
// running console and from spawn to exit (as a user meets it; aria2c is timed the same way).
// The kinds run in a rotating order so that no one of them always follows another's writes.
import { join } from 'node:path';
import { Mesh, benchRoot, writeTextFile } from '../lib/files.mjs';
import { BenchFailure, tcpCopy, timedDownload, verifyAndRemove } from '../lib/measure.mjs';
import { ConsoleSession, startServer } from '../lib/procs.mjs';
import { mbps, spread, summarize, table, target } from '../lib/report.mjs';
import { PIECE_SIZE } from '../../dist/constants.js';
import { ARIA2_HTTP, aria2Download, missing, startNginx } from '../lib/anchors.mjs';
import { spawnedDownload } from '../lib/from-spawn.mjs';
import { freePort } from '../lib/net.mjs';
import { counting } from '../lib/server-log.mjs';

const TARGET = 0.9;
const TARGET_ARIA = 1.0;
const TARGET_SERVED = 1.02;

/** Starts p1..pn on 127.0.0.1 (any free port) serving `name`, with extra server `args`; returns the servers. */
export async function loopbackServers(mesh, ids, { nodeArgs, args = [] } = {}) {
  const servers = [];
  for (const id of ids) {
    const server = await startServer({ peerDir: mesh.dir(id), args: ['--host', '127.0.0.1', '--port', '0', ...args], nodeArgs });
    mesh.setPort(id, server.port);
    servers.push(server);
  }
  return servers;
}

/** Makes the servers hash their files before anything is timed. */
export async function warm(mesh, client, ids) {
  const session = await ConsoleSession.open({ peerDir: mesh.dir(client) });
  const { lines } = await session.run(`#FILELIST ${ids.join(' ')}`, { timeoutMs: 300_000 });
  await session.close();
  if (lines.some((l) => l.includes('unreachable'))) throw new BenchFailure(`warm-up listing failed: ${lines.join(' | ')}`);
}

export async function loopback(ctx) {
  const size = ctx.sizes.loopback;
  const ids = ['p1', 'p2', 'p3'];
  const mesh = new Mesh(benchRoot('loopback'), [...ids, 'd'].map((id) => ({ id, host: '127.0.0.1', port: 1 })));
  const name = 'big.txt';
  const source = join(mesh.served('p1'), name);
  ctx.log(`generating ${size / 2 ** 20} MiB of text`);
  const sha = writeTextFile(source, size);
  mesh.share(source, name, ids);
  const servers = await loopbackServers(mesh, ids);
  const anchor = await loopbackNginx(mesh, ids);
  try {
    await warm(mesh, 'd', ids);
    const common = { mesh, name, sha, size };
    const served = async (fn) => {
      const { result, bytes } = await counting(servers, 'GET', name, fn);
      return { ...result, served: bytes / size };
    };
    const kinds = {
      baseline: () => tcpCopy({ source, target: join(mesh.served('d'), 'baseline.txt'), sha }),
      one: () => served(() => timedDownload({ ...common, peers: ['p1'] })),
      three: () => served(() => timedDownload({ ...common, peers: ids })),
      spawn: () => served(() => spawnedDownload({ ...common, peers: ids })),
      ...(anchor.nginx ? { aria: () => ariaDownload(mesh, anchor.nginx, name, sha, size) } : {}),
    };
    const reps = [];
    for (let run = 1; run <= ctx.runs; run++) reps.push(await repetition(ctx, kinds, run, size));
    return report(ctx, reps, size, anchor);
  } finally {
    await Promise.all([...servers, ...(anchor.nginx ?? [])].map((s) => s.stop()));
  }
}

/** One of each kind, in an order that rotates with the repetition. */
async function repetition(ctx, kinds, run, size) {
  const order = Object.keys(kinds);
  const rep = {};
  for (let k = 0; k < order.length; k++) {
    const kind = order[(k + run - 1) % order.length];
    rep[kind] = await kinds[kind]();
  }
  const pieces = Math.ceil(size / PIECE_SIZE);
  for (const kind of ['one', 'three']) {
    if (rep[kind].events.length !== pieces) throw new BenchFailure(`${kind}: ${rep[kind].events.length} pieces verified, expected ${pieces}`);
  }
  rep.ratio = rep.baseline.ms / rep.three.ms;
  if (rep.aria) rep.ariaRatio = rep.aria.ms / rep.spawn.ms;
  const s = (kind) => `${(rep[kind].ms / 1000).toFixed(2)} s`;
  ctx.log(
    `run ${run}/${ctx.runs}: baseline ${s('baseline')}, 1 peer ${s('one')}, 3 peers ${s('three')} in console, ${s('spawn')} from spawn` +
      (rep.aria ? `, aria2c ${s('aria')}; txtmesh/aria2c speed ${rep.ariaRatio.toFixed(3)}` : '') +
      `; 3-peer/baseline throughput ${rep.ratio.toFixed(3)}`,
  );
  return rep;
}

function report(ctx, reps, size, anchor) {
  const S = (f) => summarize(reps.map(f));
  const kinds = ['baseline', 'one', 'three', 'spawn', ...(anchor.nginx ? ['aria'] : [])];
  const ms = Object.fromEntries(kinds.map((k) => [k, S((r) => r[k].ms)]));
  const servedPerSize = Object.fromEntries(kinds.filter((k) => k !== 'baseline').map((k) => [k, S((r) => r[k].served)]));
  const ratio = S((r) => r.ratio);
  const ariaRatio = anchor.nginx ? S((r) => r.ariaRatio) : undefined;
  // Before the final fsync: the last byte received (baseline) or the last piece verified and
  // written (txtmesh). The page cache holds the whole file until then, so the fsync at the end
  // writes all of it; this column shows the transfer alone.
  const last = { baseline: S((r) => r.baseline.lastMs), one: S((r) => r.one.lastMs), three: S((r) => r.three.lastMs) };
  const row = (label, kind) => [
    label,
    ...spread(ms[kind], 1 / 1000),
    mbps(size, ms[kind].median).toFixed(0),
    last[kind] ? (last[kind].median / 1000).toFixed(2) : '',
    last[kind] ? mbps(size, last[kind].median).toFixed(0) : '',
    servedPerSize[kind] ? servedPerSize[kind].median.toFixed(3) : '',
  ];
  const rows = [
    row('baseline: one TCP socket, no protocol', 'baseline'),
    row('txtmesh from p1, in a running console', 'one'),
    row('txtmesh from p1 p2 p3, in a running console', 'three'),
    row('txtmesh from p1 p2 p3, spawn to exit (printf | node)', 'spawn'),
    anchor.nginx ? row('aria2c -s3 -x1 from 3 nginx, spawn to exit', 'aria') : ['aria2c from 3 nginx', 'SKIP', anchor.skip, '', '', ''],
    ['3-peer (console) throughput / baseline', ...spread(ratio, 1, 3), '', '', ''],
    ...(ariaRatio ? [['txtmesh (spawn) speed / aria2c speed', ...spread(ariaRatio, 1, 3), '', '', '']] : []),
  ];
  const targets = [target('3-peer throughput / baseline', ratio.median, '>=', TARGET)];
  if (ariaRatio) targets.push(target('txtmesh from spawn, speed / aria2c speed', ariaRatio.median, '>=', TARGET_ARIA));
  targets.push(target('bytes served / file size (worst txtmesh row)', Math.max(...Object.values(servedPerSize).map((x) => x.median)), '<=', TARGET_SERVED));
  const notes = [
    `every piece verified (${Math.ceil(size / PIECE_SIZE)} per download); every copy fsynced and checked by SHA-256 (aria2c verifies nothing and does not fsync; its copy is checked afterwards)`,
    'served/size: GET bytes in the servers\' request logs ÷ file size (what the sockets took: an abandoned GET counts what went out); aria2c: body bytes nginx sent',
  ];
  if (!anchor.nginx) notes.push(`SKIP aria2c row: ${anchor.skip}`);
  return {
    params: { sizeBytes: size, runs: ctx.runs, pieces: Math.ceil(size / PIECE_SIZE), aria2c: anchor.skip ?? `aria2c ${ARIA2_HTTP.join(' ')} from 3 nginx (sendfile on)` },
    figures: {
      baselineMs: ms.baseline,
      onePeerMs: ms.one,
      threePeerMs: ms.three,
      threePeerSpawnMs: ms.spawn,
      threePeerSpawnReportedMs: S((r) => r.spawn.reportedMs),
      ...(ms.aria ? { aria2cMs: ms.aria, spawnSpeedOverAria2c: ariaRatio } : {}),
      throughputMBps: Object.fromEntries(kinds.map((k) => [k, mbps(size, ms[k].median)])),
      beforeFsyncMs: last,
      servedPerSize,
      ratio,
      threePeerBytesByPeer: reps.map((r) => r.three.byPeer),
    },
    targets,
    table: table(['row', 'time s', 'spread', 'MB/s', 'before fsync s', 'MB/s', 'served/size'], rows),
    notes,
  };
}

/** nginx on 127.0.0.1 for each of `ids`, serving the same folder as its txtmesh server. */
async function loopbackNginx(mesh, ids) {
  const why = missing('nginx', 'aria2c');
  if (why) return { skip: why };
  const nginx = [];
  for (const id of ids) nginx.push(await startNginx({ root: mesh.served(id), host: '127.0.0.1', port: await freePort(), stateDir: join(mesh.root, `nginx-${id}`) }));
  return { nginx };
}

/** aria2c from every nginx at once into peer d's folder; verified and removed. */
async function ariaDownload(mesh, nginx, name, sha, size) {
  const before = nginx.map((n) => n.bytesSent());
  const out = `aria2c-${name}`;
  const { ms } = await aria2Download({ urls: nginx.map((n) => n.url(name)), dir: mesh.served('d'), out });
  await verifyAndRemove(join(mesh.served('d'), out), sha, `aria2c ${name}`);
  return { ms, served: nginx.reduce((n, x, i) => n + x.bytesSent() - before[i], 0) / size };
}

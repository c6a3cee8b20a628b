// Scenario 3: loopback throughput. One file from 1 and from 3 peers on 127.0.0.1, verified and
// written to disk, against a plain Node copy over one TCP socket (bench/tcp-copy.mjs). The
// three are run in a rotating order so that no one of them always follows another's writes.
import { join } from 'node:path';
import { Mesh, benchRoot, writeTextFile } from '../lib/files.mjs';
import { BenchFailure, timedDownload, verifyAndRemove } from '../lib/measure.mjs';
import { ConsoleSession, LineReader, repo, runGoDone, spawnNode, startServer, stop } from '../lib/procs.mjs';
import { mbps, spread, summarize, table, target } from '../lib/report.mjs';
import { PIECE_SIZE } from '../../dist/constants.js';

const TARGET = 0.9;

/** Starts p1..pn on 127.0.0.1 (any free port) serving `name`; returns the servers. */
export async function loopbackServers(mesh, ids, { nodeArgs } = {}) {
  const servers = [];
  for (const id of ids) {
    const server = await startServer({ peerDir: mesh.dir(id), args: ['--host', '127.0.0.1', '--port', '0'], nodeArgs });
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
  try {
    await warm(mesh, 'd', ids);
    const common = { mesh, name, sha, size };
    const kinds = {
      baseline: () => tcpCopy(mesh, source, sha),
      one: () => timedDownload({ ...common, peers: ['p1'] }),
      three: () => timedDownload({ ...common, peers: ids }),
    };
    const order = Object.keys(kinds);
    const reps = [];
    for (let run = 1; run <= ctx.runs; run++) {
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
      reps.push(rep);
      ctx.log(`run ${run}/${ctx.runs}: baseline ${(rep.baseline.ms / 1000).toFixed(2)} s, 1 peer ${(rep.one.ms / 1000).toFixed(2)} s, 3 peers ${(rep.three.ms / 1000).toFixed(2)} s; 3-peer/baseline throughput ${rep.ratio.toFixed(3)}`);
    }
    const S = (f) => summarize(reps.map(f));
    const ms = { baseline: S((r) => r.baseline.ms), one: S((r) => r.one.ms), three: S((r) => r.three.ms) };
    const ratio = S((r) => r.ratio);
    // Before the final fsync: the last byte received (baseline) or the last piece verified and
    // written (txtmesh). The page cache holds the whole file until then, so the fsync at the end
    // writes all of it; this column shows the transfer alone.
    const last = { baseline: S((r) => r.baseline.lastMs), one: S((r) => r.one.lastMs), three: S((r) => r.three.lastMs) };
    const row = (label, kind) => [label, ...spread(ms[kind], 1 / 1000), mbps(size, ms[kind].median).toFixed(0), (last[kind].median / 1000).toFixed(2), mbps(size, last[kind].median).toFixed(0)];
    const rows = [
      row('baseline: one TCP socket, no protocol', 'baseline'),
      row('txtmesh from p1', 'one'),
      row('txtmesh from p1 p2 p3', 'three'),
      ['3-peer throughput / baseline', ...spread(ratio, 1, 3), '', '', ''],
    ];
    return {
      params: { sizeBytes: size, runs: ctx.runs, pieces: Math.ceil(size / PIECE_SIZE) },
      figures: {
        baselineMs: ms.baseline,
        onePeerMs: ms.one,
        threePeerMs: ms.three,
        throughputMBps: { baseline: mbps(size, ms.baseline.median), one: mbps(size, ms.one.median), three: mbps(size, ms.three.median) },
        beforeFsyncMs: last,
        ratio,
        threePeerBytesByPeer: reps.map((r) => r.three.byPeer),
      },
      targets: [target('3-peer throughput / baseline', ratio.median, '>=', TARGET)],
      table: table(['row', 'time s', 'spread', 'MB/s', 'before fsync s', 'MB/s'], rows),
      notes: [`every piece verified (${Math.ceil(size / PIECE_SIZE)} per download); every copy fsynced and checked by SHA-256`],
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** The baseline copy: sender and receiver processes, timed from "go" to the fsync. */
async function tcpCopy(mesh, source, sha) {
  const script = join(repo, 'bench', 'tcp-copy.mjs');
  const sender = spawnNode([script, 'send', source]);
  try {
    const out = new LineReader(sender.stdout);
    const index = await out.waitFor((l) => l.startsWith('port '), 0, 15_000);
    const port = out.lines[index].slice(5);
    const target = join(mesh.served('d'), 'baseline.txt');
    const { ms, result } = await runGoDone([script, 'receive', port, target]);
    await verifyAndRemove(target, sha, 'baseline copy');
    return { ms, lastMs: result.receivedMs };
  } finally {
    await stop(sender);
  }
}

// Scenario 4: memory. Peak RSS (VmHWM in /proc/<pid>/status, read just before the process
// ends) of a downloading client (from p1 p2 p3 on loopback), and of a serving peer (p4,
// started fresh each repetition) while three clients pull the file from it at once. Run at a
// small and a large file size, to show the peak does not grow with the file.
import { join } from 'node:path';
import { Mesh, benchRoot, writeTextFile } from '../lib/files.mjs';
import { timedDownload } from '../lib/measure.mjs';
import { peakRss, startServer } from '../lib/procs.mjs';
import { fmt, spread, summarize, table, target } from '../lib/report.mjs';
import { counting, settled } from '../lib/server-log.mjs';
import { loopbackServers, warm } from './loopback.mjs';

const LIMIT_MB = 100;
const MB = 1e6;

export async function memory(ctx) {
  const results = [];
  for (const size of ctx.sizes.memory) results.push(await atSize(ctx, size));
  const largest = results.at(-1);
  const rows = [];
  for (const r of results) {
    const label = `${r.size / 2 ** 20} MiB`;
    rows.push([`client, download from p1 p2 p3 (${label})`, ...spread(r.client, 1 / MB, 1), fmt(r.clientServed.median, 3)]);
    rows.push([`server p4, 3 clients at once (${label})`, ...spread(r.server, 1 / MB, 1), fmt(r.p4Served.median, 3)]);
    rows.push([`server p4 idle, just started`, ...spread(r.idle, 1 / MB, 1), '']);
  }
  const first = results[0];
  const notes = [
    `growth from ${first.size / 2 ** 20} MiB to ${largest.size / 2 ** 20} MiB: client ${fmt((largest.client.median - first.client.median) / MB, 1)} MB, server ${fmt((largest.server.median - first.server.median) / MB, 1)} MB`,
  ];
  return {
    params: { sizesBytes: ctx.sizes.memory, runs: ctx.runs },
    figures: Object.fromEntries(results.map((r) => [String(r.size), { clientPeakRssBytes: r.client, serverPeakRssBytes: r.server, serverIdleRssBytes: r.idle, clientServedPerSize: r.clientServed, p4ServedPerCopy: r.p4Served }])),
    targets: [
      target(`client peak RSS, ${largest.size / 2 ** 20} MiB download (MB)`, largest.client.median / MB, '<', LIMIT_MB),
      target(`server peak RSS, 3 clients of ${largest.size / 2 ** 20} MiB (MB)`, largest.server.median / MB, '<', LIMIT_MB),
    ],
    table: table(['process', 'peak RSS MB', 'spread', 'served/size'], rows),
    notes: [...notes, 'served/size: GET bytes in the request logs ÷ file size (p4: ÷ 3 copies); what the sockets took: an abandoned GET counts what went out'],
  };
}

async function atSize(ctx, size) {
  const servers = ['p1', 'p2', 'p3'];
  const clients = ['c1', 'c2', 'c3'];
  const mesh = new Mesh(benchRoot('memory'), [...servers, 'p4', 'd', ...clients].map((id) => ({ id, host: '127.0.0.1', port: 1 })));
  const name = 'big.txt';
  const source = join(mesh.served('p1'), name);
  ctx.log(`generating ${size / 2 ** 20} MiB of text`);
  const sha = writeTextFile(source, size);
  mesh.share(source, name, [...servers, 'p4']);
  const running = await loopbackServers(mesh, servers);
  const reps = [];
  try {
    await warm(mesh, 'd', servers);
    for (let run = 1; run <= ctx.runs; run++) {
      const counted = await counting(running, 'GET', name, () => timedDownload({ mesh, name, sha, size, peers: servers }));
      const client = counted.result;
      // A fresh server, so that its peak belongs to this repetition alone.
      const p4 = await startServer({ peerDir: mesh.dir('p4'), args: ['--host', '127.0.0.1', '--port', '0'] });
      let server;
      let idle;
      let p4Served;
      try {
        idle = peakRss(p4.pid);
        mesh.setPort('p4', p4.port);
        await Promise.all(clients.map((c) => timedDownload({ mesh, client: c, name, sha, size, peers: ['p4'] })));
        server = peakRss(p4.pid);
        await settled([p4]);
        p4Served = p4.tally.bytes('GET', name) / (clients.length * size);
      } finally {
        await p4.stop();
      }
      reps.push({ client: client.rss, server, idle, clientServed: counted.bytes / size, p4Served });
      ctx.log(`${size / 2 ** 20} MiB run ${run}/${ctx.runs}: client ${fmt(client.rss / MB, 1)} MB, server with 3 clients ${fmt(server / MB, 1)} MB (idle ${fmt(idle / MB, 1)} MB)`);
    }
  } finally {
    await Promise.all(running.map((s) => s.stop()));
  }
  return {
    size,
    client: summarize(reps.map((r) => r.client)),
    server: summarize(reps.map((r) => r.server)),
    idle: summarize(reps.map((r) => r.idle)),
    clientServed: summarize(reps.map((r) => r.clientServed)),
    p4Served: summarize(reps.map((r) => r.p4Served)),
  };
}

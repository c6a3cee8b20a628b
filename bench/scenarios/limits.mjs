// Scenario 10: rate limits hold (issue 15). On 127.0.0.1, where nothing else would hold a
// transfer back, a file of `seconds` × the limit is downloaded from two peers:
//
//   down  the console runs with --max-download-rate RATE; the servers have no limit
//   up    one server runs with --max-upload-rate RATE; the console has no limit (one server, so
//         the figure is the limit's, not how evenly a swarm splits a file between two limits)
//   live  the console starts with no limit and is set to RATE with #LIMIT down RATE in the same
//         console before the download (the live setter, on the running process)
//
// Achieved rate = file size ÷ the command's time in a running console (command to output: the
// INFO round trips and the first piece's wait included). The target: achieved ÷ limit within
// 5 % either way, over at least 10 s (full and quick runs).
import { join } from 'node:path';
import { Mesh, benchRoot, writeTextFile } from '../lib/files.mjs';
import { BenchFailure, timedDownload, verifyAndRemove } from '../lib/measure.mjs';
import { ConsoleSession } from '../lib/procs.mjs';
import { spread, summarize, table, target } from '../lib/report.mjs';
import { counting } from '../lib/server-log.mjs';
import { loopbackServers, warm } from './loopback.mjs';

/** The limit, 1024-based as the options take it: 2 MiB/s. */
const RATE = 2 * 1024 * 1024;
const RATE_TEXT = '2M';
const TOLERANCE = 0.05;

export async function limits(ctx) {
  const seconds = ctx.sizes.limitSeconds;
  const size = Math.round(RATE * seconds);
  const ids = ['p1', 'p2', 'q1'];
  const mesh = new Mesh(benchRoot('limits'), [...ids, 'd'].map((id) => ({ id, host: '127.0.0.1', port: 1 })));
  const name = 'limited.txt';
  const source = join(mesh.served('p1'), name);
  ctx.log(`generating ${(size / 2 ** 20).toFixed(1)} MiB of text (${seconds} s at ${RATE_TEXT})`);
  const sha = writeTextFile(source, size);
  mesh.share(source, name, ids);
  // p1, p2 serve without a limit; q1 with the limit.
  const free = await loopbackServers(mesh, ['p1', 'p2']);
  const capped = await loopbackServers(mesh, ['q1'], { args: ['--max-upload-rate', RATE_TEXT] });
  try {
    await warm(mesh, 'd', ids);
    const common = { mesh, name, sha, size };
    const kinds = {
      down: () => counting(free, 'GET', name, () => limitedDownload({ ...common, peers: ['p1', 'p2'], args: ['--max-download-rate', RATE_TEXT] })),
      up: () => counting(capped, 'GET', name, () => timedDownload({ ...common, peers: ['q1'] })),
      live: () => counting(free, 'GET', name, () => limitedDownload({ ...common, peers: ['p1', 'p2'], before: `#LIMIT down ${RATE_TEXT}` })),
    };
    const reps = [];
    for (let run = 1; run <= ctx.runs; run++) {
      const rep = {};
      for (const [kind, fn] of Object.entries(kinds)) {
        const { result, bytes } = await fn();
        rep[kind] = { ms: result.ms, ratio: size / (result.ms / 1000) / RATE, served: bytes / size };
      }
      reps.push(rep);
      ctx.log(`run ${run}/${ctx.runs}: ${Object.entries(rep).map(([k, r]) => `${k} ${(r.ms / 1000).toFixed(2)} s (rate/limit ${r.ratio.toFixed(3)})`).join(', ')}`);
    }
    return report(ctx, reps, { size, seconds });
  } finally {
    await Promise.all([...free, ...capped].map((s) => s.stop()));
  }
}

/**
 * A download in a running console started with `args`, after running `before` in it (if any);
 * timed from the #DOWNLOAD line to its output, verified and removed.
 */
async function limitedDownload({ mesh, client = 'd', name, sha, size, peers, args = [], before }) {
  const session = await ConsoleSession.open({ peerDir: mesh.dir(client), args });
  try {
    if (before) {
      const { lines } = await session.run(before);
      if (!lines.some((l) => l.includes('(just set)'))) throw new BenchFailure(`${before}: ${lines.join(' | ')}`);
    }
    const { ms, lines } = await session.run(`#DOWNLOAD ${name} ${peers.join(' ')}`, { timeoutMs: 600_000 });
    if (!lines.some((l) => l.startsWith('Downloaded '))) throw new BenchFailure(`#DOWNLOAD ${name} failed: ${lines.join(' | ')}`);
    await verifyAndRemove(join(mesh.served(client), name), sha, `limited download of ${size} bytes`);
    return { ms };
  } finally {
    await session.close();
  }
}

function report(ctx, reps, { size, seconds }) {
  const S = (f) => summarize(reps.map(f));
  const kinds = [
    ['down', `console --max-download-rate ${RATE_TEXT}, from p1 p2 (no server limit)`],
    ['up', `server --max-upload-rate ${RATE_TEXT}, from q1 alone (no client limit)`],
    ['live', `console set live with #LIMIT down ${RATE_TEXT}, from p1 p2`],
  ];
  const figures = {};
  const rows = [];
  const targets = [];
  for (const [kind, label] of kinds) {
    const ms = S((r) => r[kind].ms);
    const ratio = S((r) => r[kind].ratio);
    const served = S((r) => r[kind].served);
    figures[kind] = { ms, ratio, servedPerSize: served };
    rows.push([label, ...spread(ms, 1 / 1000, 2), ...spread(ratio, 1, 3), served.median.toFixed(3)]);
    targets.push(target(`${kind}: achieved rate / limit (median of ${reps.length})`, ratio.median, '>=', 1 - TOLERANCE));
    targets.push(target(`${kind}: achieved rate / limit (median of ${reps.length})`, ratio.median, '<=', 1 + TOLERANCE));
  }
  return {
    params: { sizeBytes: size, seconds, limitBytesPerSecond: RATE, runs: ctx.runs },
    figures,
    targets,
    table: table(['row', 'time s', 'spread', 'rate / limit', 'spread', 'served/size'], rows),
    notes: [
      `limit ${RATE_TEXT} = ${RATE} bytes/s; file ${size} bytes (${seconds} s at the limit); rate = file size ÷ command time in a running console`,
      'served/size: GET bytes in the servers\' request logs ÷ file size (endgame duplicates count)',
    ],
  };
}

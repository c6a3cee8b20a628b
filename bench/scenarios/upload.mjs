// Scenario 6: one file pushed to three peers at once over the capped links (80/40/20 mbit,
// capped in the upload direction too), against the same upload to the slowest peer alone.
import { join } from 'node:path';
import { writeTextFile } from '../lib/files.mjs';
import { timedUpload } from '../lib/measure.mjs';
import { counting } from '../lib/server-log.mjs';
import { mbps, spread, summarize, table, target } from '../lib/report.mjs';
import { LAB_PEERS, labMesh } from './lab-mesh.mjs';

const RATES = ['80mbit', '40mbit', '20mbit'];
const TARGET_RATIO = 1.05;

export async function upload(ctx) {
  const env = await labMesh(ctx);
  RATES.forEach((rate, i) => env.lab.setRate(env.lab.servers[i], rate));
  const { mesh, netns } = env;
  const name = 'up.txt';
  const size = ctx.sizes.upload;
  ctx.shared.uploadSha ??= writeTextFile(join(mesh.served('d'), name), size);
  const sha = ctx.shared.uploadSha;
  const slowest = LAB_PEERS[RATES.map((r) => parseFloat(r)).reduce((best, r, i, all) => (r < all[best] ? i : best), 0)];
  const reps = [];
  for (let run = 1; run <= ctx.runs; run++) {
    const alone = await timedUpload({ mesh, netns, name, sha, peers: [slowest] });
    const counted = await counting(env.servers, 'PUT', name, () => timedUpload({ mesh, netns, name, sha, peers: LAB_PEERS }));
    const all = counted.result;
    reps.push({ alone, all, ratio: all.ms / alone.ms, served: counted.bytes / (LAB_PEERS.length * size) });
    ctx.log(`run ${run}/${ctx.runs}: ${slowest} alone ${(alone.ms / 1000).toFixed(2)} s; all three ${(all.ms / 1000).toFixed(2)} s (${LAB_PEERS.map((p) => `${p} ${(all.perPeer[p] / 1000).toFixed(2)} s`).join(', ')}); ratio ${reps.at(-1).ratio.toFixed(3)}`);
  }
  const S = (f) => summarize(reps.map(f));
  const aloneMs = S((r) => r.alone.ms);
  const allMs = S((r) => r.all.ms);
  const ratio = S((r) => r.ratio);
  const served = S((r) => r.served);
  const perPeer = Object.fromEntries(LAB_PEERS.map((p) => [p, S((r) => r.all.perPeer[p])]));
  const rows = [
    [`${slowest} alone (${RATES[LAB_PEERS.indexOf(slowest)]})`, ...spread(aloneMs, 1 / 1000), (mbps(size, aloneMs.median)).toFixed(2)],
    ['p1 p2 p3 at once', ...spread(allMs, 1 / 1000), (mbps(3 * size, allMs.median)).toFixed(2) + ' (sum)'],
    ...LAB_PEERS.map((p, i) => [`  ${p} (${RATES[i]}) as reported`, ...spread(perPeer[p], 1 / 1000), mbps(size, perPeer[p].median).toFixed(2)]),
    ['ratio all / slowest alone', ...spread(ratio, 1, 3), ''],
    ['bytes received / (3 × file size)', ...spread(served, 1, 3), ''],
  ];
  return {
    params: { sizeBytes: size, rates: RATES, runs: ctx.runs, slowest },
    figures: { aloneMs, allMs, ratio, perPeerMs: perPeer, servedPerSize: served },
    targets: [target('all three / slowest alone', ratio.median, '<=', TARGET_RATIO), target('bytes received / (3 × file size)', served.median, '<=', 1.02)],
    table: table(['row', 'time s', 'spread', 'MB/s'], rows),
    notes: ['received: PUT bytes in the receivers\' request logs (the body each one received)'],
  };
}

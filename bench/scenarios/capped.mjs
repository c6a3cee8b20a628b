// Scenarios 1 and 2: a download from three peers on capped links, against the ideal.
//
// Ideal time = file size ÷ (sum of the three single-peer throughputs), each throughput measured
// in the same repetition by downloading from that peer alone: the link layer's figure, none of
// our own overheads in it. A single-peer download still running after the probe cap is stopped
// and its throughput taken from the trace (verified bytes ÷ time of the last verified piece), so
// a 4 mbit link does not cost minutes per repetition.
//
// The three-peer download is timed twice in each repetition: in a running console (command to
// output) and as a user meets it, `printf '#DOWNLOAD …' | node dist/client.js` from spawn to exit.
// The anchor is aria2c from nginx on the same three hosts, also from spawn to exit.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aria2Download } from '../lib/anchors.mjs';
import { secureMeshes } from '../lib/files.mjs';
import { spawnedDownload } from '../lib/from-spawn.mjs';
import { timedDownload, timedStaticSplit, verifyAndRemove } from '../lib/measure.mjs';
import { fmt, mbps, mib, spread, summarize, table, target } from '../lib/report.mjs';
import { counting } from '../lib/server-log.mjs';
import { picture } from './capped-picture.mjs';
import { LAB_PEERS, labMesh, labNginx } from './lab-mesh.mjs';

const TARGET_RATIO = 1.05;
const TARGET_SERVED = 1.02;

/**
 * @param {object} ctx the driver's context
 * @param {{rates: string[], staticSplit: boolean, svg?: string}} options
 */
export async function cappedDownload(ctx, { rates, staticSplit: wanted, svg }) {
  // The static split is a plain-TCP client of the original design: no row in secure mode.
  const staticSplit = wanted && !secureMeshes();
  const env = await labMesh(ctx);
  rates.forEach((rate, i) => env.lab.setRate(env.lab.servers[i], rate));
  const anchors = await labNginx(ctx, env);
  const reps = [];
  for (let run = 1; run <= ctx.runs; run++) {
    const rep = await repetition(ctx, env, anchors, staticSplit);
    reps.push(rep);
    ctx.log(
      `run ${run}/${ctx.runs}: alone ${rep.singles.map((s, i) => `${LAB_PEERS[i]} ${(s.ms / 1000).toFixed(2)} s${s.complete ? '' : ' (probe)'}`).join(', ')}; ` +
        `ideal ${(rep.idealMs / 1000).toFixed(2)} s; txtmesh in console ${(rep.multi.ms / 1000).toFixed(2)} s (${rep.ratio.toFixed(3)}), ` +
        `from spawn ${(rep.spawned.ms / 1000).toFixed(2)} s (${rep.spawnRatio.toFixed(3)})` +
        (rep.aria ? `; aria2c ${(rep.aria.ms / 1000).toFixed(2)} s (${rep.ariaRatio.toFixed(3)})` : '') +
        (rep.stat ? `; static ${(rep.stat.ms / 1000).toFixed(2)} s` : ''),
    );
  }
  return report(ctx, reps, { rates, size: env.size, staticSplit, svg, anchors });
}

async function repetition(ctx, env, anchors, staticSplit) {
  const { mesh, size, sha, name, netns, servers } = env;
  const common = { mesh, netns, name, sha, size };
  const singles = [];
  for (const peer of LAB_PEERS) singles.push(await timedDownload({ ...common, peers: [peer], capMs: ctx.probeCapMs }));
  const multi = await counting(servers, 'GET', name, () => timedDownload({ ...common, peers: LAB_PEERS }));
  const spawned = await counting(servers, 'GET', name, () => spawnedDownload({ ...common, peers: LAB_PEERS }));
  const stat = staticSplit ? await timedStaticSplit({ ...common, peers: LAB_PEERS }) : undefined;
  const aria = anchors.nginx ? await ariaDownload(env, anchors.nginx) : undefined;
  // Bytes per second of each peer alone.
  const throughputs = singles.map((s) => (s.complete ? size / (s.ms / 1000) : s.bytes / (s.lastMs / 1000)));
  const idealMs = (size / throughputs.reduce((a, b) => a + b, 0)) * 1000;
  return {
    singles,
    multi: { ...multi.result, served: multi.bytes / size },
    spawned: { ...spawned.result, served: spawned.bytes / size },
    stat,
    aria,
    throughputs,
    idealMs,
    ratio: multi.result.ms / idealMs,
    spawnRatio: spawned.result.ms / idealMs,
    ariaRatio: aria && aria.ms / idealMs,
    staticRatio: stat && stat.ms / idealMs,
  };
}

/** aria2c -k1M from the three hosts' nginx, in the client's namespace; verified and removed. */
async function ariaDownload({ mesh, size, sha, name, netns }, nginx) {
  const before = nginx.map((n) => n.bytesSent());
  const out = `aria2c-${name}`;
  const { ms } = await aria2Download({ urls: nginx.map((n) => n.url(name)), dir: mesh.served('d'), out, options: ['-k1M'], netns });
  await verifyAndRemove(join(mesh.served('d'), out), sha, `aria2c ${name}`);
  return { ms, served: nginx.reduce((n, x, i) => n + x.bytesSent() - before[i], 0) / size };
}

const shareOf = (byPeer) => LAB_PEERS.map((p) => byPeer[p] ?? 0);
const sharesMiB = (xs) => xs.map((b) => fmt(mib(b), 1)).join(' / ');
const ratioText = (xs) => {
  const least = Math.min(...xs.filter((x) => x > 0));
  return xs.map((x) => (x / least).toFixed(1)).join(' : ');
};

/** Medians and spreads of every repetition's figures (what goes into the JSON). */
function figuresOf(reps, { size, staticSplit, anchors }) {
  const S = (f) => summarize(reps.map(f));
  const medianShare = (pick) => LAB_PEERS.map((p) => summarize(reps.map((r) => pick(r).byPeer[p] ?? 0)).median);
  const alone = LAB_PEERS.map((_, i) => summarize(reps.map((r) => r.throughputs[i])).median);
  return {
    ratio: S((r) => r.ratio),
    spawnRatio: S((r) => r.spawnRatio),
    multiMs: S((r) => r.multi.ms),
    spawnMs: S((r) => r.spawned.ms),
    spawnReportedMs: S((r) => r.spawned.reportedMs),
    idealMs: S((r) => r.idealMs),
    multiLastPieceMs: S((r) => r.multi.lastMs),
    multiServedPerSize: S((r) => r.multi.served),
    spawnServedPerSize: S((r) => r.spawned.served),
    ...(anchors.nginx ? { aria: { ms: S((r) => r.aria.ms), ratioToIdeal: S((r) => r.ariaRatio), servedPerSize: S((r) => r.aria.served), spawnOverAria: S((r) => r.spawned.ms / r.aria.ms) } } : {}),
    ...(staticSplit ? { static: { ms: S((r) => r.stat.ms), ratioToIdeal: S((r) => r.staticRatio), bytesByPeer: reps.map((r) => shareOf(r.stat.byPeer)), bytesByPeerMedian: medianShare((r) => r.stat) } } : {}),
    singleMs: LAB_PEERS.map((_, i) => S((r) => r.singles[i].ms)), // as run (a stopped probe: the cap)
    singleComplete: LAB_PEERS.map((_, i) => reps.map((r) => r.singles[i].complete)),
    singleThroughputBytesPerS: LAB_PEERS.map((_, i) => S((r) => r.throughputs[i])),
    aloneBytesPerS: alone,
    singleFileMs: LAB_PEERS.map((_, i) => S((r) => (size / r.throughputs[i]) * 1000)),
    multiBytesByPeer: reps.map((r) => shareOf(r.multi.byPeer)),
    multiBytesByPeerMedian: medianShare((r) => r.multi),
    spawnBytesByPeer: reps.map((r) => shareOf(r.spawned.byPeer)),
    spawnBytesByPeerMedian: medianShare((r) => r.spawned),
    idealBytesByPeer: alone.map((x) => Math.round((x / alone.reduce((a, b) => a + b)) * size)),
  };
}

/** The printed table's rows. */
function rowsOf(reps, f, { rates, size, anchors }) {
  const time = (s) => spread(s, 1 / 1000);
  const speed = (s) => fmt(mbps(size, s.median));
  const ratio = (label, s) => [label, ...spread(s, 1, 3), '', '', '', ''];
  const rows = LAB_PEERS.map((p, i) => {
    const probe = reps.some((r) => !r.singles[i].complete);
    // A probe that was stopped shows the time the whole file would take at its rate.
    return [`${p} alone (${rates[i]})${probe ? ' *' : ''}`, ...time(f.singleFileMs[i]), fmt(f.aloneBytesPerS[i] / 1e6), '', '', ''];
  });
  rows.push(['ideal (size ÷ Σ throughputs)', ...time(f.idealMs), speed(f.idealMs), sharesMiB(f.idealBytesByPeer), ratioText(f.aloneBytesPerS), '']);
  rows.push(['txtmesh p1 p2 p3, in a running console', ...time(f.multiMs), speed(f.multiMs), sharesMiB(f.multiBytesByPeerMedian), ratioText(f.multiBytesByPeerMedian), fmt(f.multiServedPerSize.median, 3)]);
  // When the last piece was verified and written: the rest of the command's time is the tail.
  rows.push(['  its last piece verified at', ...time(f.multiLastPieceMs), '', '', '', '']);
  rows.push(['txtmesh from spawn to exit (printf | node)', ...time(f.spawnMs), speed(f.spawnMs), sharesMiB(f.spawnBytesByPeerMedian), ratioText(f.spawnBytesByPeerMedian), fmt(f.spawnServedPerSize.median, 3)]);
  rows.push(['  the console reported', ...time(f.spawnReportedMs), '', '', '', '']);
  if (f.aria) rows.push(['aria2c -s3 -x1 -k1M from 3 nginx, spawn to exit', ...time(f.aria.ms), speed(f.aria.ms), '', '', fmt(f.aria.servedPerSize.median, 3)]);
  else rows.push(['aria2c from 3 nginx', 'SKIP', anchors.skip, '', '', '', '']);
  if (f.static) rows.push(['static equal split (original)', ...time(f.static.ms), speed(f.static.ms), sharesMiB(f.static.bytesByPeerMedian), ratioText(f.static.bytesByPeerMedian), '']);
  rows.push(ratio('ratio txtmesh in console / ideal', f.ratio));
  rows.push(ratio('ratio txtmesh from spawn / ideal', f.spawnRatio));
  if (f.aria) rows.push(ratio('ratio aria2c / ideal', f.aria.ratioToIdeal), ratio('time txtmesh from spawn / aria2c', f.aria.spawnOverAria));
  if (f.static) rows.push(ratio('ratio static / ideal', f.static.ratioToIdeal));
  return rows;
}

function report(ctx, reps, { rates, size, staticSplit, svg, anchors }) {
  const f = figuresOf(reps, { size, staticSplit, anchors });
  const notes = [
    'served/size: GET bytes in the servers\' request logs ÷ file size (what the sockets took: an abandoned GET counts what went out); aria2c: body bytes nginx sent',
  ];
  if (!anchors.nginx) notes.push(`SKIP aria2c row: ${anchors.skip}`);
  if (reps.some((r) => r.singles.some((s) => !s.complete))) {
    notes.push(`* stopped after the ${ctx.probeCapMs / 1000} s probe cap: throughput = verified bytes ÷ time of the last verified piece (trace); time = size ÷ that throughput`);
  }
  if (svg) {
    // The repetition with the median ratio is the one drawn.
    const drawn = [...reps].sort((a, b) => a.ratio - b.ratio)[Math.floor((reps.length - 1) / 2)];
    writeFileSync(join(ctx.outDir, svg), picture({ drawn, rates, size }));
    notes.push(`picture: ${join(ctx.outDirLabel, svg)}`);
  }
  const served = Math.max(f.multiServedPerSize.median, f.spawnServedPerSize.median);
  return {
    params: { sizeBytes: size, rates, runs: ctx.runs, probeCapMs: ctx.probeCapMs, tbf: { burst: '64kb', latency: '100ms' }, aria2c: anchors.skip ?? 'aria2c -s3 -x1 -k1M --file-allocation=falloc --enable-mmap=true' },
    figures: f,
    targets: [
      target(`txtmesh in console / ideal (median of ${reps.length})`, f.ratio.median, '<=', TARGET_RATIO),
      target(`txtmesh from spawn / ideal (median of ${reps.length})`, f.spawnRatio.median, '<=', TARGET_RATIO),
      target('bytes served / file size (worse of the two txtmesh runs)', served, '<=', TARGET_SERVED),
    ],
    table: table(['row', 'time s', 'spread', 'MB/s', 'MiB from p1 / p2 / p3', 'share', 'served/size'], rowsOf(reps, f, { rates, size, anchors })),
    notes,
  };
}

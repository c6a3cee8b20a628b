// Scenarios 1 and 2: a download from three peers on capped links, against the ideal.
//
// Ideal time = file size ÷ (sum of the three single-peer throughputs), each throughput measured
// in the same repetition by downloading from that peer alone. A single-peer download still
// running after the probe cap is stopped and its throughput taken from the trace (verified bytes
// ÷ time of the last verified piece), so a 4 mbit link does not cost minutes per repetition.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mbps, mib, spread, summarize, table, target, fmt } from '../lib/report.mjs';
import { secureMeshes } from '../lib/files.mjs';
import { timedDownload, timedStaticSplit } from '../lib/measure.mjs';
import { lineChart } from '../svg.mjs';
import { LAB_PEERS, labMesh } from './lab-mesh.mjs';

const TARGET_RATIO = 1.05;

/**
 * @param {object} ctx the driver's context
 * @param {{id: string, rates: string[], staticSplit: boolean, svg?: string}} options
 */
export async function cappedDownload(ctx, { rates, staticSplit: wanted, svg }) {
  // The static split is a plain-TCP client of the original design: no row in secure mode.
  const staticSplit = wanted && !secureMeshes();
  const env = await labMesh(ctx);
  rates.forEach((rate, i) => env.lab.setRate(i + 1, rate));
  const { mesh, size, sha, name, netns } = env;
  const common = { mesh, netns, name, sha, size };
  const reps = [];
  for (let run = 1; run <= ctx.runs; run++) {
    const singles = [];
    for (const peer of LAB_PEERS) singles.push(await timedDownload({ ...common, peers: [peer], capMs: ctx.probeCapMs }));
    const multi = await timedDownload({ ...common, peers: LAB_PEERS });
    const stat = staticSplit ? await timedStaticSplit({ ...common, peers: LAB_PEERS }) : undefined;
    // Bytes per second of each peer alone.
    const throughputs = singles.map((s) => (s.complete ? size / (s.ms / 1000) : s.bytes / (s.lastMs / 1000)));
    const idealMs = (size / throughputs.reduce((a, b) => a + b, 0)) * 1000;
    reps.push({ singles, multi, stat, throughputs, idealMs, ratio: multi.ms / idealMs, staticRatio: stat && stat.ms / idealMs });
    ctx.log(
      `run ${run}/${ctx.runs}: alone ${singles.map((s, i) => `${LAB_PEERS[i]} ${(s.ms / 1000).toFixed(2)} s${s.complete ? '' : ' (probe)'}`).join(', ')}; ` +
        `multi ${(multi.ms / 1000).toFixed(2)} s, ideal ${(idealMs / 1000).toFixed(2)} s, ratio ${reps.at(-1).ratio.toFixed(3)}` +
        (stat ? `; static ${(stat.ms / 1000).toFixed(2)} s` : ''),
    );
  }

  const S = (f) => summarize(reps.map(f));
  const ratio = S((r) => r.ratio);
  const multiMs = S((r) => r.multi.ms);
  const idealMs = S((r) => r.idealMs);
  const shareOf = (byPeer) => LAB_PEERS.map((p) => byPeer[p] ?? 0);
  const medianShare = (pick) => LAB_PEERS.map((p) => summarize(reps.map((r) => pick(r).byPeer[p] ?? 0)).median);
  const multiShare = medianShare((r) => r.multi);
  const alone = LAB_PEERS.map((_, i) => summarize(reps.map((r) => r.throughputs[i])).median);
  const ratioText = (xs) => {
    const least = Math.min(...xs.filter((x) => x > 0));
    return xs.map((x) => (x / least).toFixed(1)).join(' : ');
  };
  const rows = LAB_PEERS.map((p, i) => {
    const probe = reps.some((r) => !r.singles[i].complete);
    // A probe that was stopped shows the time the whole file would take at its rate.
    const [median, range] = spread(S((r) => (size / r.throughputs[i]) * 1000), 1 / 1000);
    return [`${p} alone (${rates[i]})${probe ? ' *' : ''}`, median, range, fmt(alone[i] / 1e6), '', ''];
  });
  rows.push(['ideal (size ÷ Σ throughputs)', ...spread(idealMs, 1 / 1000), fmt(mbps(size, idealMs.median)), alone.map((x) => fmt(mib((x / alone.reduce((a, b) => a + b)) * size), 1)).join(' / '), ratioText(alone)]);
  rows.push(['txtmesh p1 p2 p3', ...spread(multiMs, 1 / 1000), fmt(mbps(size, multiMs.median)), multiShare.map((b) => fmt(mib(b), 1)).join(' / '), ratioText(multiShare)]);
  // When the last piece was verified and written: the rest of the command's time is the tail
  // (fsync, link, and anything the download still waits for).
  const lastPieceMs = S((r) => r.multi.lastMs);
  rows.push(['  its last piece verified at', ...spread(lastPieceMs, 1 / 1000), '', '', '']);
  let staticFigures;
  if (staticSplit) {
    const staticMs = S((r) => r.stat.ms);
    const staticShare = medianShare((r) => r.stat);
    rows.push(['static equal split (original)', ...spread(staticMs, 1 / 1000), fmt(mbps(size, staticMs.median)), staticShare.map((b) => fmt(mib(b), 1)).join(' / '), ratioText(staticShare)]);
    staticFigures = { ms: staticMs, ratioToIdeal: S((r) => r.staticRatio), bytesByPeer: reps.map((r) => shareOf(r.stat.byPeer)) };
  }
  rows.push(['ratio txtmesh / ideal', ...spread(ratio, 1, 3), '', '', '']);
  if (staticSplit) rows.push(['ratio static / ideal', ...spread(staticFigures.ratioToIdeal, 1, 3), '', '', '']);

  const notes = [];
  if (reps.some((r) => r.singles.some((s) => !s.complete))) {
    notes.push(`* stopped after the ${ctx.probeCapMs / 1000} s probe cap: throughput = verified bytes ÷ time of the last verified piece (trace); time = size ÷ that throughput`);
  }
  if (svg) {
    // The repetition with the median ratio is the one drawn.
    const drawn = [...reps].sort((a, b) => a.ratio - b.ratio)[Math.floor((reps.length - 1) / 2)];
    writeFileSync(join(ctx.outDir, svg), picture({ drawn, rates, size }));
    notes.push(`picture: ${join(ctx.outDirLabel, svg)}`);
  }
  return {
    params: { sizeBytes: size, rates, runs: ctx.runs, probeCapMs: ctx.probeCapMs, tbf: { burst: '64kb', latency: '100ms' } },
    figures: {
      ratio,
      multiMs,
      multiLastPieceMs: lastPieceMs,
      idealMs,
      singleMs: LAB_PEERS.map((_, i) => S((r) => r.singles[i].ms)), // as run (a stopped probe: the cap)
      singleComplete: LAB_PEERS.map((_, i) => reps.map((r) => r.singles[i].complete)),
      singleThroughputBytesPerS: LAB_PEERS.map((_, i) => S((r) => r.throughputs[i])),
      multiBytesByPeer: reps.map((r) => shareOf(r.multi.byPeer)),
      multiBytesByPeerMedian: multiShare,
      idealBytesByPeer: alone.map((x) => Math.round((x / alone.reduce((a, b) => a + b)) * size)),
      ...(staticFigures ? { static: staticFigures } : {}),
    },
    targets: [target(`txtmesh time / ideal (median of ${reps.length})`, ratio.median, '<=', TARGET_RATIO)],
    table: table(['row', 'time s', 'spread', 'MB/s', 'MiB from p1 / p2 / p3', 'share'], rows),
    notes,
  };
}

/** Cumulative MiB received from each peer over time: txtmesh above, the static split below. */
function picture({ drawn, rates, size }) {
  const series = (run) =>
    LAB_PEERS.map((peer, i) => {
      let sum = 0;
      const points = [[0, 0]];
      for (const e of run.events) {
        if (e.peer !== peer) continue;
        sum += e.bytes;
        points.push([e.ms / 1000, mib(sum)]);
      }
      return { label: `${peer} (${rates[i].replace('mbit', ' mbit')}): ${fmt(mib(sum), 1)} MiB, ${Math.round((sum / size) * 100)}%`, points };
    });
  const panels = [
    { title: `txtmesh #DOWNLOAD from p1 p2 p3: ${(drawn.multi.ms / 1000).toFixed(2)} s (ideal ${(drawn.idealMs / 1000).toFixed(2)} s, ratio ${drawn.ratio.toFixed(3)})`, end: drawn.multi.ms / 1000, marks: [{ x: drawn.idealMs / 1000, label: 'ideal' }], series: series(drawn.multi) },
  ];
  if (drawn.stat) {
    panels.push({ title: `static equal split, the original design: ${(drawn.stat.ms / 1000).toFixed(2)} s`, end: drawn.stat.ms / 1000, series: series(drawn.stat) });
  }
  return lineChart({
    title: `Bytes received from each peer: ${fmt(mib(size), 0)} MiB, links capped at ${rates.map((r) => parseFloat(r)).join('/')} mbit`,
    subtitle: 'Cumulative verified MiB per peer (client --trace). Dashed: the command finished; dotted: the ideal time.',
    xLabel: 'seconds since the download started',
    yLabel: 'MiB received',
    panels,
  });
}

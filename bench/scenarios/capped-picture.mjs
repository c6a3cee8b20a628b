// The picture of scenario 1: cumulative MiB received from each peer over time (client --trace),
// txtmesh above and the static equal split below.
import { fmt, mib } from '../lib/report.mjs';
import { lineChart } from '../svg.mjs';
import { LAB_PEERS } from './lab-mesh.mjs';

/** Cumulative MiB received from each peer over time: txtmesh above, the static split below. */
export function picture({ drawn, rates, size }) {
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

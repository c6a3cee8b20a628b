// Speed history of one download: total and per-peer MB/s against seconds (uPlot).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from '../html.js';

const PALETTE = ['#2b7bd8', '#e0702a', '#2aa876', '#b04fc4', '#c9a227', '#d64561', '#4aa3b5', '#7a7f2a'];
const HEIGHT = 180;

function columns(history, peers) {
  const n = history.t.length;
  const series = peers.map((p) => {
    const s = history.peers[p] ?? [];
    return s.length === n ? s : [...new Array(n - s.length).fill(0), ...s];
  });
  return [history.t, history.total, ...series];
}

function options(width, peers) {
  const ink = getComputedStyle(document.body).color;
  const mbs = (_u, values) => values.map((v) => `${(v / 1e6).toFixed(v >= 1e7 ? 0 : 1)}`);
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(max, 1e5)] } },
    legend: { live: false },
    cursor: { show: false },
    series: [
      { label: 'seconds' },
      { label: 'total', stroke: ink, width: 2 },
      ...peers.map((p, i) => ({ label: p, stroke: PALETTE[i % PALETTE.length], width: 1.5 })),
    ],
    axes: [
      { stroke: ink, grid: { stroke: 'rgba(128,128,128,0.2)' }, label: 'seconds' },
      { stroke: ink, grid: { stroke: 'rgba(128,128,128,0.2)' }, values: mbs, label: 'MB/s', size: 50 },
    ],
  };
}

export function SpeedGraph({ history, peers, label }) {
  const box = useRef(null);
  const plot = useRef(null);
  const key = peers.join(' ');
  useEffect(() => {
    const el = box.current;
    plot.current = new uPlot(options(Math.max(200, el.clientWidth), peers), columns(history, peers), el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current.destroy();
      plot.current = null;
    };
  }, [key]);
  useEffect(() => {
    plot.current?.setData(columns(history, peers));
  }, [history, key]);
  return html`<figure class="graph"><div ref=${box} role="img" aria-label=${label}></div>
    <figcaption>Speed over time: total and per peer, in MB/s.</figcaption></figure>`;
}

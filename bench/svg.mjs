// A tiny SVG line-chart writer (no plotting dependency): stacked panels sharing one time axis,
// one polyline per series, a legend per panel, and a dashed line where each panel's run ended.

const COLORS = ['#1f77b4', '#e6550d', '#2ca02c', '#9467bd', '#8c564b', '#e377c2'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** About `count` round tick values from 0 to at least `max`. */
export function ticks(max, count = 6) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const out = [];
  for (let v = 0; v < max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * Renders panels of lines as an SVG document.
 * @param {object} chart
 * @param {string} chart.title
 * @param {string} [chart.subtitle]
 * @param {string} chart.xLabel
 * @param {string} chart.yLabel
 * @param {{title: string, end?: number, marks?: {x: number, label: string}[],
 *          series: {label: string, points: [number, number][]}[]}[]} chart.panels
 *   end: where the run finished (dashed line); marks: other times to show (dotted lines)
 */
export function lineChart({ title, subtitle = '', xLabel, yLabel, panels, width = 820, panelHeight = 280 }) {
  const left = 64;
  const right = 24;
  const top = subtitle ? 64 : 44;
  const gap = 70;
  const plotW = width - left - right;
  const height = top + panels.length * (panelHeight + gap);
  const all = panels.flatMap((p) => p.series.flatMap((s) => s.points));
  const xTicks = ticks(Math.max(...all.map(([x]) => x), ...panels.map((p) => p.end ?? 0), 0.001));
  const yTicks = ticks(Math.max(...all.map(([, y]) => y), 0.001), 5);
  const xMax = xTicks.at(-1);
  const yMax = yTicks.at(-1);
  const fmtTick = (v) => String(Number(v.toFixed(3)));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`,
  ];
  if (subtitle) out.push(`<text x="${left}" y="44" fill="#555">${esc(subtitle)}</text>`);
  panels.forEach((panel, index) => {
    const y0 = top + index * (panelHeight + gap) + 24;
    const h = panelHeight - 24;
    const sx = (x) => left + (x / xMax) * plotW;
    const sy = (y) => y0 + h - (y / yMax) * h;
    out.push(`<text x="${left}" y="${y0 - 10}" font-size="13" font-weight="bold">${esc(panel.title)}</text>`);
    for (const t of yTicks) {
      out.push(`<line x1="${left}" x2="${left + plotW}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${left - 6}" y="${sy(t) + 4}" text-anchor="end" fill="#444">${fmtTick(t)}</text>`);
    }
    for (const t of xTicks) {
      out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${y0}" y2="${y0 + h}" stroke="#f0f0f0"/>`);
      out.push(`<text x="${sx(t)}" y="${y0 + h + 16}" text-anchor="middle" fill="#444">${fmtTick(t)}</text>`);
    }
    out.push(`<rect x="${left}" y="${y0}" width="${plotW}" height="${h}" fill="none" stroke="#999"/>`);
    out.push(`<text x="${left + plotW / 2}" y="${y0 + h + 34}" text-anchor="middle" fill="#333">${esc(xLabel)}</text>`);
    out.push(`<text transform="translate(${left - 44} ${y0 + h / 2}) rotate(-90)" text-anchor="middle" fill="#333">${esc(yLabel)}</text>`);
    for (const mark of panel.marks ?? []) {
      out.push(`<line x1="${sx(mark.x)}" x2="${sx(mark.x)}" y1="${y0}" y2="${y0 + h}" stroke="#888" stroke-dasharray="1 3"/>`);
      out.push(`<text x="${sx(mark.x) - 4}" y="${y0 + 14}" text-anchor="end" fill="#666">${esc(mark.label)}</text>`);
    }
    if (panel.end !== undefined) {
      out.push(`<line x1="${sx(panel.end)}" x2="${sx(panel.end)}" y1="${y0}" y2="${y0 + h}" stroke="#333" stroke-dasharray="4 3"/>`);
      // Right of the line, unless that runs off the plot.
      const right = sx(panel.end) + 90 < left + plotW;
      out.push(`<text x="${sx(panel.end) + (right ? 4 : -4)}" y="${y0 + h - 6}" text-anchor="${right ? 'start' : 'end'}" fill="#333">done ${panel.end.toFixed(2)} s</text>`);
    }
    panel.series.forEach((series, i) => {
      const color = series.color ?? COLORS[i % COLORS.length];
      const points = series.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" points="${points}"/>`);
      const ly = y0 + 18 + i * 18;
      out.push(`<line x1="${left + 12}" x2="${left + 36}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`);
      out.push(`<text x="${left + 42}" y="${ly}">${esc(series.label)}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

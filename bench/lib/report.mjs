// Figures: median and spread of repeated measurements, targets, and the printed tables.

/** Median, min and max of some numbers (all kept, for the JSON). */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n === 0 ? NaN : n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[n - 1] ?? NaN, n, values };
}

/** A checked target: `value op limit`. */
export function target(what, value, op, limit) {
  const pass = op === '<=' ? value <= limit : op === '<' ? value < limit : op === '>=' ? value >= limit : value > limit;
  return { what, value, op, limit, pass: Number.isFinite(value) && pass };
}

const MiB = 1024 * 1024;
export const mib = (bytes) => bytes / MiB;
export const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);

/** Number formatting: 3 significant figures, at most 3 decimals. */
export function fmt(value, digits) {
  if (value === undefined || value === null || Number.isNaN(value)) return '-';
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && digits === undefined) return String(value);
  if (digits !== undefined) return value.toFixed(digits);
  const abs = Math.abs(value);
  return value.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
}

/** "median  (min–max)" of a summary, scaled by `scale`. */
export function spread(summary, scale = 1, digits) {
  if (!summary || summary.n === 0) return ['-', ''];
  if (summary.n === 1) return [fmt(summary.median * scale, digits), ''];
  return [fmt(summary.median * scale, digits), `${fmt(summary.min * scale, digits)}–${fmt(summary.max * scale, digits)}`];
}

/** Left-aligned columns with a rule under the header. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c ?? '')));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]?.length ?? 0)));
  const line = (r) => '  ' + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(all[0]), '  ' + widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** One line per target: "target  multi/ideal 1.02 <= 1.05  PASS". */
export function targetLines(targets) {
  return targets.map((t) => `  target  ${t.what}: ${fmt(t.value)} ${t.op === '<=' ? '≤' : t.op === '>=' ? '≥' : t.op} ${t.limit}  ${t.pass ? 'PASS' : 'FAIL'}`).join('\n');
}

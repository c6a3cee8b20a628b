// The targets of a benchmark run as a Markdown table, and the part of bench/README.md that
// quotes them: between the markers below, always rendered from bench/results/latest.json, never
// typed by hand (a full run rewrites it; test/integration/bench-harness.test.ts checks it).
import { readFileSync, writeFileSync } from 'node:fs';

export const BEGIN = '<!-- latest-run: rendered from bench/results/latest.json by bench/summary.mjs; do not edit -->';
export const END = '<!-- latest-run: end -->';

const num = (v) => (typeof v !== 'number' ? String(v) : Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3))));
const OP = { '<=': '≤', '>=': '≥', '<': '<', '>': '>' };

/** A results file's run and targets as Markdown. */
export function renderSummary(report) {
  const out = [
    `Run of ${report.date} on commit \`${report.commit?.slice(0, 7) ?? '?'}\`${report.dirty ? ' (with uncommitted changes)' : ''}: ${report.mode} mode, ` +
      `${report.transport ?? 'open (TCP)'}, Node ${report.node}, ${report.cpus} cores, ${Math.round(report.seconds ?? 0)} s.`,
    '',
    '| scenario | target | value | limit | |',
    '|---|---|---|---|---|',
  ];
  let met = 0;
  let all = 0;
  for (const [id, s] of Object.entries(report.scenarios)) {
    if (s.status !== 'ok') {
      out.push(`| ${id} | ${s.status}: ${s.reason ?? s.error ?? ''} | | | |`);
      continue;
    }
    for (const t of s.targets ?? []) {
      all++;
      if (t.pass) met++;
      out.push(`| ${id} | ${t.what} | ${num(t.value)} | ${OP[t.op] ?? t.op} ${num(t.limit)} | ${t.pass ? 'PASS' : 'FAIL'} |`);
    }
  }
  out.push('', `${met} of ${all} targets met.`);
  return out.join('\n');
}

/** The README's text with the section between the markers rendered from `report`. */
export function withSummary(readme, report) {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error('bench/README.md has no latest-run markers');
  return `${readme.slice(0, begin + BEGIN.length)}\n${renderSummary(report)}\n${readme.slice(end)}`;
}

/** Rewrites the README's latest-run section from the results file; returns whether it changed. */
export function updateReadme(readmePath, resultsPath) {
  const readme = readFileSync(readmePath, 'utf8');
  const next = withSummary(readme, JSON.parse(readFileSync(resultsPath, 'utf8')));
  if (next !== readme) writeFileSync(readmePath, next);
  return next !== readme;
}

#!/usr/bin/env node
// Prints the targets of a benchmark run as a Markdown table, read from its results file:
//
//   node bench/summary.mjs [FILE]     (default bench/results/latest.json)
//
// bench/README.md quotes no figures of its own; this is how to read the latest ones.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  process.stderr.write(`summary: cannot read ${file}: ${err.message}\n`);
  process.exit(2);
}

const num = (v) => (typeof v !== 'number' ? String(v) : Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3))));
const op = { '<=': '≤', '>=': '≥', '<': '<', '>': '>' };
const out = [
  `Run of ${report.date} on commit ${report.commit?.slice(0, 7) ?? '?'}${report.dirty ? ' (with uncommitted changes)' : ''}: ${report.mode} mode, ${report.transport ?? 'open (TCP)'}, ` +
    `Node ${report.node}, ${report.cpus} cores, ${Math.round(report.seconds ?? 0)} s.`,
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
    out.push(`| ${id} | ${t.what} | ${num(t.value)} | ${op[t.op] ?? t.op} ${num(t.limit)} | ${t.pass ? 'PASS' : 'FAIL'} |`);
  }
}
out.push('', `${met} of ${all} targets met.`);
process.stdout.write(out.join('\n') + '\n');

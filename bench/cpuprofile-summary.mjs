#!/usr/bin/env node
// Top functions by self time in a V8 .cpuprofile (node --cpu-prof).
//
//   node bench/cpuprofile-summary.mjs FILE.cpuprofile [--top N]
//
// Self time of a function = the time of the samples taken while it was the innermost frame.
// summarizeProfile() can also keep only the samples of a time window (microseconds on the
// monotonic clock that both V8's profiler and process.hrtime use), e.g. one download.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { repo } from './lib/procs.mjs';

function where(frame) {
  let url = frame.url || '';
  if (url.startsWith('file://')) url = fileURLToPath(url);
  if (url.startsWith(repo + '/')) url = url.slice(repo.length + 1);
  url = url.replace(/^.*\/node_modules\//, 'node_modules/');
  return url ? `${url}:${frame.lineNumber + 1}` : '';
}

/**
 * @param {object} profile a parsed .cpuprofile
 * @param {{fromUs?: number, toUs?: number}} [window] keep only samples in this window
 * @returns {{totalMs: number, rows: {name: string, where: string, selfMs: number, share: number, caller?: string}[]}}
 */
export function summarizeProfile(profile, { fromUs = -Infinity, toUs = Infinity } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n);
  const label = (frame) => `${frame.functionName || '(anonymous)'}${where(frame) ? ` (${where(frame)})` : ''}`;
  const self = new Map();
  const callers = new Map(); // key → Map(caller label → µs)
  let t = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) return;
    const frame = nodes.get(id).callFrame;
    const key = `${frame.functionName || '(anonymous)'}\u0000${where(frame)}`;
    self.set(key, (self.get(key) ?? 0) + delta);
    const parent = parents.get(id);
    if (parent) {
      const byCaller = callers.get(key) ?? new Map();
      const caller = label(parent.callFrame);
      byCaller.set(caller, (byCaller.get(caller) ?? 0) + delta);
      callers.set(key, byCaller);
    }
    total += delta;
  });
  const rows = [...self.entries()]
    .map(([key, us]) => {
      const [name, at] = key.split('\u0000');
      // Native frames (writeBuffer, fstat…) say little alone: name their main caller.
      const top = [...(callers.get(key) ?? new Map()).entries()].sort((a, b) => b[1] - a[1])[0];
      return { name, where: at, selfMs: us / 1000, share: total ? us / total : 0, caller: top?.[0] };
    })
    .sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs: total / 1000, rows };
}

/** The summary as text lines. */
export function formatSummary({ totalMs, rows }, top = 15) {
  const lines = [`  ${totalMs.toFixed(0)} ms sampled`, '   self ms   share  function  (where)'];
  for (const r of rows.slice(0, top)) {
    const from = !r.where && r.caller && !r.name.startsWith('(') ? `  ← ${r.caller}` : '';
    lines.push(`  ${r.selfMs.toFixed(1).padStart(8)}  ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}${r.where ? `  (${r.where})` : ''}${from}`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, flag, n] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: cpuprofile-summary.mjs FILE.cpuprofile [--top N]\n');
    process.exit(2);
  }
  const top = flag === '--top' ? Number(n) : 20;
  process.stdout.write(formatSummary(summarizeProfile(JSON.parse(readFileSync(file, 'utf8'))), top) + '\n');
}

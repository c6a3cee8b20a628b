#!/usr/bin/env node
// npm run bench [-- --quick] [--only NAME[,NAME]] [--runs N] [--out DIR] [--keep]
//
// Runs the benchmark scenarios (bench/README.md) against the real programs in dist/ (npm run
// bench builds first), prints a table per scenario and writes every figure to
// bench/results/latest.json (a full run) or bench/results/partial/ (--quick or --only).
// Targets are marked PASS/FAIL but never fail the process; a wrong byte, a failed command or
// a crash does (exit 1). Scenarios that need root and network namespaces print a SKIP line
// where they cannot run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { removeRoots, useSecureMeshes } from './lib/files.mjs';
import { Skip } from './lib/measure.mjs';
import { killAll, repo, serverJs, unexpectedExits } from './lib/procs.mjs';
import { targetLines } from './lib/report.mjs';
import { updateReadme } from './lib/summary.mjs';
import { cappedDownload } from './scenarios/capped.mjs';
import { crowd } from './scenarios/crowd.mjs';
import { limits } from './scenarios/limits.mjs';
import { loopback } from './scenarios/loopback.mjs';
import { memory } from './scenarios/memory.mjs';
import { meshScenario } from './scenarios/mesh.mjs';
import { smallFiles } from './scenarios/small-files.mjs';
import { startup } from './scenarios/startup.mjs';
import { upload } from './scenarios/upload.mjs';

const MiB = 1024 * 1024;
const shown = (path) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));

const SCENARIOS = [
  {
    id: 'capped',
    title: '1. Capped, unequal links: 3 peers at 80/40/20 mbit, downloader in its own namespace',
    run: (ctx) => cappedDownload(ctx, { rates: ['80mbit', '40mbit', '20mbit'], staticSplit: true, svg: 'capped-links.svg' }),
  },
  {
    id: 'straggler',
    title: '2. A straggler: 3 peers at 80/80/4 mbit',
    run: (ctx) => cappedDownload(ctx, { rates: ['80mbit', '80mbit', '4mbit'], staticSplit: false }),
  },
  { id: 'loopback', title: '3. Loopback throughput: 1 and 3 peers on 127.0.0.1 against a plain TCP copy and aria2c', run: loopback },
  { id: 'memory', title: '4. Memory: peak RSS of a downloading client and of a peer serving three clients', run: memory },
  { id: 'smallfiles', title: '5. Many small files: #FILELIST and sequential downloads of 4 KiB files', run: smallFiles },
  { id: 'upload', title: '6. Upload: one file to three peers at once on the capped links', run: upload },
  { id: 'startup', title: '7. Start-up: client spawn → first request, server spawn → accepting', run: startup },
  { id: 'crowd', title: '8. A crowd: 1 seed and N downloaders at once, every link 40 mbit, against BitTorrent', run: crowd },
  { id: 'mesh', title: '9. The mesh at 25/50/100 peers on loopback: #PEERS and #FILES with peers down and silent', run: meshScenario },
  { id: 'limits', title: '10. Rate limits: --max-download-rate, --max-upload-rate and #LIMIT on 127.0.0.1, achieved rate / limit', run: limits },
];

const SIZES = {
  full: { capped: 64 * MiB, loopback: 512 * MiB, memory: [64 * MiB, 1024 * MiB], smallFiles: { files: 10_000, downloads: 1_000 }, upload: 64 * MiB, startupSamples: 10, crowd: { size: 32 * MiB, counts: [8, 16] }, mesh: { counts: [25, 50, 100], down: 10, silent: 2 }, limitSeconds: 12, probeCapMs: 15_000, runs: 3, runsBy: { loopback: 5, crowd: 1 } },
  quick: { capped: 8 * MiB, loopback: 64 * MiB, memory: [16 * MiB, 128 * MiB], smallFiles: { files: 2_000, downloads: 200 }, upload: 4 * MiB, startupSamples: 10, crowd: { size: 8 * MiB, counts: [8] }, mesh: { counts: [25, 100], down: 10, silent: 2 }, limitSeconds: 10, probeCapMs: 2_000, runs: 1 },
  // The harness's own smoke test (test/integration/bench-harness.test.ts): every code path, tiny.
  smoke: { capped: 2 * MiB, loopback: 4 * MiB, memory: [1 * MiB, 2 * MiB], smallFiles: { files: 50, downloads: 20 }, upload: 1 * MiB, startupSamples: 3, crowd: { size: 1 * MiB, counts: [2] }, mesh: { counts: [6], down: 2, silent: 1 }, limitSeconds: 1, probeCapMs: 1_000, runs: 1 },
};

function usage() {
  return `usage: npm run bench [-- options]
  --quick            small sizes, one run each: a few minutes
  --only NAME[,...]  run only these scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}
  --runs N           repetitions per scenario (default ${SIZES.full.runs}, loopback ${SIZES.full.runsBy.loopback}, crowd ${SIZES.full.runsBy.crowd}; --quick: ${SIZES.quick.runs})
  --out DIR          where results go (default bench/results, or bench/results/partial for --quick/--only)
  --keep             keep the temp peer folders (/tmp/txtmesh-bench-*)
  --smoke            tiny sizes, to check the harness itself (figures mean nothing)
  --secure           every mesh in secure mode: identities, fingerprints, mutual TLS 1.3
`;
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      secure: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (err) {
  process.stderr.write(`bench: ${err.message}\n${usage()}`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(usage());
  process.exit(0);
}
const only = args.only?.split(',').map((s) => s.trim().toLowerCase().replace(/-/g, '')).filter(Boolean);
const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
if (unknown.length) {
  process.stderr.write(`bench: unknown scenario ${unknown.join(', ')}\n${usage()}`);
  process.exit(2);
}
const sizes = args.smoke ? SIZES.smoke : args.quick ? SIZES.quick : SIZES.full;
const runs = args.runs === undefined ? undefined : Number(args.runs);
if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) {
  process.stderr.write('bench: --runs must be a positive integer\n');
  process.exit(2);
}
if (!existsSync(serverJs)) {
  process.stderr.write('bench: dist/ is not built; run "npm run bench" (it builds first) or "npm run build"\n');
  process.exit(2);
}
useSecureMeshes(args.secure);
const partial = args.quick || args.smoke || args.secure || only !== undefined;
const outDir = args.out ?? join(repo, 'bench', 'results', partial ? 'partial' : '');
mkdirSync(outDir, { recursive: true });

// Cleanup runs however the process ends: normal exit, a crash, or Ctrl-C.
const exitHooks = [];
process.on('exit', () => {
  killAll();
  for (const hook of exitHooks.reverse()) hook();
  if (!args.keep) removeRoots();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    process.stdout.write(`\nbench: ${signal}, cleaning up\n`);
    process.exit(130);
  });
}

const ctx = {
  runs: 0, // set per scenario
  sizes,
  probeCapMs: sizes.probeCapMs,
  outDir,
  outDirLabel: shown(outDir) || '.',
  shared: {},
  atExit: (hook) => exitHooks.push(hook),
  log: (line) => process.stdout.write(`  · ${line}\n`),
};

const git = (...a) => {
  try {
    return execFileSync('git', a, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
};
const report = {
  schema: 1,
  commit: git('rev-parse', 'HEAD'),
  dirty: git('status', '--porcelain', '--untracked-files=no') ? true : false,
  date: new Date().toISOString(),
  node: process.version,
  os: `${process.platform} ${release()}`,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  mode: args.smoke ? 'smoke' : args.quick ? 'quick' : 'full',
  transport: args.secure ? 'secure (mutual TLS 1.3)' : 'open (TCP)',
  only: only ?? null,
  runs: runs ?? null,
  scenarios: {},
};

// Other work on the machine skews timings; the 1-minute load average says how busy it was.
const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

const started = performance.now();
let failures = 0;
for (const scenario of SCENARIOS) {
  if (only && !only.includes(scenario.id)) continue;
  ctx.runs = runs ?? sizes.runsBy?.[scenario.id] ?? sizes.runs;
  const loadBefore = loadAverage();
  process.stdout.write(`\n== ${scenario.title}  (load average ${loadBefore.toFixed(2)})\n`);
  if (loadBefore > cpus().length) {
    process.stdout.write(`  WARNING: load average ${loadBefore.toFixed(1)} on ${cpus().length} cores: other work competes for the CPU, and times and ratios against the anchors may be skewed\n`);
  }
  const t0 = performance.now();
  try {
    const result = await scenario.run(ctx);
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(`${result.table}\n${targetLines(result.targets)}\n`);
    for (const note of result.notes) process.stdout.write(`  ${note}\n`);
    const load = [loadBefore, loadAverage()];
    report.scenarios[scenario.id] = { status: 'ok', title: scenario.title, seconds, loadAverage: load, params: result.params, figures: result.figures, targets: result.targets };
  } catch (err) {
    if (err instanceof Skip) {
      process.stdout.write(`SKIP ${scenario.id}: ${err.message}\n`);
      report.scenarios[scenario.id] = { status: 'skipped', title: scenario.title, reason: err.message };
    } else {
      failures++;
      process.stdout.write(`ERROR ${scenario.id}: ${err.stack ?? err}\n`);
      // Give any live server a moment to be seen exiting, then say which ones died.
      await new Promise((resolve) => setTimeout(resolve, 200));
      report.scenarios[scenario.id] = { status: 'error', title: scenario.title, error: String(err.message ?? err) };
    }
  }
  for (const line of unexpectedExits()) {
    failures++;
    process.stdout.write(`ERROR ${line}\n`);
    report.scenarios[scenario.id].serverExits = [...(report.scenarios[scenario.id].serverExits ?? []), line];
  }
}
report.seconds = (performance.now() - started) / 1000;

const file = join(outDir, 'latest.json');
// Six significant digits are plenty, and keep the committed file's diffs readable.
const rounded = (_, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v);
writeFileSync(file, JSON.stringify(report, rounded, 2) + '\n');
// A full run into bench/results/ is the one bench/README.md quotes: its table follows the file.
if (!partial && args.out === undefined) updateReadme(join(repo, 'bench', 'README.md'), file);
const all = Object.values(report.scenarios).flatMap((s) => s.targets ?? []);
process.stdout.write(
  `\n== ${Object.keys(report.scenarios).length} scenarios in ${report.seconds.toFixed(0)} s; targets met: ${all.filter((t) => t.pass).length}/${all.length}` +
    `${failures ? `; ${failures} FAILED (wrong bytes or errors)` : ''}\n   figures: ${shown(file)}\n`,
);
process.exit(failures ? 1 : 0);

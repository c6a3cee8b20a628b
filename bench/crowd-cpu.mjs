#!/usr/bin/env node
// node bench/crowd-cpu.mjs [--n 16] [--size 32] [--runs 1] [--bt] [--prof d1c,d1s,s] [--perf FILE] [--keep-lines]
//
// Where the CPU goes in the crowd scenario (bench/scenarios/crowd.mjs; issue 10): one seed and N
// downloaders in their own namespaces on 40 mbit links, `#DOWNLOAD big.txt` in every console at
// once. For each run: the time until every copy is whole, and the CPU seconds (user + system,
// every thread, from /proc/<pid>/stat) each process spent during the download, by role (the
// seed's server, the downloaders' servers, the downloaders' consoles), against the machine's
// busy time (/proc/stat); the requests the servers logged, by verb and status; the bytes the
// downloaders received twice (endgame duplicates). CPU seconds are less sensitive than times to
// other work on the machine, and a crowd of 16 on 2 cores is bounded by the CPU.
//   --bt          the same crowd with aria2c afterwards, in the same run
//   --prof LIST   `node --cpu-prof` on the named processes (s: the seed; dK s/c: downloader K's
//                 server/console), and their top functions during the download (wall-clock
//                 samples: on a saturated machine they also count time spent descheduled)
//   --perf FILE   `perf record -a -g` during the download, every process started with
//                 --perf-basic-prof-only-functions (JS names in `perf script`); prints the pids
//   CROWD_NODE_ARGS="--flag ..."  extra node options for every process (experiments)
// Not part of `npm run bench`: a tool for finding what to cut.
import { readFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { formatSummary, summarizeProfile } from './cpuprofile-summary.mjs';
import { bitTorrentMissing, writeHook } from './lib/bittorrent.mjs';
import { Mesh, benchRoot, removeHidden, removeRoots, writeTextFile } from './lib/files.mjs';
import { Lab } from './lib/lab.mjs';
import { verifyAndRemove } from './lib/measure.mjs';
import { ConsoleSession, killAll, repo, startServer } from './lib/procs.mjs';
import { NAME, bitTorrentCrowd } from './scenarios/crowd-runs.mjs';

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '16' }, size: { type: 'string', default: '32' }, runs: { type: 'string', default: '1' }, bt: { type: 'boolean', default: false }, prof: { type: 'string', default: '' }, 'keep-lines': { type: 'boolean', default: false }, perf: { type: 'string', default: '' } },
});
const n = Number(args.n);
const size = Number(args.size) * 2 ** 20;
const profiled = new Set(args.prof.split(',').filter(Boolean));
const out = join(repo, 'bench', 'profiles');
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) if (f.endsWith('.cpuprofile')) rmSync(join(out, f));
const extraNode = process.env.CROWD_NODE_ARGS ? process.env.CROWD_NODE_ARGS.split(' ') : [];
const prof = (name) => [...extraNode, ...profOnly(name)];
const profOnly = (name) => (profiled.has(name) ? ['--cpu-prof', '--cpu-prof-dir', out, '--cpu-prof-name', `${name}.cpuprofile`] : args.perf ? ['--perf-basic-prof-only-functions'] : []);
const lab = new Lab({ tag: 'tmc' });
process.on('exit', () => {
  killAll();
  lab.down();
  removeRoots();
});
process.on('SIGINT', () => process.exit(130));

const TICK = 100; // clock ticks per second (USER_HZ)
function ticksOf(path) {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / TICK, sys: Number(fields[12]) / TICK, comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) };
}
/** CPU seconds of a process: total, user, system, and by thread name. */
function cpuOf(pid) {
  const { user, sys } = ticksOf(`/proc/${pid}/stat`);
  const threads = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const t = ticksOf(`/proc/${pid}/task/${tid}/stat`);
      const name = tid === String(pid) ? 'main' : t.comm;
      threads[name] = (threads[name] ?? 0) + t.user + t.sys;
    } catch {}
  }
  return { total: user + sys, user, sys, threads };
}
function minus(a, b) {
  const threads = {};
  for (const k of new Set([...Object.keys(a.threads), ...Object.keys(b.threads)])) threads[k] = (a.threads[k] ?? 0) - (b.threads[k] ?? 0);
  return { total: a.total - b.total, user: a.user - b.user, sys: a.sys - b.sys, threads };
}
function machineBusy() {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / TICK, total: total / TICK, user: (f[0] + f[1]) / TICK, system: f[2] / TICK, softirq: (f[5] + f[6]) / TICK };
}

lab.up(Array(n + 1).fill('40mbit'));
const ids = ['s', ...Array.from({ length: n }, (_, i) => `d${i + 1}`)];
const hostOf = (id) => lab.servers[ids.indexOf(id)];
const mesh = new Mesh(benchRoot(`crowdcpu${n}`), ids.map((id) => ({ id, host: hostOf(id).address, port: 50001 })));
const source = join(mesh.served('s'), NAME);
const sha = writeTextFile(source, size);
const servers = [];
const verbs = new Map(); // "role verb status" → requests
for (const id of ids) {
  const server = await startServer({ peerDir: mesh.dir(id), netns: hostOf(id).ns, nodeArgs: prof(id === 's' ? 's' : `${id}s`) });
  servers.push(server);
  createInterface({ input: server.child.stdout }).on('line', (line) => {
    try {
      const e = JSON.parse(line);
      const key = `${id === 's' ? 'seed' : 'downloaders'} ${e.verb} ${e.status}${e.verb === 'GET' && e.status === 'OK' ? ` ${e.bytes >= 2 ** 18 ? Math.round(e.bytes / 2 ** 18) + 'p' : 'small'}` : ''}`;
      verbs.set(key, (verbs.get(key) ?? 0) + 1);
    } catch {}
  });
}
{
  const warm = await ConsoleSession.open({ peerDir: mesh.dir('d1'), netns: hostOf('d1').ns });
  await warm.run('#FILELIST s', { timeoutMs: 120_000 });
  await warm.close();
}

for (let run = 1; run <= Number(args.runs); run++) {
  const sessions = [];
  for (const id of ids.slice(1)) sessions.push(await ConsoleSession.open({ peerDir: mesh.dir(id), netns: hostOf(id).ns, nodeArgs: run === 1 ? prof(`${id}c`) : [] }));
  const procs = [...servers.map((s, i) => ({ role: i === 0 ? 'seed server' : 'downloader server', pid: s.pid })), ...sessions.map((s) => ({ role: 'downloader console', pid: s.pid }))];
  for (const p of procs) p.before = cpuOf(p.pid);
  if (args.perf) console.log(`pids: seed ${servers[0].pid}, d1 server ${servers[1].pid}, d1 console ${sessions[0].pid}`);
  verbs.clear();
  const m0 = machineBusy();
  const tx0 = lab.counters(hostOf('s')).txBytes;
  const started = performance.now();
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const perf = args.perf && run === 1 ? spawn('perf', ['record', '-a', '-g', '-F', '499', '-o', args.perf], { stdio: 'ignore' }) : undefined;
  if (perf) await new Promise((r) => setTimeout(r, 300));
  const results = await Promise.all(sessions.map((s) => s.run(`#DOWNLOAD ${NAME}`, { timeoutMs: 300_000 }).then((r) => ({ ...r, at: performance.now() - started }))));
  const toUs = Number(process.hrtime.bigint() / 1000n);
  const m1 = machineBusy();
  if (perf) {
    perf.kill('SIGINT');
    await new Promise((r) => perf.once('exit', r));
  }
  const seedSent = lab.counters(hostOf('s')).txBytes - tx0;
  for (const p of procs) p.cpu = minus(cpuOf(p.pid), p.before);
  const ok = results.filter((r) => r.lines.some((l) => l.startsWith('Downloaded '))).length;
  const times = results.map((r) => r.at / 1000);
  const wall = Math.max(...times);
  console.log(`run ${run}: N=${n} all in ${wall.toFixed(2)} s (first ${Math.min(...times).toFixed(2)} s, median ${times.sort((a, b) => a - b)[Math.floor(n / 2)].toFixed(2)} s), ${ok}/${n} ok, seed sent ${(seedSent / size).toFixed(2)}x`);
  const byRole = new Map();
  for (const p of procs) byRole.set(p.role, [...(byRole.get(p.role) ?? []), p.cpu]);
  let sum = 0;
  for (const [role, cpus] of byRole) {
    const total = cpus.reduce((a, b) => a + b.total, 0);
    const add = (f) => cpus.reduce((a, b) => a + f(b), 0).toFixed(2);
    const threads = {};
    for (const c of cpus) for (const [k, v] of Object.entries(c.threads)) threads[k] = (threads[k] ?? 0) + v;
    sum += total;
    console.log(`  ${role.padEnd(20)} ${total.toFixed(2)} CPU-s (${cpus.length} x mean ${(total / cpus.length).toFixed(2)}, max ${Math.max(...cpus.map((c) => c.total)).toFixed(2)}); user ${add((c) => c.user)} sys ${add((c) => c.sys)}; threads ${Object.entries(threads).filter(([, v]) => v > 0.005).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  }
  console.log(`  txtmesh processes   ${sum.toFixed(2)} CPU-s; machine busy ${(m1.busy - m0.busy).toFixed(2)} of ${(m1.total - m0.total).toFixed(2)} CPU-s (user ${(m1.user - m0.user).toFixed(2)}, system ${(m1.system - m0.system).toFixed(2)}, irq ${(m1.softirq - m0.softirq).toFixed(2)})`);
  const dup = results.reduce((sum, r) => sum + [...r.lines.join(' ').matchAll(/\+(\d+) duplicate/g)].reduce((a, m) => a + Number(m[1]), 0), 0);
  console.log(`  duplicate bytes: ${(dup / size).toFixed(2)} file sizes over all downloaders`);
  console.log(`  requests: ${[...verbs].sort().map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  verbs.clear();
  if (args['keep-lines']) for (const line of results[0].lines) console.log(`  d1| ${line}`);
  for (const [i, r] of results.entries()) if (!r.lines.some((l) => l.startsWith('Downloaded '))) console.log(`  d${i + 1} FAILED: ${r.lines.join(' | ').slice(0, 400)}`);
  await Promise.all(sessions.map((s) => s.close()));
  for (const [i, id] of ids.slice(1).entries()) {
    if (results[i].lines.some((l) => l.startsWith('Downloaded '))) await verifyAndRemove(join(mesh.served(id), NAME), sha, `copy on ${id}`);
    removeHidden(mesh.served(id));
  }
  if (run === 1) {
    for (const name of profiled) {
      if (name.endsWith('c')) summarize(name, fromUs, toUs);
    }
  }
  if (args.bt && !bitTorrentMissing()) {
    const m2 = machineBusy();
    const env = { lab, mesh, ids, hostOf, size, sha, source, servers, hook: writeHook(mesh.root) };
    const bt = await bitTorrentCrowd(env, 300_000);
    const m3 = machineBusy();
    const btTimes = bt.outcomes.map((o) => o.at / 1000);
    console.log(`  BitTorrent: all in ${Math.max(...btTimes).toFixed(2)} s, ${bt.outcomes.filter((o) => o.ok).length}/${n} ok, seed sent ${(bt.seedLinkBytes / size).toFixed(2)}x; machine busy ${(m3.busy - m2.busy).toFixed(2)} CPU-s (whole run incl. start/stop)`);
  }
  globalThis.lastWindow = { fromUs, toUs };
}
for (const s of servers) await s.stop();
for (const name of profiled) if (!name.endsWith('c')) summarize(name, globalThis.lastWindow.fromUs, globalThis.lastWindow.toUs);
process.exit(0);

function summarize(name, fromUs, toUs) {
  const file = join(out, `${name}.cpuprofile`);
  try {
    const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), { fromUs, toUs });
    console.log(`\n== ${name}: top functions by self time during the download\n${formatSummary(summary, 25)}`);
  } catch (err) {
    console.log(`== ${name}: no profile (${err.message})`);
  }
}

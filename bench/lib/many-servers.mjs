// Many real servers on loopback for the mesh scenario: N peer folders with a few small files
// each, every port chosen before the settings are written (so each server finds itself in
// them), started a batch at a time, and what each costs at rest: memory (peak RSS, PSS) and
// open descriptors, read from /proc.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Mesh, benchRoot, randomText } from './files.mjs';
import { freePort } from './net.mjs';
import { startServer } from './procs.mjs';

const FILES_PER_PEER = [3, 4];

/** The file every peer but the asking one holds, for the timed download. */
export const SHARED_NAME = 'shared.txt';
export const SHARED_BYTES = 256 * 1024;

/** The ID of peer number i (1-based): p001 … p100, so they sort as numbered. */
export const peerId = (i) => `p${String(i).padStart(3, '0')}`;

/**
 * N peer folders, ports picked now; peer i serves 3 or 4 files of 1–2 KiB (one, common.txt,
 * the same on every peer), and all but p001 a 256 KiB shared.txt.
 */
export async function manyPeers(n) {
  const peers = [];
  const taken = new Set();
  for (let i = 1; i <= n; i++) {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    peers.push({ id: peerId(i), host: '127.0.0.1', port });
  }
  const mesh = new Mesh(benchRoot(`mesh${n}`), peers);
  const common = randomText(1024);
  // shared.txt: one piece, held by every peer but p001, which downloads it.
  writeFileSync(join(mesh.served(peerId(2)), SHARED_NAME), randomText(SHARED_BYTES));
  mesh.share(join(mesh.served(peerId(2)), SHARED_NAME), SHARED_NAME, mesh.peers.slice(2).map((p) => p.id));
  for (let i = 1; i <= n; i++) {
    const count = FILES_PER_PEER[i % FILES_PER_PEER.length];
    writeFileSync(join(mesh.served(peerId(i)), 'common.txt'), common);
    for (let f = 1; f < count; f++) writeFileSync(join(mesh.served(peerId(i)), `${peerId(i)}-${f}.txt`), randomText(1024 + f * 256));
  }
  return mesh;
}

/**
 * Starts a server in every peer folder, `batch` at a time (spawning 100 Node processes at once
 * on 2 cores only measures the scheduler). Resolves with the servers in peer order and how
 * long starting all of them took.
 */
export async function startAll(mesh, batch = 8) {
  const started = performance.now();
  const servers = [];
  for (let i = 0; i < mesh.peers.length; i += batch) {
    const group = mesh.peers.slice(i, i + batch);
    servers.push(...(await Promise.all(group.map((p) => startOne(mesh, p.id)))));
  }
  return { servers, ms: performance.now() - started };
}

/**
 * Starts one peer's server; if its port was taken meanwhile (by another program's connection:
 * the machine is shared), once more on a new port, written into the settings.
 */
export async function startOne(mesh, id) {
  try {
    return await startServer({ peerDir: mesh.dir(id), args: ['--quiet'] });
  } catch {
    mesh.setPort(id, await freePort());
    return startServer({ peerDir: mesh.dir(id), args: ['--quiet'] });
  }
}

/** Peak RSS (VmHWM), current RSS and PSS in bytes, and open descriptors, of a live process. */
export function restingCost(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  let pss = NaN;
  try {
    pss = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) * 1024;
  } catch {
    // no smaps_rollup (old kernel): PSS unknown
  }
  return { hwm: kb('VmHWM'), rss: kb('VmRSS'), pss, fds: openFds(pid) };
}

/** Open descriptors of a live process (0 once it has gone). */
export function openFds(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Samples a process's open descriptors every few ms while `fn` runs; resolves with fn's value and the peak. */
export async function withFdPeak(pid, fn) {
  let peak = openFds(pid);
  const timer = setInterval(() => (peak = Math.max(peak, openFds(pid))), 5);
  try {
    const value = await fn();
    return { value, peak: Math.max(peak, openFds(pid)) };
  } finally {
    clearInterval(timer);
  }
}

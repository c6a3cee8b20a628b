// BitTorrent in the lab, the crowd scenario's anchor: Debian's aria2c as the client, opentracker
// as the tracker, mktorrent to make the .torrent. DHT, DHT6 and local peer discovery are off:
// peers find each other through the tracker only (and peer exchange, which BitTorrent does by
// default). Every aria2c keeps seeding after it completes, as a BitTorrent peer would.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { missing } from './anchors.mjs';
import { LineReader, spawnProgram, stop } from './procs.mjs';
import { acceptsAt } from './net.mjs';

const TRACKER_PORT = 6969;
const PEER_PORT = 6881;
const DONE = 'TXTMESH-BENCH-COMPLETE';
const COMMON = [
  '--no-conf',
  '--enable-dht=false',
  '--enable-dht6=false',
  '--bt-enable-lpd=false',
  '--seed-ratio=0.0', // seed until stopped
  '--file-allocation=falloc',
  `--listen-port=${PEER_PORT}`,
  '--console-log-level=warn',
  '--summary-interval=0',
  '--show-console-readout=false',
];

/** Why BitTorrent cannot run here, or undefined. */
export function bitTorrentMissing() {
  return missing('aria2c', 'opentracker', 'mktorrent');
}

/**
 * A tracker on `host` (a lab host) for the torrent of `file`, and the torrent itself.
 * Debian's opentracker serves only whitelisted torrents, so the torrent's info hash is listed.
 * @returns {Promise<{torrent: string, stop: () => Promise<number>}>}
 */
export async function startTracker({ file, host, dir }) {
  mkdirSync(dir, { recursive: true });
  const torrent = join(dir, `${basename(file)}.torrent`);
  // 256 KiB pieces, as txtmesh's.
  execFileSync('mktorrent', ['-a', `http://${host.address}:${TRACKER_PORT}/announce`, '-l', '18', '-o', torrent, file], { stdio: 'ignore' });
  const hash = /Info Hash: ([0-9a-f]{40})/.exec(execFileSync('aria2c', ['-S', torrent]).toString())?.[1];
  if (!hash) throw new Error(`aria2c -S ${torrent} shows no info hash`);
  // opentracker chroots into -d: the whitelist's path is relative to it.
  writeFileSync(join(dir, 'whitelist'), `${hash}\n`);
  const port = String(TRACKER_PORT);
  const child = spawnProgram('opentracker', ['-i', host.address, '-p', port, '-P', port, '-d', dir, '-w', 'whitelist'], { netns: host.ns });
  await acceptsAt(host.address, TRACKER_PORT, { netns: host.ns, everyMs: 20, timeoutMs: 10_000 });
  return { torrent, stop: () => stop(child) };
}

/** An aria2c seeding `torrent` from `dir` (which holds the whole file) on `host`; resolves once it listens. */
export async function startSeed({ torrent, dir, host }) {
  const child = spawnProgram('aria2c', [...COMMON, '--bt-seed-unverified=true', '-d', dir, torrent], { netns: host.ns });
  await acceptsAt(host.address, PEER_PORT, { netns: host.ns, everyMs: 20, timeoutMs: 10_000 });
  // Its first announce goes out as it starts; give the tracker a moment to have it.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return { stop: () => stop(child) };
}

/**
 * Starts an aria2c downloading `torrent` into `dir` on `host`. `done` resolves with the time its
 * download completed (performance.now(): aria2c runs a hook that prints a line, then seeds on), or
 * rejects if it exits first or takes longer than `timeoutMs`.
 */
export function startLeecher({ torrent, dir, host, hook, timeoutMs }) {
  mkdirSync(dir, { recursive: true });
  const child = spawnProgram('aria2c', [...COMMON, `--on-bt-download-complete=${hook}`, '-d', dir, torrent], { netns: host.ns });
  const out = new LineReader(child.stdout);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = out.waitFor((l) => l.startsWith(DONE), 0, timeoutMs).then(
    () => performance.now(),
    (err) => {
      throw new Error(`aria2c on ${host.ns}: ${err.message}; ${(out.lines.join(' | ') + stderr).slice(-500)}`);
    },
  );
  return { done, stop: () => stop(child) };
}

/** The completion hook every leecher runs: prints one line on aria2c's stdout. */
export function writeHook(dir) {
  const hook = join(dir, 'bt-complete.sh');
  writeFileSync(hook, `#!/bin/sh\necho "${DONE} $3"\n`, { mode: 0o755 });
  return hook;
}

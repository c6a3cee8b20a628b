// A download timed as a user meets it: `printf '#DOWNLOAD name p1 p2\n' | node dist/client.js`
// in the peer's folder, from process spawn to exit (start-up, the download, the final fsync and
// the exit all counted; no --trace).
import { join } from 'node:path';
import { BenchFailure, verifyAndRemove } from './measure.mjs';
import { clientJs, runToExit } from './procs.mjs';

/** Seconds the console itself reports on its "Downloaded …" line ("in 4.03 s" or "in 1m05s"). */
function reportedMs(line) {
  const m = / in (?:([\d.]+) s|(\d+)m(\d+)s)\b/.exec(line);
  if (!m) return NaN;
  return (m[1] !== undefined ? Number(m[1]) : Number(m[2]) * 60 + Number(m[3])) * 1000;
}

/** "bytes per peer: p1 123, p2 456" → { p1: 123, p2: 456 } */
function bytesPerPeer(line) {
  const list = /bytes per peer: (.*)$/.exec(line)?.[1] ?? '';
  return Object.fromEntries(list.split(', ').filter(Boolean).map((part) => part.split(' ')).map(([peer, n]) => [peer, Number(n)]));
}

/**
 * @returns {Promise<{ms: number, reportedMs: number, byPeer: Record<string, number>}>}
 *   ms: spawn to exit; reportedMs: the console's own figure for the download
 */
export async function spawnedDownload({ mesh, client = 'd', netns, name, sha, peers, timeoutMs }) {
  const command = `#DOWNLOAD ${name} ${peers.join(' ')}`;
  const what = `${command} | node dist/client.js (peer ${client})`;
  const run = await runToExit(process.execPath, [clientJs], { cwd: mesh.dir(client), netns, input: `${command}\n`, timeoutMs });
  const line = run.stdout.split('\n').find((l) => l.startsWith('Downloaded '));
  if (run.code !== 0 || !line) throw new BenchFailure(`${what} failed (status ${run.code}): ${(run.stdout + run.stderr).trim().slice(-500)}`);
  await verifyAndRemove(join(mesh.served(client), name), sha, what);
  return { ms: run.ms, reportedMs: reportedMs(line), byPeer: bytesPerPeer(line) };
}

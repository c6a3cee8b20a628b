// One measured transfer with the real programs: a console session runs #DOWNLOAD or #UPLOAD,
// the result is checked byte for byte, and the client's --trace gives per-peer bytes over time.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeHidden, sha256File } from './files.mjs';
import { ConsoleSession, LineReader, runGoDone, repo, spawnNode, stop } from './procs.mjs';

/** A failure that makes the benchmark exit non-zero: a wrong byte, or a command that failed. */
export class BenchFailure extends Error {}

/** The scenario cannot run here (no root, no namespaces…): printed as a SKIP line. */
export class Skip extends Error {}

let traceCount = 0;

/** Parses a --trace file: [{name, peer, bytes, ms}] */
export function readTrace(path) {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** Bytes per peer in trace events. */
export function bytesByPeer(events, peers) {
  const out = Object.fromEntries(peers.map((p) => [p, 0]));
  for (const e of events) out[e.peer] = (out[e.peer] ?? 0) + e.bytes;
  return out;
}

/** Checks a received file against the source's SHA-256, then removes it. */
export async function verifyAndRemove(path, sha, what) {
  if (!existsSync(path)) throw new BenchFailure(`${what}: ${path} is missing`);
  const got = await sha256File(path);
  if (got !== sha) throw new BenchFailure(`${what}: WRONG BYTES in ${path} (sha256 ${got.slice(0, 12)}, expected ${sha.slice(0, 12)})`);
  rmSync(path);
}

/**
 * `#DOWNLOAD name peers…` in a fresh console of peer `client`, timed from the command to the
 * end of its output. With `capMs`, a download still running then is killed, and the result
 * comes from the trace (complete: false). The downloaded file is verified and removed.
 * @returns {Promise<{ms, complete, bytes, lastMs, byPeer, events, rss}>}
 */
export async function timedDownload({ mesh, client = 'd', netns, name, sha, size, peers, capMs }) {
  const trace = join(mesh.root, `trace-${++traceCount}.jsonl`);
  const session = await ConsoleSession.open({ peerDir: mesh.dir(client), netns, trace });
  const what = `#DOWNLOAD ${name} ${peers.join(' ')} (peer ${client})`;
  let ms;
  let lines = [];
  let complete = true;
  let rss;
  try {
    ({ ms, lines } = await session.run(`#DOWNLOAD ${name} ${peers.join(' ')}`, { timeoutMs: capMs ?? 900_000 }));
    rss = session.peakRss();
  } catch (err) {
    if (!err.timedOut || capMs === undefined) throw new BenchFailure(`${what}: ${err.message}`);
    complete = false;
    ms = capMs;
    rss = session.peakRss();
  } finally {
    if (complete) await session.close();
    else await session.kill();
  }
  const target = join(mesh.served(client), name);
  if (complete) {
    if (!lines.some((l) => l.startsWith('Downloaded '))) throw new BenchFailure(`${what} failed: ${lines.join(' | ')}`);
    await verifyAndRemove(target, sha, what);
  } else {
    rmSync(target, { force: true });
    removeHidden(mesh.served(client));
    // Let the link drain what was still queued for the killed client before the next run.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const events = readTrace(trace);
  rmSync(trace, { force: true });
  const bytes = events.reduce((n, e) => n + e.bytes, 0);
  if (complete && bytes !== size) throw new BenchFailure(`${what}: the trace counts ${bytes} verified bytes, expected ${size}`);
  return { ms, complete, bytes, lastMs: events.at(-1)?.ms ?? 0, byPeer: bytesByPeer(events, peers), events, rss };
}

/**
 * The original design's fixed equal split (bench/static-split.mjs) run from peer `client`'s
 * folder, timed from "go" to "done"; verified and removed like a download.
 */
export async function timedStaticSplit({ mesh, client = 'd', netns, name, sha, size, peers }) {
  const out = join(mesh.served(client), name);
  const trace = join(mesh.root, `trace-${++traceCount}.jsonl`);
  const peerArgs = peers.flatMap((id) => {
    const p = mesh.peers.find((q) => q.id === id);
    return ['--peer', `${id}=${p.host}:${p.port}`];
  });
  const what = `static split of ${name} from ${peers.join(' ')}`;
  let ms;
  try {
    ({ ms } = await runGoDone([join(repo, 'bench', 'static-split.mjs'), '--name', name, '--out', out, '--trace', trace, ...peerArgs], { cwd: mesh.dir(client), netns }));
  } catch (err) {
    throw new BenchFailure(`${what}: ${err.message}`);
  }
  await verifyAndRemove(out, sha, what);
  const events = readTrace(trace);
  rmSync(trace, { force: true });
  const bytes = events.reduce((n, e) => n + e.bytes, 0);
  if (bytes !== size) throw new BenchFailure(`${what}: ${bytes} verified bytes, expected ${size}`);
  return { ms, complete: true, bytes, lastMs: events.at(-1)?.ms ?? 0, byPeer: bytesByPeer(events, peers), events };
}

/** The duration at the end of a result line: "(… in 2.35 s)" or "(… in 1m05s)"; NaN if none. */
function consoleSeconds(line) {
  const m = /in (?:([\d.]+) s|(\d+)m(\d+)s)\)$/.exec(line);
  if (!m) return NaN;
  return m[1] !== undefined ? Number(m[1]) : Number(m[2]) * 60 + Number(m[3]);
}

/**
 * `#UPLOAD name peers…` from peer `client`, timed to the end of its output; each receiver's copy
 * is verified and removed. Per-peer seconds come from the console's result lines.
 */
export async function timedUpload({ mesh, client = 'd', netns, name, sha, peers }) {
  const session = await ConsoleSession.open({ peerDir: mesh.dir(client), netns });
  const what = `#UPLOAD ${name} ${peers.join(' ')}`;
  let ms;
  let lines;
  try {
    ({ ms, lines } = await session.run(what, { timeoutMs: 900_000 }));
  } catch (err) {
    throw new BenchFailure(`${what}: ${err.message}`);
  } finally {
    await session.close();
  }
  const perPeer = {};
  for (const peer of peers) {
    const line = lines.find((l) => l.startsWith(`${peer}: `));
    if (!line?.includes(': stored ')) throw new BenchFailure(`${what}: ${peer} did not store it: ${line ?? lines.join(' | ')}`);
    perPeer[peer] = consoleSeconds(line) * 1000;
    await verifyAndRemove(join(mesh.served(peer), name), sha, `${what} → ${peer}`);
  }
  return { ms, perPeer };
}

/**
 * A plain Node copy of `source` over one TCP socket into `target` (bench/tcp-copy.mjs): sender
 * and receiver processes, each in its namespace if given, timed from "go" to the fsync;
 * `lastMs` is when the last byte arrived. Verified and removed.
 */
export async function tcpCopy({ source, target, sha, sender = {}, receiverNetns }) {
  const script = join(repo, 'bench', 'tcp-copy.mjs');
  const host = sender.host ?? '127.0.0.1';
  const child = spawnNode([script, 'send', source, host], { netns: sender.netns });
  try {
    const out = new LineReader(child.stdout);
    const index = await out.waitFor((l) => l.startsWith('port '), 0, 15_000);
    const port = out.lines[index].slice(5);
    const { ms, result } = await runGoDone([script, 'receive', port, target, host], { netns: receiverNetns });
    await verifyAndRemove(target, sha, 'TCP copy');
    return { ms, lastMs: result.receivedMs };
  } finally {
    await stop(child);
  }
}

// One crowd download, with txtmesh or with BitTorrent (aria2c), on a crowd lab (crowd.mjs):
// every downloader starts at the same moment, one attempt each; the result says when each
// finished, which failed and why, and what the seed sent.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLeecher, startSeed, startTracker } from '../lib/bittorrent.mjs';
import { removeHidden } from '../lib/files.mjs';
import { verifyAndRemove } from '../lib/measure.mjs';
import { ConsoleSession } from '../lib/procs.mjs';
import { settled } from '../lib/server-log.mjs';

export const NAME = 'big.txt';

/**
 * @typedef {{ok: boolean, at: number, why?: string}} Outcome  at: ms since the start
 * @typedef {{outcomes: Outcome[], seedLinkBytes: number, seedLogBytes?: number, allLogBytes?: number}} CrowdRun
 */

/** The seed's link counter from now until `done` settles: bytes it sent meanwhile. */
async function seedSent(env, done) {
  const seedHost = env.hostOf('s');
  const before = env.lab.counters(seedHost).txBytes;
  const outcomes = await done;
  return { outcomes, seedLinkBytes: env.lab.counters(seedHost).txBytes - before };
}

/** Checks the copies of the downloads that succeeded; removes every copy and part file. */
async function verifyCopies(env, outcomes, dirOf, what) {
  const downloaders = env.ids.slice(1);
  for (const [i, id] of downloaders.entries()) {
    const file = join(dirOf(id), NAME);
    if (outcomes[i].ok) await verifyAndRemove(file, env.sha, `${what} on ${id}`);
    else rmSync(file, { force: true });
  }
}

/**
 * txtmesh: a console per downloader, opened beforehand; `#DOWNLOAD big.txt` (every peer in the
 * settings asked) written to all of them at once, timed from then to each one's output.
 * @returns {Promise<CrowdRun>}
 */
export async function txtmeshCrowd(env, timeoutMs) {
  const { mesh, ids, hostOf, servers } = env;
  const downloaders = ids.slice(1);
  const sessions = [];
  try {
    for (const id of downloaders) sessions.push(await ConsoleSession.open({ peerDir: mesh.dir(id), netns: hostOf(id).ns }));
    const logBefore = servers.map((s) => s.tally.bytes('GET', NAME));
    const started = performance.now();
    const running = sessions.map((session) =>
      session.run(`#DOWNLOAD ${NAME}`, { timeoutMs }).then(
        ({ lines }) => {
          const at = performance.now() - started;
          if (lines.some((l) => l.startsWith('Downloaded '))) return { ok: true, at };
          return { ok: false, at, why: lines.filter((l) => !l.startsWith('Downloading')).join(' | ').slice(0, 300) };
        },
        (err) => ({ ok: false, at: performance.now() - started, why: err.message.slice(0, 300) }),
      ),
    );
    const run = await seedSent(env, Promise.all(running));
    await settled(servers);
    const logBytes = servers.map((s, i) => s.tally.bytes('GET', NAME) - logBefore[i]);
    run.seedLogBytes = logBytes[0];
    run.allLogBytes = logBytes.reduce((a, b) => a + b, 0);
    await Promise.all(sessions.map((s, i) => (run.outcomes[i].ok ? s.close() : s.kill())));
    await verifyCopies(env, run.outcomes, (id) => mesh.served(id), 'txtmesh crowd');
    for (const id of downloaders) removeHidden(mesh.served(id));
    return run;
  } finally {
    await Promise.all(sessions.map((s) => s.kill()));
  }
}

/**
 * BitTorrent: a tracker on the hub, aria2c seeding from the seed host, and an aria2c per
 * downloader with the .torrent, all spawned at once, timed from then to each one's completion
 * hook. Everything is stopped afterwards, the tracker too (a fresh one each run).
 * @returns {Promise<CrowdRun>}
 */
export async function bitTorrentCrowd(env, timeoutMs) {
  const { mesh, ids, hostOf, lab, source } = env;
  const downloaders = ids.slice(1);
  const dirOf = (id) => join(mesh.dir(id), 'bittorrent');
  const stoppers = [];
  try {
    const tracker = await startTracker({ file: source, host: lab.client, dir: join(mesh.root, 'tracker') });
    stoppers.push(tracker.stop);
    stoppers.push((await startSeed({ torrent: tracker.torrent, dir: mesh.served('s'), host: hostOf('s') })).stop);
    const started = performance.now();
    const leechers = downloaders.map((id) => startLeecher({ torrent: tracker.torrent, dir: dirOf(id), host: hostOf(id), hook: env.hook, timeoutMs }));
    for (const l of leechers) stoppers.push(l.stop);
    const done = Promise.all(leechers.map((l) => l.done.then((at) => ({ ok: true, at: at - started }), (err) => ({ ok: false, at: performance.now() - started, why: err.message.slice(0, 300) })))); // prettier-ignore
    const run = await seedSent(env, done);
    await Promise.all(stoppers.splice(0).map((stop) => stop()));
    await verifyCopies(env, run.outcomes, dirOf, 'BitTorrent crowd');
    return run;
  } finally {
    await Promise.all(stoppers.map((stop) => stop()));
    for (const id of downloaders) rmSync(dirOf(id), { recursive: true, force: true });
  }
}

// Scenario 9: the mesh at 25, 50 and 100 peers (issue 13). One server per peer on loopback, each
// serving 3–4 small files; peer p001 asks. #PEERS and #FILES are timed in a console (a command's
// time, as ConsoleSession counts it: the first on fresh connections, then again on the
// connections the console kept) and as `peers --json` / `files --json` subcommands from spawn to
// exit, with every peer up, with 10 down (server stopped: connections refused) and with 10 down
// and 2 silent (server frozen by SIGSTOP: the kernel still accepts, nothing answers). Every
// answer is checked: the right number of peers online, listed, and silent. Also what a server
// costs at rest (peak RSS, PSS, descriptors) and what the console holds at its peak, and a
// console #DOWNLOAD of one 256 KiB piece every other peer holds (its holder search asks them all).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../lib/files.mjs';
import { SHARED_BYTES, SHARED_NAME, manyPeers, peerId, restingCost, startAll, startOne, withFdPeak } from '../lib/many-servers.mjs';
import { BenchFailure, verifyAndRemove } from '../lib/measure.mjs';
import { ConsoleSession, clientJs, runToExit } from '../lib/procs.mjs';
import { spread, summarize, table, target } from '../lib/report.mjs';

const TARGETS = { consoleSilentMs: 1000, spawnSilentMs: 1500, consoleUpMs: 500 };

/** Which peers are down and which silent in a state, for a mesh of the first `n` peers. */
function stateOf(name, n, sizes) {
  const down = name === 'up' ? [] : Array.from({ length: sizes.down }, (_, i) => peerId(n - i));
  const silent = name === 'silent' ? Array.from({ length: sizes.silent }, (_, i) => peerId(n - sizes.down - i)) : [];
  return { name, down, silent, online: n - down.length - silent.length };
}

/**
 * Checks who answered against the state. A live peer listed as silent (on a loaded machine a
 * server can take longer to be scheduled than a view waits) is counted, not a failure; any other
 * difference is. Returns how many live peers were listed as silent.
 */
function misjudged(what, n, state, { peers, ok, silent, silentText }) {
  const extra = silent - state.silent.length;
  if (peers !== n || ok + silent !== state.online + state.silent.length || extra < 0) {
    throw new BenchFailure(`${what} with ${n} peers (${state.name}): ${ok} answered, ${silent} silent, of ${peers}${silentText ? `; ${silentText}` : ''}`);
  }
  return extra;
}

/** Checks a console #PEERS / #FILES answer against the state (see misjudged). */
function checkConsole(command, lines, n, state) {
  const text = lines.join('\n');
  const counted = command === '#PEERS' ? /(\d+) of (\d+) peers online/.exec(text) : /\((\d+) of (\d+) peers listed/.exec(text);
  if (!counted) throw new BenchFailure(`${command} with ${n} peers (${state.name}): no count in ${lines.slice(-3).join(' | ')}`);
  const silentLines = lines.filter((l) => (command === '#PEERS' ? /^p\d+ +\S+ +silent /.test(l) : /^p\d+: silent: /.test(l)));
  return misjudged(command, n, state, { peers: Number(counted[2]), ok: Number(counted[1]), silent: silentLines.length, silentText: silentLines.join(' | ') });
}

/** Checks a subcommand's JSON document (see misjudged); throws on a failed run or a warning on stderr. */
function checkSpawned(kind, run, n, state) {
  if (run.code !== 0) throw new BenchFailure(`${kind} --json exited ${run.code}: ${run.stderr.slice(-500)}`);
  if (/Warning/.test(run.stderr)) throw new BenchFailure(`${kind} --json warned: ${run.stderr.slice(-500)}`);
  const doc = JSON.parse(run.stdout);
  const ok = kind === 'peers' ? doc.peers.filter((p) => p.online).length : doc.peers.filter((p) => p.ok).length;
  const timedOut = doc.peers.filter((p) => (p.error ?? {}).code === 'ERR_PEER_TIMEOUT');
  return misjudged(`${kind} --json`, n, state, { peers: doc.peers.length, ok, silent: timedOut.length, silentText: timedOut.map((p) => p.error.message).join(' | ') });
}

/**
 * One repetition in one state: two console sessions (each view first on fresh connections), a
 * console #DOWNLOAD of a file every other peer holds, and the two subcommands.
 */
async function measureState(p001, settings, n, state, values, sharedSha) {
  const add = (key, v) => (values[key] ??= []).push(v);
  for (const [first, second] of [['#PEERS', '#FILES'], ['#FILES', '#PEERS']]) {
    const session = await ConsoleSession.open({ peerDir: p001, args: ['--settings', settings] });
    try {
      const { value: fresh, peak } = await withFdPeak(session.pid, () => session.run(first, { timeoutMs: 60_000 }));
      const reused = await session.run(second, { timeoutMs: 60_000 });
      add('live peers listed silent', checkConsole(first, fresh.lines, n, state) + checkConsole(second, reused.lines, n, state));
      add(`console ${first}`, fresh.ms);
      add(`console ${second} again`, reused.ms);
      add('console fds', peak);
    } finally {
      await session.close();
    }
  }
  // A download of one piece held by every other peer: the holder search asks them all.
  const session = await ConsoleSession.open({ peerDir: p001, args: ['--settings', settings] });
  try {
    const got = await session.run(`#DOWNLOAD ${SHARED_NAME}`, { timeoutMs: 60_000 });
    if (!got.lines.some((l) => l.startsWith(`Downloaded ${SHARED_NAME}: ${SHARED_BYTES} bytes`))) throw new BenchFailure(`#DOWNLOAD with ${n} peers (${state.name}): ${got.lines.join(' | ')}`);
    await verifyAndRemove(join(p001, 'served_files', SHARED_NAME), sharedSha, `${SHARED_NAME} at ${n} peers`);
    add('console #DOWNLOAD', got.ms);
  } finally {
    await session.close();
  }
  for (const kind of ['peers', 'files']) {
    const run = await runToExit(process.execPath, [clientJs, kind, '--json', '--settings', settings], { cwd: p001, timeoutMs: 60_000 });
    add('live peers listed silent', checkSpawned(kind, run, n, state));
    add(`spawn ${kind}`, run.ms);
  }
}

/** Puts the first `n` peers into `state`: down ones stopped, silent ones frozen. Returns how to undo it. */
async function enter(mesh, servers, state) {
  const byId = new Map(mesh.peers.map((p, i) => [p.id, servers[i]]));
  for (const id of state.down) await byId.get(id).stop();
  for (const id of state.silent) byId.get(id).child.kill('SIGSTOP');
  return async () => {
    for (const id of state.silent) byId.get(id).child.kill('SIGCONT');
    for (const id of state.down) servers[mesh.peers.findIndex((p) => p.id === id)] = await startOne(mesh, id);
  };
}

export async function meshScenario(ctx) {
  const sizes = ctx.sizes.mesh;
  const largest = Math.max(...sizes.counts);
  const mesh = await manyPeers(largest);
  ctx.log(`starting ${largest} servers`);
  const { servers, ms: startMs } = await startAll(mesh);
  const sharedSha = await sha256File(join(mesh.served(peerId(2)), SHARED_NAME));
  const rest = servers.map((s) => restingCost(s.pid));
  const figures = { startAllMs: startMs, perServer: Object.fromEntries(['hwm', 'rss', 'pss', 'fds'].map((k) => [k, summarize(rest.map((r) => r[k]))])) };
  ctx.log(`${largest} servers up in ${(startMs / 1000).toFixed(1)} s; each at rest: peak RSS ${(figures.perServer.hwm.median / 2 ** 20).toFixed(1)} MB, PSS ${(figures.perServer.pss.median / 2 ** 20).toFixed(1)} MB, ${figures.perServer.fds.median} fds`);
  const rows = [];
  for (const n of sizes.counts) {
    const settings = join(mesh.root, `settings-${n}.txt`);
    for (const name of ['up', 'down', 'silent']) {
      // Written for each state: a server restarted after the last one may have a new port.
      writeFileSync(settings, mesh.peers.slice(0, n).map((p) => `${p.id} ${p.host} ${p.port}${p.fingerprint ? ` ${p.fingerprint}` : ''}`).join('\n') + '\n');
      const state = stateOf(name, n, sizes);
      const undo = await enter(mesh, servers, state);
      const values = {};
      try {
        for (let run = 0; run < ctx.runs; run++) await measureState(mesh.dir(peerId(1)), settings, n, state, values, sharedSha);
      } finally {
        await undo();
      }
      const key = `n${n}_${name}`;
      figures[key] = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, summarize(v)]));
      ctx.log(`${n} peers, ${name}: ${Object.entries(figures[key]).map(([k, s]) => `${k} ${s.median.toFixed(0)}`).join(', ')}`);
      for (const [what, s] of Object.entries(figures[key])) rows.push([`${n}`, describeState(state), what, ...spread(s, 1, 0)]);
    }
  }
  const at = (name, what) => figures[`n${largest}_${name}`]?.[what]?.median ?? NaN;
  const label = `${largest} peers, ${sizes.down} down + ${sizes.silent} silent`;
  return {
    params: { counts: sizes.counts, down: sizes.down, silent: sizes.silent, runs: ctx.runs },
    figures,
    targets: [
      target(`${label}: console #PEERS (ms)`, at('silent', 'console #PEERS'), '<=', TARGETS.consoleSilentMs),
      target(`${label}: console #FILES (ms)`, at('silent', 'console #FILES'), '<=', TARGETS.consoleSilentMs),
      target(`${label}: peers --json from spawn (ms)`, at('silent', 'spawn peers'), '<=', TARGETS.spawnSilentMs),
      target(`${label}: files --json from spawn (ms)`, at('silent', 'spawn files'), '<=', TARGETS.spawnSilentMs),
      target(`${largest} peers, all up: console #PEERS (ms)`, at('up', 'console #PEERS'), '<=', TARGETS.consoleUpMs),
      target(`${largest} peers, all up: console #FILES (ms)`, at('up', 'console #FILES'), '<=', TARGETS.consoleUpMs),
    ],
    table: table(['peers', 'state', 'what', 'median ms (fds: count)', 'spread'], rows),
    notes: [
      `one server per peer (node dist/server.js --quiet), started ${8} at a time: all ${largest} in ${(startMs / 1000).toFixed(1)} s`,
      `a server at rest: peak RSS ${(figures.perServer.hwm.median / 2 ** 20).toFixed(1)} MB, RSS ${(figures.perServer.rss.median / 2 ** 20).toFixed(1)} MB, PSS ${(figures.perServer.pss.median / 2 ** 20).toFixed(1)} MB, ${figures.perServer.fds.median} open descriptors (medians)`,
      '"console X": the first command of a console session, on fresh connections; "again": the next one, on the connections the console kept',
      'down: server stopped (connection refused); silent: server frozen with SIGSTOP (the kernel accepts, nothing answers)',
    ],
  };
}

function describeState(state) {
  if (state.name === 'up') return 'all up';
  return `${state.down.length} down${state.silent.length ? ` + ${state.silent.length} silent` : ''}`;
}

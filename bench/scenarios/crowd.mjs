// Scenario 8: a crowd (issue 10). One seed holding a text file and N downloaders, each peer in its
// own network namespace, every link capped at 40 mbit in both directions (tbf). All downloads
// start at the same moment, one attempt each. Measured: the time until every downloader has a
// byte-identical copy; failed downloads; what the seed sent (its link's byte counter, headers
// included, and its request log). In the same repetition the same crowd downloads with
// BitTorrent (aria2c, opentracker), and a plain TCP copy over one link gives the link's rate.
//
// Lower bound = max(size ÷ link rate, N·size ÷ ((N+1) · link rate)): the seed must send the
// file once, and the N copies must cross the N+1 uplinks together.
import { join } from 'node:path';
import { bitTorrentMissing, writeHook } from '../lib/bittorrent.mjs';
import { Mesh, benchRoot, writeTextFile } from '../lib/files.mjs';
import { Lab, labUnavailable } from '../lib/lab.mjs';
import { BenchFailure, Skip, tcpCopy } from '../lib/measure.mjs';
import { ConsoleSession, startServer } from '../lib/procs.mjs';
import { fmt, spread, summarize, table, target } from '../lib/report.mjs';
import { NAME, bitTorrentCrowd, txtmeshCrowd } from './crowd-runs.mjs';

const RATE = '40mbit';
const PORT = 50001;
const TARGET_BOUND = 1.5;
const TARGET_SEED = 2;

export async function crowd(ctx) {
  const reason = labUnavailable();
  if (reason) throw new Skip(reason);
  const { size, counts } = ctx.sizes.crowd;
  const btSkip = bitTorrentMissing();
  const results = [];
  for (const n of counts) results.push(await crowdOf(ctx, n, size, btSkip));
  return report(ctx, results, size, btSkip);
}

/** A lab of n+1 hosts (s, d1..dn), txtmesh servers on all; ctx.runs repetitions. */
async function crowdOf(ctx, n, size, btSkip) {
  const lab = new Lab({ tag: 'tmx' });
  ctx.atExit(() => lab.down());
  try {
    lab.up(Array(n + 1).fill(RATE));
  } catch (err) {
    throw new Skip(`cannot build the namespace lab: ${err.message}`);
  }
  const servers = [];
  try {
    const ids = ['s', ...Array.from({ length: n }, (_, i) => `d${i + 1}`)];
    const hostOf = (id) => lab.servers[ids.indexOf(id)];
    const mesh = new Mesh(benchRoot(`crowd${n}`), ids.map((id) => ({ id, host: hostOf(id).address, port: PORT })));
    ctx.log(`crowd of ${n}: generating ${size / 2 ** 20} MiB of text`);
    const source = join(mesh.served('s'), NAME);
    const sha = writeTextFile(source, size);
    for (const id of ids) servers.push(await startServer({ peerDir: mesh.dir(id), netns: hostOf(id).ns }));
    await warmSeed(mesh, hostOf('d1'));
    const env = { lab, mesh, ids, hostOf, size, sha, source, servers, hook: writeHook(mesh.root) };
    const reps = [];
    for (let run = 1; run <= ctx.runs; run++) reps.push(await repetition(ctx, env, run, btSkip));
    return { n, reps };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    lab.down();
  }
}

/** The seed hashes the file on its first request: before anything is timed. */
async function warmSeed(mesh, host) {
  const session = await ConsoleSession.open({ peerDir: mesh.dir('d1'), netns: host.ns });
  const { lines } = await session.run('#FILELIST s', { timeoutMs: 120_000 });
  await session.close();
  if (!lines.some((l) => l.trim().startsWith(NAME))) throw new BenchFailure(`the seed does not list ${NAME}: ${lines.join(' | ')}`);
}

async function repetition(ctx, env, run, btSkip) {
  const { size, hostOf, mesh, source, sha } = env;
  const n = env.ids.length - 1;
  const seed = hostOf('s');
  const probe = await tcpCopy({ source, target: join(mesh.dir('d1'), 'link-probe.txt'), sha, sender: { netns: seed.ns, host: seed.address }, receiverNetns: hostOf('d1').ns });
  const linkRate = size / (probe.lastMs / 1000); // bytes per second, TCP payload
  const lowerBoundMs = Math.max(size / linkRate, (n * size) / ((n + 1) * linkRate)) * 1000;
  const timeoutMs = 60 * lowerBoundMs + 60_000;
  const kinds = { txtmesh: () => txtmeshCrowd(env, timeoutMs), ...(btSkip ? {} : { bittorrent: () => bitTorrentCrowd(env, timeoutMs) }) };
  const order = Object.keys(kinds);
  const rep = { linkRate, lowerBoundMs };
  for (let k = 0; k < order.length; k++) {
    const kind = order[(k + run - 1) % order.length];
    rep[kind] = digest(await kinds[kind](), size);
  }
  const line = (kind) =>
    rep[kind] &&
    `${kind} ${rep[kind].failed ? `${rep[kind].failed} of ${n} FAILED, last copy at ${(rep[kind].lastMs / 1000).toFixed(1)} s` : `all in ${(rep[kind].allDoneMs / 1000).toFixed(1)} s`}, seed sent ${rep[kind].seedLinkPerSize.toFixed(2)}× the file`;
  ctx.log(`N=${n} run ${run}/${ctx.runs}: link ${fmt(linkRate / 1e6)} MB/s, lower bound ${(lowerBoundMs / 1000).toFixed(2)} s; ${[line('txtmesh'), line('bittorrent')].filter(Boolean).join('; ')}`);
  for (const o of rep.txtmesh.failures) ctx.log(`  txtmesh failure: ${o}`);
  for (const o of rep.bittorrent?.failures ?? []) ctx.log(`  BitTorrent failure: ${o}`);
  return rep;
}

/** A crowd run's figures: all done (Infinity if any failed), failures, seed bytes per file size. */
function digest(run, size) {
  const ok = run.outcomes.filter((o) => o.ok);
  const failed = run.outcomes.length - ok.length;
  return {
    perPeerMs: run.outcomes.map((o) => (o.ok ? o.at : null)),
    allDoneMs: failed ? Infinity : Math.max(...ok.map((o) => o.at)),
    lastMs: ok.length ? Math.max(...ok.map((o) => o.at)) : NaN,
    failed,
    failures: run.outcomes.filter((o) => !o.ok).map((o) => o.why),
    seedLinkPerSize: run.seedLinkBytes / size,
    ...(run.seedLogBytes === undefined ? {} : { seedLogPerSize: run.seedLogBytes / size, allLogPerCopy: run.allLogBytes / (run.outcomes.length * size) }),
  };
}

function report(ctx, results, size, btSkip) {
  const rows = [];
  const targets = [];
  const figures = {};
  // A run with a failed download has no "all copies" time: the last copy's time is shown instead.
  const time = (k) => (Number.isFinite(k.allDoneMs.median) ? spread(k.allDoneMs, 1 / 1000) : ['not all', `last copy at ${fmt(k.lastCopyMs.median / 1000)} s`]);
  for (const { n, reps } of results) {
    const S = (f) => summarize(reps.map(f));
    const bound = S((r) => r.lowerBoundMs);
    const kindFigures = (kind) => ({
      allDoneMs: S((r) => r[kind].allDoneMs),
      lastCopyMs: S((r) => r[kind].lastMs),
      overLowerBound: S((r) => r[kind].allDoneMs / r.lowerBoundMs),
      failed: reps.reduce((k, r) => k + r[kind].failed, 0),
      failures: reps.flatMap((r) => r[kind].failures),
      seedLinkPerSize: S((r) => r[kind].seedLinkPerSize),
      perPeerMs: reps.map((r) => r[kind].perPeerMs),
      ...(kind === 'txtmesh' ? { seedLogPerSize: S((r) => r[kind].seedLogPerSize), allLogPerCopy: S((r) => r[kind].allLogPerCopy) } : {}),
    });
    const f = { linkBytesPerS: S((r) => r.linkRate), lowerBoundMs: bound, txtmesh: kindFigures('txtmesh') };
    if (!btSkip) {
      f.bittorrent = kindFigures('bittorrent');
      f.txtmeshOverBitTorrent = S((r) => r.txtmesh.allDoneMs / r.bittorrent.allDoneMs);
    }
    figures[`n${n}`] = f;
    const runs = reps.length;
    const cells = (k) => [...time(k), fmt(k.overLowerBound.median, 2), `${k.failed} of ${n * runs}`, fmt(k.seedLinkPerSize.median, 2), k.seedLogPerSize ? fmt(k.seedLogPerSize.median, 2) : ''];
    rows.push([`N=${n} lower bound (link ${fmt(f.linkBytesPerS.median / 1e6)} MB/s)`, ...spread(bound, 1 / 1000), '1.00', '', '', '']);
    rows.push([`N=${n} txtmesh, #DOWNLOAD ${NAME} in N consoles at once`, ...cells(f.txtmesh)]);
    if (f.bittorrent) rows.push([`N=${n} aria2c BitTorrent (opentracker; no DHT, LPD)`, ...cells(f.bittorrent)]);
    else rows.push([`N=${n} aria2c BitTorrent`, 'SKIP', btSkip, '', '', '', '']);
    if (f.txtmeshOverBitTorrent) rows.push([`N=${n} time txtmesh / BitTorrent`, ...spread(f.txtmeshOverBitTorrent, 1, 2), '', '', '', '']);
    targets.push(target(`N=${n}: txtmesh failed downloads (of ${n * runs})`, f.txtmesh.failed, '<=', 0));
    targets.push(target(`N=${n}: txtmesh all copies / lower bound`, f.txtmesh.overLowerBound.median, '<=', TARGET_BOUND));
    if (f.txtmeshOverBitTorrent) targets.push(target(`N=${n}: txtmesh time / BitTorrent time`, f.txtmeshOverBitTorrent.median, '<', 1));
    targets.push(target(`N=${n}: seed sent / file size (link bytes)`, f.txtmesh.seedLinkPerSize.median, '<=', TARGET_SEED));
  }
  const notes = [
    'txtmesh is timed from the command written into consoles already running; aria2c from its spawn (it starts in ~20 ms)',
    'seed sent (link): bytes the seed\'s interface sent, TCP/IP headers included (a plain TCP copy in this lab reads 1.012× its payload); (log): GET bytes in the seed\'s request log (what its sockets took: an abandoned GET counts what went out)',
    'a failed download is not retried; "not all" means some peer never got its copy in that run',
  ];
  if (btSkip) notes.push(`SKIP BitTorrent rows: ${btSkip}`);
  return {
    params: { sizeBytes: size, counts: results.map((r) => r.n), rate: RATE, runs: ctx.runs, tbf: { burst: '64kb', latency: '100ms' }, bittorrent: btSkip ?? 'aria2c (DHT, DHT6, LPD off; seeding on), opentracker, mktorrent 256 KiB pieces' },
    figures,
    targets,
    table: table(['row', 'all copies s', 'spread', '× bound', 'failed', 'seed sent/size (link)', '(log)'], rows),
    notes,
  };
}

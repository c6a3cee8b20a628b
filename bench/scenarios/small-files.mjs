// Scenario 5: many small files. One peer serves N files of 4 KiB. #FILELIST right after the
// server's first start, when it must hash every file (its identities on disk removed first);
// then, after a restart, in one console session: #FILELIST twice (the first right after the
// start, with the identities the last server kept on disk, storage/identity-cache.ts; the
// second from memory), then M #DOWNLOAD lines one after another.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Mesh, benchRoot, randomText } from '../lib/files.mjs';
import { BenchFailure } from '../lib/measure.mjs';
import { ConsoleSession, startServer } from '../lib/procs.mjs';
import { spread, summarize, table, target } from '../lib/report.mjs';
import { settled } from '../lib/server-log.mjs';
import { listFiles } from '../../dist/client/peer-client.js';
import { IDENTITY_CACHE_PATH } from '../../dist/storage/identity-cache.js';
import { PeerConnection } from '../../dist/client/peer-connection.js';

const FILE_SIZE = 4096;
const LIST_LIMIT_MS = 300;
const RATE_TARGET = 200;
const SERVED_TARGET = 1.02;

/** One LIST request on a new connection (dist/ modules, as the console uses them), timed. */
async function timeList(peer, expected) {
  const started = performance.now();
  const conn = await PeerConnection.connect(peer);
  try {
    const entries = await listFiles(conn);
    if (entries.length !== expected) throw new BenchFailure(`LIST gave ${entries.length} files, expected ${expected}`);
  } finally {
    conn.close();
  }
  return performance.now() - started;
}

function checkListing(listing, files) {
  if (listing.lines[0] !== `p1: ${files} files` || listing.lines.length !== files + 1) {
    throw new BenchFailure(`#FILELIST p1 answered ${listing.lines.slice(0, 2).join(' | ')} (${listing.lines.length} lines)`);
  }
}

/** A fresh server on p1's folder and a console at peer d, for `use(session, server)`; both stopped after. */
async function withPeers(mesh, use) {
  const server = await startServer({ peerDir: mesh.dir('p1'), args: ['--host', '127.0.0.1', '--port', '0'] });
  mesh.setPort('p1', server.port);
  let session;
  try {
    session = await ConsoleSession.open({ peerDir: mesh.dir('d') });
    return await use(session, server);
  } finally {
    await session?.close();
    await server.stop();
  }
}

const fileName = (i) => `f${String(i).padStart(5, '0')}.txt`;

/** The first `downloads` files in peer d's folder against p1's, byte for byte; then removed. */
function checkCopies(mesh, downloads) {
  for (let i = 0; i < downloads; i++) {
    const copy = join(mesh.served('d'), fileName(i));
    if (!readFileSync(copy).equals(readFileSync(join(mesh.served('p1'), fileName(i))))) throw new BenchFailure(`WRONG BYTES in ${copy}`);
    rmSync(copy);
  }
}

export async function smallFiles(ctx) {
  const { files, downloads } = ctx.sizes.smallFiles;
  const mesh = new Mesh(benchRoot('small'), ['p1', 'd'].map((id) => ({ id, host: '127.0.0.1', port: 1 })));
  ctx.log(`writing ${files} files of ${FILE_SIZE} bytes`);
  for (let i = 0; i < files; i++) writeFileSync(join(mesh.served('p1'), fileName(i)), randomText(FILE_SIZE));
  const reps = [];
  for (let run = 1; run <= ctx.runs; run++) {
    // The first start ever: no identities on disk, the server hashes every file.
    rmSync(join(mesh.served('p1'), IDENTITY_CACHE_PATH), { force: true });
    const unknown = await withPeers(mesh, (session) => session.run('#FILELIST p1', { timeoutMs: 120_000 }));
    checkListing(unknown, files);
    // A fresh server each repetition: its first listing reads the identities the last one kept.
    await withPeers(mesh, async (session, server) => {
      const cold = await session.run('#FILELIST p1', { timeoutMs: 120_000 });
      const warm = await session.run('#FILELIST p1', { timeoutMs: 120_000 });
      for (const listing of [cold, warm]) checkListing(listing, files);
      // The same listing without the console: one LIST round trip, to tell the server's share
      // of the time from the console's (connecting, decoding, printing the table).
      const listMs = await timeList(mesh.peers.find((p) => p.id === 'p1'), files);
      const batch = Array.from({ length: downloads }, (_, i) => `#DOWNLOAD ${fileName(i)} p1`).join('\n');
      const servedBefore = server.tally.total('GET');
      const got = await session.run(batch, { timeoutMs: 600_000 });
      await settled([server]);
      const served = (server.tally.total('GET') - servedBefore) / (downloads * FILE_SIZE);
      const ok = got.lines.filter((l) => l.startsWith('Downloaded ')).length;
      if (ok !== downloads) throw new BenchFailure(`${ok} of ${downloads} downloads succeeded: ${got.lines.find((l) => !l.startsWith('Downloaded ')) ?? ''}`);
      reps.push({ unknownMs: unknown.ms, coldMs: cold.ms, warmMs: warm.ms, listMs, downloadMs: got.ms, rate: downloads / (got.ms / 1000), served });
      ctx.log(`run ${run}/${ctx.runs}: #FILELIST first start ${unknown.ms.toFixed(0)} ms, after a restart ${cold.ms.toFixed(0)} ms, warm ${warm.ms.toFixed(0)} ms (LIST alone ${listMs.toFixed(0)} ms); ${downloads} downloads in ${(got.ms / 1000).toFixed(2)} s = ${reps.at(-1).rate.toFixed(0)} files/s`);
    });
    checkCopies(mesh, downloads);
  }
  const S = (f) => summarize(reps.map(f));
  const unknown = S((r) => r.unknownMs);
  const cold = S((r) => r.coldMs);
  const warm = S((r) => r.warmMs);
  const list = S((r) => r.listMs);
  const downloadMs = S((r) => r.downloadMs);
  const rate = S((r) => r.rate);
  const served = S((r) => r.served);
  const rows = [
    [`#FILELIST p1, ${files} files, first after the first start (hashes all)`, ...spread(unknown, 1, 0), 'ms'],
    [`#FILELIST p1, ${files} files, first after a restart (identities on disk)`, ...spread(cold, 1, 0), 'ms'],
    [`#FILELIST p1, ${files} files, again (cached)`, ...spread(warm, 1, 0), 'ms'],
    ['  of which the LIST request alone (cached)', ...spread(list, 1, 0), 'ms'],
    [`${downloads} × #DOWNLOAD of 4 KiB, one session`, ...spread(downloadMs, 1 / 1000, 2), 's'],
    ['  files per second', ...spread(rate, 1, 0), 'files/s'],
    ['  bytes served / bytes of the files', ...spread(served, 1, 3), ''],
  ];
  return {
    params: { files, fileBytes: FILE_SIZE, downloads, runs: ctx.runs },
    figures: { filelistFirstStartMs: unknown, filelistColdMs: cold, filelistWarmMs: warm, listRequestMs: list, downloadsMs: downloadMs, filesPerSecond: rate, servedPerSize: served },
    targets: [
      target('#FILELIST, cached (ms)', warm.median, '<', LIST_LIMIT_MS),
      target('#FILELIST, first after a restart (ms)', cold.median, '<', LIST_LIMIT_MS),
      target('sequential downloads (files/s)', rate.median, '>=', RATE_TARGET),
      target('bytes served / bytes of the files', served.median, '<=', SERVED_TARGET),
    ],
    table: table(['row', 'median', 'spread', 'unit'], rows),
    notes: [`timed in the console, output included; the ${downloads} #DOWNLOAD lines are piped at once and run one after another`, 'served: GET bytes in the server\'s request log (what its sockets took: an abandoned GET counts what went out)'],
  };
}

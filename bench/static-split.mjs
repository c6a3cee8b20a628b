#!/usr/bin/env node
// The original design's download, for comparison: every peer serves a fixed equal share of the
// file (peer k of n: pieces [k·N/n, (k+1)·N/n)), whatever its link. Built from txtmesh's own
// modules in dist/ (connection, INFO, GET, piece hashes), with the same pipelining as the real
// client (PIPELINE_DEPTH requests in flight per peer, each peer's share in order), every piece
// verified before it is written, fsync at the end. So the only difference from #DOWNLOAD is
// who fetches which piece.
//
//   node bench/static-split.mjs --name NAME --out FILE [--trace FILE] --peer ID=HOST:PORT ...
//
// Prints "ready", waits for one line on stdin, downloads, prints "done {bytes per peer}".
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PIPELINE_DEPTH } from '../dist/constants.js';
import { fileInfo, getRange } from '../dist/client/peer-client.js';
import { PeerConnection } from '../dist/client/peer-connection.js';
import { hashPiece } from '../dist/storage/piece-hasher.js';

const HASH_BYTES = 32;
const { values } = parseArgs({
  options: { name: { type: 'string' }, out: { type: 'string' }, trace: { type: 'string' }, peer: { type: 'string', multiple: true } },
});
if (!values.name || !values.out || !values.peer?.length) {
  process.stderr.write('usage: static-split.mjs --name NAME --out FILE [--trace FILE] --peer ID=HOST:PORT ...\n');
  process.exit(2);
}
const peers = values.peer.map((spec, i) => {
  const m = /^([^=]+)=(.+):(\d+)$/.exec(spec);
  if (!m) throw new Error(`bad --peer ${spec}`);
  return { id: m[1], host: m[2], port: Number(m[3]), line: i + 1 };
});

process.stdout.write('ready\n');
await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));

const started = performance.now();
const trace = values.trace ? createWriteStream(values.trace, { flags: 'a' }) : undefined;
const conns = await Promise.all(peers.map((p) => PeerConnection.connect(p)));
const infos = await Promise.all(conns.map((c) => fileInfo(c, values.name)));
const info = infos[0];
if (infos.some((i) => i.identity !== info.identity)) throw new Error('the peers hold different versions');
const pieceCount = info.pieceHashes.length / HASH_BYTES;
const handle = await open(values.out, 'w');
const bytes = Object.fromEntries(peers.map((p) => [p.id, 0]));

async function fetchShare(k) {
  const conn = conns[k];
  const peer = peers[k].id;
  let next = Math.floor((k * pieceCount) / peers.length);
  const end = Math.floor(((k + 1) * pieceCount) / peers.length);
  const worker = async () => {
    while (next < end) {
      const piece = next++;
      const offset = piece * info.pieceSize;
      const length = Math.min(info.pieceSize, info.size - offset);
      const data = await getRange(conn, info.name, offset, length, info.identity);
      if (!hashPiece(data).equals(info.pieceHashes.subarray(piece * HASH_BYTES, (piece + 1) * HASH_BYTES))) {
        throw new Error(`${peer} sent a bad piece ${piece}`);
      }
      for (let written = 0; written < length; ) written += (await handle.write(data, written, length - written, offset + written)).bytesWritten;
      bytes[peer] += length;
      trace?.write(JSON.stringify({ name: info.name, peer, bytes: length, ms: Math.round((performance.now() - started) * 1000) / 1000 }) + '\n');
    }
  };
  await Promise.all(Array.from({ length: PIPELINE_DEPTH }, worker));
}

await Promise.all(peers.map((_, k) => fetchShare(k)));
await handle.sync();
await handle.close();
for (const c of conns) c.close();
if (trace) await new Promise((resolve) => trace.end(resolve));
process.stdout.write(`done ${JSON.stringify({ bytes })}\n`);

/**
 * A bounded soak (issue 12, "Also"): two txtmesh-server processes take 1,000 mixed requests from
 * 50 connections — reads of every kind, answers checked byte for byte, malformed frames, false
 * claims, uploads that lie about their bytes, and a few slow readers that never read — while
 * three real downloads run from both. The downloads finish byte-identical, no server crashes
 * or stops answering, and each server's memory stays bounded.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { download } from '../../src/client/download.js';
import { hello } from '../../src/client/peer-client.js';
import { withRetry } from '../../src/client/retry.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import type { PeerAddress } from '../../src/settings.js';
import { fileInfoOf, freePort, makeText, servedFolder, tempDir } from '../helpers.js';
import { serverJs, waitForOutput } from './cli-helpers.js';

/** A small deterministic generator, so a failing soak can be run again as it was. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

describe('soak: 1,000 mixed requests from 50 connections while real downloads run', function () {
  this.timeout(60_000);
  const big = makeText(6 * 1024 * 1024 + 321);
  const identity = fileInfoOf('big.txt', big).identity;
  let root: string;
  const servers: ChildProcess[] = [];
  const peers: PeerAddress[] = [];

  before(async () => {
    root = await tempDir();
    const ports = [await freePort(), await freePort()];
    await writeFile(join(root, 'peer_settings.txt'), `p1 127.0.0.1 ${ports[0]}\np2 127.0.0.1 ${ports[1]}\nme 127.0.0.1 ${await freePort()}\n`);
    for (const [i, port] of ports.entries()) {
      const id = `p${i + 1}`;
      await mkdir(join(root, id, 'served_files'), { recursive: true });
      await writeFile(join(root, id, 'served_files', 'big.txt'), big);
      await writeFile(join(root, id, 'served_files', 'small.txt'), 'small\r\n');
      const child = spawn(process.execPath, [serverJs, '--quiet', '--header-timeout', '1'], { cwd: join(root, id), stdio: ['ignore', 'pipe', 'inherit'] });
      await waitForOutput(child, /serving/);
      servers.push(child);
      peers.push({ id, host: '127.0.0.1', port: port as number, line: i + 1 });
    }
  });

  after(async () => {
    for (const child of servers) child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  /** One of the 50: sends its 20 requests, reads and checks the answers (or reads nothing). */
  function connection(peer: PeerAddress, next: () => number, slow: boolean): Promise<{ answered: number; wrong: string[] }> {
    const requests: string[] = [];
    const expected = new Map<number, Buffer | undefined>();
    for (let id = 1; id <= 20; id++) {
      const r = next();
      const offset = Math.floor(next() * (big.length - PIECE_SIZE));
      const length = 1 + Math.floor(next() * PIECE_SIZE);
      if (r < 0.4) {
        requests.push(`GET ${id} 0 big.txt ${offset} ${length}${next() < 0.5 ? ` ${identity}` : ''}\n`);
        expected.set(id, big.subarray(offset, offset + length));
      } else if (r < 0.55) requests.push(`LIST ${id} 0\n`);
      else if (r < 0.7) requests.push(`INFO ${id} 0 ${next() < 0.8 ? 'big.txt' : 'nope.txt'}\n`);
      else if (r < 0.75) requests.push(`HELLO ${id} 0 txtmesh/1\n`);
      else if (r < 0.8) requests.push(`HELLO ${id} 0 txtmesh/1 ${next() < 0.5 ? 'p2' : 'mallory'}\n`); // a false claim (p2 is elsewhere: refused too)
      else if (r < 0.87) requests.push(`PUT ${id} 5 lie${id}.txt ${'0'.repeat(64)}\nhello`); // not a member, and the bytes lie
      else if (r < 0.93) requests.push(`GET ${id} 0 big.txt 0 ${big.length * 2}\n`); // past the end
      else requests.push(['BOGUS 1 0\n', `GET ${id} 99999999999 x\n`, 'LIST -1 0\n', `INFO ${id} 0 ../../etc/passwd\n`][Math.floor(next() * 4)] as string);
    }
    // Requests that end a connection (a malformed frame, a false claim, a non-member's upload) go
    // last, so the ones before them are all answered.
    const ends = (r: string) => /^(BOGUS|LIST -1|PUT |HELLO \d+ 0 txtmesh\/1 \S)|GET \d+ 99999999999/.test(r);
    requests.sort((a, b) => Number(ends(a)) - Number(ends(b)));
    return new Promise((resolve) => {
      const socket: Socket = connect(peer.port, peer.host);
      const decoder = new FrameDecoder({ maxBodyBytes: () => 64 * 1024 * 1024 });
      const wrong: string[] = [];
      let answered = 0;
      let body: Buffer[] = [];
      const finish = () => resolve({ answered, wrong });
      socket.on('error', () => undefined);
      socket.on('close', finish);
      if (slow) socket.pause();
      socket.on('data', (chunk: Buffer) => {
        for (const ev of decoder.push(chunk)) {
          if (ev.type === 'body') body.push(Buffer.from(ev.chunk));
          if (ev.type !== 'end') continue;
          answered++;
          const want = expected.get(ev.header.id);
          if (ev.header.verb === 'OK' && want && !Buffer.concat(body).equals(want)) wrong.push(`GET ${ev.header.id}`);
          body = [];
        }
        if (answered === requests.length) socket.end();
      });
      socket.once('connect', () => socket.write(requests.join('')));
      // Slow readers never read: the server's send timeout or its memory bound cuts them off.
      setTimeout(() => socket.destroy(), slow ? 6000 : 10_000).unref();
    });
  }

  it('finishes the downloads byte-identical, keeps answering right, and stays within its memory bound', async () => {
    const next = random(12);
    let peak = 0;
    const sampler = setInterval(() => {
      for (const child of servers) void rssMiB(child.pid as number).then((m) => (peak = Math.max(peak, m)));
    }, 100);
    const folders = await Promise.all([1, 2, 3].map((i) => servedFolder(join(root, `me${i}`, 'served_files'))));
    const started = performance.now();
    try {
      const downloads = folders.map((folder) => download({ name: 'big.txt', peers, folder }));
      const crowd = Array.from({ length: 50 }, (_, i) => connection(peers[i % 2] as PeerAddress, next, i % 10 === 9));
      const [results, outcomes] = await Promise.all([Promise.all(downloads), Promise.all(crowd)]);
      for (const [i, folder] of folders.entries()) {
        expect(results[i]?.status).to.equal('downloaded');
        expect((await readFile(join(folder.root, 'big.txt'))).equals(big), `download ${i + 1} byte-identical`).to.equal(true);
      }
      expect(outcomes.flatMap((o) => o.wrong), 'every GET answered OK carried the right bytes').to.deep.equal([]);
      expect(outcomes.reduce((n, o) => n + o.answered, 0), 'the requests of all but the slow readers were answered, up to the first that ends its connection').to.be.above(700);
    } finally {
      clearInterval(sampler);
    }
    for (const child of servers) expect(child.exitCode, 'no server crashed').to.equal(null);
    for (const peer of peers) {
      const { conn, value } = await withRetry(peer, (c) => hello(c));
      conn.close();
      expect(value.peerId).to.equal(peer.id);
    }
    expect(peak, 'server memory (VmRSS, MiB)').to.be.below(250);
    expect(performance.now() - started).to.be.below(20_000);
  });
});

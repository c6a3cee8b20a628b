/**
 * Load: 50 clients download the same 24 MiB file at once from 3 peers (real server processes).
 * Every copy must be byte-identical, and no server's peak memory (VmHWM) may exceed 200 MB. A
 * server's memory follows its connections, not the file's size (bench/ "memory" measures 1 GiB),
 * so 24 MiB (96 pieces, each client asking every peer for runs at once) is enough to load them.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { download } from '../../src/client/download.js';
import type { PeerAddress } from '../../src/settings.js';
import { ServedFolder } from '../../src/storage/served-folder.js';
import { freePort, makeText, tempDir } from '../helpers.js';
import { serverJs, waitForOutput } from './cli-helpers.js';

const CLIENTS = 50;
const SIZE = 24 * 1024 * 1024;
const SERVER_MEMORY_BOUND_MB = 200;

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe(`load: ${CLIENTS} clients × ${SIZE / 1024 / 1024} MiB from 3 peers`, function () {
  this.timeout(300_000);
  let root: string;
  const servers: ChildProcess[] = [];
  const peers: PeerAddress[] = [];

  before(async function () {
    root = await tempDir('txtmesh-load-');
    const text = makeText(SIZE);
    let settings = '';
    for (const id of ['p1', 'p2', 'p3']) {
      const port = await freePort();
      peers.push({ id, host: '127.0.0.1', port, line: peers.length + 1 });
      settings += `${id} 127.0.0.1 ${port}\n`;
      await mkdir(join(root, id, 'served_files'), { recursive: true });
      await writeFile(join(root, id, 'served_files', 'big.txt'), text);
    }
    await writeFile(join(root, 'peer_settings.txt'), settings);
    for (const { id } of peers) {
      const child = spawn(process.execPath, [serverJs, '--quiet'], { cwd: join(root, id), stdio: ['ignore', 'pipe', 'inherit'] });
      servers.push(child);
      await waitForOutput(child, /serving/);
    }
  });

  after(async function () {
    for (const child of servers) child.kill('SIGTERM');
    await rm(root, { recursive: true, force: true });
  });

  it('delivers byte-identical copies to every client, each server under the memory bound', async function () {
    const expected = await sha256(join(root, 'p1', 'served_files', 'big.txt'));
    const results = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const folder = new ServedFolder(join(root, `c${i}`, 'served_files'));
        await folder.init();
        const result = await download({ name: 'big.txt', peers, folder, requestTimeoutMs: 60_000, stallTimeoutMs: 30_000 });
        const digest = await sha256(join(folder.root, 'big.txt'));
        await rm(join(root, `c${i}`), { recursive: true }); // keep the disk footprint small
        return { result, digest };
      }),
    );
    for (const { result, digest } of results) {
      expect(result.status).to.equal('downloaded');
      expect(digest).to.equal(expected);
    }
    // Every server took part.
    const served = new Map<string, number>();
    for (const { result } of results) for (const p of result.peers) served.set(p.peer, (served.get(p.peer) ?? 0) + p.bytes);
    for (const { id } of peers) expect(served.get(id), id).to.be.above(0);
    for (const child of servers) {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const hwmMB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
      // TXTMESH_VERBOSE=1 npm test prints the figures for the record.
      if (process.env.TXTMESH_VERBOSE) console.log(`      server pid ${child.pid}: VmHWM ${hwmMB.toFixed(1)} MB`);
      expect(hwmMB).to.be.below(SERVER_MEMORY_BOUND_MB);
    }
  });
});

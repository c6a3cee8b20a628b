/**
 * A crowd of downloaders of one file trade the pieces they have verified (docs/PROTOCOL.md,
 * "Partial holders"): real servers on 127.0.0.1, one seed behind a throttling proxy so the
 * downloads last long enough to find each other, every downloader running its own server.
 */
import { expect } from 'chai';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { download } from '../../src/client/download.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { type Mesh, type Proxy, makeText, startMesh, throttledProxy } from '../helpers.js';

describe('a crowd of downloaders on loopback', function () {
  this.timeout(90_000);
  let mesh: Mesh | undefined;
  let proxy: Proxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await mesh?.stop();
  });

  it('every copy byte-identical, and downloaders serve each other the pieces they have', async () => {
    const text = makeText(24 * PIECE_SIZE);
    const crowd = ['d1', 'd2', 'd3', 'd4'];
    mesh = await startMesh({ seed: { files: { 'big.txt': text } }, ...Object.fromEntries(crowd.map((id) => [id, { files: {} }])) });
    proxy = await throttledProxy(mesh.address('seed'), 600 * 1024);
    const seed = { ...mesh.address('seed'), port: proxy.port };
    const results = await Promise.all(
      crowd.map(async (id) => {
        const others = crowd.filter((o) => o !== id).map((o) => (mesh as Mesh).address(o));
        return download({ name: 'big.txt', peers: [seed, ...others], folder: await (mesh as Mesh).folderOf(id) });
      }),
    );
    for (const id of crowd) expect((await readFile(join(mesh.dirOf(id), 'big.txt'))).equals(text), id).to.equal(true);
    const servedByCrowd = crowd.flatMap((id) => (mesh as Mesh).logs.get(id) ?? []).filter((e) => e.verb === 'GET' && e.status === 'OK');
    expect(servedByCrowd.length, 'GETs the downloaders answered').to.be.greaterThan(0);
    const fromOthers = results.flatMap((r) => r.peers.filter((p) => p.peer !== 'seed' && p.bytes > 0));
    expect(fromOthers.length, 'downloads that got verified bytes from another downloader').to.be.greaterThan(0);
    // The summaries mark the downloaders that served while still downloading, never the seed
    // (which, super-seeding, offers each a few pieces at a time: its INFO says complete=1).
    expect(fromOthers.some((p) => p.partial), 'a downloader credited as a partial holder').to.equal(true);
    expect(results.map((r) => r.peers.find((p) => p.peer === 'seed')?.partial ?? false)).to.deep.equal([false, false, false, false]);
    // The seed's log counts what went out (every GET line, cut off or not): at least what it was credited with.
    const seedSent = (mesh.logs.get('seed') ?? []).filter((e) => e.verb === 'GET').reduce((total, e) => total + e.bytes, 0);
    const seedCredited = results.reduce((total, r) => total + (r.peers.find((p) => p.peer === 'seed')?.bytes ?? 0), 0);
    expect(seedSent).to.be.at.least(seedCredited);
  });

  it('contention: 1 seed and 8 downloaders at once without caps, three runs, no download fails', async () => {
    const text = makeText(16 * PIECE_SIZE);
    const crowd = Array.from({ length: 8 }, (_, i) => `d${i + 1}`);
    mesh = await startMesh({ seed: { files: { 'big.txt': text } }, ...Object.fromEntries(crowd.map((id) => [id, { files: {} }])) });
    const m = mesh;
    for (let run = 1; run <= 3; run++) {
      const outcomes = await Promise.allSettled(
        crowd.map(async (id) => download({ name: 'big.txt', peers: [m.address('seed'), ...crowd.filter((o) => o !== id).map((o) => m.address(o))], folder: await m.folderOf(id) })),
      );
      const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${crowd[i]}: ${String(o.reason)}`] : []));
      expect(failed, `run ${run}`).to.deep.equal([]);
      for (const id of crowd) {
        expect((await readFile(join(m.dirOf(id), 'big.txt'))).equals(text), `${id}, run ${run}`).to.equal(true);
        await rm(join(m.dirOf(id), 'big.txt'));
      }
    }
  });
});

/**
 * The benchmark harness itself (bench/), not the speed: it must keep working as src/ changes.
 * A tiny run of the scenarios that need no root (bench/run.mjs --smoke), and the static-split
 * client that the capped-links scenario compares against (it imports modules from dist/).
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Mesh, startMesh, tempDir } from '../helpers.js';
import { repo, run } from './cli-helpers.js';


describe('benchmark harness (bench/)', function () {
  this.timeout(30_000);

  it('runs the loopback, memory and small-files scenarios end to end and writes the figures', async function () {
    const out = await tempDir();
    const { code, stdout, stderr } = await run(join(repo, 'bench', 'run.mjs'), ['--smoke', '--only', 'loopback,memory,smallfiles', '--out', out], repo);
    expect(code, stdout + stderr).to.equal(0);
    expect(stdout).to.match(/3-peer throughput \/ baseline/);
    const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8'));
    expect(report.mode).to.equal('smoke');
    for (const id of ['loopback', 'memory', 'smallfiles']) expect(report.scenarios[id].status, id).to.equal('ok');
    expect(report.scenarios.loopback.figures.threePeerMs.n).to.equal(1);
    expect(report.scenarios.memory.targets).to.have.length(2);
  });

  describe('static-split.mjs', function () {
    let mesh: Mesh;
    const content = Buffer.from('static split\n'.repeat(80_000)); // 1040000 bytes: 4 pieces

    before(async function () {
      mesh = await startMesh({ p1: { files: { 'f.txt': content } }, p2: { files: { 'f.txt': content } }, p3: { files: { 'f.txt': content } } });
    });
    after(() => mesh.stop());

    it('fetches a fixed share from each peer and writes the file byte for byte', async function () {
      const dir = await tempDir();
      const target = join(dir, 'f.txt');
      const trace = join(dir, 'trace.jsonl');
      const peers = ['p1', 'p2', 'p3'].flatMap((id) => ['--peer', `${id}=127.0.0.1:${mesh.address(id).port}`]);
      const { code, stdout, stderr } = await run(join(repo, 'bench', 'static-split.mjs'), ['--name', 'f.txt', '--out', target, '--trace', trace, ...peers], repo, 'go\n');
      expect(code, stderr).to.equal(0);
      expect((await readFile(target)).equals(content)).to.equal(true);
      const done = JSON.parse(stdout.split('\n').find((l) => l.startsWith('done '))!.slice(5));
      // 4 pieces over 3 peers: shares of 1, 1 and 2 pieces, whatever the links.
      expect(done.bytes).to.deep.equal({ p1: 262144, p2: 262144, p3: content.length - 2 * 262144 });
      expect((await readFile(trace, 'utf8')).trim().split('\n')).to.have.length(4);
    });
  });
});

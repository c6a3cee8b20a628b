/**
 * The benchmark harness itself (bench/), not the speed: it must keep working as src/ changes.
 * A tiny run of every scenario (bench/run.mjs --smoke): those that need no root, then those on
 * network namespaces where the lab can be built (a visible skip otherwise); and the static-split
 * client that the capped-links scenario compares against (it imports modules from dist/).
 * The anchors (aria2c, nginx, opentracker, mktorrent) are Debian packages that .ci/run installs;
 * where one is missing its row must say SKIP with the reason, and the rest still runs.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Mesh, startMesh, tempDir } from '../helpers.js';
import { labUnavailable } from '../netns/lab.js';
import { repo, run } from './cli-helpers.js';

describe('benchmark harness (bench/)', function () {
  this.timeout(30_000);

  /** Runs bench/run.mjs --smoke on `only`; checks it exited 0 and every scenario ran; returns the report. */
  async function smoke(only: string[]): Promise<{ stdout: string; report: any }> {
    const out = await tempDir();
    const { code, stdout, stderr } = await run(join(repo, 'bench', 'run.mjs'), ['--smoke', '--only', only.join(','), '--out', out], repo);
    expect(code, stdout + stderr).to.equal(0);
    const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8'));
    expect(report.mode).to.equal('smoke');
    for (const id of only) expect(report.scenarios[id].status, `${id}: ${stdout}`).to.equal('ok');
    return { stdout, report };
  }

  /** An anchor's figures are there, or its row says SKIP and why. */
  function anchorOrSkip(stdout: string, figures: unknown, skipLine: RegExp): void {
    if (figures === undefined) expect(stdout).to.match(skipLine);
    else expect(stdout).not.to.match(skipLine);
  }

  it('runs the loopback, memory, small-files and start-up scenarios end to end and writes the figures', async function () {
    this.timeout(60_000);
    const { stdout, report } = await smoke(['loopback', 'memory', 'smallfiles', 'startup']);
    expect(stdout).to.match(/3-peer \(console\) throughput \/ baseline/);
    const loopback = report.scenarios.loopback.figures;
    expect(loopback.threePeerMs.n).to.equal(1);
    expect(loopback.threePeerSpawnMs.n).to.equal(1);
    // Timed from spawn to exit, so at least the console's own figure.
    expect(loopback.threePeerSpawnMs.median).to.be.at.least(loopback.threePeerSpawnReportedMs.median);
    expect(loopback.servedPerSize.three.median).to.be.at.least(1);
    anchorOrSkip(stdout, loopback.aria2cMs, /SKIP aria2c row: \S+ is not installed/);
    expect(report.scenarios.memory.targets).to.have.length(2);
    const startup = report.scenarios.startup.figures;
    for (const kind of ['node', 'console', 'subcommand', 'server']) expect(startup[`${kind}Ms`].n, kind).to.equal(3);
    expect(report.scenarios.smallfiles.figures.servedPerSize.median).to.be.at.least(1);
  });

  it('runs the mesh scenario (a few servers, one down, one silent) and writes every state\'s figures', async function () {
    this.timeout(90_000);
    const { stdout, report } = await smoke(['mesh']);
    const mesh = report.scenarios.mesh;
    for (const state of ['up', 'down', 'silent']) {
      for (const what of ['console #PEERS', 'console #FILES', 'spawn peers', 'spawn files']) expect(mesh.figures[`n6_${state}`][what].n, `${state} ${what}`).to.equal(1);
    }
    expect(mesh.figures.perServer.fds.median).to.be.above(0);
    expect(mesh.targets).to.have.length(6);
    expect(stdout).to.match(/6 peers, 2 down \+ 1 silent: console #PEERS/);
  });

  it('runs the namespace scenarios (capped, upload, crowd) end to end where the lab can be built', async function () {
    const unavailable = labUnavailable();
    if (unavailable) {
      console.log(`      SKIP namespace scenarios of the bench: ${unavailable}`);
      this.skip();
    }
    this.timeout(180_000);
    const { stdout, report } = await smoke(['capped', 'upload', 'crowd']);
    const capped = report.scenarios.capped.figures;
    expect(capped.spawnMs.n).to.equal(1);
    expect(capped.spawnServedPerSize.median).to.be.at.least(1);
    anchorOrSkip(stdout, capped.aria, /SKIP aria2c row: \S+ is not installed/);
    const crowd = report.scenarios.crowd.figures.n2;
    expect(crowd.txtmesh.failed).to.be.a('number');
    expect(crowd.txtmesh.seedLinkPerSize.median).to.be.above(0);
    expect(crowd.lowerBoundMs.median).to.be.above(0);
    anchorOrSkip(stdout, crowd.bittorrent, /SKIP BitTorrent rows: \S+ is not installed/);
    expect(report.scenarios.upload.figures.servedPerSize.median).to.be.at.least(1);
  });

  it('bench/README.md quotes the targets of bench/results/latest.json as bench/summary.mjs renders them', async function () {
    const { code, stderr } = await run(join(repo, 'bench', 'summary.mjs'), ['--check'], repo);
    expect(code, stderr).to.equal(0);
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

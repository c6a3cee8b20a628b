/**
 * Multi-host tests on Linux network namespaces: one namespace per peer with its own address,
 * servers bound to those addresses, the settings file naming them. Runs when root and
 * `ip netns` are available; otherwise every test here is skipped with a visible line.
 */
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeText, tempDir } from '../helpers.js';
import { Lab, type LabHost, labUnavailable } from './lab.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PORT = 47200;

function output(child: ChildProcess): { text: () => string; exit: Promise<number | null> } {
  let text = '';
  child.stdout?.on('data', (d) => (text += d));
  child.stderr?.on('data', (d) => (text += d));
  return { text: () => text, exit: new Promise((r) => child.on('close', (code) => r(code))) };
}

/** `bytes per peer: p1 5, p2 7 (+3 aborted); wasted 3 bytes (…)` → {p1: 5, p2: 7}. */
function bytesPerPeer(text: string): Record<string, number> {
  const line = (/bytes per peer: (.*)/.exec(text)?.[1] ?? '').replace(/ \([^)]*\)/g, '').split(';')[0] ?? '';
  return Object.fromEntries(line.split(', ').map((part) => part.split(' ')).map(([peer, n]) => [peer, Number(n)]));
}

const unavailable = labUnavailable();

describe('multi-host mesh on network namespaces', function () {
  this.timeout(120_000);
  let lab: Lab;
  let root: string;
  const text = makeText(48 * 1024 * 1024);
  const exitHandler = () => lab?.down();

  before(async function () {
    if (unavailable) {
      console.log(`      SKIP multi-host namespace tests: ${unavailable}`);
      this.skip();
    }
    lab = new Lab({ tag: 'tmt' });
    process.once('exit', exitHandler);
    lab.up(['100mbit', '100mbit', '100mbit']);
    root = await tempDir('txtmesh-netns-');
    const hosts = lab.servers;
    // p4 has an address in the lab's subnet but no host: it is down from the start.
    const settings = [
      ...hosts.map((h, i) => `p${i + 1} ${h.address} ${PORT}`),
      `p4 10.98.0.14 ${PORT}`,
      `me ${lab.client.address} ${PORT}`,
    ].join('\n');
    await writeFile(join(root, 'peer_settings.txt'), settings + '\n');
    for (const [i, host] of hosts.entries()) {
      const dir = join(root, `p${i + 1}`, 'served_files');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'big.txt'), text);
      const server = lab.spawn(host, process.execPath, [join(repo, 'dist', 'server.js'), '--quiet'], { cwd: join(root, `p${i + 1}`) });
      await new Promise<void>((r, reject) => {
        server.stdout?.on('data', (d: Buffer) => d.toString().includes('serving') && r());
        server.on('exit', (code) => reject(new Error(`server p${i + 1} exited with ${code}`)));
      });
    }
    await mkdir(join(root, 'me', 'served_files'), { recursive: true });
  });

  after(async function () {
    lab?.down();
    process.off('exit', exitHandler);
    if (root) await rm(root, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (!root) return;
    for (const host of lab.servers) lab.link(host, 'up');
    await rm(join(root, 'me', 'served_files'), { recursive: true, force: true });
    await mkdir(join(root, 'me', 'served_files'));
  });

  function client(commands: string, extra: string[] = []) {
    const child = lab.spawn(lab.client, process.execPath, [join(repo, 'dist', 'client.js'), ...extra], { cwd: join(root, 'me') });
    const result = output(child);
    child.stdin?.end(commands);
    return result;
  }

  async function downloaded(): Promise<boolean> {
    return (await readFile(join(root, 'me', 'served_files', 'big.txt'))).equals(text);
  }

  it('downloads from three hosts, byte for byte, each host serving a share', async function () {
    const run = client('#DOWNLOAD big.txt p1 p2 p3\n');
    expect(await run.exit, run.text()).to.equal(0);
    expect(await downloaded()).to.equal(true);
    const shares = bytesPerPeer(run.text());
    for (const p of ['p1', 'p2', 'p3']) expect(shares[p], `${p} in ${run.text()}`).to.be.above(text.length / 10);
  });

  it('finishes from the others when a host\'s link is cut mid-download', async function () {
    const run = client('#DOWNLOAD big.txt p1 p2 p3\n');
    const dir = join(root, 'me', 'served_files');
    const deadline = Date.now() + 10_000;
    while (!(await readdir(dir)).some((n) => n.endsWith('.txtmesh-part')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    lab.link(lab.servers[1] as LabHost, 'down');
    expect(await run.exit, run.text()).to.equal(0);
    expect(await downloaded()).to.equal(true);
    const shares = bytesPerPeer(run.text());
    expect(shares.p2).to.be.below(text.length / 3);
  });

  it('reports a host that is down from the start without hanging, and downloads without it', async function () {
    const started = Date.now();
    const list = client('#FILELIST p1 p4\n', ['--timeout', '5']);
    expect(await list.exit).to.equal(1);
    expect(list.text()).to.match(/p4: unreachable: .*\((ERR_PEER_TIMEOUT|ERR_PEER_UNREACHABLE)\)/);
    expect(list.text()).to.match(/p1: 1 file/);
    expect(Date.now() - started).to.be.below(15_000);
    const run = client('#DOWNLOAD big.txt\n');
    expect(await run.exit, run.text()).to.equal(0);
    expect(await downloaded()).to.equal(true);
  });

  it('gives a link 10x slower than the others a small share', async function () {
    const slow = lab.servers[2] as LabHost;
    lab.setRate(slow, '10mbit');
    try {
      const run = client('#DOWNLOAD big.txt p1 p2 p3\n');
      expect(await run.exit, run.text()).to.equal(0);
      expect(await downloaded()).to.equal(true);
      const shares = bytesPerPeer(run.text());
      expect(shares.p3).to.be.below((shares.p1 ?? 0) / 4);
      expect(shares.p3).to.be.below((shares.p2 ?? 0) / 4);
    } finally {
      lab.setRate(slow, '100mbit');
    }
  });
});

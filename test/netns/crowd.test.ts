/**
 * A crowd on network namespaces (issue 10): one seed and four downloaders, each peer on its own
 * host with a capped link, all downloads started at once with the real programs. Every copy
 * must be byte-identical, and the downloaders' servers must have answered GETs from other
 * downloaders (partial holders serving each other; docs/PROTOCOL.md, "Partial holders").
 * Runs when root and `ip netns` are available; otherwise skipped with a visible line.
 */
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeText, tempDir } from '../helpers.js';
import { Lab, labUnavailable } from './lab.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PORT = 47300;
const IDS = ['seed', 'd1', 'd2', 'd3', 'd4'];

interface LogEntry {
  readonly remote: string;
  readonly verb: string;
  readonly status: string;
  readonly bytes: number;
}

/** The JSON request-log lines a server printed. */
function logOf(child: ChildProcess): () => LogEntry[] {
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  return () =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogEntry);
}

const unavailable = labUnavailable();

describe('a crowd on network namespaces', function () {
  this.timeout(120_000);
  let lab: Lab | undefined;
  let root: string | undefined;
  const exitHandler = () => lab?.down();

  before(function () {
    if (unavailable) {
      console.log(`      SKIP crowd namespace test: ${unavailable}`);
      this.skip();
    }
  });

  after(async () => {
    lab?.down();
    process.off('exit', exitHandler);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('1 seed + 4 downloaders at once on 40 mbit links: every copy identical, downloaders serve each other', async () => {
    lab = new Lab({ tag: 'tmw' });
    process.once('exit', exitHandler);
    lab.up(IDS.map(() => '40mbit'));
    const hosts = lab.servers;
    root = await tempDir('txtmesh-netns-crowd-');
    const dir = root;
    const text = makeText(6 * 1024 * 1024);
    await writeFile(join(dir, 'peer_settings.txt'), IDS.map((id, i) => `${id} ${hosts[i]?.address} ${PORT}`).join('\n') + '\n');
    for (const id of IDS) await mkdir(join(dir, id, 'served_files'), { recursive: true });
    await writeFile(join(dir, 'seed', 'served_files', 'big.txt'), text);
    const logs = new Map<string, () => LogEntry[]>();
    for (const [i, id] of IDS.entries()) {
      const server = (lab as Lab).spawn(hosts[i] as never, process.execPath, [join(repo, 'dist', 'server.js'), '--log-format', 'json'], { cwd: join(dir, id) });
      logs.set(id, logOf(server));
      await new Promise<void>((ok, fail) => {
        const onData = (d: Buffer) => d.toString().includes('serving') && ok();
        server.stdout?.on('data', onData);
        server.stderr?.on('data', onData);
        server.on('exit', (code) => fail(new Error(`server ${id} exited with ${code}`)));
      });
    }
    const runs = IDS.slice(1).map((id, i) => {
      const child = (lab as Lab).spawn(hosts[i + 1] as never, process.execPath, [join(repo, 'dist', 'client.js'), 'download', 'big.txt'], { cwd: join(dir, id) });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      return new Promise<{ id: string; code: number | null; out: string }>((ok) => child.on('close', (code) => ok({ id, code, out })));
    });
    for (const run of await Promise.all(runs)) {
      expect(run.code, `${run.id}: ${run.out}`).to.equal(0);
      expect((await readFile(join(dir, run.id, 'served_files', 'big.txt'))).equals(text), run.id).to.equal(true);
    }
    const downloaderAddresses = new Set(hosts.slice(1).map((h) => h.address));
    const servedToCrowd = IDS.slice(1).flatMap((id) => (logs.get(id) as () => LogEntry[])().filter((e) => e.verb === 'GET' && e.status === 'OK' && downloaderAddresses.has(e.remote.slice(0, e.remote.lastIndexOf(':')))));
    const servers = new Set(IDS.slice(1).filter((id) => (logs.get(id) as () => LogEntry[])().some((e) => e.verb === 'GET' && e.status === 'OK')));
    expect(servedToCrowd.length, 'GETs the downloaders answered to other downloaders').to.be.greaterThan(0);
    expect(servers.size, 'downloaders whose server answered a GET').to.be.at.least(2);
  });
});

/**
 * The demo script (npm run demo) on a copy of example/ with free ports: it must pass, check
 * p5's copies, and leave the example exactly as it found it.
 */
import { expect } from 'chai';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort, tempDir } from '../helpers.js';
import { repo, run } from './cli-helpers.js';

async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: Record<string, string> = {};
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath ?? e.path, e.name);
    out[path.slice(dir.length)] = (await readFile(path)).toString('base64');
  }
  return out;
}

/** A copy of example/ on free ports; `ports` in p1..p5 order. */
async function exampleCopy(): Promise<{ example: string; ports: number[] }> {
  const example = join(await tempDir(), 'example');
  await cp(join(repo, 'example'), example, { recursive: true });
  const ports = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
  await writeFile(join(example, 'peer_settings.txt'), ports.map((port, i) => `p${i + 1} 127.0.0.1 ${port}`).join('\n') + '\n');
  return { example, ports };
}

describe('npm run demo', function () {
  this.timeout(60_000);

  it('replays the example, verifies p5\'s copies, and restores the example; no colour codes into a pipe', async function () {
    const { example } = await exampleCopy();
    const before = await snapshot(example);
    const { code, stdout, stderr } = await run(join(repo, 'scripts', 'demo.mjs'), ['--example', example], repo);
    const output = stdout + stderr;
    expect(code, output).to.equal(0);
    expect(output).to.contain('p1: 1 file');
    expect(output).to.match(/Downloaded hello_world\.txt: 14 bytes/);
    expect(output).to.match(/Downloaded lorem_ipsum\.txt: \d+ bytes .*bytes per peer: p2 \d+.*, p3 \d+.*, p4 \d+/);
    expect(output).to.not.contain('\x1b[');
    expect(output).to.contain("hello_world.txt: identical to p1's copy");
    expect(output).to.contain("lorem_ipsum.txt: identical to p2's copy");
    expect(output).to.contain('demo passed');
    expect(await snapshot(example)).to.deep.equal(before);
  });

  it('with files left in p5 by a hand run: sets them aside, really downloads, and puts them back', async function () {
    const { example } = await exampleCopy();
    await writeFile(join(example, 'p5', 'served_files', 'hello_world.txt'), 'left from a hand run\n');
    const { code, stdout } = await run(join(repo, 'scripts', 'demo.mjs'), ['--example', example, '--quiet-servers'], repo);
    expect(code, stdout).to.equal(0);
    expect(stdout).to.contain('p5 had hello_world.txt from an earlier run: kept aside until the demo ends');
    expect(stdout).to.match(/Downloaded hello_world\.txt: 14 bytes/);
    expect(await readFile(join(example, 'p5', 'served_files', 'hello_world.txt'), 'utf8')).to.equal('left from a hand run\n');
  });

  it('with --quiet-servers, a server that cannot start still says why (a port in use)', async function () {
    const { example, ports } = await exampleCopy();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(ports[0], '127.0.0.1', resolve));
    try {
      const { code, stdout } = await run(join(repo, 'scripts', 'demo.mjs'), ['--example', example, '--quiet-servers'], repo);
      expect(code).to.equal(1);
      expect(stdout).to.match(/demo: server p1 exited with status 2 before it was ready: .*(in use|EADDRINUSE)/);
      expect(stdout).to.contain('demo FAILED');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

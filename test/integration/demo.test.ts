/**
 * The demo script (npm run demo) on a copy of example/ with free ports: it must pass, check
 * p5's copies, and leave the example exactly as it found it.
 */
import { expect } from 'chai';
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
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

describe('npm run demo', function () {
  this.timeout(60_000);

  it('replays the example, verifies p5\'s copies, and restores the example', async function () {
    const example = join(await tempDir(), 'example');
    await cp(join(repo, 'example'), example, { recursive: true });
    const ports = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
    await writeFile(join(example, 'peer_settings.txt'), ports.map((port, i) => `p${i + 1} 127.0.0.1 ${port}`).join('\n') + '\n');
    const before = await snapshot(example);
    const { code, stdout, stderr } = await run(join(repo, 'scripts', 'demo.mjs'), ['--example', example], repo);
    const output = stdout + stderr;
    expect(code, output).to.equal(0);
    expect(output).to.contain('p1: 1 file');
    expect(output).to.match(/Downloaded hello_world\.txt: 14 bytes/);
    expect(output).to.match(/Downloaded lorem_ipsum\.txt: \d+ bytes .*bytes per peer: p2 \d+, p3 \d+, p4 \d+/);
    expect(output).to.contain("hello_world.txt: identical to p1's copy");
    expect(output).to.contain("lorem_ipsum.txt: identical to p2's copy");
    expect(output).to.contain('demo passed');
    expect(await snapshot(example)).to.deep.equal(before);
  });
});

/**
 * storage/kept-versions: the entries of the versions area as files in a real folder: parsed
 * from their names, one version per inode, the file under the name left out, picked by prefix.
 */
import { expect } from 'chai';
import { link, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { identityOfPath, keptFileName, keptNamesUnder, pickKept, readKept, removeKept } from '../../src/storage/kept-versions.js';
import { tempDir } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

describe('storage/kept-versions', function () {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('txtmesh-kept-');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const a = 'a'.repeat(64);
  const ab = 'a'.repeat(10) + 'b'.repeat(54);
  const c = 'c'.repeat(64);

  it('reads entries newest first, skips other files, shows one entry per inode and leaves out the current file', async function () {
    await writeFile(join(dir, keptFileName(1000, a, 'replaced')), 'A');
    await writeFile(join(dir, keptFileName(3000, ab, 'unshared')), 'AB!');
    await link(join(dir, keptFileName(1000, a, 'replaced')), join(dir, keptFileName(2000, a, 'replaced')));
    await writeFile(join(dir, keptFileName(4000, c, 'replaced')), 'C');
    await writeFile(join(dir, 'notes.txt'), 'not an entry');
    await writeFile(join(dir, `5000-${c}-deleted`), 'unknown reason');
    await mkdir(join(dir, keptFileName(6000, c, 'replaced')));
    const current = await stat(join(dir, keptFileName(4000, c, 'replaced')));
    const kept = await readKept(dir, 'x.txt', current.ino);
    expect(kept.map((k) => [k.at, k.identity[0], k.why, k.size])).to.deep.equal([
      [3000, 'a', 'unshared', 3],
      [2000, 'a', 'replaced', 1],
    ]);
    expect(await readKept(join(dir, 'missing'), 'x.txt', undefined)).to.deep.equal([]);
  });

  it('picks by identity prefix: unique, current, ambiguous, unknown, not hex', async function () {
    await writeFile(join(dir, keptFileName(1, a, 'replaced')), 'A');
    await writeFile(join(dir, keptFileName(2, ab, 'replaced')), 'B');
    const kept = await readKept(dir, 'x.txt', undefined);
    expect(pickKept(kept, 'x.txt', 'aaaaaaaaaab', undefined)).to.include({ identity: ab });
    expect(pickKept(kept, 'x.txt', 'ccc', c)).to.equal('current');
    expectCode(() => pickKept(kept, 'x.txt', 'aaa', undefined), 'ERR_USAGE');
    expectCode(() => pickKept(kept, 'x.txt', 'ddd', undefined), 'ERR_NOT_FOUND');
    expectCode(() => pickKept(kept, 'x.txt', 'AAA', undefined), 'ERR_USAGE');
  });

  it('removes every link of the given inodes; finds the names that have folders; hashes a file', async function () {
    await writeFile(join(dir, keptFileName(1, a, 'replaced')), 'A');
    await link(join(dir, keptFileName(1, a, 'replaced')), join(dir, keptFileName(2, a, 'replaced')));
    await writeFile(join(dir, keptFileName(3, c, 'replaced')), 'C');
    const linked = (await readKept(dir, 'x.txt', undefined)).find((k) => k.identity === a);
    await removeKept(dir, new Set([linked?.ino as number]));
    expect((await readdir(dir)).sort()).to.deep.equal([keptFileName(3, c, 'replaced')]);
    await mkdir(join(dir, 'root', 'notes', 'n.txt', 'deep.txt'), { recursive: true });
    await mkdir(join(dir, 'root', '.x.txt.1.txtmesh-part'), { recursive: true });
    expect((await keptNamesUnder(join(dir, 'root'), '')).sort()).to.deep.equal(['notes/n.txt', 'notes/n.txt/deep.txt']);
    await writeFile(join(dir, 'h.txt'), 'Hello, world!\n');
    expect(await identityOfPath(join(dir, 'h.txt'))).to.equal('82674cafa4320daa280b666af141db2b5bd7db4dff3b69dd91a6caea9e30dafb');
  });
});

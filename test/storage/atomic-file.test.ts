/**
 * storage/atomic-file: temp files beside the target, and publishNoReplace, which links a finished
 * temp file into place and never replaces anything already there. Real files in a temp folder.
 */
import { expect } from 'chai';
import { lstat, mkdir, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TEMP_SUFFIX, createTempFile, publishNoReplace, removeQuietly, tempPathFor } from '../../src/storage/atomic-file.js';
import { tempDir } from '../helpers.js';

describe('storage/atomic-file', function () {
  let dir: string;
  beforeEach(async () => (dir = await tempDir('txtmesh-atomic-')));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** A finished temp file for `name` holding `content`, as a writer leaves it (closed). */
  async function finished(name: string, content: string): Promise<string> {
    const { path, handle } = await createTempFile(join(dir, name));
    await handle.writeFile(content);
    await handle.sync();
    await handle.close();
    return path;
  }

  describe('tempPathFor and createTempFile', function () {
    it('names a hidden file beside the target, ending in the temp suffix, with a fresh tag each time', function () {
      const final = join(dir, 'sub', 'notes.txt');
      expect(tempPathFor(final, 'abc')).to.equal(join(dir, 'sub', `.notes.txt.abc${TEMP_SUFFIX}`));
      const a = tempPathFor(final);
      const b = tempPathFor(final);
      expect(a).to.not.equal(b);
      for (const path of [a, b]) {
        expect(dirname(path)).to.equal(dirname(final));
        expect(basename(path)).to.match(new RegExp(`^\\.notes\\.txt\\.[0-9a-f]{12}\\${TEMP_SUFFIX}$`));
      }
    });

    it('creates a new empty file, and refuses to open one that exists (never truncates it)', async function () {
      const { path, handle } = await createTempFile(join(dir, 'a.txt'), 'fixed');
      await handle.writeFile('first writer');
      await handle.close();
      const second = await createTempFile(join(dir, 'a.txt'), 'fixed').then(
        () => 'opened',
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect(second).to.equal('EEXIST');
      expect(await readFile(path, 'utf8')).to.equal('first writer');
    });
  });

  describe('publishNoReplace', function () {
    it('links the temp file into place, then unlinks the temp name: same inode, one link, no temp left', async function () {
      const temp = await finished('a.txt', 'content');
      const { ino } = await stat(temp);
      expect(await publishNoReplace(temp, join(dir, 'a.txt'))).to.equal(true);
      const final = await stat(join(dir, 'a.txt'));
      expect(final.ino).to.equal(ino);
      expect(final.nlink).to.equal(1);
      expect(await readFile(join(dir, 'a.txt'), 'utf8')).to.equal('content');
      expect(await readdir(dir)).to.deep.equal(['a.txt']);
    });

    it('never replaces a file already there: returns false, both files untouched', async function () {
      await writeFile(join(dir, 'a.txt'), 'already here');
      const temp = await finished('a.txt', 'newcomer');
      expect(await publishNoReplace(temp, join(dir, 'a.txt'))).to.equal(false);
      expect(await readFile(join(dir, 'a.txt'), 'utf8')).to.equal('already here');
      // The temp file is the caller's to remove (or to compare with what is there).
      expect(await readFile(temp, 'utf8')).to.equal('newcomer');
    });

    it('never replaces or writes through a symlink at the name, even a dangling one, nor a folder', async function () {
      const outside = join(dir, 'outside.txt');
      await symlink(outside, join(dir, 'link.txt'));
      await mkdir(join(dir, 'folder.txt'));
      for (const name of ['link.txt', 'folder.txt']) {
        expect(await publishNoReplace(await finished(name, 'x'), join(dir, name)), name).to.equal(false);
      }
      expect((await lstat(join(dir, 'link.txt'))).isSymbolicLink()).to.equal(true);
      expect(await readlink(join(dir, 'link.txt'))).to.equal(outside);
      expect(await readdir(dir)).to.not.include('outside.txt');
      expect((await stat(join(dir, 'folder.txt'))).isDirectory()).to.equal(true);
    });

    it('lets exactly one of many racing publishers have the name', async function () {
      const temps = await Promise.all(Array.from({ length: 8 }, (_, i) => finished('race.txt', `writer ${i}`)));
      const results = await Promise.all(temps.map((t) => publishNoReplace(t, join(dir, 'race.txt'))));
      expect(results.filter(Boolean)).to.have.length(1);
      const winner = results.indexOf(true);
      expect(await readFile(join(dir, 'race.txt'), 'utf8')).to.equal(`writer ${winner}`);
      // The losers' temp files are still there for their callers; the winner's is gone.
      expect((await readdir(dir)).filter((n) => n.endsWith(TEMP_SUFFIX))).to.have.length(7);
    });

    it('fails, rather than publish nothing, when the temp file is missing', async function () {
      const missing = tempPathFor(join(dir, 'a.txt'));
      const code = await publishNoReplace(missing, join(dir, 'a.txt')).then(
        () => 'published',
        (err: NodeJS.ErrnoException) => err.code,
      );
      expect(code).to.equal('ENOENT');
      expect(await readdir(dir)).to.deep.equal([]);
    });
  });

  describe('removeQuietly', function () {
    it('removes a file, and says nothing when it is already gone', async function () {
      const temp = await finished('a.txt', 'x');
      await removeQuietly(temp);
      await removeQuietly(temp);
      expect(await readdir(dir)).to.deep.equal([]);
    });
  });
});

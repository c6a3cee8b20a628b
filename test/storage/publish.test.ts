import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TxtmeshError } from '../../src/errors.js';
import { createTempFile } from '../../src/storage/atomic-file.js';
import { compareExisting, publishOrSame } from '../../src/storage/publish.js';
import type { ServedFolder } from '../../src/storage/served-folder.js';
import { fileInfoOf, servedFolder, tempDir } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

/** A finished temp file beside the target, as a writer leaves it: fsynced and closed. */
async function finishedTemp(folder: ServedFolder, name: string, data: Buffer): Promise<{ tempPath: string; finalPath: string }> {
  const finalPath = await folder.prepareDir(name);
  const { path: tempPath, handle } = await createTempFile(finalPath);
  await handle.write(data, 0, data.length, 0);
  await handle.sync();
  await handle.close();
  return { tempPath, finalPath };
}

const conflict = (theirs: string | undefined) => new TxtmeshError('ERR_EXISTS', `taken by ${theirs ?? 'something'}`);

describe('storage/publish', function () {
  let dir: string;
  let folder: ServedFolder;
  const ours = Buffer.from('our bytes\r\n');
  const theirs = Buffer.from('their bytes\r\n');

  beforeEach(async function () {
    dir = await tempDir();
    folder = await servedFolder(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  describe('compareExisting', function () {
    it('is absent when nothing has the name', async function () {
      expect(await compareExisting(folder, 'a.txt', fileInfoOf('a.txt', ours).identity, conflict)).to.equal('absent');
    });

    it('is the same when the name holds that version', async function () {
      await writeFile(join(dir, 'a.txt'), ours);
      expect(await compareExisting(folder, 'a.txt', fileInfoOf('a.txt', ours).identity, conflict)).to.equal('same');
    });

    it('is the caller\'s conflict, given the other identity, when the name holds another version', async function () {
      await writeFile(join(dir, 'a.txt'), theirs);
      const err = await expectCode(compareExisting(folder, 'a.txt', fileInfoOf('a.txt', ours).identity, conflict), 'ERR_EXISTS');
      expect(err.message).to.equal(`taken by ${fileInfoOf('a.txt', theirs).identity}`);
    });

    it('is the caller\'s conflict, with no identity, when the name holds a symlink, a folder or a FIFO', async function () {
      await writeFile(join(dir, 'target.txt'), ours);
      await symlink(join(dir, 'target.txt'), join(dir, 'link.txt'));
      await mkdir(join(dir, 'dir.txt'));
      execFileSync('mkfifo', [join(dir, 'fifo.txt')]);
      for (const name of ['link.txt', 'dir.txt', 'fifo.txt']) {
        const err = await expectCode(compareExisting(folder, name, fileInfoOf(name, ours).identity, conflict), 'ERR_EXISTS');
        expect(err.message, name).to.equal('taken by something');
      }
    });
  });

  describe('publishOrSame', function () {
    it('stores a file under a free name and removes the temp name', async function () {
      const info = fileInfoOf('sub/a.txt', ours);
      const temp = await finishedTemp(folder, 'sub/a.txt', ours);
      expect(await publishOrSame(folder, temp, info.name, info.identity, conflict)).to.equal('stored');
      expect(await readFile(join(dir, 'sub', 'a.txt'))).to.deep.equal(ours);
      expect(await readdir(join(dir, 'sub'))).to.deep.equal(['a.txt']);
      expect((await folder.describe('sub/a.txt')).identity).to.equal(info.identity);
    });

    it('is the same when the name already holds these bytes: nothing replaced, the temp file left to the caller', async function () {
      await writeFile(join(dir, 'a.txt'), ours);
      const temp = await finishedTemp(folder, 'a.txt', ours);
      expect(await publishOrSame(folder, temp, 'a.txt', fileInfoOf('a.txt', ours).identity, conflict)).to.equal('same');
      expect((await readdir(dir)).sort()).to.deep.equal([basename(temp.tempPath), 'a.txt']);
    });

    it('never replaces other bytes: the caller\'s conflict, the file untouched', async function () {
      await writeFile(join(dir, 'a.txt'), theirs);
      const temp = await finishedTemp(folder, 'a.txt', ours);
      const err = await expectCode(publishOrSame(folder, temp, 'a.txt', fileInfoOf('a.txt', ours).identity, conflict), 'ERR_EXISTS');
      expect(err.message).to.equal(`taken by ${fileInfoOf('a.txt', theirs).identity}`);
      expect(await readFile(join(dir, 'a.txt'))).to.deep.equal(theirs);
    });

    it('lets exactly one of two racing publishers of different bytes take the name', async function () {
      const a = await finishedTemp(folder, 'race.txt', ours);
      const b = await finishedTemp(folder, 'race.txt', theirs);
      const outcomes = await Promise.allSettled([
        publishOrSame(folder, a, 'race.txt', fileInfoOf('race.txt', ours).identity, conflict),
        publishOrSame(folder, b, 'race.txt', fileInfoOf('race.txt', theirs).identity, conflict),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<string>).value)).to.deep.equal(['stored']);
      const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      expect((lost.reason as TxtmeshError).code).to.equal('ERR_EXISTS');
      const kept = await readFile(join(dir, 'race.txt'));
      expect(kept.equals(ours) || kept.equals(theirs)).to.equal(true);
    });
  });
});

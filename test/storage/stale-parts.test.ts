/**
 * storage/stale-parts: part files of other versions of a name are removed when a download of
 * that name starts; the folder is read once, and later parts are known from notePart().
 */
import { expect } from 'chai';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMP_SUFFIX, tempPathFor } from '../../src/storage/atomic-file.js';
import { HAVE_SUFFIX } from '../../src/storage/have-file.js';
import { DOWNLOAD_TAG, notePart, removeOtherVersions } from '../../src/storage/stale-parts.js';

describe('storage/stale-parts', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'txtmesh-stale-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const part = (name: string, version: string) => tempPathFor(join(dir, name), DOWNLOAD_TAG + version);
  const sidecar = (path: string) => path.slice(0, -TEMP_SUFFIX.length) + HAVE_SUFFIX;

  it('removes the other versions\' parts and sidecars of a name; keeps its own, other names and other files', async () => {
    const old = part('notes.txt', 'aaaa');
    const mine = part('notes.txt', 'bbbb');
    const other = part('other.txt', 'aaaa');
    for (const path of [old, sidecar(old), mine, sidecar(mine), other, join(dir, 'notes.txt')]) await writeFile(path, 'x');
    await removeOtherVersions(join(dir, 'notes.txt'), mine);
    expect((await readdir(dir)).sort()).to.deep.equal(['.notes.txt.dl-bbbb.txtmesh-part', '.notes.txt.dl-bbbb.txtmesh-part'.replace(TEMP_SUFFIX, HAVE_SUFFIX), '.other.txt.dl-aaaa.txtmesh-part', 'notes.txt'].sort());
  });

  it('knows a part this process noted after the folder was read, and forgets one it noted gone', async () => {
    await removeOtherVersions(join(dir, 'notes.txt'), part('notes.txt', 'bbbb')); // the folder is read now
    const later = part('notes.txt', 'cccc');
    await writeFile(later, 'x');
    notePart(later, true);
    const gone = part('notes.txt', 'dddd');
    notePart(gone, true);
    notePart(gone, false);
    await writeFile(gone, 'x'); // written by another process: not known here until the next process
    await removeOtherVersions(join(dir, 'notes.txt'), part('notes.txt', 'bbbb'));
    expect(await readdir(dir)).to.deep.equal([gone.slice(dir.length + 1)]);
  });
});

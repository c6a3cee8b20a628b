import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import { CACHE_MIN_FILES, DiskIdentities, IDENTITY_CACHE_PATH, loadIdentities, saveIdentities } from '../../src/storage/identity-cache.js';
import { ServedFolder } from '../../src/storage/served-folder.js';
import { fileInfoOf, makeText, tempDir, waitFor } from '../helpers.js';

describe('storage/identity-cache (identities kept on disk)', () => {
  let root: string;
  beforeEach(async () => {
    root = await tempDir();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const entryOf = (name: string, data: Buffer, ino = 7) => ({ ino, size: data.length, mtimeMs: 1_700_000_000_123.456, info: fileInfoOf(name, data) });

  it('reads back what it wrote: stamps, identities and piece hashes, names with spaces and quotes', async () => {
    const entries = [entryOf('a b "c".txt', makeText(3 * PIECE_SIZE + 5)), entryOf('sub/empty.txt', Buffer.alloc(0), 8), entryOf('x.txt', Buffer.from('x'), 2 ** 40)];
    await saveIdentities(root, entries);
    const back = await loadIdentities(root);
    expect(back.map((e) => [e.ino, e.size, e.mtimeMs, e.info.name, e.info.identity, e.info.pieceSize])).to.deep.equal(
      entries.map((e) => [e.ino, e.size, e.mtimeMs, e.info.name, e.info.identity, e.info.pieceSize]),
    );
    expect(back.map((e) => Buffer.from(e.info.pieceHashes).toString('hex'))).to.deep.equal(entries.map((e) => Buffer.from(e.info.pieceHashes).toString('hex')));
  });

  it('skips lines that do not parse or whose hashes do not fit the size, and keeps the rest', async () => {
    const good = entryOf('good.txt', makeText(100));
    await saveIdentities(root, [good]);
    const path = join(root, IDENTITY_CACHE_PATH);
    const text = await readFile(path, 'utf8');
    const line = text.split('\n')[1] as string;
    const cut = line.split('\t');
    const bad = [
      'not a line',
      [JSON.stringify('short.txt'), ...cut.slice(1, 5), Buffer.alloc(31).toString('base64')].join('\t'), // hashes shorter than one piece
      [JSON.stringify('big.txt'), cut[1], String(5 * PIECE_SIZE), ...cut.slice(3)].join('\t'), // size of 5 pieces, hashes of 1
      ['{not json', ...cut.slice(1)].join('\t'),
      [...cut, 'extra'].join('\t'),
      [JSON.stringify('neg.txt'), '-1', ...cut.slice(2)].join('\t'),
    ];
    await writeFile(path, `${text}${bad.join('\n')}\n`);
    expect((await loadIdentities(root)).map((e) => e.info.name)).to.deep.equal(['good.txt']);
  });

  it('reads nothing from a file of another format, a missing one, or one reached through a symlink', async () => {
    expect(await loadIdentities(root)).to.deep.equal([]);
    await saveIdentities(root, [entryOf('a.txt', Buffer.from('a'))]);
    const path = join(root, IDENTITY_CACHE_PATH);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('txtmesh-identities 1', 'txtmesh-identities 2'));
    expect(await loadIdentities(root)).to.deep.equal([]);
    await writeFile(join(root, 'elsewhere'), text);
    await rm(path);
    await symlink(join(root, 'elsewhere'), path);
    expect(await loadIdentities(root)).to.deep.equal([]);
  });

  it('writes one save after another, the last one winning', async () => {
    const disk = new DiskIdentities(root);
    disk.save([entryOf('a.txt', Buffer.from('a'))]);
    disk.save([entryOf('b.txt', Buffer.from('b'))]);
    await disk.settled();
    expect((await loadIdentities(root)).map((e) => e.info.name)).to.deep.equal(['b.txt']);
  });

  describe('in a served folder', () => {
    const names = Array.from({ length: CACHE_MIN_FILES }, (_, i) => `f${String(i).padStart(4, '0')}.txt`);
    const cachePath = () => join(root, IDENTITY_CACHE_PATH);

    beforeEach(async () => {
      for (const name of names) await writeFile(join(root, name), `file ${name}\n`);
    });

    it('records the identities after a listing, and a new process trusts them while inode, size and mtime hold', async () => {
      // A whole second, so that it can be set again exactly after the content changes.
      const target = join(root, names[0] as string);
      await utimes(target, 1_700_000_000, 1_700_000_000);
      const first = new ServedFolder(root);
      await first.init();
      const listed = await first.list();
      expect(listed).to.have.length(CACHE_MIN_FILES);
      await waitFor(() => existsSync(cachePath()), 5000, 'the identity cache');
      // Same size, same inode, same mtime, other bytes: only the record can give the old identity.
      const before = await stat(target);
      await writeFile(target, `FILE ${names[0]}\n`);
      await utimes(target, 1_700_000_000, 1_700_000_000);
      expect((await stat(target)).ino).to.equal(before.ino);
      const second = new ServedFolder(root);
      await second.init();
      const again = await second.list();
      expect(again.find((f) => f.name === names[0])?.identity).to.equal(listed[0]?.identity);
      // A new mtime: hashed again, and the listing tells the new content.
      await utimes(target, 1_700_000_005, 1_700_000_005);
      const third = new ServedFolder(root);
      await third.init();
      const fresh = await third.list();
      expect(fresh.find((f) => f.name === names[0])?.identity).to.not.equal(listed[0]?.identity);
      expect(fresh.find((f) => f.name === names[1])?.identity).to.equal(listed[1]?.identity);
    });

    it('is not written for a folder of fewer files, and is never listed or served', async () => {
      await rm(join(root, names[0] as string));
      const folder = new ServedFolder(root);
      await folder.init();
      expect(await folder.list()).to.have.length(CACHE_MIN_FILES - 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(existsSync(cachePath())).to.equal(false);
      await writeFile(join(root, 'one-more.txt'), 'x');
      const listed = await folder.list();
      await waitFor(() => existsSync(cachePath()), 5000, 'the identity cache');
      expect(listed.map((f) => f.name)).to.not.include(IDENTITY_CACHE_PATH);
      expect(await folder.names()).to.not.include(IDENTITY_CACHE_PATH);
    });
  });
});

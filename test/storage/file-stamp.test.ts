import { expect } from 'chai';
import { open, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sameStamp, stampOf, stampOfSync } from '../../src/storage/file-stamp.js';
import { tempDir } from '../helpers.js';

describe('storage/file-stamp', () => {
  let root: string;
  beforeEach(async () => {
    root = await tempDir();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('stamps an open file by inode, size and mtime, the same way with and without a thread-pool call', async () => {
    const path = join(root, 'a.txt');
    await writeFile(path, 'hello');
    await utimes(path, 1_700_000_000, 1_700_000_000);
    const handle = await open(path, 'r+');
    try {
      const stamp = stampOfSync(handle);
      expect(stamp).to.deep.equal(await stampOf(handle));
      expect(stamp.size).to.equal(5);
      expect(stamp.mtimeMs).to.equal(1_700_000_000_000);
      expect(sameStamp(stamp, { ...stamp })).to.equal(true);
      expect(sameStamp(stamp, { ...stamp, ino: stamp.ino + 1 })).to.equal(false);
      expect(sameStamp(stamp, { ...stamp, size: 6 })).to.equal(false);
      await handle.write('!', 5);
      expect(sameStamp(stamp, stampOfSync(handle))).to.equal(false); // size and mtime moved
    } finally {
      await handle.close();
    }
  });
});

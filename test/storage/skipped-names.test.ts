/**
 * storage/skipped-names: files that look served but are not, and why, in a real folder.
 */
import { expect } from 'chai';
import { rm } from 'node:fs/promises';
import { skippedNames } from '../../src/storage/skipped-names.js';
import { tempDir, writeFiles } from '../helpers.js';

describe('storage/skipped-names', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('txtmesh-skipped-');
    await writeFiles(dir, { 'NOTES.TXT': 'x', 'ok.txt': 'x', 'sub/Read.Txt': 'x', 'bad\u0007.txt': 'x', '.hidden.TXT': 'x', 'plain.md': 'x' });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('names each with its reason; served, hidden and other files are left out', async () => {
    expect(await skippedNames(dir)).to.deep.equal([
      { name: 'NOTES.TXT', reason: 'only names ending in lower-case .txt are served' },
      { name: 'bad\u0007.txt', reason: 'name contains control characters' },
      { name: 'sub/Read.Txt', reason: 'only names ending in lower-case .txt are served' },
    ]);
  });
});

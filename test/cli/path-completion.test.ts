/**
 * cli/path-completion: what #SHARE's Tab completion finds on disk, in a real temp folder.
 */
import { expect } from 'chai';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathsFor } from '../../src/cli/path-completion.js';
import { tempDir } from '../helpers.js';

describe('cli/path-completion', () => {
  let root: string;
  before(async () => {
    root = await tempDir('txtmesh-paths-');
    await mkdir(join(root, 'peer'));
    await mkdir(join(root, 'drafts'));
    await mkdir(join(root, '.hidden'));
    for (const f of ['draft one.txt', 'DRAFT.TXT', 'draw.md', '.secret.txt']) await writeFile(join(root, f), 'x');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('lists folders (with /) and .txt files that start with the partial name, relative to the peer folder', () => {
    const cwd = join(root, 'peer');
    expect(pathsFor(cwd, '../dr').sort()).to.deep.equal(['../draft one.txt', '../drafts/']);
    expect(pathsFor(cwd, '../D')).to.deep.equal(['../DRAFT.TXT']);
    expect(pathsFor(cwd, '../').sort()).to.deep.equal(['../DRAFT.TXT', '../draft one.txt', '../drafts/', '../peer/']);
    expect(pathsFor(cwd, '../.').sort()).to.deep.equal(['../.hidden/', '../.secret.txt']);
    expect(pathsFor(cwd, `${root}/drafts/`)).to.deep.equal([]);
    expect(pathsFor(cwd, '../nowhere/x')).to.deep.equal([]);
  });
});

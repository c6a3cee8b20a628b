/**
 * #SHARE on real temp folders: the copy appears whole under its name, is served with the right
 * identity, and never replaces a different file.
 */
import { expect } from 'chai';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { share } from '../../src/client/share.js';
import type { TxtmeshError } from '../../src/errors.js';
import { ServedFolder } from '../../src/storage/served-folder.js';
import { makeText, tempDir } from '../helpers.js';

async function failure(promise: Promise<unknown>): Promise<TxtmeshError> {
  try {
    await promise;
  } catch (err) {
    return err as TxtmeshError;
  }
  throw new Error('expected a rejection');
}

describe('client/share', function () {
  let root: string;
  let folder: ServedFolder;
  const text = makeText(600_000);

  beforeEach(async function () {
    root = await tempDir();
    await mkdir(join(root, 'elsewhere'));
    await writeFile(join(root, 'elsewhere', 'notes.txt'), text);
    folder = new ServedFolder(join(root, 'peer', 'served_files'));
    await folder.init();
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('copies a file from anywhere into the served folder under its own name, with the identity the server computes', async function () {
    const result = await share({ source: '../elsewhere/notes.txt', folder, cwd: join(root, 'peer') });
    expect(result).to.include({ command: 'share', name: 'notes.txt', source: join(root, 'elsewhere', 'notes.txt'), size: text.length, status: 'shared' });
    expect((await readFile(join(folder.root, 'notes.txt'))).equals(text)).to.equal(true);
    // A fresh folder object hashes the file itself: the identities must agree.
    const fresh = new ServedFolder(folder.root);
    expect((await fresh.describe('notes.txt')).identity).to.equal(result.identity);
    expect(await readdir(folder.root)).to.deep.equal(['notes.txt']);
  });

  it('takes another name, with subfolders', async function () {
    const result = await share({ source: join(root, 'elsewhere', 'notes.txt'), name: 'kept/copy.txt', folder });
    expect(result.name).to.equal('kept/copy.txt');
    expect((await readFile(join(folder.root, 'kept', 'copy.txt'))).equals(text)).to.equal(true);
  });

  it('is content with the same file already there, and refuses a different one without touching it', async function () {
    const source = join(root, 'elsewhere', 'notes.txt');
    await share({ source, folder });
    expect((await share({ source, folder })).status).to.equal('already');
    await writeFile(join(root, 'elsewhere', 'other.txt'), 'different');
    const err = await failure(share({ source: join(root, 'elsewhere', 'other.txt'), name: 'notes.txt', folder }));
    expect(err.code).to.equal('ERR_EXISTS');
    expect((await readFile(join(folder.root, 'notes.txt'))).equals(text)).to.equal(true);
    expect(await readdir(folder.root)).to.deep.equal(['notes.txt']);
  });

  it('refuses a missing source, a directory, and names that are not servable', async function () {
    expect((await failure(share({ source: join(root, 'nope.txt'), folder }))).code).to.equal('ERR_NOT_FOUND');
    expect((await failure(share({ source: join(root, 'elsewhere'), name: 'x.txt', folder }))).code).to.equal('ERR_NOT_FOUND');
    await writeFile(join(root, 'elsewhere', 'data.csv'), 'a,b');
    expect((await failure(share({ source: join(root, 'elsewhere', 'data.csv'), folder }))).code).to.equal('ERR_BAD_NAME');
    expect((await failure(share({ source: join(root, 'elsewhere', 'notes.txt'), name: '../out.txt', folder }))).code).to.equal('ERR_BAD_NAME');
    expect(await readdir(folder.root)).to.deep.equal([]);
  });
});

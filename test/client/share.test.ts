/**
 * #SHARE on real temp folders: the copy appears whole under its name, is served with the right
 * identity, and never replaces a different file.
 */
import { expect } from 'chai';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { share } from '../../src/client/share.js';
import { ServedFolder } from '../../src/storage/served-folder.js';
import { makeText, tempDir } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

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
    await expectCode(share({ source: join(root, 'elsewhere', 'other.txt'), name: 'notes.txt', folder }), 'ERR_EXISTS');
    expect((await readFile(join(folder.root, 'notes.txt'))).equals(text)).to.equal(true);
    expect(await readdir(folder.root)).to.deep.equal(['notes.txt']);
  });

  it('refuses a missing source, a directory, and names that are not servable', async function () {
    await expectCode(share({ source: join(root, 'nope.txt'), folder }), 'ERR_NOT_FOUND');
    await expectCode(share({ source: join(root, 'elsewhere'), name: 'x.txt', folder }), 'ERR_NOT_FOUND');
    await writeFile(join(root, 'elsewhere', 'data.csv'), 'a,b');
    await expectCode(share({ source: join(root, 'elsewhere', 'data.csv'), folder }), 'ERR_BAD_NAME');
    await expectCode(share({ source: join(root, 'elsewhere', 'notes.txt'), name: '../out.txt', folder }), 'ERR_BAD_NAME');
    expect(await readdir(folder.root)).to.deep.equal([]);
  });
});

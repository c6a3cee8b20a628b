/**
 * storage/incoming-file: an upload being received into a real served folder. Only bytes that
 * match the announced size and identity are published, never over an existing file; whatever
 * happens, no temp file is left and nothing half-written appears under the real name.
 */
import { expect } from 'chai';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import { IncomingFile } from '../../src/storage/incoming-file.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';
import type { ServedFolder } from '../../src/storage/served-folder.js';
import { makeText, servedFolder, tempDir } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

function identityOf(bytes: Buffer): string {
  const hasher = new PieceHasher(PIECE_SIZE);
  hasher.update(bytes);
  return hasher.digest().identity;
}

describe('storage/incoming-file', function () {
  const text = makeText(2 * PIECE_SIZE + 1000, [PIECE_SIZE]);
  let root: string;
  let folder: ServedFolder;
  beforeEach(async () => {
    root = await tempDir('txtmesh-incoming-');
    folder = await servedFolder(join(root, 'served_files'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** Everything in the folder, hidden files included, recursively. */
  const everything = async () => (await readdir(folder.root, { recursive: true })).sort();

  /** Receives `bytes` in chunks of `chunk` bytes, announced as `size` bytes with `identity`. */
  async function receive(name: string, bytes: Buffer, size = bytes.length, identity = identityOf(bytes), chunk = 65_536): Promise<IncomingFile> {
    const file = await IncomingFile.create(folder, name, size, identity);
    for (let at = 0; at < bytes.length; at += chunk) await file.write(bytes.subarray(at, at + chunk));
    return file;
  }

  it('stores bytes that match what was announced, in chunks of any size, and remembers them', async function () {
    for (const [name, chunk] of [['a.txt', 1], ['b.txt', 4096], ['c.txt', PIECE_SIZE + 7]] as const) {
      const bytes = name === 'a.txt' ? text.subarray(0, 3000) : text;
      expect(await (await receive(name, bytes, undefined, undefined, chunk)).commit()).to.equal('stored');
      expect((await readFile(join(folder.root, name))).equals(bytes), name).to.equal(true);
    }
    expect(await everything()).to.deep.equal(['a.txt', 'b.txt', 'c.txt']);
    expect((await folder.describe('b.txt')).identity).to.equal(identityOf(text));
  });

  it('creates the subfolders a name spells out', async function () {
    expect(await (await receive('notes/2026/today.txt', text)).commit()).to.equal('stored');
    expect((await readFile(join(folder.root, 'notes', '2026', 'today.txt'))).equals(text)).to.equal(true);
  });

  it('writes into a hidden temp file that the folder does not list', async function () {
    const file = await receive('a.txt', text.subarray(0, PIECE_SIZE), text.length);
    const names = await everything();
    expect(names).to.have.length(1);
    expect(names[0]).to.match(/^\.a\.txt\..*\.txtmesh-part$/);
    expect(await folder.names()).to.deep.equal([]);
    await file.abort();
    expect(await everything()).to.deep.equal([]);
  });

  it('refuses fewer bytes than announced, leaving nothing', async function () {
    const file = await receive('a.txt', text.subarray(0, 1000), text.length, identityOf(text));
    await expectCode(file.commit(), 'ERR_UPLOAD_MISMATCH');
    expect(await everything()).to.deep.equal([]);
  });

  it('refuses a byte more than announced as it arrives', async function () {
    const file = await receive('a.txt', text.subarray(0, 1000), 1000);
    await expectCode(file.write(Buffer.from('x')), 'ERR_UPLOAD_MISMATCH');
    await file.abort();
    expect(await everything()).to.deep.equal([]);
  });

  it('refuses bytes whose identity is not the announced one, leaving nothing', async function () {
    const other = Buffer.from(text);
    other.writeUInt8(other.readUInt8(PIECE_SIZE + 5) ^ 1, PIECE_SIZE + 5);
    const file = await receive('a.txt', other, text.length, identityOf(text));
    await expectCode(file.commit(), 'ERR_UPLOAD_MISMATCH');
    expect(await everything()).to.deep.equal([]);
  });

  it('never replaces a different file with the name (ERR_EXISTS); the same bytes are "same"', async function () {
    await writeFile(join(folder.root, 'a.txt'), 'already here');
    await expectCode((await receive('a.txt', text)).commit(), 'ERR_EXISTS');
    expect(await readFile(join(folder.root, 'a.txt'), 'utf8')).to.equal('already here');
    await writeFile(join(folder.root, 'b.txt'), text);
    expect(await (await receive('b.txt', text)).commit()).to.equal('same');
    expect(await everything()).to.deep.equal(['a.txt', 'b.txt']);
  });

  it('lets exactly one of two racing uploads of different content land', async function () {
    const a = text.subarray(0, 5000);
    const b = text.subarray(1, 5001);
    const [fa, fb] = [await receive('race.txt', a), await receive('race.txt', b)];
    const results = await Promise.allSettled([fa.commit(), fb.commit()]);
    const landed = results.findIndex((r) => r.status === 'fulfilled');
    expect(results.map((r) => r.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
    expect((results[1 - landed] as PromiseRejectedResult).reason.code).to.equal('ERR_EXISTS');
    expect((await readFile(join(folder.root, 'race.txt'))).equals(landed === 0 ? a : b)).to.equal(true);
    expect(await everything()).to.deep.equal(['race.txt']);
  });

  it('is closed after commit or abort: a write then is a programming error', async function () {
    const file = await receive('a.txt', text);
    await file.commit();
    const code = await file.write(Buffer.from('x')).then(
      () => 'written',
      (err: Error) => err.message,
    );
    expect(code).to.equal('IncomingFile is closed');
    await file.abort(); // a second close is harmless
    expect(await everything()).to.deep.equal(['a.txt']);
  });
});

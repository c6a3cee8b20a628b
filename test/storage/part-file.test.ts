/**
 * storage/part-file: a download in progress, in a hidden part file named after the version,
 * with its sidecar (storage/have-file) saying which pieces are verified. Real files: pieces
 * written, the file closed and reopened (a resume), bytes spoiled on disk, another version of
 * the same name, publishing beside an existing file, a second download of the name kept out.
 */
import { expect } from 'chai';
import { open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import { TxtmeshError } from '../../src/errors.js';
import { findPartials, havePathFor } from '../../src/storage/have-file.js';
import { FLUSH_EVERY_BYTES, FLUSH_EVERY_MS, PartFile } from '../../src/storage/part-file.js';
import type { ServedFolder } from '../../src/storage/served-folder.js';
import { fileInfoOf, makeText, servedFolder, tempDir, waitFor } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

const piece = (bytes: Buffer, i: number) => bytes.subarray(i * PIECE_SIZE, (i + 1) * PIECE_SIZE);
const conflict = () => new TxtmeshError('ERR_EXISTS', 'the name is taken');
/** The download lock of notes.txt, there while a part file of it is open (storage/download-lock). */
const LOCK = '.notes.txt.txtmesh-lock';

describe('storage/part-file', function () {
  const text = makeText(3 * PIECE_SIZE + 100, [PIECE_SIZE, 2 * PIECE_SIZE]); // 4 pieces, the last short
  const info = fileInfoOf('notes.txt', text);
  let root: string;
  let folder: ServedFolder;
  beforeEach(async () => {
    root = await tempDir('txtmesh-part-');
    folder = await servedFolder(join(root, 'served_files'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const everything = async () => (await readdir(folder.root)).sort();
  /** The names a part file and its sidecar have in the folder. */
  const namesOf = (...parts: PartFile[]) => parts.flatMap((p) => [basename(p.path), basename(havePathFor(p.path))]).sort();

  it('starts a hidden part file named after the version, its sidecar, and nothing under the real name', async function () {
    const { part, verified } = await PartFile.open(folder, info);
    expect(verified).to.deep.equal([]);
    const stem = `.notes.txt.dl-${info.identity.slice(0, 16)}`;
    expect(part.path).to.equal(join(folder.root, `${stem}.txtmesh-part`));
    expect(part.finalPath).to.equal(join(folder.root, 'notes.txt'));
    expect(await everything()).to.deep.equal([`${stem}.txtmesh-have`, `${stem}.txtmesh-part`, LOCK]);
    expect(await folder.names()).to.deep.equal([]);
    await part.discard();
    expect(await everything()).to.deep.equal([]);
  });

  it("records the pieces marked verified in the sidecar, where this peer's server finds them", async function () {
    const { part } = await PartFile.open(folder, info);
    await part.write(2 * PIECE_SIZE, piece(text, 2));
    await part.markVerified(2);
    const [partial, ...others] = await findPartials(part.finalPath, 'notes.txt');
    expect(others).to.deep.equal([]);
    expect(partial?.partPath).to.equal(part.path);
    expect(partial?.info.identity).to.equal(info.identity);
    expect([...(partial?.have ?? [])]).to.deep.equal([0, 0, 1, 0]);
    await part.discard();
  });

  it('resumes: pieces written before a close count again once they verify, the short last one too', async function () {
    const first = await PartFile.open(folder, info);
    await first.part.write(3 * PIECE_SIZE, text.subarray(3 * PIECE_SIZE));
    await first.part.write(PIECE_SIZE, piece(text, 1));
    await first.part.close(); // interrupted; the part file stays
    expect(await everything()).to.deep.equal(namesOf(first.part));
    const again = await PartFile.open(folder, info);
    // Piece 0 was never written: the hole reads as zeros and does not verify.
    expect(again.verified).to.deep.equal([1, 3]);
    expect(again.part.path).to.equal(first.part.path);
    // The fresh sidecar says so, for the server.
    expect([...((await findPartials(again.part.finalPath, 'notes.txt'))[0]?.have ?? [])]).to.deep.equal([0, 1, 0, 1]);
    await again.part.discard();
  });

  it('does not count a piece whose bytes on disk are spoiled, nor one cut short', async function () {
    const { part } = await PartFile.open(folder, info);
    await part.write(0, text.subarray(0, 3 * PIECE_SIZE + 50)); // the last piece is 50 bytes short
    await part.close();
    const handle = await open(part.path, 'r+');
    await handle.write(Buffer.from([text[PIECE_SIZE + 9]! ^ 0xff]), 0, 1, PIECE_SIZE + 9); // a flipped byte in piece 1
    await handle.close();
    const again = await PartFile.open(folder, info);
    expect(again.verified).to.deep.equal([0, 2]);
    await again.part.discard();
  });

  it('publishes the whole file under its name, fsynced, with no part file left', async function () {
    const { part } = await PartFile.open(folder, info);
    for (let i = 3; i >= 0; i--) await part.write(i * PIECE_SIZE, piece(text, i));
    expect(await part.publish(conflict)).to.equal('stored');
    expect((await readFile(join(folder.root, 'notes.txt'))).equals(text)).to.equal(true);
    expect((await folder.describe('notes.txt')).identity).to.equal(info.identity);
    expect(await everything()).to.deep.equal([basename(havePathFor(part.path)), LOCK, 'notes.txt']);
    await part.discard(); // after publish, only the sidecar (and the lock) are left to remove
    expect(await everything()).to.deep.equal(['notes.txt']);
  });

  it('flushes to disk behind the writes, one flush at a time, and publishes the whole file', async function () {
    const { part } = await PartFile.open(folder, info, { flushEveryBytes: PIECE_SIZE });
    expect(part.flushes).to.equal(0);
    await part.write(0, piece(text, 0));
    expect(part.flushes, 'a flush started once a piece was written').to.equal(1);
    for (let i = 1; i < 4; i++) await part.write(i * PIECE_SIZE, piece(text, i));
    expect(part.flushes).to.be.within(1, 4);
    expect(await part.publish(conflict)).to.equal('stored');
    expect((await readFile(join(folder.root, 'notes.txt'))).equals(text)).to.equal(true);
    await part.discard();
  });

  it('starts no flush before FLUSH_EVERY_BYTES are written (within FLUSH_EVERY_MS)', async function () {
    const { part } = await PartFile.open(folder, info, { flushEveryMs: 60_000 });
    for (let i = 0; i < 4; i++) await part.write(i * PIECE_SIZE, piece(text, i));
    expect(part.flushes).to.equal(0);
    expect(FLUSH_EVERY_BYTES).to.be.above(text.length);
    await part.discard();
  });

  it('flushes a megabyte or more once FLUSH_EVERY_MS have passed, fewer bytes not yet', async function () {
    const { part } = await PartFile.open(folder, info, { flushEveryMs: 0 });
    for (let i = 0; i < 4; i++) await part.write(i * PIECE_SIZE, piece(text, i));
    expect(part.flushes, 'the whole file: under a megabyte').to.equal(0);
    // The same pieces again (as a resumed or retried write would): past a megabyte written.
    for (let i = 0; i < 2; i++) await part.write(i * PIECE_SIZE, piece(text, i));
    expect(part.flushes).to.equal(1);
    expect(await part.publish(conflict)).to.equal('stored');
    expect((await readFile(join(folder.root, 'notes.txt'))).equals(text)).to.equal(true);
    expect(FLUSH_EVERY_MS).to.be.above(0);
    await part.discard();
  });

  it('never replaces a file that took the name meanwhile (the caller\'s ERR_EXISTS); discard then removes the part file', async function () {
    const { part } = await PartFile.open(folder, info);
    await part.write(0, text);
    await writeFile(join(folder.root, 'notes.txt'), 'written meanwhile');
    await expectCode(part.publish(conflict), 'ERR_EXISTS');
    expect(await readFile(join(folder.root, 'notes.txt'), 'utf8')).to.equal('written meanwhile');
    await part.discard();
    expect(await everything()).to.deep.equal(['notes.txt']);
  });

  it('is the same when the same file took the name meanwhile', async function () {
    const { part } = await PartFile.open(folder, info);
    await part.write(0, text);
    await writeFile(join(folder.root, 'notes.txt'), text);
    expect(await part.publish(conflict)).to.equal('same');
    await part.discard();
    expect(await everything()).to.deep.equal(['notes.txt']);
  });

  it('clears the part files of other versions of the name, never resuming from them', async function () {
    const old = await PartFile.open(folder, fileInfoOf('notes.txt', text.subarray(0, 2 * PIECE_SIZE)));
    await old.part.write(0, text.subarray(0, 2 * PIECE_SIZE));
    await old.part.close();
    const other = await PartFile.open(folder, fileInfoOf('other.txt', text));
    await other.part.close();
    const { part, verified } = await PartFile.open(folder, info);
    expect(verified).to.deep.equal([]);
    const gone = async () => !(await everything()).some((n) => namesOf(old.part).includes(n));
    await waitFor(gone, 3000, 'the old part file and sidecar removed'); // in the background
    expect(await everything()).to.deep.equal([...namesOf(other.part, part), LOCK].sort());
    await part.discard();
  });

  it('keeps a second download of the name out while one runs, whatever its version, and touches nothing of it', async function () {
    const { part } = await PartFile.open(folder, info);
    await part.write(0, piece(text, 0));
    const before = await everything();
    await expectCode(PartFile.open(folder, info), 'ERR_BUSY');
    const err = await expectCode(PartFile.open(folder, fileInfoOf('notes.txt', text.subarray(0, 100))), 'ERR_BUSY');
    expect(err.message).to.contain('a download of notes.txt into this folder is already running');
    await new Promise((resolve) => setTimeout(resolve, 50)); // nothing cleared in the background either
    expect(await everything()).to.deep.equal(before);
    // Another name is not held back.
    const other = await PartFile.open(folder, fileInfoOf('other.txt', text));
    await other.part.discard();
    await part.close();
    const again = await PartFile.open(folder, info);
    expect(again.verified).to.deep.equal([0]);
    await again.part.discard();
    expect(await everything()).to.deep.equal([]);
  });
});

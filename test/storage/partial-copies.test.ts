/**
 * storage/partial-copies: a file's downloads in progress kept between requests, with flags read
 * afresh each time (real sidecars in a temp folder; times given).
 */
import { expect } from 'chai';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import { HaveFile, openPartials } from '../../src/storage/have-file.js';
import { LIST_TTL_MS, MAX_LISTINGS, PartialCopies } from '../../src/storage/partial-copies.js';
import { fileInfoOf } from '../helpers.js';

describe('storage/partial-copies', () => {
  const info = fileInfoOf('notes.txt', Buffer.alloc(3 * PIECE_SIZE + 100, 'a'));
  const other = fileInfoOf('notes.txt', Buffer.alloc(2 * PIECE_SIZE, 'b'));
  let copies: PartialCopies;
  afterEach(() => copies?.close());

  async function downloading(dir: string, which = info, held: number[] = []): Promise<HaveFile> {
    return HaveFile.create(join(dir, `.notes.txt.dl-${which.identity.slice(0, 16)}.txtmesh-part`), which, held);
  }

  it('answers from a fresh listing with the flags as they are now, without listing again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'txtmesh-copies-'));
    const have = await downloading(dir, info, [1]);
    copies = new PartialCopies();
    expect(copies.kept('notes.txt', undefined, 0)).to.equal(undefined); // nothing listed yet
    const listed = copies.keep('notes.txt', await openPartials(join(dir, 'notes.txt'), 'notes.txt'), 0);
    expect([...(listed[0]?.have ?? [])]).to.deep.equal([0, 1, 0, 0]);
    await have.mark(3);
    const kept = copies.kept('notes.txt', info.identity, LIST_TTL_MS - 1);
    expect([...(kept?.[0]?.have ?? [])]).to.deep.equal([0, 1, 0, 1]);
    expect(kept?.[0]?.heldCount).to.equal(2);
    await have.close();
  });

  it('lists again when the listing is stale, lacks the version asked for, or a sidecar is gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'txtmesh-copies-'));
    const have = await downloading(dir, info, [0]);
    copies = new PartialCopies();
    copies.keep('notes.txt', await openPartials(join(dir, 'notes.txt'), 'notes.txt'), 0);
    expect(copies.kept('notes.txt', undefined, LIST_TTL_MS)).to.equal(undefined);
    expect(copies.kept('notes.txt', other.identity, 1)).to.equal(undefined);
    expect(copies.kept('notes.txt', info.identity, 1)).to.have.length(1);
    await have.remove(); // the download ended
    expect(copies.kept('notes.txt', info.identity, 2)).to.equal(undefined);
  });

  it('keeps at most MAX_LISTINGS files, and never an empty listing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'txtmesh-copies-'));
    const have = await downloading(dir, info, [0]);
    copies = new PartialCopies();
    copies.keep('empty.txt', [], 0);
    expect(copies.kept('empty.txt', undefined, 1)).to.equal(undefined);
    copies.keep('notes.txt', await openPartials(join(dir, 'notes.txt'), 'notes.txt'), 0);
    for (let i = 0; i < MAX_LISTINGS; i++) copies.keep(`f${i}.txt`, [], 0);
    expect(copies.kept('notes.txt', undefined, 1)).to.equal(undefined); // dropped, its sidecar closed
    await have.close();
  });
});

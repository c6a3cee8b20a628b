import { expect } from 'chai';
import { mkdtemp, open, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import type { TxtmeshError } from '../../src/errors.js';
import { HaveFile, readPartial } from '../../src/storage/have-file.js';
import { piecesOf, readHeldRange } from '../../src/storage/partial-range.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';

async function code(promise: Promise<unknown>): Promise<string> {
  return promise.then(() => 'resolved', (err: TxtmeshError) => err.code);
}

describe('storage/partial-range', () => {
  const data = Buffer.from(Array.from({ length: 3 * PIECE_SIZE + 1000 }, (_, i) => 97 + (i % 26)));
  const hasher = new PieceHasher();
  hasher.update(data);
  const info = { name: 'f.txt', size: data.length, pieceSize: PIECE_SIZE, ...hasher.digest() };

  async function partial(held: number[], content = data) {
    const dir = await mkdtemp(join(tmpdir(), 'txtmesh-partial-'));
    const partPath = join(dir, '.f.txt.dl-x.txtmesh-part');
    await writeFile(partPath, content);
    const have = await HaveFile.create(partPath, info, held);
    await have.close();
    return { copy: (await readPartial(have.path, 'f.txt'))!, partPath };
  }

  it('names the pieces a range touches', () => {
    expect(piecesOf(0, PIECE_SIZE, PIECE_SIZE)).to.deep.equal({ first: 0, last: 0 });
    expect(piecesOf(PIECE_SIZE - 1, 2, PIECE_SIZE)).to.deep.equal({ first: 0, last: 1 });
  });

  it('returns exactly the range when every piece it touches is held and verifies', async () => {
    const { copy } = await partial([1, 2, 3]);
    const got = await readHeldRange(copy, PIECE_SIZE + 5, 2 * PIECE_SIZE);
    expect(got.equals(data.subarray(PIECE_SIZE + 5, 3 * PIECE_SIZE + 5))).to.equal(true);
    const tail = await readHeldRange(copy, 3 * PIECE_SIZE, 1000);
    expect(tail.equals(data.subarray(3 * PIECE_SIZE))).to.equal(true);
  });

  it('refuses a piece that is not held, with ERR_NOT_HELD', async () => {
    const { copy } = await partial([1]);
    expect(await code(readHeldRange(copy, 0, PIECE_SIZE))).to.equal('ERR_NOT_HELD');
    expect(await code(readHeldRange(copy, PIECE_SIZE, PIECE_SIZE + 1))).to.equal('ERR_NOT_HELD');
    expect(await code(readHeldRange(copy, 3 * PIECE_SIZE, 5000))).to.equal('ERR_BAD_RANGE');
  });

  it('never returns bytes that no longer verify, or of a part file that is gone', async () => {
    const { copy, partPath } = await partial([0, 1]);
    const handle = await open(partPath, 'r+');
    await handle.write(Buffer.from('X'), 0, 1, PIECE_SIZE + 7);
    await handle.close();
    expect((await readHeldRange(copy, 0, PIECE_SIZE)).equals(data.subarray(0, PIECE_SIZE))).to.equal(true);
    expect(await code(readHeldRange(copy, PIECE_SIZE, 10))).to.equal('ERR_NOT_HELD');
    await unlink(partPath);
    expect(await code(readHeldRange(copy, 0, 10))).to.equal('ERR_NOT_HELD');
  });
});

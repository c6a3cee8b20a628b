import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, open, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PIECE_SIZE } from '../../src/constants.js';
import type { TxtmeshError } from '../../src/errors.js';
import { HaveFile, havePathFor, readPartial } from '../../src/storage/have-file.js';
import { piecesOf, readHeldRange } from '../../src/storage/partial-range.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';

const run = promisify(execFile);

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

  it('out of file handles: ERR_BUSY (try again), never "not held" or "not here" (a process under ulimit -n 64)', async function () {
    const { partPath } = await partial([0, 1, 2, 3]);
    // The child takes every file handle it has left, asks, then gives them back and asks again.
    const script = `
      import { closeSync, openSync } from 'node:fs';
      const [, rangeJs, haveJs, havePath, finalPath] = process.argv;
      const { readHeldRange } = await import(rangeJs);
      const { readPartial, findPartials } = await import(haveJs);
      const copy = await readPartial(havePath, 'f.txt');
      const code = (p) => p.then(() => 'resolved', (e) => e.code);
      const fds = [];
      try { for (;;) fds.push(openSync('/dev/null')); } catch {}
      const out = [await code(readHeldRange(copy, 0, 10)), await code(readPartial(havePath, 'f.txt')), await code(findPartials(finalPath, 'f.txt'))];
      for (const fd of fds) closeSync(fd);
      out.push(await code(readHeldRange(copy, 0, 10)), (await findPartials(finalPath, 'f.txt')).length);
      console.log(JSON.stringify(out));`;
    const modules = ['partial-range.js', 'have-file.js'].map((m) => fileURLToPath(new URL(`../../src/storage/${m}`, import.meta.url)));
    const { stdout } = await run('bash', ['-c', 'ulimit -n 64 && exec "$0" --input-type=module -e "$1" "${@:2}"', process.execPath, script, ...modules, havePathFor(partPath), join(dirname(partPath), 'f.txt')]);
    expect(JSON.parse(stdout)).to.deep.equal(['ERR_BUSY', 'ERR_BUSY', 'ERR_BUSY', 'resolved', 1]);
  });
});

/**
 * server/range-reader: the bytes of a GET from a real temp folder. Repeated GETs of a known
 * file take the quick path (no describing again); any change to the file, in place or by a
 * new file under the name, is caught by its stamp, and never answered with mixed bytes.
 */
import { expect } from 'chai';
import { appendFile, rename, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import { TxtmeshError } from '../../src/errors.js';
import { HandleCache } from '../../src/server/handle-cache.js';
import { type Range, SEND_CHUNK, readRange } from '../../src/server/range-reader.js';
import type { FileInfo } from '../../src/storage/file-info.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';
import { type FileStamp, ServedFolder } from '../../src/storage/served-folder.js';
import { BufferPool } from '../../src/transport/buffer-pool.js';
import { makeText, tempDir, writeFiles } from '../helpers.js';

/** A served folder that counts how often a file is described from its handle. */
class CountingFolder extends ServedFolder {
  described = 0;
  override describeHandle(name: string, handle: FileHandle, stamp?: FileStamp): Promise<FileInfo> {
    this.described++;
    return super.describeHandle(name, handle, stamp);
  }
}

function identityOf(data: Buffer): string {
  const hasher = new PieceHasher(PIECE_SIZE);
  hasher.update(data);
  return hasher.digest().identity;
}

describe('server/range-reader', () => {
  const big = makeText(2 * SEND_CHUNK + 1000);
  let dir: string;
  let folder: CountingFolder;
  let handles: HandleCache;
  const pool = new BufferPool(SEND_CHUNK, 4);

  beforeEach(async () => {
    dir = await tempDir();
    await writeFiles(dir, { 'big.txt': big, 'hello.txt': 'Hello, world!\n' });
    folder = new CountingFolder(dir);
    await folder.init();
    handles = new HandleCache(folder);
  });

  afterEach(async () => {
    await handles.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  /** The bytes of a range, each chunk given back to the pool as a socket would. */
  async function bytes(range: Range): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of await readRange(folder, handles, pool, range)) {
      parts.push(Buffer.from(chunk));
      pool.give(chunk);
    }
    return Buffer.concat(parts);
  }

  async function codeOf(range: Range): Promise<string | undefined> {
    return bytes(range).then(
      () => undefined,
      (err: unknown) => (err instanceof TxtmeshError ? err.code : String(err)),
    );
  }

  const piece = (i: number): Range => ({ name: 'big.txt', offset: i * PIECE_SIZE, length: PIECE_SIZE, identity: identityOf(big) });

  it('describes a file for its first GET only; later GETs of it take the quick path', async () => {
    for (let i = 0; i < 8; i++) expect((await bytes(piece(i))).equals(big.subarray(i * PIECE_SIZE, (i + 1) * PIECE_SIZE))).to.equal(true);
    expect(folder.described).to.equal(1);
  });

  it('answers a range of one chunk as a list, and a longer one chunk by chunk', async () => {
    const one = await readRange(folder, handles, pool, { name: 'big.txt', offset: 0, length: SEND_CHUNK });
    expect(Array.isArray(one)).to.equal(true);
    for (const chunk of one as Buffer[]) pool.give(chunk);
    expect((await bytes({ name: 'big.txt', offset: 3, length: big.length - 3 })).equals(big.subarray(3))).to.equal(true);
  });

  it('catches a file rewritten in place between GETs: ERR_CHANGED for the old identity', async () => {
    await bytes(piece(0));
    await appendFile(join(dir, 'big.txt'), 'more');
    expect(await codeOf(piece(1))).to.equal('ERR_CHANGED');
  });

  it('catches a new file under the name between GETs: the new bytes without an identity, ERR_CHANGED with the old one', async () => {
    await bytes(piece(0));
    const other = makeText(big.length, [7]);
    await writeFile(join(dir, 'new.tmp'), other);
    await rename(join(dir, 'new.tmp'), join(dir, 'big.txt'));
    expect(await codeOf(piece(1))).to.equal('ERR_CHANGED');
    expect((await bytes({ name: 'big.txt', offset: 0, length: 100 })).equals(other.subarray(0, 100))).to.equal(true);
  });

  it('catches a file that shrank: the range is beyond its end now', async () => {
    await bytes({ name: 'big.txt', offset: 0, length: 10 });
    await writeFile(join(dir, 'big.txt'), 'short\n');
    expect(await codeOf({ name: 'big.txt', offset: 0, length: 100 })).to.equal('ERR_BAD_RANGE');
  });

  it('a deleted file is ERR_NOT_FOUND, even with its handle still open', async () => {
    await bytes(piece(0));
    await rm(join(dir, 'big.txt'));
    expect(await codeOf(piece(1))).to.equal('ERR_NOT_FOUND');
  });

  it('stops a long range whose file changes while it is read, with ERR_CHANGED', async () => {
    await bytes(piece(0)); // known and open: the quick path reads the first chunk
    const chunks = (await readRange(folder, handles, pool, { name: 'big.txt', offset: 0, length: big.length })) as AsyncIterable<Buffer>;
    const it = chunks[Symbol.asyncIterator]();
    expect((await it.next()).value?.length).to.equal(SEND_CHUNK);
    await appendFile(join(dir, 'big.txt'), 'more');
    const err = await it.next().then(() => undefined, (e: unknown) => e);
    expect((err as TxtmeshError | undefined)?.code).to.equal('ERR_CHANGED');
  });
});

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { type FileHandle, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAll } from '../../src/storage/write-all.js';
import { tempDir } from '../helpers.js';

describe('storage/write-all', function () {
  let dir: string;
  let path: string;
  let handle: FileHandle;

  beforeEach(async function () {
    dir = await tempDir();
    path = join(dir, 'f.txt');
    handle = await open(path, 'w+');
  });
  afterEach(async function () {
    await handle.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a large buffer at its position, leaving the bytes before it alone', async function () {
    const data = Buffer.alloc(8 * 1024 * 1024 + 5, 'é');
    await writeAll(handle, Buffer.from('head'), 0);
    await writeAll(handle, data, 10);
    await handle.close();
    const back = await readFile(path);
    expect(back.length).to.equal(10 + data.length);
    expect(back.subarray(0, 4).toString()).to.equal('head');
    expect(back.subarray(4, 10).equals(Buffer.alloc(6))).to.equal(true);
    expect(back.subarray(10).equals(data)).to.equal(true);
  });

  it('keeps writing when the file takes fewer bytes than asked at a time', async function () {
    // The real file, taking at most 3 bytes per write: each short write must be continued
    // from where it stopped, at the right offset in the buffer and in the file.
    let calls = 0;
    const short = {
      write: (buffer: Buffer, offset: number, length: number, position: number) => {
        calls++;
        return handle.write(buffer, offset, Math.min(3, length), position);
      },
    } as unknown as FileHandle;
    const text = Buffer.from('0123456789abcdefghij');
    await writeAll(short, text, 2);
    expect(calls).to.equal(7);
    await handle.close();
    expect((await readFile(path)).subarray(2).toString()).to.equal(text.toString());
  });

  it('writes a buffer of at most syncUpTo bytes synchronously, a larger one through the handle', async function () {
    let calls = 0;
    const counted = {
      fd: handle.fd,
      write: (buffer: Buffer, offset: number, length: number, position: number) => {
        calls++;
        return handle.write(buffer, offset, length, position);
      },
    } as unknown as FileHandle;
    const pending = writeAll(counted, Buffer.from('small'), 0, 5);
    // Written by the time the call returns: no thread-pool round trip.
    expect(readFileSync(path, 'utf8')).to.equal('small');
    await pending;
    await writeAll(counted, Buffer.from('larger'), 5, 5);
    expect(calls).to.equal(1);
    expect((await readFile(path)).toString()).to.equal('smalllarger');
  });

  it('writes nothing for an empty buffer', async function () {
    await writeAll(handle, Buffer.alloc(0), 100);
    await handle.close();
    expect((await readFile(path)).length).to.equal(0);
  });
});

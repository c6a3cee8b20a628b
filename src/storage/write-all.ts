/**
 * A positioned write may write fewer bytes than asked (a signal, a full disk about to fail, a
 * file system's own limits): every write of txtmesh goes through writeAll, which loops until
 * all of the buffer is written.
 */
import { writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * Writes all of `data` at `position` in the file; a buffer of at most `syncUpTo` bytes with
 * synchronous writes (into the page cache in microseconds, less than a thread-pool round trip).
 */
export async function writeAll(handle: FileHandle, data: Buffer, position: number, syncUpTo = 0): Promise<void> {
  const sync = data.length <= syncUpTo;
  let written = 0;
  while (written < data.length) {
    const length = data.length - written;
    written += sync ? writeSync(handle.fd, data, written, length, position + written) : (await handle.write(data, written, length, position + written)).bytesWritten;
  }
}

/**
 * A positioned write may write fewer bytes than asked (a signal, a full disk about to fail, a
 * file system's own limits): every write of txtmesh goes through writeAll, which loops until
 * all of the buffer is written.
 */
import type { FileHandle } from 'node:fs/promises';

/** Writes all of `data` at `position` in the file. */
export async function writeAll(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    written += (await handle.write(data, written, data.length - written, position + written)).bytesWritten;
  }
}

/**
 * A file's stamp: the stat fields that say its content is unchanged (inode, size, mtime), as
 * the served folder's identity caches trust them (served-folder.ts, identity-cache.ts).
 */
import { fstatSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Stat fields that say a file is unchanged. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** The stamp of an open file. */
export async function stampOf(handle: FileHandle): Promise<FileStamp> {
  const st = await handle.stat();
  return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

/**
 * The stamp of an open file, synchronously: fstat reads cached metadata and never waits on
 * the disk, and on the serving hot path (twice per GET) the thread-pool round trip of the
 * async call costs some 30 times more than the call itself.
 */
export function stampOfSync(handle: FileHandle): FileStamp {
  const st = fstatSync(handle.fd);
  return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
}

/** True if two stamps describe the same file content (as far as stat can tell). */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/**
 * Nothing half-written under a real name: files are written to a hidden temp file beside the
 * target, fsynced, then linked into place with link(2), which fails rather than replace an
 * existing file (rename(2) would silently replace it). The temp name is then unlinked.
 */
import { randomBytes } from 'node:crypto';
import { constants, linkSync, unlinkSync } from 'node:fs';
import { type FileHandle, copyFile, link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix of every temp file txtmesh writes; such files are hidden and never listed. */
export const TEMP_SUFFIX = '.txtmesh-part';

/** A hidden temp path beside `finalPath`, e.g. `.notes.txt.3f9a1c.txtmesh-part`. */
export function tempPathFor(finalPath: string, tag = randomBytes(6).toString('hex')): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${tag}${TEMP_SUFFIX}`);
}

/** Opens a new temp file for writing beside `finalPath` (whose folder must exist). */
export async function createTempFile(finalPath: string, tag?: string): Promise<{ path: string; handle: FileHandle }> {
  const path = tempPathFor(finalPath, tag);
  const handle = await open(path, 'wx', 0o644);
  return { path, handle };
}

/**
 * Moves a finished temp file to `finalPath` unless something already exists there.
 * The caller has fsynced and closed the temp file.
 * @returns true if published, false if `finalPath` already existed (temp file left in place).
 */
export async function publishNoReplace(tempPath: string, finalPath: string): Promise<boolean> {
  // The link and the unlink are synchronous: metadata changes of microseconds, where each
  // thread-pool round trip costs more (issue 11: many small files published one after another).
  try {
    linkSync(tempPath, finalPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
    // File systems without hard links: check, then rename. Not atomic against a racing
    // writer, but still never replaces a file that is already there when we look.
    const exists = await stat(finalPath).then(() => true, () => false);
    if (exists) return false;
    await rename(tempPath, finalPath);
    await syncDir(dirname(finalPath));
    return true;
  }
  unlinkSync(tempPath);
  await syncDir(dirname(finalPath));
  return true;
}

/**
 * Gives the file at `existing` a second name, `path`, which must be free (EEXIST otherwise).
 * On a file system without hard links it copies instead (never over an existing file): the
 * second name then holds the same bytes, not the same inode.
 */
export async function linkNew(existing: string, path: string): Promise<void> {
  try {
    await link(existing, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
    await copyFile(existing, path, constants.COPYFILE_EXCL);
  }
}

/** Removes a temp file, ignoring "already gone". */
export async function removeQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/**
 * fsync a directory so a link or rename survives power loss (best effort: not every FS allows
 * it). Directory handles are kept open, a few at a time, so publishing many small files costs
 * one fsync each rather than open, fsync and close.
 */
export async function syncDir(path: string): Promise<void> {
  let handle = dirHandles.get(path);
  if (!handle) {
    handle = open(path, 'r').catch(() => undefined);
    if (dirHandles.size >= 16) {
      const [oldest, old] = dirHandles.entries().next().value as [string, Promise<FileHandle | undefined>];
      dirHandles.delete(oldest);
      void old.then((h) => h?.close().catch(() => undefined));
    }
    dirHandles.set(path, handle);
  }
  await (await handle)?.sync().catch(() => undefined);
}

const dirHandles = new Map<string, Promise<FileHandle | undefined>>();

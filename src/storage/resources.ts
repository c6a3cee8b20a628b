/**
 * Failures for want of a resource, named for what ran out (issue 12): a full disk is
 * ERR_NO_SPACE, with how much is needed and how much is free; running out of file handles is
 * ERR_BUSY (try again later), never "no such file" for a file that is there.
 */
import { statfs } from 'node:fs/promises';
import { TxtmeshError } from '../errors.js';

/** True if `err` is the file system saying it is full (or the user's quota is). */
export function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** True if `err` says this process (EMFILE) or the system (ENFILE) has no file handle left. */
export function isOutOfHandles(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}

/** ERR_BUSY for a failure to open for want of file handles. */
export function outOfHandles(cause?: unknown): TxtmeshError {
  return new TxtmeshError('ERR_BUSY', 'this peer is out of file handles for the moment; try again later', { cause });
}

/** A failure for want of a resource as txtmesh names it, or `err` itself (ENOSPC needs noSpace(), which knows how much). */
export function namedFailure(err: unknown): unknown {
  return isOutOfHandles(err) ? outOfHandles(err) : err;
}

/** Passes on ERR_BUSY (out of file handles); swallows any other failure (a handler for .catch). */
export function passBusy(err: unknown): void {
  if (err instanceof TxtmeshError && err.code === 'ERR_BUSY') throw err;
}

/** Bytes free for this process on the file system of `dir`, or undefined if it cannot tell. */
export async function freeBytes(dir: string): Promise<number | undefined> {
  const st = await statfs(dir).catch(() => undefined);
  return st === undefined ? undefined : st.bavail * st.bsize;
}

/** A size for a person: `3.1 MiB (3250000 bytes)`. */
export function bytesText(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 'bytes';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return unit === 'bytes' ? `${bytes} byte${bytes === 1 ? '' : 's'}` : `${value.toFixed(1)} ${unit} (${bytes} bytes)`;
}

/**
 * ERR_NO_SPACE: `what` needs `needed` more bytes in `dir` than its disk has.
 * @param what e.g. `notes.txt` or `the upload of notes.txt`
 * @param after what was done about it, as a sentence (where a kept part file is)
 */
export async function noSpace(dir: string, what: string, needed: number, after = '', cause?: unknown): Promise<TxtmeshError> {
  const free = await freeBytes(dir);
  const freeText = free === undefined ? '' : `, and ${bytesText(free)} ${free === 1 ? 'is' : 'are'} free`;
  return new TxtmeshError('ERR_NO_SPACE', `no space left on the disk of ${dir}: ${what} needs ${bytesText(needed)} more${freeText}${after ? `; ${after}` : ''}`, { cause });
}

/**
 * ERR_NO_SPACE at the last step, when a finished file (or its fsync) finds the disk full: on
 * a disk out of inodes or directory space a name costs room too, with bytes still free.
 * @param after what was done about it, as a sentence (where the file is kept, or that nothing was)
 * @param disk the disk in words (on the wire: `this peer's disk`, not where it is)
 */
export async function noSpaceToFinish(dir: string, name: string, after: string, cause?: unknown, disk = `the disk of ${dir}`): Promise<TxtmeshError> {
  const st = await statfs(dir).catch(() => undefined);
  const free = st === undefined ? '' : ` (${bytesText(st.bavail * st.bsize)} and ${st.ffree} file${st.ffree === 1 ? '' : 's'} free)`;
  return new TxtmeshError('ERR_NO_SPACE', `no space left on ${disk} to finish ${name}: the file system had no room to store it or give it its name${free}; ${after}`, { cause });
}

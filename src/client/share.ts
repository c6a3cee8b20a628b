/**
 * #SHARE: copy a .txt file from anywhere on disk into this peer's served folder, so its server
 * serves it (the tracker-based cousin's `publish`). The copy goes to a hidden temp file beside
 * the target, is hashed on the way, fsynced, and linked into place without replacing anything
 * (atomic-file.ts): a reader never sees half a file, and a different file of that name is
 * never overwritten.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { TxtmeshError } from '../errors.js';
import { createTempFile, removeQuietly } from '../storage/atomic-file.js';
import { checkName } from '../storage/names.js';
import { PieceHasher, shortIdentity } from '../storage/piece-hasher.js';
import { isNoSpace, noSpaceToFinish } from '../storage/resources.js';
import { compareExisting, publishOrSame } from '../storage/publish.js';
import { type ServedFolder, stampOf } from '../storage/served-folder.js';
import { writeAll } from '../storage/write-all.js';
import { PIECE_SIZE } from '../constants.js';
import type { ShareSummary } from './results.js';

export interface ShareOptions {
  /** The file to copy; relative paths are taken from `cwd`. */
  readonly source: string;
  /** Name to serve it under (default: the source's file name). */
  readonly name?: string;
  readonly folder: ServedFolder;
  readonly cwd?: string;
}

/**
 * Copies `source` into the folder as `name`.
 * @throws TxtmeshError ERR_BAD_NAME, ERR_NOT_FOUND (no such source file), ERR_EXISTS (a
 *   different file has that name), ERR_CHANGED (the source changed while being copied)
 */
export async function share(options: ShareOptions): Promise<ShareSummary> {
  const { folder } = options;
  const source = resolve(options.cwd ?? process.cwd(), options.source);
  const name = options.name ?? basename(source);
  try {
    checkName(name);
  } catch (err) {
    if (options.name === undefined) {
      throw new TxtmeshError('ERR_BAD_NAME', `${(err as Error).message}; give a name to serve it under: #SHARE path name.txt`);
    }
    throw err;
  }
  const st = await stat(source).catch(() => undefined);
  if (!st?.isFile()) throw new TxtmeshError('ERR_NOT_FOUND', `no such file to share: ${source}`);
  const finalPath = await folder.prepareDir(name);

  // A full disk (bytes, or room for one more file) is ERR_NO_SPACE, whichever step finds it.
  const named = async (err: unknown) => (isNoSpace(err) ? noSpaceToFinish(dirname(finalPath), name, 'nothing was kept', err) : err);
  const { path: tempPath, handle } = await createTempFile(finalPath).catch(async (err: unknown) => Promise.reject(await named(err)));
  try {
    const { size, identity, pieceHashes } = await copyHashed(source, handle);
    const after = await stat(source);
    if (after.size !== size || after.mtimeMs !== st.mtimeMs) {
      throw new TxtmeshError('ERR_CHANGED', `${source} changed while it was being copied; try again`);
    }
    const summary = (status: ShareSummary['status']): ShareSummary => ({ command: 'share', name, source, size, identity, status });
    if ((await compareExisting(folder, name, identity, (theirs) => conflict(name, theirs))) === 'same') return summary('already');
    await handle.sync();
    const stamp = await stampOf(handle);
    await handle.close();
    if ((await publishOrSame(folder, { tempPath, finalPath }, name, identity, (theirs) => conflict(name, theirs))) === 'same') return summary('already');
    folder.remember({ name, size, identity, pieceSize: PIECE_SIZE, pieceHashes }, stamp);
    return summary('shared');
  } catch (err) {
    throw await named(err);
  } finally {
    await handle.close().catch(() => undefined);
    await removeQuietly(tempPath);
  }
}

/** Copies the file at `source` into `handle`, hashing its pieces on the way. */
async function copyHashed(source: string, handle: FileHandle): Promise<{ size: number; identity: string; pieceHashes: Buffer }> {
  const hasher = new PieceHasher(PIECE_SIZE);
  let size = 0;
  for await (const chunk of createReadStream(source, { highWaterMark: 1024 * 1024 })) {
    const data = chunk as Buffer;
    hasher.update(data);
    await writeAll(handle, data, size);
    size += data.length;
  }
  return { size, ...hasher.digest() };
}

function conflict(name: string, identity: string | undefined): TxtmeshError {
  const which = identity ? ` (${shortIdentity(identity)})` : '';
  return new TxtmeshError('ERR_EXISTS', `this peer already serves a different ${name}${which}; nothing was replaced. Share it under another name: #SHARE path other-name.txt`);
}

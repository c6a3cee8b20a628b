/**
 * Publishing into the served folder: a finished temp file takes its name only if the name is
 * free (atomic-file.ts, publishNoReplace). When it is taken, what holds it decides: the same
 * bytes are success ('same': a racing upload or download of the same version got there
 * first), different bytes are ERR_EXISTS, worded by the caller for its command. Nothing is
 * ever replaced. #SHARE, #DOWNLOAD and a received upload (PUT) all publish this way.
 */
import { type TxtmeshError, codeOf } from '../errors.js';
import { publishNoReplace } from './atomic-file.js';
import type { ServedFolder } from './served-folder.js';

/** The ERR_EXISTS for a name held by other bytes (`theirs`: their identity; undefined for something not a served file). */
export type Conflict = (theirs: string | undefined) => TxtmeshError;

/**
 * What the folder holds under `name`, compared with the version `identity`, before anything is
 * fetched or copied: publishing never replaces what holds the name, so that is known now.
 * @returns 'same' when it holds that version, 'absent' when nothing has the name
 * @throws the caller's `conflict` when it holds another version, or something that is not a
 *   file it serves (a symlink, a folder, a device: `theirs` undefined)
 */
export async function compareExisting(folder: ServedFolder, name: string, identity: string, conflict: Conflict): Promise<'same' | 'absent'> {
  // exists() is one lstat: cheap for the usual case, a name not there yet.
  if (!folder.exists(name)) return 'absent';
  const theirs = await folder.describe(name).catch((err: unknown) => {
    if (codeOf(err) === 'ERR_NOT_FOUND') return undefined;
    throw err;
  });
  if (theirs?.identity === identity) return 'same';
  // Gone since the lstat: the name is free after all.
  if (theirs === undefined && !folder.exists(name)) return 'absent';
  throw conflict(theirs?.identity);
}

/**
 * Links a finished temp file (fsynced and closed) into place as `name`, unless the name is
 * taken. A temp file that was not published is left for the caller to remove (after what
 * depends on it: a part file's sidecar goes first).
 * @returns 'stored' (the caller remembers the file's identity), or 'same' when the name
 *   already held the version `identity`
 * @throws the caller's `conflict` when the name holds other bytes
 */
export async function publishOrSame(folder: ServedFolder, paths: { readonly tempPath: string; readonly finalPath: string }, name: string, identity: string, conflict: Conflict): Promise<'stored' | 'same'> {
  if (await publishNoReplace(paths.tempPath, paths.finalPath)) return 'stored';
  const theirs = await folder.describe(name).catch(() => undefined);
  if (theirs?.identity === identity) return 'same';
  throw conflict(theirs?.identity);
}

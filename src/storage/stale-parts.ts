/**
 * Part files of other versions left in a folder (an interrupted download of a version since
 * replaced) are removed when a download of the same name starts (part-file.ts). Finding them
 * must not cost a read of a folder of thousands of files per download (issue 11, small files).
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TEMP_SUFFIX, removeQuietly } from './atomic-file.js';
import { HAVE_SUFFIX } from './have-file.js';

/** What a download's part file name carries before the identity prefix. */
export const DOWNLOAD_TAG = 'dl-';

/**
 * The part files and sidecars in each folder this process downloads into, by name: the folder
 * is read once, at its first download, and the set then follows this process's own part files,
 * so a download does not read a folder of thousands of files to find the stale parts of its
 * name (issue 11). A part another process leaves there later is cleared by the next process
 * that downloads into the folder.
 */
const partsByFolder = new Map<string, Promise<Set<string>>>();

function partsIn(dir: string): Promise<Set<string>> {
  let parts = partsByFolder.get(dir);
  if (!parts) {
    const isPart = (name: string) => name.includes(`.${DOWNLOAD_TAG}`) && (name.endsWith(TEMP_SUFFIX) || name.endsWith(HAVE_SUFFIX));
    parts = readdir(dir).then((names) => new Set(names.filter(isPart)), () => new Set<string>());
    partsByFolder.set(dir, parts);
  }
  return parts;
}

/** Records that the part file or sidecar at `path` is on disk now, or no longer. */
export function notePart(path: string, present: boolean): void {
  void partsIn(dirname(path)).then((parts) => (present ? parts.add(basename(path)) : parts.delete(basename(path))));
}

/** Deletes download part files for `finalPath` other than `keep` (other versions). */
export async function removeOtherVersions(finalPath: string, keep: string): Promise<void> {
  const prefix = `.${basename(finalPath)}.${DOWNLOAD_TAG}`;
  const parts = await partsIn(dirname(finalPath));
  for (const name of [...parts]) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dirname(finalPath), name);
    const stale = (name.endsWith(TEMP_SUFFIX) && path !== keep) || (name.endsWith(HAVE_SUFFIX) && path !== keep.slice(0, -TEMP_SUFFIX.length) + HAVE_SUFFIX);
    if (!stale) continue;
    parts.delete(name);
    await removeQuietly(path);
  }
}

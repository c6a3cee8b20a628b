/**
 * Paths on disk for Tab completion (#SHARE path): the folders and .txt files in the folder a
 * partial path names, relative paths taken from the peer folder. Hidden entries only when the
 * partial name starts with a dot. Reads the disk, so the completer itself stays pure.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** Paths that start with `partial` (as typed, unescaped): folders end with `/`, files are .txt. */
export function pathsFor(cwd: string, partial: string): string[] {
  const slash = partial.lastIndexOf('/');
  const dir = slash < 0 ? '' : partial.slice(0, slash + 1);
  const base = partial.slice(slash + 1);
  try {
    return readdirSync(resolve(cwd, dir === '' ? '.' : dir), { withFileTypes: true }).flatMap((e) => {
      if (!e.name.startsWith(base) || (e.name.startsWith('.') && !base.startsWith('.'))) return [];
      if (e.isDirectory()) return [`${dir}${e.name}/`];
      return e.isFile() && e.name.toLowerCase().endsWith('.txt') ? [`${dir}${e.name}`] : [];
    });
  } catch {
    return [];
  }
}

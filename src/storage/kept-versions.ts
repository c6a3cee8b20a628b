/**
 * The entries of the versions area (versions-area.ts): one file per kept version, named
 * `<ms>-<identity>-<why>`, in `.txtmesh/versions/<name>/`. Reading, naming, choosing and
 * deleting them; versions-area.ts decides when.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TxtmeshError } from '../errors.js';
import { TEMP_SUFFIX, removeQuietly, syncDir } from './atomic-file.js';
import { nameProblem } from './names.js';
import { PieceHasher } from './piece-hasher.js';

/** Why a version left its name. */
export type KeptReason = 'replaced' | 'unshared';

/** A version in the versions area. */
export interface KeptVersion {
  readonly name: string;
  readonly identity: string;
  readonly size: number;
  /** When it left the name, ms since 1970 by this peer's clock. */
  readonly at: number;
  readonly why: KeptReason;
}

/** A kept version and the file that holds it. */
export interface KeptEntry extends KeptVersion {
  readonly path: string;
  readonly ino: number;
}

const ENTRY = /^(0|[1-9]\d{0,15})-([0-9a-f]{64})-(replaced|unshared)$/;

/** The file name of a kept version. */
export function keptFileName(at: number, identity: string, why: KeptReason): string {
  return `${at}-${identity}-${why}`;
}

/**
 * The kept versions in `dir` (the versions area's folder of `name`), newest first. Entries
 * that are links of one inode are one version (the newest entry counts); entries linked to
 * `currentIno`, the file under the name now, are not kept versions but what an interrupted
 * replacement left (step 2 done, step 3 not), and are left out.
 */
export async function readKept(dir: string, name: string, currentIno: number | undefined): Promise<KeptEntry[]> {
  const byInode = new Map<number, KeptEntry>();
  for (const f of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const m = f.isFile() ? ENTRY.exec(f.name) : null;
    if (!m) continue;
    const path = join(dir, f.name);
    const st = await lstat(path).catch(() => undefined);
    if (!st?.isFile() || st.ino === currentIno) continue;
    const entry: KeptEntry = { name, identity: m[2] as string, size: st.size, at: Number(m[1]), why: m[3] as KeptReason, path, ino: st.ino };
    const seen = byInode.get(st.ino);
    if (!seen || seen.at < entry.at) byInode.set(st.ino, entry);
  }
  return [...byInode.values()].sort((a, b) => b.at - a.at);
}

/** Deletes every entry in `dir` linked to one of `inodes`. */
export async function removeKept(dir: string, inodes: ReadonlySet<number>): Promise<void> {
  for (const f of await readdir(dir)) {
    const st = ENTRY.test(f) ? await lstat(join(dir, f)).catch(() => undefined) : undefined;
    if (st && inodes.has(st.ino)) await removeQuietly(join(dir, f));
  }
  await syncDir(dir);
}

/** The kept version `prefix` picks, or 'current' when it names the version under the name. */
export function pickKept(entries: readonly KeptEntry[], name: string, prefix: string, current: string | undefined): KeptEntry | 'current' {
  if (!/^[0-9a-f]{1,64}$/.test(prefix)) throw new TxtmeshError('ERR_USAGE', `a version is given by its identity (or its first hex digits), not ${JSON.stringify(prefix.slice(0, 80))}`);
  if (current?.startsWith(prefix)) return 'current';
  const hits = entries.filter((e) => e.identity.startsWith(prefix));
  const identities = new Set(hits.map((e) => e.identity));
  if (identities.size > 1) throw new TxtmeshError('ERR_USAGE', `${prefix} is the start of ${identities.size} kept versions of ${name}; give more digits`);
  const [hit] = hits;
  if (!hit) throw new TxtmeshError('ERR_NOT_FOUND', `no kept version of ${name} has an identity starting with ${prefix}`);
  return hit;
}

/** The names that have a folder in the versions area below `dir` (`prefix`: its name so far). */
export async function keptNamesUnder(dir: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!d.isDirectory() || d.name.includes(TEMP_SUFFIX)) continue;
    const name = prefix === '' ? d.name : `${prefix}/${d.name}`;
    if (nameProblem(name) === undefined) found.push(name);
    found.push(...(await keptNamesUnder(join(dir, d.name), name)));
  }
  return found;
}

/** The identity of the file at `path`, read in full. */
export async function identityOfPath(path: string): Promise<string> {
  const hasher = new PieceHasher();
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hasher.update(chunk as Buffer);
  return hasher.digest().identity;
}

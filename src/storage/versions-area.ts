/**
 * The versions area: where a name's earlier version goes when another one takes the name
 * (#UPLOAD --replace at the receiver, #DOWNLOAD --replace, #RESTORE) or when the file stops
 * being served (#UNSHARE). It is the folder `.txtmesh/versions/<name>/` inside the served
 * folder, which is never listed or served: a hidden path segment is never a name (names.ts).
 * Each kept version is one file there, named `<ms>-<identity>-<why>` (when it left the name,
 * its identity, `replaced` or `unshared`), so what is known of it is written in the same
 * atomic step that keeps it; no sidecar can disagree.
 *
 * A replacement never leaves the name empty and never loses a version (docs/reliability.md,
 * "Versions"): (1) the new version is complete and fsynced in a temp file beside the name;
 * (2) the old one is linked (link(2)) into the versions area and that folder fsynced, so it
 * has two names; (3) the temp file is renamed over the name, which swaps the versions in one
 * step. A crash before (2) leaves the old version under the name; between (2) and (3), the
 * old one under the name and a second link to it in the area (the same inode as the file
 * under the name: not shown as kept, see #versionsOf); after (3), the new one under the name
 * and the old one kept. Replacements of one name in this process run one at a time.
 */
import { lstat, mkdir, rename, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { TxtmeshError } from '../errors.js';
import { checkNumber } from '../options.js';
import { linkNew, publishNoReplace, removeQuietly, syncDir, tempPathFor } from './atomic-file.js';
import type { FileEntry } from './file-info.js';
import { type KeptEntry, type KeptReason, type KeptVersion, identityOfPath, keptFileName, keptNamesUnder, pickKept, readKept, removeKept } from './kept-versions.js';
import { checkName } from './names.js';
import { isNoSpace, noSpaceToFinish } from './resources.js';
import { shortIdentity } from './piece-hasher.js';
import { type ServedFolder, stampOfSync } from './served-folder.js';

/** The versions area, relative to the served folder. */
export const VERSIONS_DIR = '.txtmesh/versions';

export type { KeptReason, KeptVersion } from './kept-versions.js';

/** Versions kept per name unless told otherwise (--keep-versions), and what the option must be. */
export const DEFAULT_KEEP_VERSIONS = 5;
export const KEEP_VERSIONS_RULE = { min: 1, max: 10_000, integer: true } as const;

/** What publishing did. stored: the name was free; same: it held these bytes; replaced: the old version is `kept`. */
export interface PublishResult {
  readonly result: 'stored' | 'same' | 'replaced';
  readonly kept?: KeptVersion;
}

/** A version of a name this peer holds: under the name (`current`), or kept. */
export interface HeldVersion {
  readonly name: string;
  readonly identity: string;
  readonly size: number;
  /** ms since 1970: when the file under the name last changed (its mtime), or when a kept one left the name. */
  readonly time: number;
  readonly state: 'current' | KeptReason;
}

/** What #RESTORE did: the version now under the name, and the one it replaced (kept). */
export interface RestoreResult {
  readonly status: 'restored' | 'current';
  readonly name: string;
  readonly identity: string;
  readonly size: number;
  readonly kept?: KeptVersion;
}

/** A point in a replacement after which the disk is in a new state (see the top). */
export type ReplaceStep = 'kept' | 'swapped';

export interface VersionsAreaOptions {
  /** Versions kept per name; none is ever deleted without it (the server passes its --keep-versions). */
  readonly keep?: number;
  /** Called after each step of a replacement: tests stop (or kill) the process there to check the state it leaves. */
  readonly onStep?: (step: ReplaceStep, name: string) => void | Promise<void>;
}

export class VersionsArea {
  readonly #folder: ServedFolder;
  /** Versions kept per name: the oldest beyond this are deleted when another is kept (undefined: none is). */
  readonly keep: number | undefined;
  readonly #onStep: VersionsAreaOptions['onStep'];
  readonly #busy = new Map<string, Promise<unknown>>();

  constructor(folder: ServedFolder, options: VersionsAreaOptions = {}) {
    this.#folder = folder;
    this.keep = options.keep === undefined ? undefined : checkNumber('keepVersions', options.keep, KEEP_VERSIONS_RULE);
    this.#onStep = options.onStep;
  }

  /** The kept versions of `name`, newest first. */
  async kept(name: string): Promise<KeptVersion[]> {
    checkName(name);
    return (await this.#versionsOf(name)).map(publicPart);
  }

  /** The kept versions of every name, by name, each name's newest first. */
  async keptAll(): Promise<KeptVersion[]> {
    const names = await keptNamesUnder(join(this.#folder.root, VERSIONS_DIR), '');
    const all = await Promise.all(names.sort().map((n) => this.#versionsOf(n)));
    return all.flat().map(publicPart);
  }

  /**
   * The versions of `name` this peer holds (of every name, without one): the one under the
   * name first, then the kept ones, newest first; by name.
   */
  async versions(name?: string): Promise<HeldVersion[]> {
    const current = name === undefined ? await this.#folder.list() : await this.#currentOf(name);
    const kept = name === undefined ? await this.keptAll() : await this.kept(name);
    const held: HeldVersion[] = [];
    for (const f of current) {
      const st = await lstat(join(this.#folder.root, ...f.name.split('/'))).catch(() => undefined);
      if (st) held.push({ name: f.name, identity: f.identity, size: f.size, time: Math.floor(st.mtimeMs), state: 'current' });
    }
    for (const k of kept) held.push({ name: k.name, identity: k.identity, size: k.size, time: k.at, state: k.why });
    // Stable: each name's current version stays before its kept ones.
    return held.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async #currentOf(name: string): Promise<FileEntry[]> {
    checkName(name);
    if (!this.#folder.exists(name)) return [];
    const info = await this.#folder.describe(name).catch((err: unknown) => {
      if (err instanceof TxtmeshError && err.code === 'ERR_NOT_FOUND') return undefined;
      throw err;
    });
    return info ? [{ name, size: info.size, identity: info.identity }] : [];
  }

  /**
   * Puts a finished temp file (fsynced and closed, beside the name) under `name`; a different
   * version already there is kept in the versions area. The caller removes the temp file if
   * the result is 'same' (it is consumed otherwise).
   */
  publish(tempPath: string, name: string, identity: string): Promise<PublishResult> {
    return this.#serial(name, false, async () => {
      const finalPath = await this.#folder.prepareDir(name);
      if (await publishNoReplace(tempPath, finalPath)) return { result: 'stored' };
      const current = await this.#folder.describe(name).catch(() => undefined);
      if (current?.identity === identity) return { result: 'same' };
      const kept = await this.#swapIn(tempPath, finalPath, name);
      await this.#prune(name);
      return { result: 'replaced', kept };
    });
  }

  /**
   * Stops serving `name`: the file is linked into the versions area, then its name removed;
   * nothing is deleted (a crash in between leaves it served, as before).
   * @throws TxtmeshError ERR_BAD_NAME, ERR_NOT_FOUND
   */
  unshare(name: string): Promise<KeptVersion> {
    return this.#serial(name, true, async () => {
      checkName(name);
      const kept = await this.#keepCurrent(name, 'unshared');
      if (!kept) throw new TxtmeshError('ERR_NOT_FOUND', `${name} is not served by this peer`);
      await this.#prune(name);
      return kept;
    });
  }

  /**
   * Brings back the kept version of `name` whose identity starts with `prefix`; the version
   * under the name now, if any, is kept in turn. The kept file is hashed first: only the
   * version its entry names is restored.
   * @returns 'current' when that version is under the name already
   * @throws TxtmeshError ERR_BAD_NAME, ERR_NOT_FOUND, ERR_USAGE (prefix matches several), ERR_CHANGED
   */
  restore(name: string, prefix: string): Promise<RestoreResult> {
    return this.#serial(name, true, async () => {
      checkName(name);
      const finalPath = await this.#folder.prepareDir(name);
      const current = this.#folder.exists(name) ? await this.#folder.describe(name).catch(() => undefined) : undefined;
      const entry = pickKept(await this.#versionsOf(name), name, prefix, current?.identity);
      if (entry === 'current') return { status: 'current', name, identity: (current as FileEntry).identity, size: (current as FileEntry).size };
      const actual = await identityOfPath(entry.path);
      if (actual !== entry.identity) throw new TxtmeshError('ERR_CHANGED', `the kept ${name} (${shortIdentity(entry.identity)}) was changed on disk; it now has identity ${shortIdentity(actual)}, so it is not restored`);
      const tempPath = tempPathFor(finalPath);
      await linkNew(entry.path, tempPath);
      try {
        // Restoring is this peer's newest change of the name (what #FILES calls newer).
        const now = new Date();
        await utimes(tempPath, now, now);
        const kept = (await publishNoReplace(tempPath, finalPath)) ? undefined : await this.#swapIn(tempPath, finalPath, name);
        await unlink(entry.path);
        await this.#prune(name);
        return { status: 'restored', name, identity: entry.identity, size: entry.size, ...(kept ? { kept } : {}) };
      } finally {
        await removeQuietly(tempPath);
      }
    });
  }

  /** Steps 2 and 3 of a replacement (see the top): keep the current version, rename the new one over it. */
  async #swapIn(tempPath: string, finalPath: string, name: string): Promise<KeptVersion> {
    const kept = await this.#keepCurrent(name, 'replaced');
    // Not a served file (a folder, a symlink): never replaced, since it is not ours to keep.
    if (!kept) throw new TxtmeshError('ERR_EXISTS', `something that is not a served file has the name ${name}; nothing was replaced`);
    await this.#onStep?.('kept', name);
    await rename(tempPath, finalPath);
    await syncDir(join(finalPath, '..'));
    await this.#onStep?.('swapped', name);
    return kept;
  }

  /**
   * Links what is under `name` now into the versions area (for `unshared`, then removes the
   * name); undefined if no served file has the name.
   */
  async #keepCurrent(name: string, why: KeptReason): Promise<KeptVersion | undefined> {
    const from = await this.#folder.prepareDir(name);
    let handle;
    try {
      handle = await this.#folder.openFile(name);
    } catch (err) {
      if (err instanceof TxtmeshError && err.code === 'ERR_NOT_FOUND') return undefined;
      throw err;
    }
    try {
      const stamp = stampOfSync(handle);
      const info = await this.#folder.describeHandle(name, handle, stamp);
      const dir = await this.#dirFor(name);
      let at = Date.now();
      let path = join(dir, keptFileName(at, info.identity, why));
      // The same millisecond twice (a restore right after a replace): the next one.
      while (!(await linkNew(from, path).then(() => true, existsFalse))) path = join(dir, keptFileName(++at, info.identity, why));
      const st = await lstat(path);
      // Changed between the hash and the link: the entry must name what it holds.
      if (st.size !== stamp.size || (st.ino === stamp.ino && st.mtimeMs !== stamp.mtimeMs)) {
        await removeQuietly(path);
        throw new TxtmeshError('ERR_CHANGED', `${name} changed while it was being kept; try again`);
      }
      await syncDir(dir);
      if (why === 'unshared') {
        await unlink(from);
        await syncDir(join(from, '..'));
      }
      return { name, identity: info.identity, size: info.size, at, why };
    } finally {
      await handle.close();
    }
  }

  /** Each kept version of `name` once, newest first; not the one under the name (see readKept). */
  async #versionsOf(name: string): Promise<KeptEntry[]> {
    const current = await lstat(join(this.#folder.root, ...name.split('/'))).catch(() => undefined);
    return readKept(this.#dirOf(name), name, current?.isFile() ? current.ino : undefined);
  }

  #dirOf(name: string): string {
    return join(this.#folder.root, VERSIONS_DIR, ...name.split('/'));
  }

  /** Deletes the oldest kept versions of `name` beyond `keep` (every link to each). */
  async #prune(name: string): Promise<void> {
    if (this.keep === undefined) return;
    const drop = (await this.#versionsOf(name)).slice(this.keep);
    if (drop.length === 0) return;
    await removeKept(this.#dirOf(name), new Set(drop.map((e) => e.ino)));
  }

  /** The name's folder in the versions area, created if missing; a symlink on the way is refused. */
  async #dirFor(name: string): Promise<string> {
    let dir = this.#folder.root;
    for (const segment of [...VERSIONS_DIR.split('/'), ...name.split('/')]) {
      dir = join(dir, segment);
      await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      if (!(await lstat(dir)).isDirectory()) {
        throw new TxtmeshError('ERR_INTERNAL', `${dir} is not a folder (symlinks are not followed); the versions area cannot be used`);
      }
    }
    return dir;
  }

  /** Runs `work` after every earlier operation on `name` in this process has ended. */
  #serial<T>(name: string, named: boolean, work: () => Promise<T>): Promise<T> {
    const before = this.#busy.get(name) ?? Promise.resolve();
    // A full disk fails a step before the swap, so the name keeps what it had (publish's callers word it themselves).
    const full = async (err: unknown) => (named && isNoSpace(err) ? noSpaceToFinish(this.#folder.root, name, `nothing was changed: ${name} keeps what it had`, err) : err);
    const run = before.catch(() => undefined).then(work).catch(async (err: unknown) => Promise.reject(await full(err)));
    const tail = run.catch(() => undefined);
    this.#busy.set(name, tail);
    void tail.then(() => {
      if (this.#busy.get(name) === tail) this.#busy.delete(name);
    });
    return run;
  }
}

function publicPart(e: KeptEntry): KeptVersion {
  return { name: e.name, identity: e.identity, size: e.size, at: e.at, why: e.why };
}


function existsFalse(err: NodeJS.ErrnoException): boolean {
  if (err.code === 'EEXIST') return false;
  throw err;
}

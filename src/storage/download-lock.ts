/**
 * One download of a name into a folder at a time (issue 12): two clients fetching one file
 * into one peer folder would share, or delete, each other's part file, and the loser failed
 * with a raw ENOENT after "resuming" from the other's live part file. The download holds a
 * hidden lock file beside its target (`.notes.txt.txtmesh-lock`, whatever the version),
 * created with O_EXCL so only one can, holding its process ID and a token of its own, and
 * removed when the download ends. A second download is refused with ERR_BUSY, saying so.
 *
 * A lock whose process is gone (kill -9, a power loss) is stale and taken over. Taking over
 * renames it aside first and checks that what was moved is the stale lock that was read, so
 * two downloads that find one stale lock at once cannot both end up holding it.
 *
 * The usual steps (create, write, read back, remove: a few dozen bytes) are synchronous: each
 * takes microseconds, where a thread-pool round trip costs more than the call itself, and
 * sequential downloads of small files take and let go of a lock per file (issue 11).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { readFile, rename, stat, unlink, link } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TxtmeshError } from '../errors.js';

export const LOCK_SUFFIX = '.txtmesh-lock';
/** A lock file without a readable owner younger than this is one being written: not stale yet. */
const UNREADABLE_GRACE_MS = 5000;

/** Locks this process holds: path → token. */
const held = new Map<string, string>();

interface Owner {
  readonly pid: number;
  readonly token: string;
  readonly text: string;
}

/** The lock path for a target file. */
export function lockPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}${LOCK_SUFFIX}`);
}

export class DownloadLock {
  readonly path: string;
  readonly #token: string;

  private constructor(path: string, token: string) {
    this.path = path;
    this.#token = token;
  }

  /**
   * Takes the lock for downloading into `finalPath`.
   * @param name the served name, for the message
   * @throws TxtmeshError ERR_BUSY while another download of it (this process or another) holds it
   */
  static async acquire(finalPath: string, name: string): Promise<DownloadLock> {
    const path = lockPathFor(finalPath);
    const token = randomBytes(8).toString('hex');
    for (let attempt = 0; attempt < 3; attempt++) {
      if (createExclusive(path, `${process.pid} ${token}\n`)) {
        held.set(path, token);
        return new DownloadLock(path, token);
      }
      const owner = readOwner(path);
      if (owner === null) continue; // gone meanwhile: try again
      if (owner === undefined ? await young(path) : alive(path, owner)) {
        const who = owner ? ` (process ${owner.pid}${owner.pid === process.pid ? ', this one' : ''})` : '';
        throw new TxtmeshError('ERR_BUSY', `a download of ${name} into this folder is already running${who}; try again once it has finished`);
      }
      await takeAway(path, owner?.text ?? '');
    }
    throw new TxtmeshError('ERR_BUSY', `the download lock ${path} keeps changing hands; try again`);
  }

  /** Removes the lock if it is still ours. */
  async release(): Promise<void> {
    if (held.get(this.path) !== this.#token) return;
    held.delete(this.path);
    const owner = readOwner(this.path);
    if (owner?.token !== this.#token) return;
    try {
      unlinkSync(this.path);
    } catch {
      // gone already
    }
  }
}

/** Creates `path` with `text` unless it exists (O_EXCL: a symlink there counts as existing). */
function createExclusive(path: string, text: string): boolean {
  let fd;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The lock's owner; undefined if unreadable or not a lock's text; null if there is no lock. */
function readOwner(path: string): Owner | undefined | null {
  let text: string;
  try {
    text = readFileSync(path, { encoding: 'utf8', flag: 'r' });
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
  }
  const match = /^(\d+) ([0-9a-f]{16})\n$/.exec(text);
  return match ? { pid: Number(match[1]), token: match[2] as string, text } : undefined;
}

/** True if the owner still runs: another process that exists, or a download of this one. */
function alive(path: string, owner: Owner): boolean {
  if (owner.pid === process.pid) return held.get(path) === owner.token;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True if the lock file was made moments ago (its owner may still be writing it). */
async function young(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  return st !== undefined && Date.now() - st.mtimeMs < UNREADABLE_GRACE_MS;
}

/** Removes a stale lock, unless someone replaced it since it was read (then it is put back). */
async function takeAway(path: string, staleText: string): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return; // gone already
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== staleText) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

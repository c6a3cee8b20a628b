/**
 * The served folder's identities, kept on disk (issue 11): a server started again lists a large
 * folder without hashing every file, when a file's inode, size and mtime are the ones recorded
 * (the same stamp the in-memory cache trusts, served-folder.ts). It lives in the folder's
 * hidden state folder, `.txtmesh/identities`, which is never served (names.ts: no hidden
 * segments). Layout, one line each:
 *
 *   `txtmesh-identities 1` LF, then per file: the name as a JSON string, inode, size, mtime
 *   (ms), piece size, the piece hashes in base64, separated by tabs, LF.
 *
 * It is only a cache: a line that does not parse, or whose hashes do not fit its size, is
 * ignored, and a file that cannot be read or written costs nothing but the hashing. A file's
 * identity is computed from its piece hashes here, never read, so a damaged line cannot pair
 * one file's identity with another's hashes. Written to a temp name and renamed into place.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { HASH_BYTES } from '../constants.js';
import type { FileInfo } from './file-info.js';
import { identityOf } from './piece-hasher.js';

/** Where, inside the served folder. */
export const IDENTITY_CACHE_PATH = '.txtmesh/identities';
const MAGIC = 'txtmesh-identities 1';
/** A larger file is not read (64 MiB: some 400,000 small files). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/** A file's identity and the stamp it was computed for. */
export interface StampedInfo {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly info: FileInfo;
}

const wholeNumber = (s: string | undefined): number => (s !== undefined && /^\d{1,20}$/.test(s) ? Number(s) : NaN);

/** One line back into an entry, or undefined if it is not a well-formed one. */
function parseLine(line: string): StampedInfo | undefined {
  const [quoted, ino, size, mtime, pieceSizeText, hashes, extra] = line.split('\t');
  if (quoted === undefined || hashes === undefined || extra !== undefined) return undefined;
  let name: unknown;
  try {
    name = JSON.parse(quoted);
  } catch {
    return undefined;
  }
  const stamp = { ino: wholeNumber(ino), size: wholeNumber(size), mtimeMs: Number(mtime) };
  const pieceSize = wholeNumber(pieceSizeText);
  if (typeof name !== 'string' || !Number.isFinite(stamp.ino + stamp.size + stamp.mtimeMs) || !(pieceSize > 0)) return undefined;
  const pieceHashes = Buffer.from(hashes, 'base64');
  if (pieceHashes.length !== Math.ceil(stamp.size / pieceSize) * HASH_BYTES) return undefined;
  return { ...stamp, info: { name, size: stamp.size, identity: identityOf(pieceHashes), pieceSize, pieceHashes } };
}

/** The entries recorded for the folder at `root`; none if there is no readable cache. */
export async function loadIdentities(root: string): Promise<StampedInfo[]> {
  // O_NOFOLLOW: the cache is read only from a regular file of the folder's own, not through a link.
  const handle = await open(join(root, IDENTITY_CACHE_PATH), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
  if (!handle) return [];
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size > MAX_CACHE_BYTES) return [];
    const lines = (await handle.readFile('utf8')).split('\n');
    if (lines[0] !== MAGIC) return [];
    return lines.slice(1).flatMap((line) => parseLine(line) ?? []);
  } catch {
    return [];
  } finally {
    await handle.close();
  }
}

/** Records `entries` for the folder at `root`, replacing what was there. */
export async function saveIdentities(root: string, entries: Iterable<StampedInfo>): Promise<void> {
  const lines = [MAGIC];
  for (const { ino, size, mtimeMs, info } of entries) {
    lines.push([JSON.stringify(info.name), ino, size, mtimeMs, info.pieceSize, Buffer.from(info.pieceHashes).toString('base64')].join('\t'));
  }
  const path = join(root, IDENTITY_CACHE_PATH);
  await mkdir(join(path, '..'), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(lines.join('\n') + '\n');
  } finally {
    await handle.close();
  }
  await rename(temp, path).catch(async (err: unknown) => {
    await unlink(temp).catch(() => undefined);
    throw err;
  });
}

/** Files in a folder from which its identities are kept on disk: a smaller folder hashes in moments. */
export const CACHE_MIN_FILES = 500;

/**
 * One folder's cache on disk: read once, before its first scan; written after a scan that
 * hashed something, one write at a time, the last scan's entries winning.
 */
export class DiskIdentities {
  readonly #root: string;
  #loaded: Promise<StampedInfo[]> | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(root: string) {
    this.#root = root;
  }

  /** What the disk recorded (read on the first call). */
  load(): Promise<StampedInfo[]> {
    this.#loaded ??= loadIdentities(this.#root);
    return this.#loaded;
  }

  /** Writes `entries` in the background once the writes before are done; a failure is ignored. */
  save(entries: StampedInfo[]): void {
    this.#writing = this.#writing.then(() => saveIdentities(this.#root, entries)).catch(() => undefined);
  }

  /** Resolves when the writes started so far are done (for tests). */
  settled(): Promise<void> {
    return this.#writing;
  }
}

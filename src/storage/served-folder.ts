/**
 * The served folder: lists the *.txt files under served_files/ (names.ts), and describes each
 * by size and identity. Identities are computed once and cached, recomputed when a file's
 * size, mtime or inode changes. Nothing outside the folder is ever opened: names are checked
 * (names.ts), and symbolic links are never followed: a file or folder inside served_files/
 * that is a symlink is neither listed, served, nor written through (docs/PROTOCOL.md, "Names").
 */
import { type Stats, closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { TxtmeshError } from '../errors.js';
import type { FileEntry, FileInfo } from './file-info.js';
import { PIECE_SIZE } from '../constants.js';
import { type PartialCopy, openPartials } from './have-file.js';
import { PartialCopies } from './partial-copies.js';
import { resolveName, textNames } from './names.js';
import { isOutOfHandles, namedFailure, outOfHandles, passBusy } from './resources.js';
import { hashOpenFile, hashPiece, identityOf } from './piece-hasher.js';
import { type FileStamp, sameStamp, stampOfSync } from './file-stamp.js';
import { CACHE_MIN_FILES, DiskIdentities } from './identity-cache.js';

export { type FileStamp, sameStamp, stampOf, stampOfSync } from './file-stamp.js';

interface CacheEntry {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly info: FileInfo;
}

/** Files up to this size are hashed with synchronous reads when listed (less than a piece). */
const SMALL_FILE_BYTES = 64 * 1024;
/** Read buffer for small files: hashed before the next one is read, never kept. */
const SMALL_SCRATCH = Buffer.allocUnsafe(SMALL_FILE_BYTES);
// Hashing is CPU-bound; a few files at a time keeps both cores busy without thrashing the disk.
const hashLimit = pLimit(4);

export class ServedFolder {
  readonly root: string;
  #realRoot: string | undefined;
  readonly #cache = new Map<string, CacheEntry>();
  #scanning: Promise<FileEntry[]> | undefined;
  readonly #describing = new Map<string, Promise<FileInfo>>();
  /** Downloads in progress, kept between requests (partials()). */
  readonly #partials = new PartialCopies();
  readonly #disk: DiskIdentities;

  constructor(root: string) {
    this.root = root;
    this.#disk = new DiskIdentities(root);
  }

  /** Creates the folder if missing. */
  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    this.#realRoot = await realpath(this.root);
  }

  /**
   * The names of the served files, sorted, without hashing anything. The folder is globbed on
   * every call, so files dropped in or deleted while the server runs show at the next request.
   */
  names(): Promise<string[]> {
    return textNames(this.root);
  }

  /**
   * Every served file with size and identity, sorted by name. Unreadable files are skipped.
   * The glob's own lstat tells which cached identities still hold, so a warm listing opens no
   * file; small new files are hashed synchronously in batches (see #hashSmall).
   */
  list(): Promise<FileEntry[]> {
    // Callers that arrive while a scan runs share it (the background index at start, or many
    // peers listing at once) instead of hashing the same new files twice.
    this.#scanning ??= this.#scan().finally(() => (this.#scanning = undefined));
    return this.#scanning;
  }

  async #scan(): Promise<FileEntry[]> {
    const [names, recorded] = await Promise.all([textNames(this.root).catch((err: unknown) => Promise.reject(namedFailure(err))), this.#disk.load()]);
    // What the disk recorded (identity-cache.ts), taken once, where nothing newer is known.
    for (const entry of recorded.splice(0)) if (!this.#cache.has(entry.info.name)) this.#cache.set(entry.info.name, entry);
    const present = new Set(names);
    let hashed = 0;
    for (const name of this.#cache.keys()) if (!present.has(name)) this.#cache.delete(name);
    const described: (FileInfo | undefined)[] = [];
    const pending: Promise<void>[] = [];
    for (const [i, name] of names.entries()) {
      // Let other connections run between batches of synchronous calls.
      if (i % 256 === 255) await new Promise((resolve) => setImmediate(resolve));
      // lstat synchronously: metadata from the kernel's caches, ~2 µs, where the glob's own
      // async stats cost a thread-pool round trip per file.
      let st: Stats;
      try {
        st = lstatSync(join(this.root, ...name.split('/')));
      } catch {
        continue; // gone since the glob
      }
      if (!st.isFile()) continue;
      const cached = this.#cache.get(name);
      if (cached && sameStamp(cached, st)) {
        described[i] = cached.info;
      } else if (st.size <= SMALL_FILE_BYTES) {
        described[i] = this.#hashSmall(name);
        hashed++;
      } else {
        hashed++;
        // A file that cannot be described is left out, unless this process is out of file handles.
        pending.push(hashLimit(() => this.describe(name).then((info) => void (described[i] = info), passBusy)));
      }
    }
    await Promise.all(pending);
    if (hashed > 0 && names.length >= CACHE_MIN_FILES) this.#disk.save([...this.#cache.values()]);
    return described.filter((f): f is FileInfo => f !== undefined).map(({ name, size, identity }) => ({ name, size, identity }));
  }

  /**
   * Hashes a small file with synchronous calls: for a few KiB, the open, read and close take
   * microseconds each, and the thread-pool round trips of the async calls would cost far more.
   */
  #hashSmall(name: string): FileInfo | undefined {
    let fd: number | undefined;
    try {
      fd = openSync(resolveName(this.root, name), constants.O_RDONLY | constants.O_NOFOLLOW);
      const before = fstatSync(fd);
      if (!before.isFile() || before.size > SMALL_FILE_BYTES) return undefined;
      const data = SMALL_SCRATCH.subarray(0, before.size);
      let filled = 0;
      while (filled < data.length) {
        const n = readSync(fd, data, filled, data.length - filled, filled);
        if (n === 0) break;
        filled += n;
      }
      // Stamped with the stat from before the read: a write during the read changes the
      // mtime, so the next look at the file sees a new stamp and hashes it again.
      if (filled !== before.size) return undefined;
      // One piece at most (SMALL_FILE_BYTES < PIECE_SIZE); an empty file has none.
      const pieceHashes = filled === 0 ? Buffer.alloc(0) : hashPiece(data);
      const info: FileInfo = { name, size: filled, identity: identityOf(pieceHashes), pieceSize: PIECE_SIZE, pieceHashes };
      this.#cache.set(name, { size: before.size, mtimeMs: before.mtimeMs, ino: before.ino, info });
      return info;
    } catch (err) {
      if (isOutOfHandles(err)) throw outOfHandles(err);
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** True if something (file, folder or link) has this name now; a cheap check before describe(). */
  exists(name: string): boolean {
    return this.#lstat(name) !== undefined;
  }

  #lstat(name: string): Stats | undefined {
    try {
      return lstatSync(resolveName(this.root, name));
    } catch {
      return undefined;
    }
  }

  /**
   * Size, identity and piece hashes of one file.
   * @throws TxtmeshError ERR_BAD_NAME, ERR_NOT_FOUND
   */
  async describe(name: string): Promise<FileInfo> {
    const unchanged = this.#unchanged(name);
    if (unchanged) return unchanged;
    // Requests for a file that is being hashed wait for that hashing, then check the cache.
    const running = this.#describing.get(name);
    if (running) await running.catch(() => undefined);
    const handle = await this.openFile(name);
    const work = this.describeHandle(name, handle).finally(() => handle.close());
    this.#describing.set(name, work);
    try {
      return await work;
    } finally {
      if (this.#describing.get(name) === work) this.#describing.delete(name);
    }
  }

  /**
   * The cached description of a name in the folder itself still leading, not through a symlink, to the file
   * it was computed for: one lstat, where an open and a close cost two thread-pool round trips (INFO, issue 11).
   */
  #unchanged(name: string): FileInfo | undefined {
    const cached = this.#cache.get(name);
    const st = cached && !name.includes('/') ? this.#lstat(name) : undefined;
    return st?.isFile() && sameStamp(cached as CacheEntry, st) ? cached?.info : undefined;
  }

  /**
   * Opens a served file for reading. The file must be a regular file reached without any
   * symlink: O_NOFOLLOW refuses a linked file, and the real path of its folder must be the
   * folder the name spells out. FIFOs, sockets and devices are refused without blocking.
   * @throws TxtmeshError ERR_BAD_NAME, ERR_NOT_FOUND
   */
  async openFile(name: string): Promise<FileHandle> {
    const path = resolveName(this.root, name);
    const notFound = () => new TxtmeshError('ERR_NOT_FOUND', `no such file: ${name}`);
    // O_NONBLOCK: opening a FIFO (or a device) named like a served file must not block a
    // worker thread; it is refused below as not a regular file. Regular files ignore the flag.
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: unknown) => {
      throw isOutOfHandles(err) ? outOfHandles(err) : notFound();
    });
    try {
      const segments = name.split('/');
      const expectedDir = join(await this.#realRootPath(), ...segments.slice(0, -1));
      // Sync: metadata of a path just opened, from the kernel's caches (see stampOfSync).
      const realDir = segments.length === 1 ? expectedDir : realpathSync(join(path, '..'));
      if (realDir !== expectedDir || !fstatSync(handle.fd).isFile()) throw notFound();
      return handle;
    } catch (err) {
      await handle.close();
      throw err instanceof TxtmeshError ? err : notFound();
    }
  }

  /** The download in progress of this version of `name` if a fresh listing has it (partial-copies.ts): no disk access but its flags. */
  keptPartial(name: string, identity: string): PartialCopy | undefined {
    return this.#partials.kept(name, identity)?.find((c) => c.info.identity === identity);
  }

  /**
   * Downloads of `name` in progress in this folder (have-file.ts), most pieces first; none if
   * its folder is missing or not reached without a symlink.
   */
  async partials(name: string, identity?: string): Promise<PartialCopy[]> {
    // Kept between requests (partial-copies.ts): a crowd asks many times a second.
    const kept = this.#partials.kept(name, identity);
    if (kept) return kept;
    const path = resolveName(this.root, name);
    const segments = name.split('/');
    const expectedDir = join(await this.#realRootPath(), ...segments.slice(0, -1));
    const realDir = await realpath(join(path, '..')).catch(() => undefined);
    return realDir === expectedDir ? this.#partials.keep(name, await openPartials(path, name)) : [];
  }

  /**
   * Makes sure the folder that will hold `name` exists inside the served folder, creating
   * missing subfolders, and refusing a path through a symlink or a non-folder.
   * @returns the absolute path for `name`
   * @throws TxtmeshError ERR_BAD_NAME
   */
  async prepareDir(name: string): Promise<string> {
    const path = resolveName(this.root, name);
    let dir = await this.#realRootPath();
    for (const segment of name.split('/').slice(0, -1)) {
      dir = join(dir, segment);
      const st = await lstat(dir).catch(() => undefined);
      if (!st) {
        await mkdir(dir).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err;
        });
        continue;
      }
      if (!st.isDirectory()) {
        throw new TxtmeshError('ERR_BAD_NAME', `bad file name ${JSON.stringify(name)}: ${segment} is not a folder inside the served folder (symlinks are not followed)`);
      }
    }
    return path;
  }

  async #realRootPath(): Promise<string> {
    this.#realRoot ??= await realpath(this.root);
    return this.#realRoot;
  }

  /** Describes an open file, from the cache when its stamp (if given, fresh) is unchanged. */
  async describeHandle(name: string, handle: FileHandle, stamp?: FileStamp): Promise<FileInfo> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = attempt === 0 && stamp ? stamp : stampOfSync(handle);
      const cached = this.#cache.get(name);
      if (cached && sameStamp(cached, before)) return cached.info;
      const { pieceHashes, identity, size } = await hashOpenFile(handle, PIECE_SIZE);
      const after = stampOfSync(handle);
      // Rewritten while we hashed: the hashes may mix old and new bytes, so hash again.
      if (!sameStamp(before, after) || size !== after.size) continue;
      const info: FileInfo = { name, size, identity, pieceSize: PIECE_SIZE, pieceHashes };
      this.#cache.set(name, { ...after, info });
      return info;
    }
    throw new TxtmeshError('ERR_CHANGED', `${name} keeps changing; try again later`);
  }

  /**
   * The identity cached for `name` and the stamp it was computed for, without touching the
   * disk: the caller checks the stamp against the file it reads (server/range-reader.ts).
   */
  known(name: string): (FileStamp & { readonly info: FileInfo }) | undefined {
    return this.#cache.get(name);
  }

  /** Records a file this process just wrote, so it need not be hashed again. */
  remember(info: FileInfo, stamp: FileStamp): void {
    this.#cache.set(info.name, { ...stamp, info });
  }
}

/**
 * A download in progress: a hidden part file beside the target, named after the version being
 * fetched (`.notes.txt.dl-<identity prefix>.txtmesh-part`), so an interrupted download of the
 * same version resumes from it and a different version never does. Pieces already on disk are
 * re-verified against the piece hashes before they count (a power loss may have left zeros or
 * garbage). Nothing appears under the real name until the whole file is verified and fsynced.
 * Beside it, a sidecar (have-file.ts) records which pieces are verified, so this peer's server
 * can serve them while the download runs. A lock (download-lock.ts) keeps a second download of
 * the same name out of the folder until this one is closed or discarded.
 */
import { constants, fstatSync, fsyncSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HASH_BYTES, PIECE_SIZE } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import { removeQuietly, tempPathFor } from './atomic-file.js';
import { DownloadLock } from './download-lock.js';
import type { FileInfo } from './file-info.js';
import { HaveFile } from './have-file.js';
import { hashPiece } from './piece-hasher.js';
import { type Conflict, publishOrSame } from './publish.js';
import { type FileStamp, type ServedFolder, stampOfSync } from './served-folder.js';
import { isNoSpace, noSpace, noSpaceToFinish } from './resources.js';
import type { PublishResult, VersionsArea } from './versions-area.js';
import { DOWNLOAD_TAG, notePart, removeOtherVersions } from './stale-parts.js';
import { writeAll } from './write-all.js';

/** Files up to this size are fsynced synchronously on publish. */
const SYNC_FSYNC_BYTES = 1024 * 1024;
/** Writes up to this size are synchronous (write-all.ts): a small file's one write. */
const SYNC_WRITE_BYTES = 64 * 1024;
/**
 * Bytes written between background fdatasyncs (flush-behind): the kernel writes a download
 * out as it arrives instead of all at the end, so the final fsync before publishing is short
 * (issue 11: 0.21-0.28 s for 512 MiB before, 9-16 ms after).
 */
export const FLUSH_EVERY_BYTES = 32 * 1024 * 1024;
/**
 * Or, once a megabyte waits, this long after the last flush started: on slow links 32 MiB is
 * many seconds of data, and the last of it was all left to the final fsync (15 ms for 64 MiB
 * at 16 MB/s; with this, 2-4 MB).
 */
export const FLUSH_EVERY_MS = 250;

export class PartFile {
  readonly path: string;
  readonly finalPath: string;
  readonly #handle: FileHandle;
  readonly #folder: ServedFolder;
  readonly #info: FileInfo;
  readonly #flushEvery: { bytes: number; ms: number };
  /** performance.now() when the last flush started (or the file was opened). */
  #flushedAt = performance.now();
  readonly #lock: DownloadLock;
  #have: HaveFile | undefined;
  /** Pieces verified and on disk (resumed or marked), and their bytes: what a failure keeps. */
  #kept = { pieces: 0, bytes: 0 };
  /** Set once a write has failed: the part file is closed and takes no more. */
  #failure: Promise<Error> | undefined;
  #closed: Promise<void> | undefined;
  #isPublished = false;
  /** Bytes written since the last background flush started. */
  #unflushed = 0;
  #flushing: Promise<void> | undefined;
  /** A background flush that failed: the file must not be published (its error may not recur). */
  #flushError: unknown;
  /** Background flushes started. */
  flushes = 0;

  private constructor(path: string, finalPath: string, handle: FileHandle, folder: ServedFolder, info: FileInfo, lock: DownloadLock, flushEvery: { bytes: number; ms: number }) {
    this.path = path;
    this.finalPath = finalPath;
    this.#handle = handle;
    this.#folder = folder;
    this.#info = info;
    this.#flushEvery = flushEvery;
    this.#lock = lock;
  }

  /**
   * Takes the name's download lock, then opens (or creates) the part file for `info` in the
   * folder, removing part files of other versions of the same name.
   * @param options.flushEveryBytes bytes written between background flushes (FLUSH_EVERY_BYTES)
   * @param options.flushEveryMs ms after which a megabyte or more is flushed (FLUSH_EVERY_MS)
   * @returns the part file and the pieces already on disk that verify
   * @throws TxtmeshError ERR_BUSY while another download of the name into this folder runs
   */
  static async open(folder: ServedFolder, info: FileInfo, options: { flushEveryBytes?: number; flushEveryMs?: number } = {}): Promise<{ part: PartFile; verified: number[] }> {
    const finalPath = await folder.prepareDir(info.name);
    const lock = await DownloadLock.acquire(finalPath, info.name);
    let part: PartFile | undefined;
    try {
      const path = tempPathFor(finalPath, DOWNLOAD_TAG + info.identity.slice(0, 16));
      // Stale parts of other versions are only garbage: cleared in the background.
      void removeOtherVersions(finalPath, path);
      // Open or create in one call; a file with bytes in it is an earlier attempt to resume.
      const handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
      part = new PartFile(path, finalPath, handle, folder, info, lock, { bytes: options.flushEveryBytes ?? FLUSH_EVERY_BYTES, ms: options.flushEveryMs ?? FLUSH_EVERY_MS });
      notePart(path, true);
      const verified = fstatSync(handle.fd).size > 0 ? await part.#verifyExisting(info) : [];
      for (const piece of verified) part.#count(piece);
      // A file of one piece is never partly held: its sidecar would tell this peer's server
      // nothing it could serve, and costs five file operations per small file (issue 11).
      if (info.pieceHashes.length > HASH_BYTES) part.#have = await HaveFile.create(path, info, verified).catch((err: unknown) => Promise.reject(isNoSpace(err) ? new TxtmeshError('ERR_NO_SPACE', `no space left beside ${finalPath} to start downloading ${info.name}`, { cause: err }) : err));
      if (part.#have) notePart(part.#have.path, true);
      return { part, verified };
    } catch (err) {
      await (part ? part.close() : lock.release());
      throw err;
    }
  }

  /**
   * Writes verified pieces at their offset; every FLUSH_EVERY_BYTES (or FLUSH_EVERY_MS), starts a flush behind.
   * @throws TxtmeshError ERR_NO_SPACE when the disk is full (see #failed); any other failure as it is
   */
  async write(offset: number, data: Buffer): Promise<void> {
    if (this.#failure) throw await this.#failure;
    await writeAll(this.#handle, data, offset, SYNC_WRITE_BYTES).catch(async (err: unknown) => Promise.reject(await this.#failed(err)));
    this.#unflushed += data.length;
    const due = this.#unflushed >= this.#flushEvery.bytes || (this.#unflushed >= SYNC_FSYNC_BYTES && performance.now() - this.#flushedAt >= this.#flushEvery.ms);
    if (due && !this.#flushing) this.#flushBehind();
  }

  /** fdatasync in the background; writes go on meanwhile. At most one runs at a time. */
  #flushBehind(): void {
    this.#unflushed = 0;
    this.#flushedAt = performance.now();
    this.flushes++;
    this.#flushing = this.#handle
      .datasync()
      .catch((err: unknown) => void (this.#flushError ??= err))
      .finally(() => (this.#flushing = undefined));
  }

  /** Records that `count` pieces from `piece` written with write() are verified: this peer's server may serve them now. */
  async markVerified(piece: number, count = 1): Promise<void> {
    if (this.#failure) throw await this.#failure;
    await this.#have?.mark(piece, count).catch(async (err: unknown) => Promise.reject(await this.#failed(err)));
    for (let p = piece; p < piece + count; p++) this.#count(p);
  }

  #count(piece: number): void {
    this.#kept.pieces++;
    this.#kept.bytes += Math.min(this.#info.pieceSize, this.#info.size - piece * this.#info.pieceSize);
  }

  /**
   * A write failed, so the part file takes no more: it is closed and the name's lock let go;
   * kept if it holds verified pieces (a later #DOWNLOAD resumes from them), else removed. A full
   * disk becomes ERR_NO_SPACE saying how much more the file needs, what is free, and where its
   * pieces are kept. Every write still in flight, and every later one, fails the same way.
   */
  #failed(err: unknown): Promise<Error> {
    this.#failure ??= (async () => {
      const { pieces, bytes } = this.#kept;
      if (pieces > 0) await this.close();
      else await this.discard();
      if (!isNoSpace(err)) return err instanceof Error ? err : new Error(String(err));
      const kept = pieces > 0 ? `the ${pieces} verified piece${pieces === 1 ? ' is' : 's are'} kept in ${this.path}, so the same #DOWNLOAD resumes from them once there is room` : 'nothing was kept';
      return noSpace(dirname(this.finalPath), this.#info.name, this.#info.size - bytes, kept, err);
    })();
    return this.#failure;
  }

  /**
   * fsyncs and links the complete file into place without replacing anything (publish.ts).
   * @returns 'stored', or 'same' when the same file took the name meanwhile
   * @throws the caller's `conflict` (ERR_EXISTS) when a different file took it
   */
  async publish(conflict: Conflict): Promise<'stored' | 'same'> {
    const stamp = await this.#finish();
    const result = await publishOrSame(this.#folder, { tempPath: this.path, finalPath: this.finalPath }, this.#info.name, this.#info.identity, conflict).catch(async (err: unknown) => Promise.reject(await this.#finishFailed(err)));
    if (result === 'stored') this.#markPublished(stamp);
    return result;
  }

  /**
   * fsyncs and puts the complete file under its name, replacing another version there, which
   * `versions` keeps (versions-area.ts: never neither under the name).
   */
  async publishReplacing(versions: VersionsArea): Promise<PublishResult> {
    const stamp = await this.#finish();
    const published = await versions.publish(this.path, this.#info.name, this.#info.identity).catch(async (err: unknown) => Promise.reject(await this.#finishFailed(err)));
    if (published.result !== 'same') this.#markPublished(stamp);
    return published;
  }

  async #finish(): Promise<FileStamp> {
    try {
      await this.#flushing;
      if (this.#flushError !== undefined) throw this.#flushError;
      const stamp = stampOfSync(this.#handle);
      // A small file's fsync takes well under a millisecond: done in place, it saves a thread-pool
      // round trip per file when many small files are fetched one after another.
      if (stamp.size <= SYNC_FSYNC_BYTES) fsyncSync(this.#handle.fd);
      else await this.#handle.sync();
      void this.#closeFiles(); // closed while it is linked into place; close() and discard() wait for it
      return stamp;
    } catch (err) {
      throw await this.#finishFailed(err);
    }
  }

  /**
   * A full disk at the last step (the fsync, or the link that gives the file its name): the
   * file stays in its part file, whose pieces the same #DOWNLOAD verifies again and publishes;
   * the caller closes rather than discards it (ERR_NO_SPACE). Any other failure as it is.
   */
  async #finishFailed(err: unknown): Promise<unknown> {
    if (!isNoSpace(err)) return err;
    await this.#closeFiles();
    return noSpaceToFinish(dirname(this.finalPath), this.#info.name, `every piece is kept in ${this.path}, so the same #DOWNLOAD finishes it once there is room`, err);
  }

  #markPublished(stamp: FileStamp): void {
    this.#isPublished = true;
    this.#folder.remember(this.#info, stamp);
  }

  /** Closes the file, leaving it on disk for a later resume, and lets other downloads of the name in. */
  async close(): Promise<void> {
    await this.#closeFiles();
    await this.#lock.release();
  }

  /** Closes and deletes the part file (after publish(), its name is already gone). */
  async discard(): Promise<void> {
    await this.#closeFiles();
    // The sidecar goes first: a server must not be pointed at a part file that is gone.
    await this.#have?.remove();
    if (!this.#isPublished) await removeQuietly(this.path);
    for (const path of [this.path, this.#have?.path]) if (path) notePart(path, false);
    await this.#lock.release();
  }

  /** Closes the part file and its sidecar (never fails); the lock stays until close() or discard(). */
  #closeFiles(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#flushing;
      await this.#handle.close().catch(() => undefined);
      await this.#have?.close();
    })();
    return this.#closed;
  }

  /** Hashes each full-length piece already in the file; returns the ones that match. */
  async #verifyExisting(info: FileInfo): Promise<number[]> {
    const { size } = fstatSync(this.#handle.fd);
    const verified: number[] = [];
    const buffer = Buffer.allocUnsafe(PIECE_SIZE);
    const pieces = info.pieceHashes.length / HASH_BYTES;
    for (let piece = 0; piece < pieces; piece++) {
      const offset = piece * info.pieceSize;
      const length = Math.min(info.pieceSize, info.size - offset);
      if (offset + length > size) break;
      const { bytesRead } = await this.#handle.read(buffer, 0, length, offset);
      if (bytesRead !== length) break;
      const expected = info.pieceHashes.subarray(piece * HASH_BYTES, (piece + 1) * HASH_BYTES);
      if (hashPiece(buffer.subarray(0, length)).equals(expected)) verified.push(piece);
    }
    return verified;
  }
}

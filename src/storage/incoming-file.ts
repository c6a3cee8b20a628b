/**
 * An upload being received: bytes are hashed as they arrive and appended to a hidden temp file;
 * commit() checks size and identity against what the sender announced, fsyncs, and links the
 * file into place without replacing anything. An abort or a cut connection leaves nothing
 * under the real name.
 */
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TxtmeshError } from '../errors.js';
import { PIECE_SIZE } from '../constants.js';
import { createTempFile, removeQuietly } from './atomic-file.js';
import { PieceHasher } from './piece-hasher.js';
import { publishOrSame } from './publish.js';
import { type ServedFolder, stampOf } from './served-folder.js';
import { bytesText, freeBytes, isNoSpace, namedFailure, noSpaceToFinish } from './resources.js';
import type { KeptVersion, VersionsArea } from './versions-area.js';
import { writeAll } from './write-all.js';

/** stored: published under a free name; same: the name held these bytes; replaced: see IncomingFile.kept. */
export type CommitResult = 'stored' | 'same' | 'replaced';

export class IncomingFile {
  readonly #folder: ServedFolder;
  readonly #name: string;
  readonly #finalPath: string;
  readonly #size: number;
  readonly #identity: string;
  readonly #hasher = new PieceHasher(PIECE_SIZE);
  readonly #versions: VersionsArea | undefined;
  #tempPath = '';
  #handle: FileHandle | undefined;
  #written = 0;
  /** After a 'replaced' commit: the version that left the name, kept in the versions area. */
  kept: KeptVersion | undefined;

  private constructor(folder: ServedFolder, name: string, finalPath: string, size: number, identity: string, versions: VersionsArea | undefined) {
    this.#folder = folder;
    this.#versions = versions;
    this.#name = name;
    this.#finalPath = finalPath;
    this.#size = size;
    this.#identity = identity;
  }

  /**
   * Starts receiving `size` bytes of `name`, announced with `identity`. With `replace`, the
   * file may take the name from another version, which is then kept there.
   * @throws TxtmeshError ERR_NO_SPACE when the disk has less room than `size`; ERR_BUSY when
   *   this process is out of file handles
   */
  static async create(folder: ServedFolder, name: string, size: number, identity: string, replace?: VersionsArea): Promise<IncomingFile> {
    const file = new IncomingFile(folder, name, await folder.prepareDir(name), size, identity, replace);
    const free = await freeBytes(dirname(file.#finalPath));
    if (free !== undefined && free < size) throw await file.#noSpace(size);
    const { path, handle } = await createTempFile(file.#finalPath).catch((err: unknown) => Promise.reject(namedFailure(err)));
    file.#tempPath = path;
    file.#handle = handle;
    return file;
  }

  /** Appends a chunk of the body. */
  async write(chunk: Buffer): Promise<void> {
    if (!this.#handle) throw new Error('IncomingFile is closed');
    if (this.#written + chunk.length > this.#size) throw new TxtmeshError('ERR_UPLOAD_MISMATCH', 'more bytes than announced');
    this.#hasher.update(chunk);
    await writeAll(this.#handle, chunk, this.#written).catch(async (err: unknown) => Promise.reject(isNoSpace(err) ? await this.#noSpace(this.#size - this.#written, err) : err));
    this.#written += chunk.length;
  }

  /** ERR_NO_SPACE for an upload, on the wire: what it needs and what is free, not where. */
  async #noSpace(needed: number, cause?: unknown): Promise<TxtmeshError> {
    const free = await freeBytes(dirname(this.#finalPath));
    const freeText = free === undefined ? '' : `, and ${bytesText(free)} ${free === 1 ? 'is' : 'are'} free`;
    return new TxtmeshError('ERR_NO_SPACE', `no space left on this peer's disk for ${this.#name}: it needs ${bytesText(needed)} more${freeText}; nothing was kept`, { cause });
  }

  /** A disk too full for the fsync or the name (inodes, directory space) is ERR_NO_SPACE too. */
  async #finishFailed(err: unknown): Promise<unknown> {
    return isNoSpace(err) ? noSpaceToFinish(dirname(this.#finalPath), this.#name, 'nothing was kept', err, "this peer's disk") : err;
  }

  /**
   * Verifies and publishes the file.
   * @throws TxtmeshError ERR_UPLOAD_MISMATCH (bytes differ from the announced identity),
   *   ERR_EXISTS (a different file already has the name), ERR_NO_SPACE (no room to finish it)
   */
  async commit(): Promise<CommitResult> {
    const handle = this.#handle;
    if (!handle) throw new Error('IncomingFile is closed');
    try {
      const { identity, pieceHashes } = this.#hasher.digest();
      if (this.#written !== this.#size || identity !== this.#identity) {
        throw new TxtmeshError('ERR_UPLOAD_MISMATCH', `received ${this.#written} bytes with identity ${identity.slice(0, 12)}, but the request announced ${this.#size} bytes with identity ${this.#identity.slice(0, 12)}`);
      }
      await handle.sync().catch(async (err: unknown) => Promise.reject(await this.#finishFailed(err)));
      const stamp = await stampOf(handle);
      await handle.close();
      this.#handle = undefined;
      // Someone else may have published first (another upload or a download): same bytes is success.
      const conflict = () => new TxtmeshError('ERR_EXISTS', `${this.#name} already exists with different content; nothing was replaced`);
      const published = await (this.#versions
        ? this.#versions.publish(this.#tempPath, this.#name, identity)
        : publishOrSame(this.#folder, { tempPath: this.#tempPath, finalPath: this.#finalPath }, this.#name, identity, conflict).then((result) => ({ result, kept: undefined }))
      ).catch(async (err: unknown) => Promise.reject(await this.#finishFailed(err)));
      if (published.result !== 'same') this.#folder.remember({ name: this.#name, size: this.#size, identity, pieceSize: PIECE_SIZE, pieceHashes }, stamp);
      this.kept = published.kept;
      return published.result;
    } finally {
      await this.abort();
    }
  }

  /** Closes and removes the temp file (no-op after a successful commit). */
  async abort(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
    await removeQuietly(this.#tempPath);
  }
}

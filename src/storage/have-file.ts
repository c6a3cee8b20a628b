/**
 * What a download in progress has verified, where this peer's server can read it: a hidden
 * sidecar beside the part file (`.notes.txt.dl-<identity prefix>.txtmesh-have`), so the server,
 * another process, serves the verified pieces of a file it is still downloading
 * (docs/PROTOCOL.md, "Partial holders"). Layout:
 *
 *   `txtmesh-have 1 <identity> <size> <piece size>` LF, the piece hashes (32 bytes each), then
 *   one byte per piece: 1 once the piece's bytes are written to the part file and verified.
 *
 * A flag is one byte written in place after the piece's data, so a reader never sees a piece
 * as held before its bytes are in the part file; the reader still re-hashes each piece it
 * serves (a part file can be cut short or deleted under it).
 */
import { createHash } from 'node:crypto';
import { constants, fstatSync, readSync } from 'node:fs';
import { type FileHandle, open, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HASH_BYTES, IDENTITY_PATTERN, PIECE_SIZE } from '../constants.js';
import { TEMP_SUFFIX, removeQuietly } from './atomic-file.js';
import type { FileInfo } from './file-info.js';
import { isOutOfHandles, outOfHandles } from './resources.js';

export const HAVE_SUFFIX = '.txtmesh-have';
const MAGIC = 'txtmesh-have 1';
/** Longest header line (magic, 64 hex digits, two numbers). */
const MAX_HEADER = 128;

/** The sidecar path of a part file. */
export function havePathFor(partPath: string): string {
  return partPath.endsWith(TEMP_SUFFIX) ? partPath.slice(0, -TEMP_SUFFIX.length) + HAVE_SUFFIX : partPath + HAVE_SUFFIX;
}

/** The part file of a sidecar. */
export function partPathFor(havePath: string): string {
  return havePath.slice(0, -HAVE_SUFFIX.length) + TEMP_SUFFIX;
}

function headerOf(info: FileInfo): Buffer {
  return Buffer.from(`${MAGIC} ${info.identity} ${info.size} ${info.pieceSize}\n`, 'utf8');
}

/** The writer's side: kept by the downloading client. */
export class HaveFile {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #flagsAt: number;

  private constructor(path: string, handle: FileHandle, flagsAt: number) {
    this.path = path;
    this.#handle = handle;
    this.#flagsAt = flagsAt;
  }

  /** Writes a fresh sidecar for a part file, with the pieces already verified in it. */
  static async create(partPath: string, info: FileInfo, verified: Iterable<number>): Promise<HaveFile> {
    const path = havePathFor(partPath);
    const header = headerOf(info);
    const pieces = info.pieceHashes.length / HASH_BYTES;
    const flags = Buffer.alloc(pieces);
    for (const piece of verified) if (piece >= 0 && piece < pieces) flags[piece] = 1;
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
    await handle.writev([header, info.pieceHashes, flags], 0);
    return new HaveFile(path, handle, header.length + info.pieceHashes.length);
  }

  /**
   * Records that the verified bytes of `count` pieces from `piece` are in the part file (call
   * after they are written): one write for a request's run of pieces.
   */
  async mark(piece: number, count = 1): Promise<void> {
    await this.#handle.write(count === 1 ? ONE : Buffer.alloc(count, 1), 0, count, this.#flagsAt + piece);
  }

  async close(): Promise<void> {
    await this.#handle.close().catch(() => undefined);
  }

  /** Closes and deletes the sidecar. */
  async remove(): Promise<void> {
    await this.close();
    await removeQuietly(this.path);
  }
}

const ONE = Buffer.from([1]);

/** A download in progress as the server sees it. */
export interface PartialCopy {
  readonly info: FileInfo;
  /** One byte per piece: 1 if held. */
  readonly have: Uint8Array;
  readonly heldCount: number;
  /** The part file holding the verified pieces' bytes. */
  readonly partPath: string;
}

/** A sidecar read and left open, so its flags can be read again cheaply (flagsNow). */
export interface OpenPartial {
  readonly copy: PartialCopy;
  readonly handle: FileHandle;
  /** Where the flags start in the sidecar. */
  readonly flagsAt: number;
}

/**
 * Reads a sidecar, or undefined if it is missing, malformed, or disagrees with itself (its
 * hashes do not give its identity): a bad sidecar is never believed.
 * @throws TxtmeshError ERR_BUSY when this process is out of file handles
 */
export async function readPartial(havePath: string, name: string): Promise<PartialCopy | undefined> {
  const opened = await openPartial(havePath, name);
  await opened?.handle.close().catch(() => undefined);
  return opened?.copy;
}

/** Like readPartial, leaving the sidecar open when it is believed (the caller closes it). */
export async function openPartial(havePath: string, name: string): Promise<OpenPartial | undefined> {
  let handle: FileHandle | undefined;
  let opened: OpenPartial | undefined;
  try {
    handle = await open(havePath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stat = fstatSync(handle.fd);
    if (!stat.isFile() || stat.size > MAX_HEADER + 64 * 1024 * 1024) return undefined;
    const bytes = Buffer.allocUnsafe(stat.size);
    const { bytesRead } = await handle.read(bytes, 0, stat.size, 0);
    const copy = parsePartial(bytes.subarray(0, bytesRead), name, partPathFor(havePath));
    opened = copy && { copy, handle, flagsAt: bytesRead - copy.have.length };
    return opened;
  } catch (err) {
    // Out of file handles says nothing about the sidecar: the caller says busy, not "not here".
    if (isOutOfHandles(err)) throw outOfHandles(err);
    return undefined;
  } finally {
    if (!opened) await handle?.close().catch(() => undefined);
  }
}

/**
 * What an open sidecar holds now: its flags read again (one small read, from the page cache),
 * or undefined if they cannot be read whole, or the sidecar was removed (the download ended).
 */
export function flagsNow(opened: OpenPartial): PartialCopy | undefined {
  const have = new Uint8Array(opened.copy.have.length);
  try {
    if (fstatSync(opened.handle.fd).nlink === 0) return undefined;
    if (readSync(opened.handle.fd, have, 0, have.length, opened.flagsAt) !== have.length) return undefined;
  } catch {
    return undefined;
  }
  let heldCount = 0;
  for (const flag of have) if (flag === 1) heldCount++;
  return { ...opened.copy, have, heldCount };
}

function parsePartial(bytes: Buffer, name: string, partPath: string): PartialCopy | undefined {
  const lf = bytes.indexOf(0x0a);
  if (lf < 0 || lf > MAX_HEADER) return undefined;
  const [magic, version, identity = '', sizeText = '', pieceText = ''] = bytes.subarray(0, lf).toString('latin1').split(' ');
  const size = Number(sizeText);
  if (`${magic} ${version}` !== MAGIC || !IDENTITY_PATTERN.test(identity) || !Number.isSafeInteger(size) || size < 0 || Number(pieceText) !== PIECE_SIZE) return undefined;
  const pieces = Math.ceil(size / PIECE_SIZE);
  const hashesEnd = lf + 1 + pieces * HASH_BYTES;
  if (bytes.length !== hashesEnd + pieces) return undefined;
  const pieceHashes = Buffer.from(bytes.subarray(lf + 1, hashesEnd));
  if (createHash('sha256').update(pieceHashes).digest('hex') !== identity) return undefined;
  const have = new Uint8Array(bytes.subarray(hashesEnd));
  let heldCount = 0;
  for (const flag of have) if (flag === 1) heldCount++;
  return { info: { name, size, identity, pieceSize: PIECE_SIZE, pieceHashes }, have, heldCount, partPath };
}

/**
 * The downloads in progress of `finalPath` in its folder, most pieces first (one per version
 * being fetched; usually one).
 */
export async function findPartials(finalPath: string, name: string): Promise<PartialCopy[]> {
  const found = await openPartials(finalPath, name);
  await Promise.all(found.map((f) => f.handle.close().catch(() => undefined)));
  return found.map((f) => f.copy);
}

/** Like findPartials, with every sidecar left open (the caller closes them). */
export async function openPartials(finalPath: string, name: string): Promise<OpenPartial[]> {
  const prefix = `.${basename(finalPath)}.dl-`;
  const names = await readdir(dirname(finalPath)).catch((err: unknown) => (isOutOfHandles(err) ? Promise.reject(outOfHandles(err)) : ([] as string[])));
  const found: OpenPartial[] = [];
  try {
    for (const entry of names) {
      if (!entry.startsWith(prefix) || !entry.endsWith(HAVE_SUFFIX)) continue;
      const opened = await openPartial(join(dirname(finalPath), entry), name);
      if (opened) found.push(opened);
    }
  } catch (err) {
    await Promise.all(found.map((f) => f.handle.close().catch(() => undefined)));
    throw err;
  }
  return found.sort((a, b) => b.copy.heldCount - a.copy.heldCount);
}

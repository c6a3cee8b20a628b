/**
 * The bytes a GET answers with (docs/PROTOCOL.md, "GET"): a range of a served file, read from
 * disk SEND_CHUNK bytes at a time into pooled buffers, never bytes of two versions mixed.
 *
 * The common case, a downloader asking for one range after another of a file whose identity
 * is known, costs one positional read and one stat: the range is read first, then the name is
 * stat'ed, and the bytes go out only if the name still leads to the open file with the size,
 * mtime and inode its identity was computed for (a write during the read changes the mtime).
 * Anything else (the first GET of a file, a file that changed) takes the careful path: the
 * file is described again from its handle, and each chunk is read between two stamps.
 * Reads are callbacks into pooled buffers (issue 11: cheaper than FileHandle promises). A small
 * range of a known file is read with synchronous calls instead (small()).
 */
import { closeSync, constants, fstatSync, openSync, read, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { TxtmeshError } from '../errors.js';
import type { FileInfo } from '../storage/file-info.js';
import { resolveName } from '../storage/names.js';
import { type FileStamp, type ServedFolder, sameStamp, stampOfSync } from '../storage/served-folder.js';
import type { BufferPool } from '../transport/buffer-pool.js';
import type { HandleCache } from './handle-cache.js';

/**
 * Bytes read from disk and sent at a time while streaming a range: 1 MiB reads cost about half
 * as much per byte as 256 KiB ones here, and bound a connection's memory all the same.
 */
export const SEND_CHUNK = 1024 * 1024;

/** Known files up to this size are read with synchronous calls (small()). */
export const SYNC_READ_BYTES = 64 * 1024;

/** What a GET asks for. */
export interface Range {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  readonly identity?: string;
}

/** A range being read: its open file, and the stamp every chunk is checked against. */
interface Source {
  readonly handles: HandleCache;
  readonly pool: BufferPool;
  readonly range: Range;
  readonly handle: FileHandle;
  readonly stamp: FileStamp;
}

/**
 * The chunks of a range, the first already read and checked (so a changed file is answered
 * with a clean ERR_CHANGED before any OK). Later chunks of a long range are read as they are
 * consumed; one of a file that changed meanwhile throws ERR_CHANGED (the connection closes).
 * Each chunk is a pooled buffer: give it back once the socket is done with it.
 * @throws TxtmeshError ERR_NOT_FOUND, ERR_CHANGED, ERR_BAD_RANGE
 */
export async function readRange(folder: ServedFolder, handles: HandleCache, pool: BufferPool, range: Range): Promise<Iterable<Buffer> | AsyncIterable<Buffer>> {
  const quick = small(folder, pool, range);
  if (quick) return [quick];
  const source: Source & { first?: Buffer } = (await known(folder, handles, pool, range)) ?? (await described(folder, handles, pool, range));
  const first = source.first ?? (await readChecked(source, 0));
  if (first.length === range.length) return [first];
  return rest(source, first);
}

/** The quick path: a file whose identity is known and whose handle is open. */
async function known(folder: ServedFolder, handles: HandleCache, pool: BufferPool, range: Range): Promise<(Source & { first?: Buffer }) | undefined> {
  const cached = folder.known(range.name);
  const open = handles.peek(range.name);
  if (!cached || !open || open.ino !== cached.ino || !fits(cached.info, range)) return undefined;
  const data = pool.take(Math.min(pool.size, range.length));
  const filled = await readAt(open.handle.fd, data, range.offset);
  const now = handles.stampOf(range.name);
  if (filled === data.length && now && sameStamp(now, cached)) return { handles, pool, range, handle: open.handle, stamp: cached, first: data };
  pool.give(data);
  return undefined;
}

/**
 * A range of a small known file in the folder itself, read with synchronous calls: open
 * (O_NOFOLLOW and O_NONBLOCK, as ServedFolder.openFile does), fstat, read, fstat, close take
 * microseconds from the page cache, where the async path's thread-pool round trips cost more
 * than the bytes (issue 11: many small files fetched one after another). The open file must be
 * the one whose identity is known (inode, size, mtime) before and after the read; else, or on
 * any error, undefined, and the async path decides.
 */
function small(folder: ServedFolder, pool: BufferPool, range: Range): Buffer | undefined {
  const cached = folder.known(range.name);
  if (!cached || cached.info.size > SYNC_READ_BYTES || range.length === 0 || range.length > pool.size || range.name.includes('/') || !fits(cached.info, range)) return undefined;
  let fd: number | undefined;
  const data = pool.take(range.length);
  try {
    fd = openSync(resolveName(folder.root, range.name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    if (readKnown(fd, data, range.offset, cached)) return data; // opened and closed: large files keep theirs in the handle cache
  } catch {
    // the async path tells what is wrong
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  pool.give(data);
  return undefined;
}

/** Fills `data` from `position` of an open file that is the `known` one, before and after the read. */
function readKnown(fd: number, data: Buffer, position: number, known: FileStamp): boolean {
  const before = fstatSync(fd);
  if (!before.isFile() || !sameStamp(before, known)) return false;
  for (let filled = 0; filled < data.length; ) {
    const bytes = readSync(fd, data, filled, data.length - filled, position + filled);
    if (bytes === 0) return false;
    filled += bytes;
  }
  return sameStamp(fstatSync(fd), known);
}

/** The careful path: describes the open file now, then checks the range against it. */
async function described(folder: ServedFolder, handles: HandleCache, pool: BufferPool, range: Range): Promise<Source> {
  const { name, offset, length, identity } = range;
  const handle = await handles.get(name);
  const stamp = stampOfSync(handle);
  const info = await folder.describeHandle(name, handle, stamp);
  if (identity !== undefined && info.identity !== identity) {
    await handles.drop(name);
    throw new TxtmeshError('ERR_CHANGED', `${name} has changed: it now has identity ${info.identity.slice(0, 12)}`);
  }
  if (offset + length > info.size) {
    throw new TxtmeshError('ERR_BAD_RANGE', `range ${offset}+${length} is beyond the end of ${name} (${info.size} bytes)`);
  }
  return { handles, pool, range, handle, stamp };
}

/** True if the range is within the file and of the version asked for. */
function fits(info: FileInfo, range: Range): boolean {
  return (range.identity === undefined || range.identity === info.identity) && range.offset + range.length <= info.size;
}

async function* rest(source: Source, first: Buffer): AsyncGenerator<Buffer> {
  yield first;
  for (let at = first.length; at < source.range.length; ) {
    const data = await readChecked(source, at);
    at += data.length;
    yield data;
  }
}

/** Reads the chunk at `at` in the range, and checks the file still has the stamp. */
async function readChecked(source: Source, at: number): Promise<Buffer> {
  const { pool, range, handle, stamp } = source;
  const data = pool.take(Math.min(pool.size, range.length - at));
  const filled = await readAt(handle.fd, data, range.offset + at);
  if (filled < data.length || !sameStamp(stamp, stampOfSync(handle))) {
    pool.give(data);
    await source.handles.drop(range.name);
    throw new TxtmeshError('ERR_CHANGED', `${range.name} changed while it was being read`);
  }
  return data;
}

/** Fills `buffer` from `position` of the file; fewer bytes only at its end. */
function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let filled = 0;
    const next = () => {
      if (filled === buffer.length) return resolve(filled);
      read(fd, buffer, filled, buffer.length - filled, position + filled, (err, bytes) => {
        if (err) return reject(err);
        if (bytes === 0) return resolve(filled);
        filled += bytes;
        next();
      });
    };
    next();
  });
}

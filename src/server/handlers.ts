/**
 * Request handlers: one per verb (docs/PROTOCOL.md, "Requests"). Each gets the parsed header
 * and answers through `reply`; bodies of requests (PUT) arrive through a BodySink.
 */
import { statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { MAX_RANGE_BYTES, PROTOCOL_VERSION } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import type { Header } from '../protocol/header.js';
import { decodeName } from '../protocol/header.js';
import { encodeListBody, encodeOk, encodeOkWords, isIdentity } from '../protocol/messages.js';
import { IncomingFile } from '../storage/incoming-file.js';
import type { BufferPool } from '../transport/buffer-pool.js';
import { checkName, resolveName } from '../storage/names.js';
import { type ServedFolder, sameStamp, stampOfSync } from '../storage/served-folder.js';

/** What handlers need from the server. */
export interface HandlerContext {
  readonly folder: ServedFolder;
  /** Buffers for reading ranges (SEND_CHUNK bytes each). */
  readonly readPool: BufferPool;
  readonly peerId: string;
  readonly maxUploadBytes: number;
}

/** An answer: header (and small body) frames, then optionally a streamed body. */
export interface Reply {
  readonly head: Buffer[];
  /** Streamed after `head`; if it throws part-way, the connection is closed (the length is already promised). */
  readonly body?: AsyncIterable<Buffer>;
  /** Called with each body chunk once the socket no longer needs it (pooled buffers). */
  readonly release?: (chunk: Buffer) => void;
}

/** Consumes a request body chunk by chunk. */
export interface BodySink {
  write(chunk: Buffer): Promise<void>;
  /** Called after the last body byte; returns the answer. */
  finish(): Promise<Reply>;
  /** Called if the connection dies mid-body. */
  abort(): Promise<void>;
}

/** Facts about a request for the log line. */
export interface RequestNote {
  name?: string;
  bytes?: number;
}

function badRequest(message: string): TxtmeshError {
  return new TxtmeshError('ERR_BAD_REQUEST', message);
}

function argName(header: Header, index: number): string {
  const field = header.args[index];
  if (field === undefined) throw badRequest(`${header.verb} needs a file name`);
  const name = decodeName(field);
  if (name === undefined) throw new TxtmeshError('ERR_BAD_NAME', 'file name has a bad percent-escape or invalid UTF-8');
  return checkName(name);
}

function argCount(header: Header, index: number, what: string): number {
  const text = header.args[index];
  // Same grammar as the header's own numbers: decimal, no leading zeros.
  if (text === undefined || !/^(0|[1-9]\d{0,15})$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw badRequest(`${header.verb} needs a decimal ${what}`);
  }
  return Number(text);
}

/**
 * HELLO: version check. `OK <id> 0 txtmesh/1 peer=<server id>`, plus `as=anonymous` when the
 * connection claimed an ID the settings do not list and is served as an anonymous reader.
 */
export function onHello(ctx: HandlerContext, header: Header, anonymous = false): Reply {
  if (header.args[0] !== PROTOCOL_VERSION) {
    throw badRequest(`unsupported protocol ${header.args[0] ?? '(none)'}; this server speaks ${PROTOCOL_VERSION}`);
  }
  return { head: [encodeOkWords(header.id, [PROTOCOL_VERSION, `peer=${ctx.peerId}`, ...(anonymous ? ['as=anonymous'] : [])])] };
}

/** LIST: every served file. */
export async function onList(ctx: HandlerContext, header: Header, note: RequestNote): Promise<Reply> {
  const files = await ctx.folder.list();
  const body = encodeListBody(files);
  note.bytes = body.length;
  return { head: [encodeOk(header.id, body.length, { files: files.length }), body] };
}

/** INFO: size, identity and piece hashes of one file. */
export async function onInfo(ctx: HandlerContext, header: Header, note: RequestNote): Promise<Reply> {
  const name = (note.name = argName(header, 0));
  const info = await ctx.folder.describe(name);
  note.bytes = info.pieceHashes.length;
  const head = encodeOk(header.id, info.pieceHashes.length, {
    size: info.size,
    piece: info.pieceSize,
    pieces: info.pieceHashes.length / 32,
    identity: info.identity,
  });
  return { head: [head, info.pieceHashes] };
}

/**
 * Open files of one connection, kept between GETs of the same file. Each GET checks that the
 * name still leads to the open file (same inode), so a replaced or deleted file is not served
 * from a stale handle.
 */
export class HandleCache {
  readonly #handles = new Map<string, { handle: FileHandle; ino: number }>();

  async get(ctx: HandlerContext, name: string): Promise<FileHandle> {
    const cached = this.#handles.get(name);
    if (cached) {
      // Sync: a metadata lookup of a path just used (see stampOfSync).
      let ino: number | undefined;
      try {
        ino = statSync(resolveName(ctx.folder.root, name)).ino;
      } catch {
        ino = undefined;
      }
      if (ino === cached.ino) return cached.handle;
      await this.drop(name);
    }
    const handle = await ctx.folder.openFile(name);
    if (this.#handles.size >= 8) await this.closeAll();
    this.#handles.set(name, { handle, ino: (await handle.stat()).ino });
    return handle;
  }

  async drop(name: string): Promise<void> {
    const cached = this.#handles.get(name);
    this.#handles.delete(name);
    await cached?.handle.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const handles = [...this.#handles.values()];
    this.#handles.clear();
    await Promise.all(handles.map((h) => h.handle.close().catch(() => undefined)));
  }
}

/**
 * Bytes read from disk and sent at a time while streaming a range: 1 MiB reads cost about half
 * as much per byte as 256 KiB ones here, and bound a connection's memory all the same.
 */
export const SEND_CHUNK = 1024 * 1024;

/**
 * GET: a byte range, streamed from disk a chunk at a time (memory per connection stays one
 * chunk, whatever the range). With an identity, answers ERR_CHANGED unless the file still has
 * it; if the file changes while it is being sent, the connection is closed rather than finish
 * a range of mixed bytes.
 */
export async function onGet(ctx: HandlerContext, header: Header, note: RequestNote, handles: HandleCache): Promise<Reply> {
  const name = (note.name = argName(header, 0));
  const offset = argCount(header, 1, 'offset');
  const length = argCount(header, 2, 'length');
  const wanted = header.args[3];
  if (wanted !== undefined && !isIdentity(wanted)) throw badRequest('GET identity must be 64 lower-case hex digits');
  if (length > MAX_RANGE_BYTES) throw new TxtmeshError('ERR_BAD_RANGE', `range of ${length} bytes exceeds the limit of ${MAX_RANGE_BYTES}`);
  const handle = await handles.get(ctx, name);
  const before = stampOfSync(handle);
  const info = await ctx.folder.describeHandle(name, handle, before);
  if (wanted !== undefined && info.identity !== wanted) {
    await handles.drop(name);
    throw new TxtmeshError('ERR_CHANGED', `${name} has changed: it now has identity ${info.identity.slice(0, 12)}`);
  }
  if (offset + length > info.size) {
    throw new TxtmeshError('ERR_BAD_RANGE', `range ${offset}+${length} is beyond the end of ${name} (${info.size} bytes)`);
  }
  note.bytes = length;
  const pool = ctx.readPool;
  const readChunk = async (at: number): Promise<Buffer> => {
    const want = Math.min(SEND_CHUNK, length - at);
    const data = pool.take(want);
    let filled = 0;
    while (filled < want) {
      const { bytesRead } = await handle.read(data, filled, want - filled, offset + at + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled < want || !sameStamp(before, stampOfSync(handle))) {
      pool.give(data);
      await handles.drop(name);
      throw new TxtmeshError('ERR_CHANGED', `${name} changed while it was being read`);
    }
    return data;
  };
  // The first chunk (a whole piece, for the usual one-piece GET) is read and checked before
  // the OK is sent, so a rewritten file is answered with a clean ERR_CHANGED.
  const first = await readChunk(0);
  async function* body(): AsyncGenerator<Buffer> {
    yield first;
    for (let at = first.length; at < length; ) {
      const data = await readChunk(at);
      at += data.length;
      yield data;
    }
  }
  return { head: [encodeOk(header.id, length)], body: body(), release: (chunk) => pool.give(chunk) };
}

/** A sink that throws the body away (a refused request's body). */
export function discardSink(answer: () => Reply | Promise<Reply>): BodySink {
  return { write: async () => undefined, finish: async () => answer(), abort: async () => undefined };
}

/** PUT: receive a file into a temp file, verify, publish. */
export async function onPut(ctx: HandlerContext, header: Header, note: RequestNote): Promise<BodySink> {
  const name = (note.name = argName(header, 0));
  const identity = header.args[1];
  if (identity === undefined || !isIdentity(identity)) throw badRequest('PUT needs the file identity (64 lower-case hex digits)');
  note.bytes = header.length;
  const existing = await ctx.folder.describe(name).catch((err: unknown) => {
    if (err instanceof TxtmeshError && err.code === 'ERR_NOT_FOUND') return undefined;
    throw err;
  });
  if (existing) {
    if (existing.identity === identity) return discardSink(() => ({ head: [encodeOkWords(header.id, ['same'])] }));
    throw new TxtmeshError('ERR_EXISTS', `${name} already exists here with different content; nothing was replaced`);
  }
  const file = await IncomingFile.create(ctx.folder, name, header.length, identity);
  return {
    write: (chunk) => file.write(chunk),
    finish: async () => ({ head: [encodeOkWords(header.id, [await file.commit()])] }),
    abort: () => file.abort(),
  };
}

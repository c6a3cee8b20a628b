/**
 * Request handlers: one per verb (docs/PROTOCOL.md, "Requests"). Each gets the parsed header
 * and answers through `reply`; bodies of requests (PUT) arrive through a BodySink.
 */
import type { FileHandle } from 'node:fs/promises';
import { MAX_RANGE_BYTES, PROTOCOL_VERSION } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import type { Header } from '../protocol/header.js';
import { decodeName } from '../protocol/header.js';
import { encodeListBody, encodeOk, encodeOkWords, isIdentity } from '../protocol/messages.js';
import { IncomingFile } from '../storage/incoming-file.js';
import { checkName } from '../storage/names.js';
import { type ServedFolder, sameStamp, stampOf } from '../storage/served-folder.js';

/** What handlers need from the server. */
export interface HandlerContext {
  readonly folder: ServedFolder;
  readonly peerId: string;
  readonly maxUploadBytes: number;
}

/** Consumes a request body chunk by chunk. */
export interface BodySink {
  write(chunk: Buffer): Promise<void>;
  /** Called after the last body byte; returns the answer frames. */
  finish(): Promise<Buffer[]>;
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
  if (text === undefined || !/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw badRequest(`${header.verb} needs a decimal ${what}`);
  }
  return Number(text);
}

/** HELLO: version check. `OK <id> 0 txtmesh/1 peer=<server id>` */
export function onHello(ctx: HandlerContext, header: Header): Buffer[] {
  if (header.args[0] !== PROTOCOL_VERSION) {
    throw badRequest(`unsupported protocol ${header.args[0] ?? '(none)'}; this server speaks ${PROTOCOL_VERSION}`);
  }
  return [encodeOkWords(header.id, [PROTOCOL_VERSION, `peer=${ctx.peerId}`])];
}

/** LIST: every served file. */
export async function onList(ctx: HandlerContext, header: Header, note: RequestNote): Promise<Buffer[]> {
  const files = await ctx.folder.list();
  const body = encodeListBody(files);
  note.bytes = body.length;
  return [encodeOk(header.id, body.length, { files: files.length }), body];
}

/** INFO: size, identity and piece hashes of one file. */
export async function onInfo(ctx: HandlerContext, header: Header, note: RequestNote): Promise<Buffer[]> {
  const name = (note.name = argName(header, 0));
  const info = await ctx.folder.describe(name);
  note.bytes = info.pieceHashes.length;
  return [
    encodeOk(header.id, info.pieceHashes.length, {
      size: info.size,
      piece: info.pieceSize,
      pieces: info.pieceHashes.length / 32,
      identity: info.identity,
    }),
    info.pieceHashes,
  ];
}

/** Open files of one connection, kept between GETs of the same file. */
export class HandleCache {
  readonly #handles = new Map<string, FileHandle>();

  async get(ctx: HandlerContext, name: string): Promise<FileHandle> {
    const cached = this.#handles.get(name);
    if (cached) return cached;
    const handle = await ctx.folder.openFile(name);
    if (this.#handles.size >= 8) await this.closeAll();
    this.#handles.set(name, handle);
    return handle;
  }

  async drop(name: string): Promise<void> {
    const handle = this.#handles.get(name);
    this.#handles.delete(name);
    await handle?.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const handles = [...this.#handles.values()];
    this.#handles.clear();
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
  }
}

/**
 * GET: a byte range. With an identity, answers ERR_CHANGED unless the file still has it,
 * and checks again after reading so bytes of a rewritten file are never sent as the old one.
 */
export async function onGet(ctx: HandlerContext, header: Header, note: RequestNote, handles: HandleCache): Promise<Buffer[]> {
  const name = (note.name = argName(header, 0));
  const offset = argCount(header, 1, 'offset');
  const length = argCount(header, 2, 'length');
  const wanted = header.args[3];
  if (wanted !== undefined && !isIdentity(wanted)) throw badRequest('GET identity must be 64 lower-case hex digits');
  if (length > MAX_RANGE_BYTES) throw new TxtmeshError('ERR_BAD_RANGE', `range of ${length} bytes exceeds the limit of ${MAX_RANGE_BYTES}`);
  const handle = await handles.get(ctx, name);
  const before = await stampOf(handle);
  const info = await ctx.folder.describeHandle(name, handle);
  if (wanted !== undefined && info.identity !== wanted) {
    await handles.drop(name);
    throw new TxtmeshError('ERR_CHANGED', `${name} has changed: it now has identity ${info.identity.slice(0, 12)}`);
  }
  if (offset + length > info.size) {
    throw new TxtmeshError('ERR_BAD_RANGE', `range ${offset}+${length} is beyond the end of ${name} (${info.size} bytes)`);
  }
  const data = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(data, filled, length - filled, offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  if (filled < length || !sameStamp(before, await stampOf(handle))) {
    await handles.drop(name);
    throw new TxtmeshError('ERR_CHANGED', `${name} changed while it was being read`);
  }
  note.bytes = length;
  return [encodeOk(header.id, length), data];
}

/** A sink that throws the body away (a refused request's body). */
export function discardSink(answer: () => Buffer[] | Promise<Buffer[]>): BodySink {
  return { write: async () => undefined, finish: async () => answer(), abort: async () => undefined };
}

/** PUT: receive a file into a temp file, verify, publish. */
export async function onPut(ctx: HandlerContext, header: Header, note: RequestNote): Promise<BodySink> {
  const name = (note.name = argName(header, 0));
  const identity = header.args[1];
  if (identity === undefined || !isIdentity(identity)) throw badRequest('PUT needs the file identity (64 lower-case hex digits)');
  if (header.length > ctx.maxUploadBytes) {
    throw new TxtmeshError('ERR_BAD_REQUEST', `upload of ${header.length} bytes exceeds this server's limit of ${ctx.maxUploadBytes}`);
  }
  note.bytes = header.length;
  const existing = await ctx.folder.describe(name).catch((err: unknown) => {
    if (err instanceof TxtmeshError && err.code === 'ERR_NOT_FOUND') return undefined;
    throw err;
  });
  if (existing) {
    if (existing.identity === identity) return discardSink(() => [encodeOkWords(header.id, ['same'])]);
    throw new TxtmeshError('ERR_EXISTS', `${name} already exists here with different content; nothing was replaced`);
  }
  const file = await IncomingFile.create(ctx.folder, name, header.length, identity);
  return {
    write: (chunk) => file.write(chunk),
    finish: async () => [encodeOkWords(header.id, [await file.commit()])],
    abort: () => file.abort(),
  };
}

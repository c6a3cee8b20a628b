/**
 * Request handlers: one per verb (docs/PROTOCOL.md, "Requests"). Each takes its typed request
 * (decoded by the connection with protocol/requests.ts) and returns a typed answer; a request
 * with a body (PUT) gets a BodySink that receives it and gives the answer at the end.
 * Handlers never see bytes of a header, and never write to a socket.
 */
import { HASH_BYTES, MAX_RANGE_BYTES, PIECE_SIZE } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import type { GetRequest, HelloRequest, InfoRequest, ListRequest, PutRequest, Request, VersionsRequest } from '../protocol/requests.js';
import { IncomingFile } from '../storage/incoming-file.js';
import { piecesOf } from '../storage/partial-range.js';
import type { HandleCache } from './handle-cache.js';
import type { BodySink, HandlerContext, Reply, RequestNote } from './reply.js';
import { getVersion, onHave, partialInfo } from './partial-handlers.js';
import { readRange } from './range-reader.js';

export type { BodySink, HandlerContext, Reply, RequestNote } from './reply.js';
export { SEND_CHUNK } from './range-reader.js';

/** Who asks, as far as handlers care. */
export interface Asker {
  /** The connection claimed an ID the settings do not list (admission.ts). */
  readonly anonymous?: boolean;
  /** The client's address (without port): one downloader, for super-seeding (super-seed.ts). */
  readonly client?: string;
}

/** Starts handling a request: a sink for its body (empty but for PUT) that gives the answer. */
export async function onRequest(ctx: HandlerContext, request: Request, note: RequestNote, handles: HandleCache, asker: Asker = {}): Promise<BodySink> {
  const client = asker.client ?? '';
  switch (request.verb) {
    case 'HELLO':
      return answered(onHello(ctx, request, asker.anonymous === true));
    case 'LIST':
      return answered(await onList(ctx, request));
    case 'INFO':
      return answered(await onInfo(ctx, request, client));
    case 'GET':
      // Of the complete file, or of a version this peer is still downloading (partial-handlers.ts).
      return answered(await getVersion(ctx, request, () => onGet(ctx, request, handles, client)));
    case 'HAVE':
      return answered(await onHave(ctx, request, client));
    case 'PUT':
      return onPut(ctx, request, note);
    case 'VERSIONS':
      return answered(await onVersions(ctx, request));
  }
}

/** A sink that throws the body away and gives `answer` (a refused request's body, or none). */
export function discardSink(answer: () => Reply | Promise<Reply>): BodySink {
  return { write: async () => undefined, finish: async () => answer(), abort: async () => undefined };
}

/** A sink whose answer is already known: there is no body to read. */
function answered(reply: Reply): BodySink {
  return discardSink(() => reply);
}

/**
 * HELLO: the version was checked by the codec; the answer names this server, and says when a
 * claim was taken as an outsider's (`as=anonymous`).
 */
function onHello(ctx: HandlerContext, request: HelloRequest, anonymous: boolean): Reply {
  return { answer: { kind: 'HELLO', id: request.id, peerId: ctx.peerId, ...(anonymous ? { anonymous } : {}) } };
}

/** LIST: every served file. */
async function onList(ctx: HandlerContext, request: ListRequest): Promise<Reply> {
  return { answer: { kind: 'LIST', id: request.id, files: await ctx.folder.list() } };
}

/**
 * INFO: size, identity and piece hashes of one file. A client that takes partial holders may be
 * offered only some pieces when many download the file at once (super-seed.ts).
 */
async function onInfo(ctx: HandlerContext, request: InfoRequest, client: string): Promise<Reply> {
  const described = ctx.folder.describe(request.name);
  if (request.partial) {
    // A client that takes partial holders: a download in progress answers when the file is missing.
    const found = await described.catch((err: unknown) => {
      if (err instanceof TxtmeshError && err.code === 'ERR_NOT_FOUND') return undefined;
      throw err;
    });
    if (!found) return partialInfo(ctx, request);
  }
  const { size, pieceSize, identity, pieceHashes } = await described;
  const have = request.partial ? ctx.superSeed?.offer(identity, pieceHashes.length / HASH_BYTES, client, performance.now()) : undefined;
  return { answer: { kind: 'INFO', id: request.id, size, pieceSize, identity, pieceHashes, ...(have ? { have, complete: true } : {}) } };
}

/**
 * GET: a byte range, streamed from disk a chunk at a time (memory per connection stays one
 * chunk, whatever the range). With an identity, answers ERR_CHANGED unless the file still has
 * it; if the file changes while it is being sent, the connection is closed rather than finish
 * a range of mixed bytes (range-reader.ts).
 */
async function onGet(ctx: HandlerContext, request: GetRequest, handles: HandleCache, client: string): Promise<Reply> {
  if (request.length > MAX_RANGE_BYTES) throw new TxtmeshError('ERR_BAD_RANGE', `range of ${request.length} bytes exceeds the limit of ${MAX_RANGE_BYTES}`);
  // Under load the pool hands out smaller chunks (answer-memory.ts): memory per connection stays bounded.
  const pool = ctx.readPoolNow?.() ?? ctx.readPool;
  const body = await readRange(ctx.folder, handles, pool, request);
  if (request.identity !== undefined && request.length > 0) {
    const { first, last } = piecesOf(request.offset, request.length, PIECE_SIZE);
    ctx.superSeed?.sent(request.identity, client, first, last - first + 1, performance.now());
  }
  return { answer: { kind: 'GET', id: request.id, length: request.length }, body, release: (chunk) => pool.give(chunk) };
}

/**
 * PUT: receive a file into a temp file, verify, publish. A different file under the name is
 * replaced only when the PUT says `replace` and this server allows it, and is then kept in the
 * versions area (storage/versions-area.ts).
 */
async function onPut(ctx: HandlerContext, request: PutRequest, note: RequestNote): Promise<BodySink> {
  const { id, name, size, identity } = request;
  const replace = request.replace === true && ctx.refuseReplace !== true;
  note.bytes = size;
  const existing = await ctx.folder.describe(name).catch((err: unknown) => {
    if (err instanceof TxtmeshError && err.code === 'ERR_NOT_FOUND') return undefined;
    throw err;
  });
  if (existing) {
    if (existing.identity === identity) return discardSink(() => ({ answer: { kind: 'PUT', id, result: 'same' } }));
    const refused = request.replace ? '; this peer does not accept replacing uploads (--refuse-replace)' : '';
    if (!replace) throw new TxtmeshError('ERR_EXISTS', `${name} already exists here with different content${refused}; nothing was replaced`);
  }
  const file = await IncomingFile.create(ctx.folder, name, size, identity, replace ? ctx.versions : undefined);
  return {
    write: (chunk) => file.write(chunk),
    finish: async () => ({ answer: { kind: 'PUT', id, result: await file.commit(), ...(file.kept ? { kept: file.kept.identity } : {}) } }),
    abort: () => file.abort(),
  };
}

/** VERSIONS: the versions of a name (or every name) here: under the name, and kept. */
async function onVersions(ctx: HandlerContext, request: VersionsRequest): Promise<Reply> {
  return { answer: { kind: 'VERSIONS', id: request.id, versions: await ctx.versions.versions(request.name) } };
}

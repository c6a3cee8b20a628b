/**
 * Serving a file this peer is still downloading (docs/PROTOCOL.md, "Partial holders"): INFO
 * asked with `partial`, HAVE, and GET of a version's pieces, from the download's part file and
 * its sidecar (storage/have-file.ts). Only pieces the sidecar marks as held are served, each
 * re-hashed before a byte goes out (storage/partial-range.ts). The complete file, once it has
 * its name, always wins: these answer only where it is missing.
 */
import { HASH_BYTES } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import type { GetRequest, HaveRequest, InfoRequest } from '../protocol/requests.js';
import type { PartialCopy } from '../storage/have-file.js';
import { readHeldRange } from '../storage/partial-range.js';
import type { HandlerContext, Reply } from './reply.js';

/** The complete file's description, or undefined if it is not here. */
async function complete(ctx: HandlerContext, name: string) {
  return ctx.folder.describe(name).catch((err: unknown) => {
    if (err instanceof TxtmeshError && err.code === 'ERR_NOT_FOUND') return undefined;
    throw err;
  });
}

function notFound(name: string): TxtmeshError {
  return new TxtmeshError('ERR_NOT_FOUND', `no such file: ${name}`);
}

/** The download in progress of this version of `name`, if any. */
async function partialOf(ctx: HandlerContext, name: string, identity: string): Promise<PartialCopy | undefined> {
  return (await ctx.folder.partials(name, identity)).find((c) => c.info.identity === identity);
}

/** INFO with `partial` for a file that is not here complete: the download with most pieces. */
export async function partialInfo(ctx: HandlerContext, request: InfoRequest): Promise<Reply> {
  const [copy] = await ctx.folder.partials(request.name);
  if (!copy) throw notFound(request.name);
  const { size, pieceSize, identity, pieceHashes } = copy.info;
  return { answer: { kind: 'INFO', id: request.id, size, pieceSize, identity, pieceHashes, have: copy.have } };
}

/**
 * HAVE: every piece of the complete file (or the pieces offered to this client when many
 * download it at once: super-seed.ts), or what the download of that version holds now.
 */
export async function onHave(ctx: HandlerContext, request: HaveRequest, client: string): Promise<Reply> {
  const { id, name, identity } = request;
  // Known to be downloading here: answered without a look for the complete file, which does
  // not have this identity while the download's sidecar is there (it is removed on publish).
  const kept = ctx.folder.keptPartial(name, identity);
  if (kept) return { answer: { kind: 'HAVE', id, have: kept.have } };
  const file = await complete(ctx, name);
  if (file?.identity === identity) {
    const pieces = file.pieceHashes.length / HASH_BYTES;
    return { answer: { kind: 'HAVE', id, have: ctx.superSeed?.offer(identity, pieces, client, performance.now()) ?? new Uint8Array(pieces).fill(1) } };
  }
  const copy = await partialOf(ctx, name, identity);
  if (copy) return { answer: { kind: 'HAVE', id, have: copy.have } };
  if (file) throw new TxtmeshError('ERR_CHANGED', `${name} has changed: it now has identity ${file.identity.slice(0, 12)}`);
  throw notFound(name);
}

/**
 * GET of a version: from the download in progress first when this server knows it is here
 * (see onHave), else from the complete file (`fromFile`); each falls back to the other.
 */
export async function getVersion(ctx: HandlerContext, request: GetRequest, fromFile: () => Promise<Reply>): Promise<Reply> {
  const is = (err: unknown, code: string) => err instanceof TxtmeshError && err.code === code;
  if (request.identity === undefined) return fromFile();
  if (!ctx.folder.keptPartial(request.name, request.identity)) {
    return fromFile().catch((err: unknown) => (is(err, 'ERR_NOT_FOUND') ? partialGet(ctx, request) : Promise.reject(err)));
  }
  return partialGet(ctx, request).catch((err: unknown) => (is(err, 'ERR_NOT_HELD') || is(err, 'ERR_NOT_FOUND') ? fromFile().catch(() => Promise.reject(err)) : Promise.reject(err)));
}

/** GET of a version that is here only as a download in progress. */
export async function partialGet(ctx: HandlerContext, request: GetRequest): Promise<Reply> {
  const { id, name, offset, length, identity } = request;
  const copy = identity === undefined ? undefined : await partialOf(ctx, name, identity);
  if (!copy) throw notFound(name);
  const data = await readHeldRange(copy, offset, length);
  return { answer: { kind: 'GET', id, length }, body: once(data) };
}

async function* once(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
}

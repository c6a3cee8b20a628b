/**
 * Typed requests over a PeerConnection: one function per verb (docs/PROTOCOL.md).
 */
import { type RateLimit, sliceFor } from '../transport/rate-limit.js';
import { createReadStream } from 'node:fs';
import { MAX_LIST_BYTES, MAX_RANGE_BYTES, PROTOCOL_VERSION } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import { ANSWERS } from '../protocol/answers.js';
import { type FileEntry, type FileInfo, HASH_BYTES, type VersionEntry } from '../protocol/messages.js';
import { REQUESTS } from '../protocol/requests.js';
import type { PeerConnection } from './peer-connection.js';

// A 1 TiB file has 4 Mi pieces: 128 MiB of hashes. Bound it well below that.
const MAX_HASH_LIST = 1024 * 1024 * HASH_BYTES;

/**
 * HELLO: the peer's protocol version, the ID it announces, and whether it took our claim as an
 * anonymous reader's (`as=anonymous`: our ID is not in its settings; it serves reads only).
 */
export async function hello(conn: PeerConnection, myId?: string, signal?: AbortSignal): Promise<{ version: string; peerId: string | undefined; anonymous: boolean }> {
  const id = conn.nextId();
  const { header, body } = await conn.request(id, REQUESTS.HELLO.encode({ verb: 'HELLO', id, peerId: myId }), { maxBody: 0, signal });
  const answer = ANSWERS.HELLO.decode(header, body);
  return { version: PROTOCOL_VERSION, peerId: answer.peerId, anonymous: answer.anonymous === true };
}

/** VERSIONS: the versions of `name` the peer holds (of every name without one), under the name and kept. */
export async function listVersions(conn: PeerConnection, name?: string, signal?: AbortSignal): Promise<VersionEntry[]> {
  const id = conn.nextId();
  const { header, body } = await conn.request(id, REQUESTS.VERSIONS.encode({ verb: 'VERSIONS', id, name }), { maxBody: MAX_LIST_BYTES, signal });
  return [...ANSWERS.VERSIONS.decode(header, body).versions];
}

/** LIST: every file the peer serves. */
export async function listFiles(conn: PeerConnection, signal?: AbortSignal): Promise<FileEntry[]> {
  const id = conn.nextId();
  const { header, body } = await conn.request(id, REQUESTS.LIST.encode({ verb: 'LIST', id }), { maxBody: MAX_LIST_BYTES, signal });
  return [...ANSWERS.LIST.decode(header, body).files];
}

/**
 * INFO: size, identity and verified piece hashes of one file. With `partial`, a peer still
 * downloading the file may answer too, with the pieces it holds in `have` (one byte per piece).
 */
export async function fileInfo(conn: PeerConnection, name: string, signal?: AbortSignal, options: { partial?: boolean } = {}): Promise<FileInfo & { have?: Uint8Array; complete?: boolean }> {
  const id = conn.nextId();
  const maxBody = MAX_HASH_LIST + MAX_HASH_LIST / HASH_BYTES / 8;
  const { header, body } = await conn.request(id, REQUESTS.INFO.encode({ verb: 'INFO', id, name, partial: options.partial }), { maxBody, signal });
  const { size, identity, pieceSize, pieceHashes, have, complete } = ANSWERS.INFO.decode(header, body);
  if (have && !options.partial) throw new TxtmeshError('ERR_PEER_PROTOCOL', 'peer answered INFO with pieces held, which was not asked for');
  return have ? { name, size, identity, pieceSize, pieceHashes, have, ...(complete ? { complete } : {}) } : { name, size, identity, pieceSize, pieceHashes };
}

/**
 * HAVE: which of the `pieces` pieces of one version the peer holds now (one byte per piece).
 * @throws TxtmeshError ERR_PEER_PROTOCOL for a bitfield of another length
 */
export async function holding(conn: PeerConnection, name: string, identity: string, pieces: number, signal?: AbortSignal): Promise<Uint8Array> {
  const id = conn.nextId();
  const { header, body } = await conn.request(id, REQUESTS.HAVE.encode({ verb: 'HAVE', id, name, identity }), { maxBody: Math.ceil(pieces / 8), signal });
  const { have } = ANSWERS.HAVE.decode(header, body);
  if (have.length !== pieces) throw new TxtmeshError('ERR_PEER_PROTOCOL', `peer says ${name} has ${have.length} pieces, not ${pieces}`);
  return have;
}

/**
 * GET: `length` bytes at `offset`, of the version with `identity` (into `options.into` if given);
 * `options.received` is told how many arrived, if it fails part-way.
 */
export async function getRange(conn: PeerConnection, name: string, offset: number, length: number, identity: string, options: { signal?: AbortSignal; timeoutMs?: number; into?: Buffer; received?: { bytes: number } } = {}): Promise<Buffer> {
  if (length > MAX_RANGE_BYTES) throw new RangeError(`range of ${length} bytes exceeds ${MAX_RANGE_BYTES}`);
  const id = conn.nextId();
  const { body } = await conn.request(id, REQUESTS.GET.encode({ verb: 'GET', id, name, offset, length, identity }), { maxBody: length, exactBody: length, ...options });
  return body;
}

/**
 * PUT: streams the file at `path` (which must have `size` bytes and `identity`) to the peer;
 * with `replace`, it may take the name from another version there (which the peer keeps).
 * @returns 'stored', 'same' (the peer already had these bytes) or 'replaced' (with the identity kept)
 */
export async function putFile(conn: PeerConnection, name: string, path: string, size: number, identity: string, signal?: AbortSignal, replace = false, limit?: RateLimit): Promise<{ result: 'stored' | 'same' | 'replaced'; kept?: string }> {
  const id = conn.nextId();
  const { header, body } = await conn.request(id, REQUESTS.PUT.encode({ verb: 'PUT', id, name, size, identity, replace }), { maxBody: 0, signal }, async (write) => {
    let sent = 0;
    // Read exactly `size` bytes even if the file grows meanwhile; the peer verifies identity.
    if (size === 0) return;
    for await (const chunk of createReadStream(path, { start: 0, end: size - 1, highWaterMark: 256 * 1024 })) {
      sent += (chunk as Buffer).length;
      if (limit && limit.rate > 0) await sendPaced(chunk as Buffer, limit, write);
      else await write(chunk as Buffer);
    }
    if (sent !== size) throw new TxtmeshError('ERR_CHANGED', `${name} shrank while it was being uploaded`);
  });
  const { result, kept } = ANSWERS.PUT.decode(header, body);
  return kept === undefined ? { result } : { result, kept };
}

/** Writes `chunk` a slice at a time, each once `limit` lets it go (#LIMIT up). */
async function sendPaced(chunk: Buffer, limit: RateLimit, write: (chunk: Buffer) => Promise<void>): Promise<void> {
  const slice = sliceFor(limit.rate);
  for (let at = 0; at < chunk.length; at += slice) {
    const piece = chunk.subarray(at, at + slice);
    await limit.take(piece.length);
    await write(piece);
  }
}

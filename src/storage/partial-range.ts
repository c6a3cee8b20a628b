/**
 * Reading a range of a file this peer is still downloading (have-file.ts), for its server:
 * only pieces the sidecar marks as held, each read whole and hashed again before any of its
 * bytes are returned, so a part file cut short, rewritten or deleted under the server never
 * sends a byte that does not verify (docs/PROTOCOL.md, "Partial holders").
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { HASH_BYTES } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import type { PartialCopy } from './have-file.js';
import { hashPiece } from './piece-hasher.js';
import { isOutOfHandles, outOfHandles } from './resources.js';

/** The pieces a byte range touches. */
export function piecesOf(offset: number, length: number, pieceSize: number): { first: number; last: number } {
  const first = Math.floor(offset / pieceSize);
  const last = length === 0 ? first : Math.floor((offset + length - 1) / pieceSize);
  return { first, last };
}

/**
 * The bytes of [offset, offset + length) from a partial copy.
 * @throws TxtmeshError ERR_NOT_HELD when a piece the range touches is not held (or no longer
 *   verifies, or cannot be read), ERR_BAD_RANGE past the end of the file, ERR_BUSY when this
 *   process is out of file handles
 */
export async function readHeldRange(copy: PartialCopy, offset: number, length: number): Promise<Buffer> {
  const { info } = copy;
  if (offset + length > info.size) throw new TxtmeshError('ERR_BAD_RANGE', `range ${offset}+${length} is beyond the end of ${info.name} (${info.size} bytes)`);
  const { first, last } = piecesOf(offset, length, info.pieceSize);
  for (let piece = first; piece <= last; piece++) if (copy.have[piece] !== 1 && length > 0) throw notHeld(info.name, piece);
  const start = first * info.pieceSize;
  const end = Math.min(info.size, (last + 1) * info.pieceSize);
  const data = Buffer.allocUnsafe(end - start);
  // Out of file handles is ERR_BUSY (try again); any other failure to open or read means the
  // pieces are not there to serve, never a raw error on the wire.
  const handle = await open(copy.partPath, constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: unknown) => {
    throw isOutOfHandles(err) ? outOfHandles(err) : notHeld(info.name, first);
  });
  try {
    const { bytesRead } = await handle.read(data, 0, data.length, start).catch(() => ({ bytesRead: -1 }));
    if (bytesRead !== data.length) throw notHeld(info.name, first + Math.max(0, Math.floor(bytesRead / info.pieceSize)));
  } finally {
    await handle.close();
  }
  for (let piece = first; piece <= last && length > 0; piece++) {
    const at = (piece - first) * info.pieceSize;
    const bytes = data.subarray(at, Math.min(data.length, at + info.pieceSize));
    if (!hashPiece(bytes).equals(info.pieceHashes.subarray(piece * HASH_BYTES, (piece + 1) * HASH_BYTES))) throw notHeld(info.name, piece);
  }
  return data.subarray(offset - start, offset - start + length);
}

function notHeld(name: string, piece: number): TxtmeshError {
  return new TxtmeshError('ERR_NOT_HELD', `this peer does not hold piece ${piece} of ${name} (it is still downloading it)`);
}

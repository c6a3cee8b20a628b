/**
 * Incremental piece hashing: SHA-256 of each PIECE_SIZE piece, and the file's identity,
 * SHA-256 over the concatenated piece hashes (docs/PROTOCOL.md, "Pieces and identity").
 * Bytes can be fed in chunks of any size; each byte is hashed once.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { PIECE_SIZE } from '../constants.js';

/** Bytes read at a time from a file being hashed. */
const READ_CHUNK = 1024 * 1024;

export class PieceHasher {
  readonly #pieceSize: number;
  readonly #hashes: Buffer[] = [];
  #current: Hash | undefined;
  #inPiece = 0;
  #size = 0;

  constructor(pieceSize = PIECE_SIZE) {
    this.#pieceSize = pieceSize;
  }

  /** Bytes fed so far. */
  get size(): number {
    return this.#size;
  }

  update(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      this.#current ??= createHash('sha256');
      const take = Math.min(this.#pieceSize - this.#inPiece, chunk.length - offset);
      this.#current.update(chunk.subarray(offset, offset + take));
      offset += take;
      this.#inPiece += take;
      this.#size += take;
      if (this.#inPiece === this.#pieceSize) this.#closePiece();
    }
  }

  /** Finishes: the concatenated piece hashes and the identity (hex). */
  digest(): { pieceHashes: Buffer; identity: string } {
    if (this.#inPiece > 0) this.#closePiece();
    const pieceHashes = Buffer.concat(this.#hashes);
    return { pieceHashes, identity: identityOf(pieceHashes) };
  }

  #closePiece(): void {
    this.#hashes.push((this.#current as Hash).digest());
    this.#current = undefined;
    this.#inPiece = 0;
  }
}

/** A file's identity from its concatenated piece hashes. */
/** Hashes an open file from its start to its end, a MiB at a time; `size` is the bytes read. */
export async function hashOpenFile(handle: FileHandle, pieceSize: number): Promise<{ pieceHashes: Buffer; identity: string; size: number }> {
  const hasher = new PieceHasher(pieceSize);
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  let size = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, size);
    if (bytesRead === 0) break;
    hasher.update(buffer.subarray(0, bytesRead));
    size += bytesRead;
  }
  return { ...hasher.digest(), size };
}

export function identityOf(pieceHashes: Uint8Array): string {
  return createHash('sha256').update(pieceHashes).digest('hex');
}

/** SHA-256 of one piece. */
export function hashPiece(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The first 12 hex digits of an identity, for people. */
export function shortIdentity(identity: string): string {
  return identity.slice(0, 12);
}

/**
 * SHA-256 of consecutive pieces spread over `chunks` (as a socket delivered them, any sizes):
 * piece i is the next `lengths[i]` bytes. Hashes each byte once, copies nothing.
 */
export function hashPiecesOf(chunks: readonly Buffer[], lengths: readonly number[]): Buffer[] {
  const digests: Buffer[] = [];
  let c = 0;
  let at = 0;
  for (const length of lengths) {
    const hash = createHash('sha256');
    let need = length;
    while (need > 0) {
      const chunk = chunks[c];
      if (!chunk) throw new RangeError('chunks hold fewer bytes than the pieces need');
      const take = Math.min(need, chunk.length - at);
      hash.update(at === 0 && take === chunk.length ? chunk : chunk.subarray(at, at + take));
      need -= take;
      at += take;
      if (at === chunk.length) {
        c++;
        at = 0;
      }
    }
    digests.push(hash.digest());
  }
  return digests;
}

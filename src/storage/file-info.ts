/**
 * What the served folder knows of a file: its entry in a listing, and the piece hashes a
 * downloader checks against. LIST and INFO answers carry the same shapes (protocol/messages.ts
 * declares them for the wire); storage and protocol sit side by side and import neither each
 * other, so each declares its own, and the server hands one to the other as is.
 */

/** A served file as listed. */
export interface FileEntry {
  readonly name: string;
  readonly size: number;
  /** Hex SHA-256 over the file's piece hashes. */
  readonly identity: string;
}

/** A served file with what it takes to verify it piece by piece. */
export interface FileInfo extends FileEntry {
  readonly pieceSize: number;
  /** Concatenated 32-byte (HASH_BYTES) SHA-256 of each piece. */
  readonly pieceHashes: Buffer;
}

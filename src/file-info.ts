/**
 * What a file is to txtmesh, for every layer that carries one: its entry in a listing (LIST),
 * and with its piece hashes what a downloader verifies it against (INFO). The wire codecs
 * (protocol/) and the served folder (storage/) sit side by side and import neither each other,
 * so both take these shapes from here. Types only.
 */

/** A file as listed: name, size and identity. */
export interface FileEntry {
  readonly name: string;
  readonly size: number;
  /** Hex SHA-256 over the file's piece hashes. */
  readonly identity: string;
}

/** A file with what it takes to verify it piece by piece. */
export interface FileInfo extends FileEntry {
  readonly pieceSize: number;
  /** Concatenated 32-byte (HASH_BYTES) SHA-256 of each piece. */
  readonly pieceHashes: Buffer;
}

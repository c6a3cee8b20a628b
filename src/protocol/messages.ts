/**
 * What txtmesh messages carry, shared by their codecs and by the code that sends and keeps
 * files: file entries (LIST), file descriptions (INFO), identities and hash sizes.
 *
 * The messages themselves, one encode/decode pair each with its bytes written above it, are in
 * requests.ts (client → server) and answers.ts (server → client); the frame around them is
 * header.ts and decoder.ts; docs/PROTOCOL.md is the full description. Pure: no I/O.
 */
import { IDENTITY_PATTERN } from '../constants.js';
import { TxtmeshError } from '../errors.js';

// Here too, beside the hash lists that messages carry.
export { HASH_BYTES } from '../constants.js';

/** A file as LIST lists it, and as INFO describes it (with the name asked). */
export type { FileEntry, FileInfo } from '../file-info.js';

/** True for a lower-case hex SHA-256. */
export function isIdentity(text: string): boolean {
  return IDENTITY_PATTERN.test(text);
}

/** An answer that breaks the protocol: the client drops the connection (ERR_PEER_PROTOCOL). */
export function protocolViolation(what: string): TxtmeshError {
  return new TxtmeshError('ERR_PEER_PROTOCOL', what);
}

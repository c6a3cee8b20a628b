/**
 * What txtmesh messages carry, shared by their codecs and by the code that sends and keeps
 * files: file entries (LIST), file descriptions (INFO), versions (VERSIONS), identities and
 * hash sizes.
 *
 * The messages themselves, one encode/decode pair each with its bytes written above it, are in
 * requests.ts (client → server) and answers.ts (server → client); the frame around them is
 * header.ts and decoder.ts; docs/PROTOCOL.md is the full description. Pure: no I/O.
 */
import { IDENTITY_PATTERN } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import type { FileEntry } from '../file-info.js';

// Here too, beside the hash lists that messages carry.
export { HASH_BYTES } from '../constants.js';

/** A file as LIST lists it, and as INFO describes it (with the name asked). */
export type { FileEntry, FileInfo } from '../file-info.js';

/**
 * Where a version of a name is at a peer (VERSIONS): `current` under the name, or kept in its
 * versions area because another version took the name (`replaced`) or it stopped being served
 * (`unshared`).
 */
export type VersionState = 'current' | 'replaced' | 'unshared';

export const VERSION_STATES: readonly VersionState[] = ['current', 'replaced', 'unshared'];

/** One version of a name at a peer, as VERSIONS lists it. */
export interface VersionEntry extends FileEntry {
  /**
   * ms since 1970 by the peer's clock: for `current`, when its file under the name last
   * changed (written, received, restored); for a kept version, when it left the name.
   */
  readonly time: number;
  readonly state: VersionState;
}

/** True for a lower-case hex SHA-256. */
export function isIdentity(text: string): boolean {
  return IDENTITY_PATTERN.test(text);
}

/** `identity`, checked before it is encoded: our own bad data is a TypeError, not a wire error. */
export function identityField(identity: string): string {
  if (!isIdentity(identity)) throw new TypeError(`identity ${JSON.stringify(identity)} is not 64 lower-case hex digits`);
  return identity;
}

/** An answer that breaks the protocol: the client drops the connection (ERR_PEER_PROTOCOL). */
export function protocolViolation(what: string): TxtmeshError {
  return new TxtmeshError('ERR_PEER_PROTOCOL', what);
}

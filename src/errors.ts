/**
 * Every failure txtmesh reports is a TxtmeshError with a stable, literal-typed code.
 * Tests and callers branch on `code`, never on message wording. The same codes travel on
 * the wire in ERR answers (docs/PROTOCOL.md, "Error codes").
 */

export const ERROR_CODES = [
  // settings and command line
  'ERR_SETTINGS_LINE',
  'ERR_SETTINGS_DUPLICATE',
  'ERR_SETTINGS_READ',
  'ERR_UNKNOWN_PEER',
  'ERR_USAGE',
  'ERR_SETTINGS_MIXED',
  // this peer's identity files (identity/key.pem, identity/cert.pem)
  'ERR_IDENTITY_FILE',
  // malformed bytes on the wire: the connection is closed after the answer
  'ERR_BAD_FRAME',
  'ERR_HEADER_TOO_LARGE',
  'ERR_BODY_TOO_LARGE',
  'ERR_HEADER_TIMEOUT',
  // the server is at its connection limit
  'ERR_BUSY',
  // mesh membership and transport security: the connection is closed after the answer
  'ERR_NOT_A_MEMBER',
  'ERR_BAD_IDENTITY',
  'ERR_TLS_REQUIRED',
  'ERR_TLS_HANDSHAKE',
  'ERR_CERT_EXPIRED',
  // well-formed but illegal requests
  'ERR_BAD_REQUEST',
  'ERR_UNKNOWN_COMMAND',
  'ERR_BAD_NAME',
  'ERR_BAD_RANGE',
  // application answers
  'ERR_NOT_FOUND',
  'ERR_CHANGED',
  'ERR_EXISTS',
  'ERR_UPLOAD_MISMATCH',
  'ERR_INTERNAL',
  // transport failures
  'ERR_PEER_UNREACHABLE',
  'ERR_PEER_TIMEOUT',
  'ERR_PEER_CLOSED',
  'ERR_PEER_PROTOCOL',
  // download outcomes
  'ERR_HASH_MISMATCH',
  'ERR_NO_PEERS',
  'ERR_VERSION_CONFLICT',
  'ERR_DOWNLOAD_INCOMPLETE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

/** True if `code` is one of txtmesh's stable codes (used to vet codes read from the wire). */
export function isErrorCode(code: string): code is ErrorCode {
  return CODE_SET.has(code);
}

/** Base error: a stable code plus a short human message. */
export class TxtmeshError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TxtmeshError';
    this.code = code;
  }
}

/** Malformed bytes: the frame could not be parsed. The connection cannot continue. */
export class ProtocolError extends TxtmeshError {
  constructor(code: 'ERR_BAD_FRAME' | 'ERR_HEADER_TOO_LARGE' | 'ERR_BODY_TOO_LARGE' | 'ERR_HEADER_TIMEOUT', message: string) {
    super(code, message);
    this.name = 'ProtocolError';
  }
}

/** An ERR answer received from a peer. */
export class RemoteError extends TxtmeshError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'RemoteError';
  }
}

/** One line for a user: the message, then the code in brackets. */
export function describeError(err: unknown): string {
  if (err instanceof TxtmeshError) return `${err.message} (${err.code})`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The code of any error: txtmesh's own, else ERR_INTERNAL. */
export function codeOf(err: unknown): ErrorCode {
  return err instanceof TxtmeshError ? err.code : 'ERR_INTERNAL';
}

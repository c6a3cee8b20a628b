/**
 * Every failure txtmesh reports is a TxtmeshError with a stable, literal-typed code. Tests and
 * callers branch on `code`, never on message wording. The same codes travel on the wire in ERR
 * answers (docs/PROTOCOL.md, "Error codes", whose table test/errors.test.ts checks against
 * this one).
 *
 * ERROR_TABLE is the one place that says what a code means to the rest of the program: its
 * class, whether a server may send it, whether it is worth another try, whether it means the
 * peer lied (it is not asked again in that download), and the exit status of a command that
 * fails with it. Retries, bans, refusals and exit codes are all derived from it.
 */

/** What kind of failure a code is (docs/PROTOCOL.md, "Error codes"). */
export type ErrorClass =
  /** Bad settings, identity files or command line: a person must fix something here. */
  | 'usage'
  /** Bytes that do not parse: the connection is closed after the answer. */
  | 'malformed'
  /** The server is at its connection limit, or out of file handles: try again later. */
  | 'busy'
  /** Refused for who we are: not a member, identity or certificate not accepted. */
  | 'membership'
  /** A well-formed request the server will not carry out; the connection continues. */
  | 'request'
  /** The server's answer about the file; the connection continues. */
  | 'answer'
  /** The connection failed: never on the wire. */
  | 'transport'
  /** How a download ended. */
  | 'outcome';

export interface ErrorTraits {
  readonly class: ErrorClass;
  /** A conforming server may send it in an ERR answer. */
  readonly wire: boolean;
  /** Worth another try on a new connection (the peer could not be reached, the link failed, or it was busy). */
  readonly transient: boolean;
  /** The peer broke the protocol or sent bad bytes: it is not asked again in this download. */
  readonly lie: boolean;
  /**
   * Exit status of a command that fails with this code (docs/cli.md, "Exit status"); null when
   * it depends on why (an incomplete download takes the status of the failures that stopped it).
   */
  readonly exit: number | null;
}

export const ERROR_TABLE = {
  // settings and command line
  ERR_SETTINGS_LINE: { class: 'usage', wire: false, transient: false, lie: false, exit: 2 },
  ERR_SETTINGS_DUPLICATE: { class: 'usage', wire: false, transient: false, lie: false, exit: 2 },
  ERR_SETTINGS_READ: { class: 'usage', wire: false, transient: false, lie: false, exit: 2 },
  ERR_UNKNOWN_PEER: { class: 'usage', wire: false, transient: false, lie: false, exit: 2 },
  ERR_USAGE: { class: 'usage', wire: false, transient: false, lie: false, exit: 2 },
  ERR_SETTINGS_MIXED: { class: 'usage', wire: false, transient: false, lie: false, exit: 2 },
  ERR_IDENTITY_FILE: { class: 'usage', wire: false, transient: false, lie: false, exit: 2 },
  // malformed bytes on the wire: the connection is closed after the answer
  ERR_BAD_FRAME: { class: 'malformed', wire: true, transient: false, lie: false, exit: 1 },
  ERR_HEADER_TOO_LARGE: { class: 'malformed', wire: true, transient: false, lie: false, exit: 1 },
  ERR_BODY_TOO_LARGE: { class: 'malformed', wire: true, transient: false, lie: false, exit: 1 },
  ERR_HEADER_TIMEOUT: { class: 'malformed', wire: true, transient: false, lie: false, exit: 1 },
  // the server is at its connection limit or out of file handles: try again later
  ERR_BUSY: { class: 'busy', wire: true, transient: true, lie: false, exit: 1 },
  // mesh membership and transport security: the connection is closed after the answer
  ERR_NOT_A_MEMBER: { class: 'membership', wire: true, transient: false, lie: false, exit: 7 },
  ERR_BAD_IDENTITY: { class: 'membership', wire: true, transient: false, lie: false, exit: 7 },
  ERR_TLS_REQUIRED: { class: 'membership', wire: true, transient: false, lie: false, exit: 7 },
  ERR_TLS_HANDSHAKE: { class: 'membership', wire: false, transient: false, lie: false, exit: 7 },
  ERR_CERT_EXPIRED: { class: 'membership', wire: true, transient: false, lie: false, exit: 7 },
  // well-formed but illegal requests
  ERR_BAD_REQUEST: { class: 'request', wire: true, transient: false, lie: false, exit: 1 },
  ERR_UNKNOWN_COMMAND: { class: 'request', wire: true, transient: false, lie: false, exit: 1 },
  ERR_BAD_NAME: { class: 'request', wire: true, transient: false, lie: false, exit: 2 },
  ERR_BAD_RANGE: { class: 'request', wire: true, transient: false, lie: false, exit: 1 },
  // application answers
  ERR_NOT_FOUND: { class: 'answer', wire: true, transient: false, lie: false, exit: 4 },
  ERR_CHANGED: { class: 'answer', wire: true, transient: false, lie: false, exit: 6 },
  ERR_EXISTS: { class: 'answer', wire: true, transient: false, lie: false, exit: 5 },
  ERR_UPLOAD_MISMATCH: { class: 'answer', wire: true, transient: false, lie: false, exit: 6 },
  ERR_NOT_HELD: { class: 'answer', wire: true, transient: false, lie: false, exit: 4 },
  ERR_NO_SPACE: { class: 'answer', wire: true, transient: false, lie: false, exit: 1 },
  ERR_INTERNAL: { class: 'answer', wire: true, transient: false, lie: false, exit: 1 },
  // transport failures (never on the wire)
  ERR_PEER_UNREACHABLE: { class: 'transport', wire: false, transient: true, lie: false, exit: 3 },
  ERR_PEER_TIMEOUT: { class: 'transport', wire: false, transient: true, lie: false, exit: 3 },
  ERR_PEER_CLOSED: { class: 'transport', wire: false, transient: true, lie: false, exit: 3 },
  ERR_PEER_PROTOCOL: { class: 'transport', wire: false, transient: false, lie: true, exit: 1 },
  // download outcomes
  ERR_HASH_MISMATCH: { class: 'outcome', wire: false, transient: false, lie: true, exit: 6 },
  ERR_NO_PEERS: { class: 'outcome', wire: false, transient: false, lie: false, exit: 3 },
  ERR_VERSION_CONFLICT: { class: 'outcome', wire: false, transient: false, lie: false, exit: 5 },
  ERR_DOWNLOAD_INCOMPLETE: { class: 'outcome', wire: false, transient: false, lie: false, exit: null },
  // a command the user stopped (Ctrl-C)
  ERR_INTERRUPTED: { class: 'outcome', wire: false, transient: false, lie: false, exit: 130 },
} as const satisfies Record<string, ErrorTraits>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** Every code, in table order. */
export const ERROR_CODES = Object.keys(ERROR_TABLE) as ErrorCode[];

/** True if `code` is one of txtmesh's stable codes (used to vet codes read from the wire). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_TABLE, code);
}

/** Base error: a stable code plus a short human message. */
export class TxtmeshError extends Error {
  readonly code: ErrorCode;
  /**
   * For an outcome (a download that stopped), the codes of the failures that caused it, so
   * its exit status can follow why it stopped.
   */
  readonly reasons: readonly ErrorCode[];

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; reasons?: readonly ErrorCode[] }) {
    super(message, options);
    this.name = 'TxtmeshError';
    this.code = code;
    this.reasons = options?.reasons ?? [];
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

/** True for failures worth another try: the peer could not be reached, the link failed, or it was busy. */
export function isTransient(err: unknown): boolean {
  return err instanceof TxtmeshError && ERROR_TABLE[err.code].transient;
}

/** True for failures that mean the peer lied: it is not asked again in this download. */
export function isLie(err: unknown): boolean {
  return err instanceof TxtmeshError && ERROR_TABLE[err.code].lie;
}

/** True for codes that refuse us for who we are (membership, identity, certificates). */
export function isRefusal(code: ErrorCode): boolean {
  return ERROR_TABLE[code].class === 'membership';
}

/** True for transport failures: the peer could not be reached or the connection failed. */
export function isTransport(code: ErrorCode): boolean {
  return ERROR_TABLE[code].class === 'transport' && ERROR_TABLE[code].transient;
}

/**
 * Exit statuses of the subcommands (docs/cli.md, "Exit status"): one per class of failure, so a
 * script can tell "try again later" (unreachable) from "you asked for something that is not
 * there" (not found) or "a human must choose" (conflict). Pure.
 */
import type { ErrorCode } from '../errors.js';
import type { Result } from './results.js';

export const EXIT = {
  OK: 0,
  /** Anything not in a class below (e.g. a peer that breaks the protocol). */
  OTHER: 1,
  /** Bad command line, unknown peer, bad file name, bad settings. */
  USAGE: 2,
  /** A peer could not be reached, timed out or hung up. */
  UNREACHABLE: 3,
  /** The file is not where it was asked for. */
  NOT_FOUND: 4,
  /** Versions disagree, or a different file already has the name. */
  CONFLICT: 5,
  /** Bytes failed verification, or a transfer could not be completed. */
  INTEGRITY: 6,
  /** Refused for who we are: not a member of the peer's mesh, identity or certificate not accepted. */
  REFUSED: 7,
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const CLASS_OF: Partial<Record<ErrorCode, ExitCode>> = {
  ERR_USAGE: EXIT.USAGE,
  ERR_UNKNOWN_PEER: EXIT.USAGE,
  ERR_BAD_NAME: EXIT.USAGE,
  ERR_SETTINGS_LINE: EXIT.USAGE,
  ERR_SETTINGS_DUPLICATE: EXIT.USAGE,
  ERR_SETTINGS_READ: EXIT.USAGE,
  ERR_SETTINGS_MIXED: EXIT.USAGE,
  ERR_IDENTITY_FILE: EXIT.USAGE,
  ERR_NOT_A_MEMBER: EXIT.REFUSED,
  ERR_BAD_IDENTITY: EXIT.REFUSED,
  ERR_TLS_REQUIRED: EXIT.REFUSED,
  ERR_TLS_HANDSHAKE: EXIT.REFUSED,
  ERR_CERT_EXPIRED: EXIT.REFUSED,
  ERR_PEER_UNREACHABLE: EXIT.UNREACHABLE,
  ERR_PEER_TIMEOUT: EXIT.UNREACHABLE,
  ERR_PEER_CLOSED: EXIT.UNREACHABLE,
  ERR_NO_PEERS: EXIT.UNREACHABLE,
  ERR_NOT_FOUND: EXIT.NOT_FOUND,
  ERR_VERSION_CONFLICT: EXIT.CONFLICT,
  ERR_EXISTS: EXIT.CONFLICT,
  ERR_HASH_MISMATCH: EXIT.INTEGRITY,
  ERR_DOWNLOAD_INCOMPLETE: EXIT.INTEGRITY,
  ERR_UPLOAD_MISMATCH: EXIT.INTEGRITY,
  ERR_CHANGED: EXIT.INTEGRITY,
};

/** The exit status for a failure with this code. */
export function exitCodeFor(code: ErrorCode): ExitCode {
  return CLASS_OF[code] ?? EXIT.OTHER;
}

// When several peers fail for different reasons, the class that most needs a human wins.
const PRECEDENCE: readonly ExitCode[] = [EXIT.USAGE, EXIT.REFUSED, EXIT.INTEGRITY, EXIT.CONFLICT, EXIT.NOT_FOUND, EXIT.UNREACHABLE, EXIT.OTHER];

/** The exit status for several failures (0 if there are none). */
export function worstExitCode(codes: readonly ErrorCode[]): ExitCode {
  const classes = new Set(codes.map(exitCodeFor));
  return PRECEDENCE.find((c) => classes.has(c)) ?? EXIT.OK;
}

/**
 * The exit status of a command that ran to the end. The mesh-wide views (#PEERS, #FILES)
 * report which peers are down as part of their answer; the commands aimed at peers
 * (#FILELIST, #PING) fail when one of them did not answer, and #UPLOAD when one did not
 * take the file.
 */
export function exitCodeOf(result: Result): ExitCode {
  switch (result.command) {
    case 'ping':
      return worstExitCode(result.peers.flatMap((p) => (p.reachable ? [] : [p.error?.code ?? 'ERR_PEER_UNREACHABLE'])));
    case 'filelist':
      return worstExitCode(result.peers.flatMap((p) => (p.ok ? [] : [p.error.code])));
    case 'upload':
      return worstExitCode(result.peers.flatMap((p) => (p.status === 'failed' ? [p.error?.code ?? 'ERR_INTERNAL'] : [])));
    case 'peers':
    case 'files':
    case 'download':
    case 'share':
    case 'help':
      return EXIT.OK;
  }
}

/**
 * Exit statuses of the subcommands (docs/cli.md, "Exit status"): one per class of failure, so a
 * script can tell "try again later" (unreachable) from "you asked for something that is not
 * there" (not found) or "a human must choose" (conflict). Pure.
 */
import { ERROR_TABLE, type ErrorCode, TxtmeshError } from '../errors.js';
import type { Result } from '../client/results.js';

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

/**
 * The exit status for a failure with this code (src/errors.ts, ERROR_TABLE). A code whose status
 * depends on why (an incomplete download) takes the worst status of its reasons, or
 * UNREACHABLE when it has none (its peers vanished).
 */
export function exitCodeFor(code: ErrorCode, reasons: readonly ErrorCode[] = []): ExitCode {
  const exit = ERROR_TABLE[code].exit;
  if (exit !== null) return exit as ExitCode;
  const worst = worstExitCode(reasons.filter((r) => ERROR_TABLE[r].exit !== null));
  return worst === EXIT.OK ? EXIT.UNREACHABLE : worst;
}

/** The exit status for any error thrown by a command. */
export function exitCodeOfError(err: unknown): ExitCode {
  return err instanceof TxtmeshError ? exitCodeFor(err.code, err.reasons) : EXIT.OTHER;
}

// When several peers fail for different reasons, the class that most needs a human wins.
const PRECEDENCE: readonly ExitCode[] = [EXIT.USAGE, EXIT.REFUSED, EXIT.INTEGRITY, EXIT.CONFLICT, EXIT.NOT_FOUND, EXIT.UNREACHABLE, EXIT.OTHER];

/** The worst of several exit statuses, by the same precedence (0 if all are 0). */
export function worstOf(codes: readonly ExitCode[]): ExitCode {
  const given = new Set(codes);
  if (given.has(EXIT.INTERRUPTED)) return EXIT.INTERRUPTED;
  return PRECEDENCE.find((c) => given.has(c)) ?? EXIT.OK;
}

/** The exit status for several failures (0 if there are none). */
export function worstExitCode(codes: readonly ErrorCode[]): ExitCode {
  const classes = new Set(codes.map((c) => exitCodeFor(c)));
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
    case 'downloads':
      return worstOf(result.files.map((f) => f.exitCode as ExitCode));
    case 'versions':
      return worstExitCode(result.peers.flatMap((p) => (p.ok ? [] : [p.error.code])));
    case 'peers':
    case 'files':
    case 'download':
    case 'share':
    case 'restore':
    case 'unshare':
    case 'limit':
    case 'help':
      return EXIT.OK;
  }
}

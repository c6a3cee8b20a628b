/**
 * What went wrong with one peer, as results carry it: the stable code and a one-line message.
 * Every multi-peer command reports a peer's failure in this one shape (results.ts), and the
 * exit status is worked out from the code alone (cli/exit-codes.ts).
 */
import { type ErrorCode, codeOf, describeError } from '../errors.js';

/** A failure, as results carry it: the stable code and a one-line message. */
export interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
}

/** The Problem of a caught error (a non-TxtmeshError is ERR_INTERNAL). */
export function problemOf(err: unknown): Problem {
  return { code: codeOf(err), message: describeError(err) };
}

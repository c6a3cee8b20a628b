/**
 * A command that failed part-way, with what it had learned by then (e.g. which peers hold
 * which version of a file when a download stops on a version conflict). The error keeps its
 * code; `--json` adds the details to the error document.
 */
import { TxtmeshError } from '../errors.js';

export class CommandFailure extends TxtmeshError {
  readonly details: Readonly<Record<string, unknown>>;

  constructor(err: TxtmeshError, details: Record<string, unknown>) {
    super(err.code, err.message, { cause: err, reasons: err.reasons });
    this.name = 'CommandFailure';
    this.details = details;
  }
}

/** Wraps a TxtmeshError with details; anything else passes through. */
export function withDetails(err: unknown, details: Record<string, unknown>): unknown {
  return err instanceof TxtmeshError ? new CommandFailure(err, details) : err;
}

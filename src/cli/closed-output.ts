/**
 * A reader that goes away early (`txtmesh-client filelist p1 | head -c 10`) closes our stdout.
 * Node ignores SIGPIPE, so the next write fails with EPIPE, reported as an 'error' event on
 * process.stdout; unhandled, that is a crash with a stack trace (issue 12, item 7). Here the
 * output is let go quietly instead: a command that is running finishes (a download is not cut
 * off because nobody reads its summary), and the process exits with the command's own status.
 * The console also stops reading commands then (console.ts); the server keeps serving.
 */

/** Codes of a write to an output whose reader has gone. */
const GONE: ReadonlySet<string> = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/** True for the error of a write to an output whose reader has gone. */
export function isOutputGone(err: NodeJS.ErrnoException): boolean {
  return GONE.has(err.code ?? '');
}

/** Lets stdout and stderr close under us without a crash; any other output error still throws. */
export function quietWhenOutputCloses(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (!isOutputGone(err)) throw err;
    });
  }
}

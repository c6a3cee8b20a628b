/**
 * The one start-up path of txtmesh-client, for the console and every subcommand: check the
 * options, load this peer (settings, identity), open its served folder, and the trace file.
 */
import { createWriteStream } from 'node:fs';
import { checkNumber, parseRate } from '../options.js';
import { RateLimit, type RateLimits } from '../transport/rate-limit.js';
import { ServedFolder } from '../storage/served-folder.js';
import { VersionsArea } from '../storage/versions-area.js';
import type { GlobalArgs } from './client-options.js';
import { loadPeerContext } from './peer-context.js';
import type { Session } from './session.js';

/** A session without its output, and how to close what it opened. */
export interface Started {
  readonly session: Omit<Session, 'out'>;
  /** Flushes and closes the trace file, if any. */
  close(): Promise<void>;
}

/**
 * Starts a client run.
 * @throws TxtmeshError ERR_USAGE (a bad --timeout or rate), settings and identity errors
 */
export async function startClient(argv: GlobalArgs): Promise<Started> {
  const timeout = checkNumber('--timeout', argv.timeout, { min: 0, exclusive: true });
  const limits: RateLimits = {
    down: new RateLimit(parseRate('--max-download-rate', argv['max-download-rate'] ?? '0')),
    up: new RateLimit(parseRate('--max-upload-rate', argv['max-upload-rate'] ?? '0')),
  };
  const ctx = await loadPeerContext({ id: argv.id, settings: argv.settings, dir: argv.dir, identity: argv.identity });
  const folder = new ServedFolder(ctx.dir);
  await folder.init();
  const traceFile = argv.trace === undefined ? undefined : createWriteStream(argv.trace, { flags: 'a' });
  const trace = traceFile && ((event: object) => void traceFile.write(JSON.stringify(event) + '\n'));
  return {
    session: { ctx, folder, versions: new VersionsArea(folder), timeoutMs: timeout * 1000, trace, limits },
    close: () => (traceFile ? new Promise<void>((resolve) => traceFile.end(resolve)) : Promise.resolve()),
  };
}

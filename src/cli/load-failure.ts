/**
 * A program that cannot load its own code says why in a line, not a stack trace. The one cause
 * a user meets is running out of file handles (a low `ulimit -n`): Node opens each module file
 * of the program as it loads it, so a limit of a few dozen stops it before it can do anything.
 * And the server's one way to give up at start-up, which it needs before its code has loaded.
 */
import { isOutOfHandles } from '../storage/resources.js';
import { visible } from './terminal-text.js';

/**
 * Runs `load` (the program's dynamic imports and work); if it fails for want of file handles,
 * prints what ran out and exits with status 2 (could not start). Any other failure is thrown on.
 */
export async function failOnLoad(program: string, load: () => Promise<void>): Promise<void> {
  try {
    await load();
  } catch (err) {
    if (!isOutOfHandles(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    process.stderr.write(`${program}: out of file handles while starting (${code}): raise the limit on open files (ulimit -n) (ERR_BUSY)\n`);
    process.exit(2);
  }
}

/** txtmesh-server could not start: says why on stderr and exits with status 2. */
export function failStart(message: string): never {
  process.stderr.write(`txtmesh-server: ${visible(message)}\n`);
  process.exit(2);
}

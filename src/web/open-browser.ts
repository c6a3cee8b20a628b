/**
 * --open: start the system's browser on the page, where there is one. The opener is looked up
 * on PATH (xdg-open on Linux and the BSDs, open on macOS); a machine without one (a server, a
 * container) is told so, and the URL is there to copy.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type OpenResult = { readonly opened: true; readonly command: string } | { readonly opened: false; readonly reason: string };

/** The opener for this platform. */
export function openerName(platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' ? 'open' : 'xdg-open';
}

/** The opener's path on PATH, or undefined. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Starts the browser on `url`, detached, its output discarded. */
export function openBrowser(url: string, options: { path?: string; platform?: NodeJS.Platform } = {}): OpenResult {
  const name = openerName(options.platform);
  const command = findOnPath(name, options.path);
  if (!command) return { opened: false, reason: `no ${name} on PATH, so no browser was started; open the URL yourself` };
  const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
  return { opened: true, command };
}

/**
 * Debian's Chromium, driven by playwright-core, for the page's tests. Where there is no
 * browser the tests are skipped, and say so: `.ci/run` installs chromium when it is missing.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/** The browser to use: TXTMESH_CHROMIUM, else Debian's. */
export const CHROMIUM = process.env.TXTMESH_CHROMIUM ?? '/usr/bin/chromium';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Screenshots of this run (not committed). */
export const SHOTS = join(repo, 'build', 'screenshots');
/** The committed screenshots the README shows, rewritten when TXTMESH_UPDATE_SCREENSHOTS=1. */
export const DOC_SHOTS = join(repo, 'docs', 'screenshots');

/** Why no browser can be had here, or undefined when one can. */
export function noBrowser(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM} (apt-get install chromium, or set TXTMESH_CHROMIUM)`;
}

export async function launch(): Promise<Browser> {
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * The page's files, served from the package itself (no CDN: the machine may be offline): the
 * page in web/ at the package's top, and the libraries it uses as their own ES modules from
 * node_modules, found at run time with import.meta.resolve, so there is no build step. An
 * import map in the HTML gives the libraries' bare names ("preact", "htm") those paths.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each library file the page may load: the URL path under vendor/, and the module it is. */
const VENDOR: Readonly<Record<string, string>> = {
  'preact.mjs': 'preact',
  'hooks.mjs': 'preact/hooks',
  'htm.mjs': 'htm',
  'uPlot.esm.js': 'uplot/dist/uPlot.esm.js',
  'uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

/** Bare module names the page imports, and where the import map sends them. */
const IMPORTS = { preact: './vendor/preact.mjs', 'preact/hooks': './vendor/hooks.mjs', htm: './vendor/htm.mjs', uplot: './vendor/uPlot.esm.js' };

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** The folder of the txtmesh package: the first parent of this file with its package.json. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'web', 'index.html'))) return dir;
    if (dirname(dir) === dir) throw new Error(`the page's files (web/index.html) were not found above ${from}`);
  }
}

/** The page's assets, read once and kept. */
export class Assets {
  readonly #webDir: string;
  readonly #cache = new Map<string, Asset>();
  #index: { html: Buffer; csp: string } | undefined;

  constructor(webDir = join(packageRoot(), 'web')) {
    this.#webDir = webDir;
  }

  /** The page, with its import map inlined, and the Content-Security-Policy that allows only it. */
  async index(): Promise<{ html: Buffer; csp: string }> {
    if (this.#index) return this.#index;
    const template = await readFile(join(this.#webDir, 'index.html'), 'utf8');
    const map = JSON.stringify({ imports: IMPORTS });
    const hash = createHash('sha256').update(map).digest('base64');
    const html = Buffer.from(template.replace('<!-- importmap -->', `<script type="importmap">${map}</script>`));
    const csp = [
      "default-src 'none'",
      `script-src 'self' 'sha256-${hash}'`,
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
    this.#index = { html, csp };
    return this.#index;
  }

  /**
   * A page file (`app.js`, `views/peers.js`) or a library file (`vendor/preact.mjs`), or
   * undefined if there is no such asset. Names are plain: no dot segments, no other folders.
   */
  async get(path: string): Promise<Asset | undefined> {
    const cached = this.#cache.get(path);
    if (cached) return cached;
    const file = this.#locate(path);
    const type = TYPES[extname(path)];
    if (!file || !type) return undefined;
    const body = await readFile(file).catch(() => undefined);
    if (!body) return undefined;
    const asset = { type, body };
    this.#cache.set(path, asset);
    return asset;
  }

  #locate(path: string): string | undefined {
    if (path.startsWith('vendor/')) {
      const module = VENDOR[path.slice('vendor/'.length)];
      return module === undefined ? undefined : fileURLToPath(import.meta.resolve(module));
    }
    if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*\.(js|css|svg)$/.test(path)) return undefined;
    return join(this.#webDir, ...path.split('/'));
  }
}

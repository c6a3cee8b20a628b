import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers.js';
import { Assets, packageRoot } from '../../src/web/assets.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('web/assets (the page\'s files, from the package)', () => {
  it('finds the package from any folder below it', () => {
    expect(packageRoot()).to.equal(repo);
    expect(packageRoot(join(repo, 'build', 'test', 'web'))).to.equal(repo);
    expect(() => packageRoot('/')).to.throw(/web\/index\.html/);
  });

  it('lists web/ in the package\'s files, so the page ships with it', () => {
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { files: string[]; dependencies: Record<string, string> };
    expect(pkg.files).to.include('web');
    expect(Object.keys(pkg.dependencies)).to.include.members(['preact', 'htm', 'uplot']);
  });

  describe('on a folder of its own', () => {
    let dir: string;
    let assets: Assets;
    before(async () => {
      dir = await tempDir();
      await mkdir(join(dir, 'views'));
      await writeFile(join(dir, 'index.html'), '<head><!-- importmap --></head>');
      await writeFile(join(dir, 'app.js'), 'export {};\n');
      await writeFile(join(dir, 'views', 'a-b.js'), 'export const x = 1;\n');
      await writeFile(join(dir, 'notes.txt'), 'not an asset');
      await writeFile(join(dir, '.hidden.js'), 'secret');
      assets = new Assets(dir);
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('inlines the import map, and allows exactly it by hash', async () => {
      const { html, csp } = await assets.index();
      const map = /<script type="importmap">([^<]*)<\/script>/.exec(html.toString())?.[1] as string;
      expect(JSON.parse(map).imports).to.deep.equal({ preact: './vendor/preact.mjs', 'preact/hooks': './vendor/hooks.mjs', htm: './vendor/htm.mjs', uplot: './vendor/uPlot.esm.js' });
      expect(csp).to.include(`script-src 'self' 'sha256-${createHash('sha256').update(map).digest('base64')}'`);
    });

    it('serves page files by plain names with their types, and the libraries from node_modules', async () => {
      expect((await assets.get('app.js'))?.type).to.equal('text/javascript; charset=utf-8');
      expect((await assets.get('views/a-b.js'))?.body.toString()).to.equal('export const x = 1;\n');
      const preact = await assets.get('vendor/preact.mjs');
      expect(preact?.body).to.deep.equal(readFileSync(join(repo, 'node_modules', 'preact', 'dist', 'preact.mjs')));
      expect(existsSync(join(dir, 'vendor'))).to.equal(false);
    });

    it('serves nothing else: other types, dot names, other folders, unknown libraries', async () => {
      for (const path of ['notes.txt', '.hidden.js', '../app.js', 'views/../app.js', 'views//a-b.js', '/etc/passwd', 'App.js', 'vendor/fast-glob.js', 'vendor/../app.js', 'missing.js', 'index.html']) {
        expect(await assets.get(path), path).to.equal(undefined);
      }
    });
  });
});

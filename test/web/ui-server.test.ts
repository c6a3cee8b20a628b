import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type Mesh, startMesh } from '../helpers.js';
import { packageRoot } from '../../src/web/assets.js';
import type { RunningUi } from '../../src/web/ui-server.js';
import { postJson, request, startMeshPage } from './ui-helpers.js';

/** The modules a page file imports, by the path it names. */
function importsOf(source: string): string[] {
  return [...source.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);
}

describe('web/ui-server (the page endpoint)', () => {
  let mesh: Mesh;
  let ui: RunningUi;
  const page = (path: string) => request(ui.port, `/${ui.token}${path}`);
  before(async () => {
    mesh = await startMesh({}, ['me']);
    ui = await startMeshPage(mesh, 'me');
  });
  after(async () => {
    await ui.close();
    await mesh.stop();
  });

  it('listens on 127.0.0.1 only, at a URL with a 256-bit random token', async () => {
    expect(ui.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/$/);
    expect(ui.url).to.equal(`http://127.0.0.1:${ui.port}/${ui.token}/`);
    const other = await startMeshPage(mesh, 'me');
    expect(other.token).to.not.equal(ui.token);
    await other.close();
    // Another loopback address of this machine reaches nothing.
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const s = connect({ host: '127.0.0.2', port: ui.port });
      s.once('connect', () => (s.destroy(), resolve(undefined)));
      s.once('error', resolve);
    });
    expect(error?.code).to.equal('ECONNREFUSED');
  });

  it('refuses every request without the token with 403 and ERR_UI_TOKEN: the page, its files, its API, its events', async () => {
    for (const path of ['/', '/app.js', '/vendor/preact.mjs', '/api/peers', '/api/events', `/${ui.token.slice(0, -1)}/`]) {
      const answer = await request(ui.port, path);
      expect(answer.status, path).to.equal(403);
      expect(answer.json().error.code, path).to.equal('ERR_UI_TOKEN');
    }
    const post = await request(ui.port, '/api/download', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"a.txt"}' });
    expect(post.status).to.equal(403);
    expect(post.json().error.code).to.equal('ERR_UI_TOKEN');
  });

  it('refuses a request addressed to another host name even with the token (ERR_UI_HOST)', async () => {
    const answer = await request(ui.port, `/${ui.token}/api/peers`, { headers: { host: 'rebound.example' } });
    expect(answer.status).to.equal(403);
    expect(answer.json().error.code).to.equal('ERR_UI_HOST');
  });

  it('refuses a change posted from another origin even with the token (ERR_UI_ORIGIN)', async () => {
    const answer = await request(ui.port, `/${ui.token}/api/download`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: '{"name":"a.txt"}' });
    expect(answer.status).to.equal(403);
    expect(answer.json().error.code).to.equal('ERR_UI_ORIGIN');
  });

  it('serves the page with an import map that its Content-Security-Policy allows by hash, and no other inline script', async () => {
    const answer = await page('/');
    expect(answer.status).to.equal(200);
    expect(answer.headers['content-type']).to.equal('text/html; charset=utf-8');
    const html = answer.body.toString('utf8');
    const scripts = [...html.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    const inline = scripts.filter((s) => !(s[1] as string).includes('src='));
    expect(inline).to.have.length(1);
    expect(inline[0]?.[1]).to.include('type="importmap"');
    const hash = createHash('sha256').update(inline[0]?.[2] as string).digest('base64');
    expect(answer.headers['content-security-policy']).to.include(`script-src 'self' 'sha256-${hash}'`);
    expect(answer.headers['content-security-policy']).to.include("default-src 'none'");
    expect(answer.headers['referrer-policy']).to.equal('no-referrer');
  });

  it('serves every module the page imports, its libraries through the import map, from the package (no CDN)', async () => {
    const html = (await page('/')).body.toString('utf8');
    const map = JSON.parse(/<script type="importmap">([^<]*)<\/script>/.exec(html)?.[1] as string).imports as Record<string, string>;
    const seen = new Set<string>();
    const queue = ['./app.js'];
    while (queue.length > 0) {
      const path = queue.shift() as string;
      if (seen.has(path)) continue;
      seen.add(path);
      const answer = await page(`/${path.replace(/^\.\//, '')}`);
      expect(answer.status, path).to.equal(200);
      expect(answer.headers['content-type'], path).to.equal('text/javascript; charset=utf-8');
      if (path.startsWith('./vendor/')) continue;
      const dir = path.slice(0, path.lastIndexOf('/') + 1);
      for (const spec of importsOf(answer.body.toString('utf8'))) {
        if (spec.startsWith('.')) queue.push(`./${join(dir, spec)}`);
        else {
          expect(map, `import map entry for ${spec}`).to.have.property(spec);
          queue.push(map[spec] as string);
        }
      }
    }
    expect([...seen]).to.include.members(['./app.js', './vendor/preact.mjs', './vendor/hooks.mjs', './vendor/htm.mjs', './vendor/uPlot.esm.js', './views/transfers.js']);
    const css = await page('/vendor/uPlot.min.css');
    expect(css.status).to.equal(200);
    expect(css.body).to.deep.equal(await readFile(join(packageRoot(), 'node_modules', 'uplot', 'dist', 'uPlot.min.css')));
  });

  it('answers 404 (ERR_UI_NOT_FOUND) for anything else, and nothing outside web/ is reachable', async () => {
    for (const path of ['/nope.js', '/vendor/other.mjs', '/api/nope', '/../package.json', '/%2e%2e/package.json', '/views/../../package.json', '/index.html.js']) {
      const answer = await page(path);
      expect(answer.status, path).to.be.oneOf([403, 404]);
      expect(answer.json().error.code, path).to.be.oneOf(['ERR_UI_NOT_FOUND', 'ERR_UI_TOKEN']);
    }
    expect((await page('/api/peers/extra')).status).to.equal(404);
  });

  it('sends /<token> on to /<token>/', async () => {
    const answer = await request(ui.port, `/${ui.token}`);
    expect(answer.status).to.equal(308);
    expect(answer.headers.location).to.equal(`/${ui.token}/`);
  });

  it('takes only JSON objects as action bodies (ERR_UI_BAD_REQUEST)', async () => {
    const origin = `http://127.0.0.1:${ui.port}`;
    const form = await request(ui.port, `/${ui.token}/api/download`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin }, body: 'name=a.txt' });
    expect(form.status).to.equal(400);
    expect(form.json().error.code).to.equal('ERR_UI_BAD_REQUEST');
    for (const body of ['[1]', '{"name": 5}', '{"name": "a.txt", "from": "p1"}', 'null']) {
      const answer = await postJson(ui, '/api/download', JSON.parse(body));
      expect(answer.status, body).to.equal(400);
      expect(answer.json().error.code, body).to.equal('ERR_UI_BAD_REQUEST');
    }
    const bad = await request(ui.port, `/${ui.token}/api/download`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: '{"name": ' });
    expect(bad.status).to.equal(400);
    expect(bad.json().error.code).to.equal('ERR_UI_BAD_REQUEST');
  });

  it('fails to start on a port already taken (EADDRINUSE)', async () => {
    const err = await startMeshPage(mesh, 'me', { port: ui.port }).then(
      (u) => (void u.close(), undefined),
      (e: NodeJS.ErrnoException) => e,
    );
    expect(err?.code).to.equal('EADDRINUSE');
  });
});

/**
 * `txtmesh-client ui` and the console's --ui, run as a user would: the URL printed, the token
 * required, Ctrl-C (SIGINT) stops it; a taken --ui-port and bad numbers are usage errors.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type Mesh, startMesh } from '../helpers.js';
import { request } from '../web/ui-helpers.js';
import { clientJs, exited, run, waitForOutput } from '../integration/cli-helpers.js';

const URL_LINE = /page for peer me: http:\/\/127\.0\.0\.1:(\d+)\/([A-Za-z0-9_-]{43})\/\n/;

describe('txtmesh-client ui (integration)', () => {
  let mesh: Mesh;
  let cwd: string;
  before(async () => {
    mesh = await startMesh({ me: { files: { 'a.txt': 'a' } }, bob: {} });
    await mesh.writeSettings();
    cwd = join(mesh.root, 'me');
  });
  after(() => mesh.stop());

  it('prints the page\'s URL with its token, serves it only with the token, says when there is no browser to open, and stops on SIGINT', async () => {
    const child = spawn(process.execPath, [clientJs, 'ui', '--open'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: '/nonexistent' } });
    try {
      const out = await waitForOutput(child, /Ctrl-C stops it/);
      const [, port, token] = URL_LINE.exec(out) ?? [];
      expect(port, out).to.be.a('string');
      expect(out).to.include('txtmesh-client ui: no xdg-open on PATH, so no browser was started; open the URL yourself');
      expect((await request(Number(port), '/')).status).to.equal(403);
      const peers = await request(Number(port), `/${token}/api/peers`);
      expect(peers.status).to.equal(200);
      expect(peers.json().result.peers.map((p: { peer: string }) => p.peer)).to.deep.equal(['me', 'bob']);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited(child)).to.equal(0);
  });

  it('serves the page beside the console with --ui, and closes it when the console ends', async () => {
    const result = await run(clientJs, ['--ui'], cwd, '#PEERS\n');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(URL_LINE);
    expect(result.stdout).to.include('2 of 2 peers online');
  });

  it('refuses a taken --ui-port and a bad one, with exit status 2', async () => {
    const first = spawn(process.execPath, [clientJs, 'ui'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const [, port] = URL_LINE.exec(await waitForOutput(first, /Ctrl-C stops it/)) ?? [];
      const taken = await run(clientJs, ['ui', '--ui-port', String(port)], cwd);
      expect(taken.code).to.equal(2);
      expect(taken.stderr).to.match(/^txtmesh-client ui: --ui-port is already in use: .*EADDRINUSE/);
    } finally {
      first.kill('SIGINT');
      await exited(first);
    }
    const bad = await run(clientJs, ['--ui', '--ui-port', '70000'], cwd, '');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('--ui-port must be a whole number from 0 to 65535, not 70000 (ERR_USAGE)');
  });
});

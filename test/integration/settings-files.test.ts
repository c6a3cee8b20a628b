/**
 * Issue 12, item 6: settings files that are not what they should be, as the real programs meet
 * them. A FIFO or a device is refused at once (it used to hang both programs, or eat memory);
 * an own address that is no address names its line; a running server that re-reads an emptied
 * settings file keeps the settings it has.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort, rawExchange, tempDir } from '../helpers.js';
import { clientJs, run, serverJs, waitForOutput } from './cli-helpers.js';

describe('settings files the programs must not trust (issue 12, item 6)', function () {
  this.timeout(20_000);
  let root: string;
  let peerDir: string;
  const settings = () => join(root, 'peer_settings.txt');
  let server: ChildProcess | undefined;

  beforeEach(async function () {
    root = await tempDir();
    peerDir = join(root, 'p1');
    await mkdir(join(peerDir, 'served_files'), { recursive: true });
  });
  afterEach(async function () {
    server?.kill('SIGKILL');
    server = undefined;
    await rm(root, { recursive: true, force: true });
  });

  it('a FIFO or /dev/zero as the settings file: both programs refuse it at once, exit 2, ERR_SETTINGS_READ', async function () {
    const fifo = join(root, 'fifo.txt');
    expect(spawnSync('mkfifo', [fifo]).status).to.equal(0);
    for (const path of [fifo, '/dev/zero']) {
      const client = await run(clientJs, ['peers', '--settings', path], peerDir);
      expect(client.code, client.stderr).to.equal(2);
      expect(client.stderr).to.contain('not a regular file').and.contain('ERR_SETTINGS_READ');
      const started = await run(serverJs, ['--settings', path, '--no-console'], peerDir);
      expect(started.code, started.stderr).to.equal(2);
      expect(started.stderr).to.contain('not a regular file').and.contain('ERR_SETTINGS_READ');
    }
  });

  it('an own address 999.1.1.1 or a port 080: the file, the line and ERR_SETTINGS_LINE, from both programs', async function () {
    for (const line of ['p1 999.1.1.1 5001', 'p1 127.0.0.1 080']) {
      await writeFile(settings(), `# the mesh\n${line}\n`);
      const started = await run(serverJs, ['--no-console'], peerDir);
      expect(started.code, started.stderr).to.equal(2);
      expect(started.stderr).to.contain(`${settings()}:2:`).and.contain('ERR_SETTINGS_LINE');
      const client = await run(clientJs, ['peers'], peerDir);
      expect(client.code, client.stderr).to.equal(2);
      expect(client.stderr).to.contain(`${settings()}:2:`).and.contain('ERR_SETTINGS_LINE');
    }
  });

  it('an own host name that does not resolve: the server names the line (ERR_SETTINGS_LINE), not a raw getaddrinfo error', async function () {
    // .invalid never resolves (RFC 2606).
    await writeFile(settings(), 'p1 nosuch.invalid 5001\n');
    const started = await run(serverJs, ['--no-console'], peerDir);
    expect(started.code, started.stderr).to.equal(2);
    expect(started.stderr).to.contain(`${settings()}:1: this peer's address nosuch.invalid does not resolve`).and.contain('ERR_SETTINGS_LINE');
  });

  it('a running server keeps its settings, and says so, when the file is emptied or loses this peer', async function () {
    const port = await freePort();
    const full = `p1 127.0.0.1 ${port}\np2 127.0.0.1 ${await freePort()}\n`;
    await writeFile(settings(), full);
    server = spawn(process.execPath, [serverJs, '--no-console'], { cwd: peerDir, stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForOutput(server, /serving/);
    // The server notices changes by polling the file once a second, from a first look taken
    // just after start-up: change it only after that look.
    await delay(1500);
    for (const [content, why] of [['', 'it lists no peers'], [`p2 127.0.0.1 ${port}\n`, 'does not list this peer (p1)']] as const) {
      const said = waitForOutput(server, /settings not reloaded[^\n]*\n/);
      await writeFile(settings(), content);
      expect(await said).to.contain(why).and.contain('the previous ones stay in force');
      // p2 is still a member: its claim holds, and it may upload.
      const claim = await rawExchange(port, 'HELLO 1 0 txtmesh/1 p2\n');
      expect(claim.text).to.equal('OK 1 0 txtmesh/1 peer=p1\n');
    }
    // A good file is taken again.
    const reloaded = waitForOutput(server, /settings reloaded[^\n]*\n/);
    await writeFile(settings(), full + `p3 127.0.0.1 ${await freePort()}\n`);
    expect(await reloaded).to.contain('3 peers');
  });
});

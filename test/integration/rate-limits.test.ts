/**
 * Rate limits on real servers and clients (issue 15): the server's --max-upload-rate shared
 * evenly by its connections, a download's --max-download-rate over all its sources, #UPLOAD's
 * up limit, and the programs' options and #LIMIT as a user types them. Speed is measured by the
 * bench (scenario "limits", achieved ÷ limit); these tests check only that a limit is applied
 * (lower bounds on time, which a loaded machine cannot break) and that bytes arrive whole.
 */
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { download } from '../../src/client/download.js';
import { upload } from '../../src/client/upload.js';
import { RateLimit } from '../../src/transport/rate-limit.js';
import { type Mesh, makeText, startMesh } from '../helpers.js';
import { clientJs, run } from './cli-helpers.js';

const KiB = 1024;

describe('rate limits on real peers', function () {
  this.timeout(30_000);
  let mesh: Mesh | undefined;
  afterEach(async () => {
    await mesh?.stop();
    mesh = undefined;
  });

  it('a server\'s upload limit is shared evenly: two clients at once both take about twice as long', async () => {
    const file = makeText(384 * KiB);
    mesh = await startMesh({ p1: { files: { 'a.txt': file } } }, ['c1', 'c2']);
    mesh.servers.get('p1')!.uploadLimit.rate = 256 * KiB;
    const started = performance.now();
    const one = async (id: string) => {
      await download({ name: 'a.txt', peers: [mesh!.address('p1')], folder: await mesh!.folderOf(id) });
      return performance.now() - started;
    };
    const times = await Promise.all([one('c1'), one('c2')]);
    // 768 KiB at 256 KiB/s: 3 s for both. A connection served ahead of the other would finish
    // in about 1.5 s; sharing evenly, neither finishes before about 2.5 s.
    expect(Math.min(...times)).to.be.at.least(2200);
    for (const id of ['c1', 'c2']) expect(await readFile(join(mesh.dirOf(id), 'a.txt'))).to.deep.equal(file);
  });

  it('a download\'s limit paces all its sources together, and a live change applies at once', async () => {
    const file = makeText(1024 * KiB);
    mesh = await startMesh({ p1: { files: { 'a.txt': file } }, p2: { files: { 'a.txt': file } } }, ['me']);
    const limit = new RateLimit(256 * KiB);
    const started = performance.now();
    let lifted = 0;
    const result = await download({
      name: 'a.txt',
      peers: mesh.contextOf('me').others,
      folder: await mesh.folderOf('me'),
      receiveLimit: limit,
      onPiece: () => {
        // After half the file (2 s at the limit), the limit is lifted: the rest comes at once.
        if (++lifted === 2) limit.rate = 0;
      },
    });
    const ms = performance.now() - started;
    expect(ms).to.be.at.least(1500); // two 256 KiB pieces at 256 KiB/s, from two peers together
    expect(result.peers.reduce((sum, p) => sum + p.bytes, 0)).to.equal(file.length);
    expect(await readFile(join(mesh.dirOf('me'), 'a.txt'))).to.deep.equal(file);
  });

  it('#UPLOAD\'s up limit paces what goes to all the peers together', async () => {
    mesh = await startMesh({ p1: {}, p2: {} }, ['me']);
    const file = makeText(256 * KiB);
    await writeFile(join(mesh.dirOf('me'), 'up.txt'), file);
    const started = performance.now();
    const done = await upload({ name: 'up.txt', peers: mesh.contextOf('me').others, folder: await mesh.folderOf('me'), as: mesh.credentialsOf('me'), sendLimit: new RateLimit(256 * KiB) });
    expect(done.outcomes.map((o) => o.status)).to.deep.equal(['stored', 'stored']);
    expect(performance.now() - started).to.be.at.least(1500); // 512 KiB at 256 KiB/s
    for (const id of ['p1', 'p2']) expect(await readFile(join(mesh.dirOf(id), 'up.txt'))).to.deep.equal(file);
  });

  it('the console takes --max-download-rate and #LIMIT; a bad rate is a usage error (exit 2)', async () => {
    mesh = await startMesh({ p1: { files: { 'a.txt': 'hello\n' } } }, ['me']);
    await mesh.writeSettings();
    const cwd = join(mesh.root, 'me');
    const r = await run(clientJs, ['--max-download-rate', '500k'], cwd, '#LIMIT\n#LIMIT up 2M\n#DOWNLOAD a.txt p1\n#LIMIT down sideways\n');
    const lines = r.stdout.split('\n');
    expect(lines).to.include('  down  500 KiB/s  downloads, all sources together');
    expect(lines).to.include('  up    2.0 MiB/s  uploads (#UPLOAD), all peers together (just set)');
    expect(r.stdout).to.match(/Downloaded a\.txt: 6 bytes/);
    expect(r.stdout).to.match(/error: #LIMIT down must be a rate like 2M.*\(ERR_USAGE\)/);
    expect(r.code).to.equal(1);
    const bad = await run(clientJs, ['--max-download-rate', 'fast'], cwd, '');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/--max-download-rate must be a rate like 2M/);
  });
});

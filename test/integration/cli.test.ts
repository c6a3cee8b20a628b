/**
 * The command-line programs as a user runs them: dist/server.js and dist/client.js with the
 * peer folder as working directory (npm test builds dist/ first).
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Mesh, freePort, startMesh, tempDir } from '../helpers.js';
import { clientJs, run, serverJs, waitForOutput } from './cli-helpers.js';

describe('txtmesh-client (piped console)', function () {
  this.timeout(30_000);
  let mesh: Mesh;
  const lorem = Buffer.from('Lorem ipsum café\r\nDolor ☕ sit\r\n'.repeat(20_000), 'utf8');

  before(async function () {
    mesh = await startMesh({ p1: { files: { 'hello_world.txt': 'Hello\n', 'my notes.txt': 'spaces ok\r\n', 'clash.txt': 'theirs\n' } }, p2: { files: { 'lorem.txt': lorem } }, p3: { files: { 'lorem.txt': lorem } } }, ['p5']);
    await mesh.writeSettings();
  });
  after(() => mesh.stop());

  const cwd = () => join(mesh.root, 'p5');

  it('runs piped commands, downloads byte for byte into served_files, exits 0', async function () {
    const r = await run(clientJs, [], cwd(), '#FILELIST p1 p2\n#DOWNLOAD hello_world.txt p1\n#DOWNLOAD lorem.txt p2 p3\n#DOWNLOAD "my notes.txt" p1\n');
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^p1: 3 files\n  clash\.txt +7 B +[0-9a-f]{12}\n  hello_world\.txt +6 B +[0-9a-f]{12}\n/);
    expect(r.stdout).to.match(/Downloaded lorem\.txt: \d+ bytes in .*bytes per peer: p2 \d+( \([^)]*\))?, p3 \d+/);
    expect(await readFile(join(mesh.root, 'p5', 'served_files', 'lorem.txt'))).to.deep.equal(lorem);
    expect(await readFile(join(mesh.root, 'p5', 'served_files', 'my notes.txt'), 'utf8')).to.equal('spaces ok\r\n');
  });

  it('answers bad commands with one line each, carries on, and exits 1', async function () {
    const r = await run(clientJs, [], cwd(), '#NOPE\n#DOWNLOAD\n#UPLOAD hello_world.txt\n#FILELIST p9\n#DOWNLOAD "open quote\n#FILELIST p1\n');
    expect(r.code).to.equal(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 5)).to.have.length(5);
    expect(lines[0]).to.match(/^error: .*ERR_USAGE/);
    expect(lines[1]).to.match(/^error: missing file name.*ERR_USAGE/);
    expect(lines[2]).to.match(/^error: .*ERR_USAGE/);
    expect(lines[3]).to.match(/^error: unknown peer p9; known peers: p1, p2, p3, p5 \(ERR_UNKNOWN_PEER\)$/);
    expect(lines[4]).to.match(/^error: unterminated double quote/);
    expect(lines[5]).to.equal('p1: 3 files');
  });

  it('writes one trace line per verified piece with --trace', async function () {
    const trace = join(mesh.root, 'trace.jsonl');
    await rm(join(mesh.root, 'p5', 'served_files', 'lorem.txt'), { force: true });
    const r = await run(clientJs, ['--trace', trace], cwd(), '#DOWNLOAD lorem.txt p2 p3\n');
    expect(r.code).to.equal(0);
    const events = (await readFile(trace, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { name: string; peer: string; bytes: number; ms: number });
    expect(events.reduce((sum, e) => sum + e.bytes, 0)).to.equal(lorem.length);
    expect(new Set(events.map((e) => e.name))).to.deep.equal(new Set(['lorem.txt']));
    expect(events.every((e) => (e.peer === 'p2' || e.peer === 'p3') && e.ms >= 0)).to.equal(true);
  });

  it('stops at #QUIT', async function () {
    const r = await run(clientJs, [], cwd(), '#QUIT\n#FILELIST p1\n');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal('');
  });

  it('keeps a different local file, saying which version each side has; --replace fetches theirs and keeps this one', async function () {
    await writeFile(join(mesh.root, 'p5', 'served_files', 'clash.txt'), 'mine\n');
    const r = await run(clientJs, [], cwd(), '#DOWNLOAD clash.txt p1\n');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^Already have version [0-9a-f]{12} of clash\.txt; p1 holds [0-9a-f]{12}\. Kept this peer's: --replace fetches theirs/);
    expect(await readFile(join(mesh.root, 'p5', 'served_files', 'clash.txt'), 'utf8')).to.equal('mine\n');
    const replaced = await run(clientJs, [], cwd(), '#DOWNLOAD clash.txt p1 --replace\n#VERSIONS clash.txt\n');
    expect(replaced.code).to.equal(0);
    expect(replaced.stdout).to.match(/^Downloading clash\.txt from p1\nDownloaded clash\.txt: 7 bytes .*; replaced version [0-9a-f]{12}, kept in the versions area\n/);
    expect(replaced.stdout).to.match(/\np5 \(this peer\): 2 versions of clash\.txt, newest kept first\n {2}[0-9a-f]{12} +7 B +current +changed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n {2}[0-9a-f]{12} +5 B +replaced +since /);
    expect(await readFile(join(mesh.root, 'p5', 'served_files', 'clash.txt'), 'utf8')).to.equal('theirs\n');
  });

  it('uploads with one result line per peer', async function () {
    await writeFile(join(mesh.root, 'p5', 'served_files', 'up.txt'), 'pushed\n');
    const r = await run(clientJs, [], cwd(), '#UPLOAD up.txt p2 p3\n');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^p2: stored up\.txt \(7 bytes in .*\)\np3: stored up\.txt \(7 bytes in .*\)\n$/);
    expect(await readFile(join(mesh.dirOf('p3'), 'up.txt'), 'utf8')).to.equal('pushed\n');
  });

  it('explains an ID missing from the settings, listing the known IDs', async function () {
    const dir = join(mesh.root, 'stranger');
    await mkdir(dir, { recursive: true });
    const r = await run(clientJs, [], dir, '#FILELIST\n');
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/peer ID "stranger" is not in .*peer_settings\.txt; known IDs: p1, p2, p3, p5.*ERR_UNKNOWN_PEER/);
  });

  it('shows the commands in --help', async function () {
    const r = await run(clientJs, ['--help'], cwd());
    expect(r.code).to.equal(0);
    for (const word of ['#FILELIST', '#DOWNLOAD', '#UPLOAD', '--id', '--settings', '--dir', '--timeout']) expect(r.stdout).to.contain(word);
  });
});

describe('txtmesh-server (command line)', function () {
  this.timeout(30_000);

  it('names the file and line of a bad settings line, and exits 2', async function () {
    const root = await tempDir();
    await mkdir(join(root, 'p1'));
    await writeFile(join(root, 'peer_settings.txt'), 'p1 127.0.0.1 5000\n\n# comment\np2 127.0.0.1 notaport\n');
    const r = await run(serverJs, [], join(root, 'p1'));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('peer_settings.txt:4: bad port "notaport"');
    expect(r.stderr).to.contain('ERR_SETTINGS_LINE');
  });

  it('accepts a settings file with a trailing blank line, logs each request, stops on SIGTERM', async function () {
    const root = await tempDir();
    const port = await freePort();
    await mkdir(join(root, 'p1', 'served_files'), { recursive: true });
    await writeFile(join(root, 'p1', 'served_files', 'a.txt'), 'abc');
    await writeFile(join(root, 'peer_settings.txt'), `p1\t127.0.0.1   ${port}\r\np2 localhost 1\r\n\r\n`);
    const child = spawn(process.execPath, [serverJs], { cwd: join(root, 'p1'), stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForOutput(child, /serving .* on 127\.0\.0\.1:\d+/);
    await mkdir(join(root, 'p2'));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const log = waitForOutput(child, /INFO "a\.txt" 32B [\d.]+ms OK/);
    const client = await run(clientJs, ['--id', 'p2'], join(root, 'p2'), '#DOWNLOAD a.txt p1\n');
    expect(client.code).to.equal(0);
    await log;
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });
});

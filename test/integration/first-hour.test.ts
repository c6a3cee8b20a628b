/**
 * What a new user meets in the first hour (issue 14, section 3), with the real programs: a
 * misspelt or upper-case subcommand, the cousin's words, running from the wrong folder, a
 * path into served_files/ where a name is wanted, a file the server will not serve, and an
 * unreachable peer.
 */
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Mesh, startMesh } from '../helpers.js';
import { clientJs, run, serverJs, waitForOutput } from './cli-helpers.js';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

describe('the first hour: typos, wrong folders, hints', function () {
  this.timeout(60_000);
  let mesh: Mesh;
  before(async function () {
    mesh = await startMesh({ p1: { files: { 'hello.txt': 'Hello\n' } }, p3: { state: 'down' } }, ['me']);
    await mesh.writeSettings();
  });
  after(() => mesh.stop());
  const me = () => join(mesh.root, 'me');

  it('a misspelt subcommand gets "did you mean"; upper case and the cousin\'s words work', async function () {
    const typo = await run(clientJs, ['dowload', 'big.txt'], me());
    expect(typo.code).to.equal(2);
    expect(typo.stderr).to.equal('txtmesh-client: unknown command dowload: did you mean download?\nRun txtmesh-client --help for usage.\n');
    const far = await run(clientJs, ['frobnicate'], me());
    expect(far.stderr).to.match(/^txtmesh-client: unknown command frobnicate\n/);
    const upper = await run(clientJs, ['FILES', '--json'], me());
    expect(upper.code).to.equal(0);
    expect(JSON.parse(upper.stdout)).to.include({ command: 'files', ok: true });
    const fetch = await run(clientJs, ['fetch', 'hello.txt', '--from', 'p1'], me());
    expect(fetch.code).to.equal(0);
    expect(fetch.stdout).to.match(/^Downloading hello\.txt from p1\nDownloaded hello\.txt: 6 bytes/);
  });

  it('the console takes exit, list, fetch and publish', async function () {
    await writeFile(join(me(), 'draft.txt'), 'draft\n');
    const r = await run(clientJs, [], me(), 'list p1\npublish draft.txt\nfetch hello.txt p1\nexit\n#PEERS\n');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^p1: 1 file\n {2}hello\.txt +6 B +[0-9a-f]{12}\nShared .*draft\.txt as draft\.txt .*\nAlready have hello\.txt /);
    expect(r.stdout).to.not.match(/peers online/);
    // me's server is not running, p1's is: #SHARE says which is the case.
    expect(r.stdout).to.contain("draft.txt (6 bytes, identity ");
    expect(r.stdout).to.contain("this peer's server is not running: it serves the file once txtmesh-server runs in this peer folder");
    const p1 = await run(clientJs, ['share', '../me/draft.txt', '--json'], join(mesh.root, 'p1'));
    expect(JSON.parse(p1.stdout)).to.include({ status: 'shared', serving: true });
  });

  it('from the mesh root or a served_files folder, says where to run instead (client and server)', async function () {
    const root = await run(clientJs, ['peers'], mesh.root);
    expect(root.code).to.equal(2);
    expect(root.stderr).to.contain(`${mesh.root} holds peer_settings.txt: it is the mesh's root folder. Run this in a peer folder inside it (cd p1); peer folders here: p1, p3, me`);
    const served = await run(clientJs, [], join(me(), 'served_files'), '#PEERS\n');
    expect(served.code).to.equal(2);
    expect(served.stderr).to.contain(`${join(me(), 'served_files')} is the served folder of peer me. Run this in its peer folder (cd ..)`);
    const server = await run(serverJs, ['--no-console'], mesh.root);
    expect(server.code).to.equal(2);
    expect(server.stderr).to.contain("it is the mesh's root folder. Run this in a peer folder inside it (cd p1)");
  });

  it('upload of a path into served_files/ names the file by its served name, in subcommand syntax', async function () {
    await writeFile(join(me(), 'served_files', 'n2.txt'), 'two\n');
    const r = await run(clientJs, ['upload', 'served_files/n2.txt', '--to', 'p1'], me());
    expect(r.code).to.equal(4);
    expect(r.stderr).to.contain(`served_files/n2.txt is served by this peer as n2.txt (names are relative to ${join(me(), 'served_files')}): txtmesh-client upload n2.txt --to …`);
    const console = await run(clientJs, [], me(), '#UPLOAD served_files/n2.txt p1\n');
    expect(console.stdout).to.contain('is served by this peer as n2.txt').and.to.contain(': #UPLOAD n2.txt …');
  });

  it('an unreachable peer: asked whether its server runs, its ID not repeated in the address', async function () {
    const r = await run(clientJs, ['filelist', 'p3'], me());
    expect(r.code).to.equal(3);
    expect(r.stdout).to.match(/^p3: unreachable: nothing listens at 127\.0\.0\.1:\d+ \(ECONNREFUSED\): is p3's server running\? \(ERR_PEER_UNREACHABLE\)\n$/);
  });

  it('--help on a wide terminal uses its width, so the option tables do not break (client and server)', async function () {
    const onTty = async (program: string) => {
      const command = `stty cols 200; ${JSON.stringify(process.execPath)} ${JSON.stringify(program)} --help`;
      return promisify(execFile)('script', ['-qfec', command, '/dev/null'], { cwd: me() });
    };
    const server = await onTty(serverJs);
    expect(server.stdout).to.match(/--keep-versions +versions of a name kept in served_files\/\.txtmesh\/versions\/ when uploads replace it/);
    const client = await onTty(clientJs);
    expect(client.stdout).to.match(/#DOWNLOAD name \.\.\. \[peer \.\.\.\] \[--replace\] \[--version ID\] +fetch files in verified pieces/);
    // Into a pipe: no wrapping at all.
    const piped = await run(serverJs, ['--help'], me());
    expect(piped.stdout).to.match(/--refuse-replace +refuse every upload that asks to replace another version of a name \(#UPLOAD --replace\) +\[boolean\]/);
  });

  it('the server says at start which files it does not serve, and why', async function () {
    await writeFile(join(mesh.dirOf('p1'), 'NOTES.TXT'), 'upper\n');
    const child = spawn(process.execPath, [serverJs, '--port', '0', '--no-console', '--quiet'], { cwd: join(mesh.root, 'p1'), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const said = await waitForOutput(child, /not serving/);
      expect(said).to.contain('txtmesh-server: not serving "NOTES.TXT" (only names ending in lower-case .txt are served); the console\'s files lists them');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

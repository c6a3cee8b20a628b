/**
 * The new console commands through the piped console, as a user types them, on connections
 * the console keeps from one command to the next.
 */
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Mesh, startMesh } from '../helpers.js';
import { clientJs, run } from './cli-helpers.js';

describe('txtmesh-client console: mesh views, #SHARE, #HELP command', function () {
  this.timeout(30_000);
  let mesh: Mesh;

  before(async function () {
    mesh = await startMesh(
      {
        p1: { files: { 'hello.txt': 'Hello\n' } },
        p2: { files: { 'hello.txt': 'Hello!\n', 'two.txt': '2' } },
        p3: { state: 'down' },
      },
      ['me'],
    );
    await mesh.writeSettings();
  });
  after(() => mesh.stop());

  const console = (input: string) => run(clientJs, [], join(mesh.root, 'me'), input);

  it('#PEERS, #FILES, #DISCOVER answer on stdout; an offline peer does not fail the views', async function () {
    const r = await console('#PEERS\n#files\nDISCOVER p2\n');
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    const lines = r.stdout.trimEnd().split('\n').slice(1);
    expect(r.stdout).to.match(/^mesh: open /);
    expect(lines[0]).to.match(/^peer +address +status +rtt +files +version$/);
    expect(lines.slice(1, 5).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).to.deep.equal([
      `p1 127.0.0.1:${mesh.address('p1').port} online`,
      `p2 127.0.0.1:${mesh.address('p2').port} online`,
      `p3 127.0.0.1:${mesh.address('p3').port} offline`,
      `me 127.0.0.1:${mesh.address('me').port} offline`,
    ]);
    expect(lines[5]).to.equal('2 of 4 peers online');
    expect(lines[6]).to.equal('2 files on the mesh (2 of 4 peers listed; 1 name held in different versions)');
    expect(lines[7]).to.match(/^ {2}hello\.txt +6 B +[0-9a-f]{12} +p1 +CONFLICT: version 1 of 2$/);
    expect(lines[8]).to.match(/^ {2}hello\.txt +7 B +[0-9a-f]{12} +p2 +CONFLICT: version 2 of 2$/);
    expect(lines[9]).to.match(/^ {2}two\.txt +1 B +[0-9a-f]{12} +p2$/);
    expect(lines[10]).to.match(/^p3: unreachable: /);
    expect(lines[11]).to.match(/^me: unreachable: /);
    expect(lines[12]).to.equal('p2: 2 files');
  });

  it('keeps its connections between commands: two commands, one TCP connection seen by the server', async function () {
    const before = mesh.logs.get('p1')?.length ?? 0;
    const r = await console('#FILELIST p1\n#PEERS\n#FILES\n');
    expect(r.code, r.stdout).to.equal(0);
    const entries = mesh.logs.get('p1')?.slice(before) ?? [];
    // The claim and a LIST, then #PEERS's HELLO and LIST, then #FILES's VERSIONS: one connection.
    expect(entries.map((e) => e.verb)).to.deep.equal(['HELLO', 'LIST', 'HELLO', 'LIST', 'VERSIONS']);
    expect(new Set(entries.map((e) => e.remote)).size).to.equal(1);
  });

  it('#PING counts as failed when a peer is unreachable', async function () {
    const r = await console('#PING p1 p3\n');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^p1 \(127\.0\.0\.1:\d+\): 3\/3 answered, .*\np3 \(127\.0\.0\.1:\d+\): unreachable: .*ERR_PEER_UNREACHABLE\)\n$/);
  });

  it('#SHARE copies a file in; #UPLOAD of a file on disk that is not served suggests #SHARE; then it uploads', async function () {
    await writeFile(join(mesh.root, 'me', 'draft.txt'), 'draft\n');
    const r = await console('#UPLOAD draft.txt p1\n#SHARE draft.txt\n#UPLOAD draft.txt p1\n');
    expect(r.code).to.equal(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).to.equal('error: draft.txt is a file on disk but not served by this peer: #SHARE draft.txt first, then upload the name it gets (ERR_NOT_FOUND)');
    expect(lines[1]).to.match(/^Shared .*draft\.txt as draft\.txt \(6 bytes, identity [0-9a-f]{12}\); this peer's server is not running: it serves the file once txtmesh-server runs in this peer folder$/);
    expect(lines[2]).to.match(/^p1: stored draft\.txt \(6 bytes in /);
    expect(await readFile(join(mesh.dirOf('p1'), 'draft.txt'), 'utf8')).to.equal('draft\n');
  });

  it('#DOWNLOAD with no peers names the holders of each version before downloading', async function () {
    const r = await console('#DOWNLOAD two.txt\n#DOWNLOAD hello.txt\n');
    expect(r.code).to.equal(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).to.equal('Found two.txt at p2');
    expect(lines[1]).to.match(/^Downloaded two\.txt: 1 bytes in /);
    expect(lines[2]).to.match(/^ {2}p3: .*ERR_PEER_UNREACHABLE\)/);
    expect(lines[3]).to.match(/^error: peers disagree on hello\.txt and no version has a majority: [0-9a-f]{12} at p[12]; [0-9a-f]{12} at p[12]\. .*\(ERR_VERSION_CONFLICT\)$/);
  });

  it('#HELP lists every command; #HELP command explains one, with its subcommand', async function () {
    const r = await console('#HELP\n#HELP files\n#HELP #NOPE\n');
    expect(r.code).to.equal(1);
    for (const c of ['#FILELIST', '#DISCOVER', '#PEERS', '#PING', '#FILES', '#DOWNLOAD', '#UPLOAD', '#SHARE', '#HELP', '#QUIT']) expect(r.stdout).to.contain(c);
    expect(r.stdout).to.match(/\n#FILES: every file on the mesh.*\n( {2}.*\n)+ {2}In scripts: txtmesh-client files \[--json\]\n/);
    expect(r.stdout).to.match(/error: no command #NOPE; type #HELP for the list \(ERR_USAGE\)\n$/);
  });

  it('refuses arguments to commands that take none', async function () {
    const r = await console('#PEERS p1\n');
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^error: #PEERS takes no arguments; usage: #PEERS \(ERR_USAGE\)\n$/);
  });
});

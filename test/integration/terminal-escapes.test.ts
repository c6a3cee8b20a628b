/**
 * Issue 12, item 2: names, peer IDs, versions and error texts a peer sends never reach the
 * terminal raw. Fake peers (raw TCP servers) list `ESC [ 2 J ESC ] 0 ; pwned BEL .txt` (clear
 * the screen, retitle the window), announce an ID and a version with the 8-bit CSI in them, and
 * answer with an error whose words carry one; the real txtmesh-client runs against them, and
 * txtmesh-server logs a request for such a name.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, tempDir } from '../helpers.js';
import { clientJs, run, serverJs, waitForOutput } from './cli-helpers.js';
import { type FakePeer, helloAnswer, listAnswer, peerFolder, startFakePeer } from './fake-peer.js';

/** Bytes a terminal acts on: C0 controls but LF, DEL, and the C1 controls (as UTF-8 text). */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const PWNED = '%1B%5B2J%1B%5D0%3Bpwned%07.txt';
const PWNED_SHOWN = '\\u{1b}[2J\\u{1b}]0;pwned\\u{7}.txt';
const CSI = '\u009b';

describe('control characters from peers are made visible (issue 12, item 2)', function () {
  this.timeout(30_000);
  let root: string;
  let folder: string;
  let lister: FakePeer;
  let liar: FakePeer;

  before(async function () {
    root = await tempDir();
    // p1 lists the hostile name (a server older than VERSIONS, so #FILES lists it too);
    // p2 announces a strange ID and version and fails LIST and VERSIONS with a CSI in its words.
    lister = await startFakePeer((r) => {
      if (r.verb === 'VERSIONS') return `ERR ${r.id} 0 ERR_UNKNOWN_COMMAND unknown command VERSIONS; known: HELLO LIST INFO GET PUT\n`;
      return r.verb === 'HELLO' ? helloAnswer(r, 'peer=p1') : r.verb === 'LIST' ? listAnswer(r, [PWNED, 'plain.txt']) : undefined;
    });
    liar = await startFakePeer((r) => {
      if (r.verb === 'HELLO') return helloAnswer(r, `peer=p${CSI}2J`);
      return r.verb === 'LIST' || r.verb === 'VERSIONS' ? `ERR ${r.id} 0 ERR_NOT_FOUND gone${CSI}2J away\n` : undefined;
    });
    folder = await peerFolder(root, 'me', { p1: lister.port, p2: liar.port });
  });
  after(async function () {
    await Promise.all([lister.close(), liar.close()]);
    await rm(root, { recursive: true, force: true });
  });

  const expectClean = (r: { stdout: string; stderr: string }) => {
    expect(r.stdout, `stdout: ${JSON.stringify(r.stdout)}`).to.not.match(CONTROL);
    expect(r.stderr, `stderr: ${JSON.stringify(r.stderr)}`).to.not.match(CONTROL);
  };

  it('filelist shows the name with its escapes made visible, and the error words too', async function () {
    const r = await run(clientJs, ['filelist', 'p1', 'p2'], folder);
    expectClean(r);
    expect(r.stdout).to.contain(PWNED_SHOWN);
    expect(r.stdout).to.match(/^p2: unreachable: gone\\u\{9b\}2J away \(ERR_NOT_FOUND\)$/m);
  });

  it('files shows it the same way, its columns still lined up', async function () {
    const r = await run(clientJs, ['files'], folder);
    expectClean(r);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(rows).to.have.length(2);
    expect(rows[0]).to.contain(PWNED_SHOWN);
    // The size column starts at the same place on both rows.
    expect(rows[0]?.indexOf('5 B')).to.equal(rows[1]?.indexOf('5 B'));
  });

  it('the console does the same for #FILELIST and #FILES; peers shows the announced ID visibly', async function () {
    const r = await run(clientJs, [], folder, '#FILELIST\n#FILES\n');
    expectClean(r);
    expect(r.stdout.split(PWNED_SHOWN)).to.have.length(3);
    const peers = await run(clientJs, ['peers'], folder);
    expectClean(peers);
    expect(peers.stdout).to.contain('answers as p\\u{9b}2J!');
  });

  it('--json keeps the exact name, with every control character escaped, C1 included', async function () {
    const r = await run(clientJs, ['filelist', 'p1', 'p2', '--json'], folder);
    expectClean(r);
    const doc = JSON.parse(r.stdout) as { peers: [{ files: { name: string }[] }, { error: { message: string } }] };
    expect(doc.peers[0].files[0]?.name).to.equal(decodeURIComponent(PWNED));
    expect(doc.peers[1].error.message).to.contain(`gone${CSI}2J away`);
  });

  describe('txtmesh-server', function () {
    let server: ChildProcess | undefined;
    after(() => server?.kill('SIGKILL'));

    it('logs a requested name with its control characters made visible', async function () {
      const port = await freePort();
      const peerDir = join(root, 'srv');
      await mkdir(join(peerDir, 'served_files'), { recursive: true });
      await writeFile(join(peerDir, 'settings.txt'), `srv 127.0.0.1 ${port}\n`);
      server = spawn(process.execPath, [serverJs, '--settings', 'settings.txt', '--no-console'], { cwd: peerDir, stdio: ['ignore', 'pipe', 'pipe'] });
      await waitForOutput(server, /serving/);
      const logged = waitForOutput(server, /ERR_NOT_FOUND/);
      const socket = connect(port, '127.0.0.1', () => socket.end('INFO 1 0 %C2%9B2J%C2%9D0%3Bx.txt\n'));
      socket.on('error', () => undefined);
      const log = await logged;
      expect(log, JSON.stringify(log)).to.not.match(CONTROL);
      expect(log).to.match(/INFO "\\u009b2J\\u009d0;x\.txt" 0B [\d.]+ms ERR_NOT_FOUND/);
    });
  });
});

/**
 * The console on a real pseudo-terminal (util-linux `script`), as a person types at it: Tab
 * completion that adds the space and escapes a name with spaces, history kept in the peer
 * folder between sessions and searched with Ctrl-R, Ctrl-D and Ctrl-C leaving on a line of their own, and a
 * progress line that never wraps on a 40-column terminal.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import { type Mesh, type Proxy, makeText, startMesh, throttledProxy } from '../helpers.js';
import { clientJs, exited, waitForOutput } from './cli-helpers.js';

/** The console in `cwd` on a pty of `cols` columns; `output()` is everything it drew. */
function consoleOnTty(cwd: string, cols = 120): { child: ChildProcess; output: () => string; type: (keys: string) => void } {
  const command = `stty cols ${cols} rows 30; ${JSON.stringify(process.execPath)} ${JSON.stringify(clientJs)}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString('utf8')));
  return { child, output: () => output, type: (keys) => void child.stdin?.write(keys) };
}

describe('txtmesh-client console on a terminal', function () {
  this.timeout(60_000);
  let mesh: Mesh;
  let proxy: Proxy;
  const big = makeText(24 * PIECE_SIZE);

  before(async function () {
    mesh = await startMesh({ p1: { files: { 'my notes.txt': 'spaces\n', 'big.txt': big } } }, ['me']);
    proxy = await throttledProxy(mesh.address('p1'), 3 * 1024 * 1024); // ~2 s for big.txt
    // The settings name p1 at the slow proxy, so a download draws its progress line a while.
    await writeFile(join(mesh.root, 'peer_settings.txt'), `p1 127.0.0.1 ${proxy.port}\nme 127.0.0.1 ${mesh.address('me').port}\n`);
  });
  after(async () => {
    await proxy.close();
    await mesh.stop();
  });
  const cwd = () => join(mesh.root, 'me');

  it('Tab completes a command with its space and a name with spaces escaped; Ctrl-D leaves on a new line', async function () {
    const tty = consoleOnTty(cwd());
    await waitForOutput(tty.child, /me> /);
    tty.type('#FILES\r'); // names seen in answers complete too
    await waitForOutput(tty.child, /2 files on the mesh/);
    tty.type('#DOW\t');
    await waitForOutput(tty.child, /#DOWNLOAD $/m);
    tty.type('my\t');
    await waitForOutput(tty.child, /my\\ notes\.txt $/m);
    tty.type('p1\r');
    await waitForOutput(tty.child, /Downloaded my notes\.txt: 7 bytes[^]*me> /);
    tty.type('\x04');
    expect(await exited(tty.child)).to.equal(0);
    // The prompt (and readline's cursor move), then the line end the console adds.
    expect(tty.output()).to.match(/me> (\x1b\[\d+G)?\r?\n$/);
    expect(await readFile(join(cwd(), 'served_files', 'my notes.txt'), 'utf8')).to.equal('spaces\n');
  });

  it('keeps the history in the peer folder: the next session has it, Up recalls it and Ctrl-R finds it; Ctrl-C leaves on a new line', async function () {
    const saved = await readFile(join(cwd(), '.txtmesh-history'), 'utf8');
    expect(saved).to.equal('#FILES\n#DOWNLOAD my\\ notes.txt p1\n');
    const tty = consoleOnTty(cwd());
    await waitForOutput(tty.child, /me> /);
    tty.type('#PEERS\r');
    await waitForOutput(tty.child, /of 2 peers online/);
    tty.type('\x12notes');
    await waitForOutput(tty.child, /\(reverse-i-search\)'notes': #DOWNLOAD my\\ notes\.txt p1/);
    tty.type('\r');
    await waitForOutput(tty.child, /Already have my notes\.txt/);
    tty.type('\x1b[A');
    await waitForOutput(tty.child, /me> (\x1b\[\d+G)?#DOWNLOAD my\\ notes\.txt p1/);
    tty.type('\x03\x03');
    expect(await exited(tty.child)).to.equal(130);
    // Ctrl-C leaves on a line of its own too, never with the shell's prompt after the console's.
    expect(tty.output()).to.match(/\r?\n$/);
    expect(await readFile(join(cwd(), '.txtmesh-history'), 'utf8')).to.equal('#FILES\n#PEERS\n#DOWNLOAD my\\ notes.txt p1\n');
  });

  it('draws the progress line within 40 columns, so no redraw leaves a wrapped row behind', async function () {
    const tty = consoleOnTty(cwd(), 40);
    await waitForOutput(tty.child, /me> /);
    tty.type('#DOWNLOAD big.txt p1\r');
    await waitForOutput(tty.child, /Downloaded big\.txt/, 'stdout', 30_000);
    tty.type('#QUIT\r');
    expect(await exited(tty.child)).to.equal(0);
    const drawn = tty.output().split('\r\x1b[2K').slice(1).map((l) => l.split(/[\r\n]/)[0] as string).filter((l) => /%/.test(l));
    expect(drawn.length).to.be.greaterThan(2);
    for (const line of drawn) expect(line.length, line).to.be.at.most(39);
    expect(drawn.at(-1)).to.match(/^ *\d+\.\d%  [\d.]+ MiB\/6\.0 MiB  [\d.]+ /);
  });
});

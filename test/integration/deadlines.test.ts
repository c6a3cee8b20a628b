/**
 * Issue 13's deadlines, through the built programs: a view does not wait until --timeout for a
 * silent peer once the others answered; upload and download give up on a frozen peer (a proxy
 * that stops forwarding) at --timeout, not at the default deadlines; Ctrl-C stops a view and an
 * upload at once; a dead peer named alone fails at once, and nothing is printed after a
 * command's result.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Mesh, type Proxy, freezingProxy, startMesh } from '../helpers.js';
import { clientJs, run } from './cli-helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

/** A console with stdin kept open: its output so far, lines to type, and its exit. */
function openConsole(cwd: string, args: string[] = []): { child: ChildProcess; output: () => string; type: (line: string) => void; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [clientJs, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, output: () => output, type: (line) => child.stdin?.write(`${line}\n`), exit };
}

async function until(check: () => boolean, ms: number, what: string): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

describe('deadlines: silent, frozen and dead peers, and Ctrl-C', function () {
  this.timeout(30_000);
  let mesh: Mesh;
  let frozen: Proxy;

  before(async function () {
    mesh = await startMesh(
      {
        p1: { files: { 'hello.txt': 'Hello\n' } },
        p2: { files: { 'hello.txt': 'Hello\n' } },
        dave: { state: 'down' },
        quiet: { state: 'silent' },
        ice: { files: { 'hello.txt': 'Hello\n' } },
      },
      ['me'],
    );
    await writeFile(join(mesh.dirOf('me'), 'mine.txt'), 'mine\n');
    // ice answers nothing: the settings name it at a proxy that forwards no answer.
    frozen = await freezingProxy(mesh.address('ice'), 0);
    const line = (id: string, port: number) => `${id} 127.0.0.1 ${port}`;
    await writeFile(join(mesh.root, 'peer_settings.txt'), mesh.peers.map((p) => line(p.id, p.id === 'ice' ? frozen.port : p.port)).join('\n') + '\n');
  });
  after(async () => {
    await frozen.close();
    await mesh.stop();
  });

  const cwd = () => join(mesh.root, 'me');

  it('views list a silent peer as such long before --timeout, and a dead one as refused', async function () {
    const started = Date.now();
    const r = await run(clientJs, ['--timeout', '25', 'files', '--json'], cwd());
    expect(Date.now() - started, 'not the 25 s of --timeout').to.be.below(10_000);
    expect(r.stderr).to.not.match(/Warning/);
    const doc: Doc = JSON.parse(r.stdout);
    const byPeer = new Map(doc.peers.map((p: Doc) => [p.peer, p]));
    expect((byPeer.get('quiet') as Doc).error.message).to.match(/^quiet \(127\.0\.0\.1:\d+\): no answer within \d+ ms, while 2 peers answered within \d+ ms/);
    expect((byPeer.get('ice') as Doc).error.code).to.equal('ERR_PEER_TIMEOUT');
    expect((byPeer.get('dave') as Doc).error.message).to.match(/nothing listens at 127\.0\.0\.1:\d+ \(ECONNREFUSED\): is dave's server running\?/);
    const human = await run(clientJs, ['--timeout', '25'], cwd(), '#PEERS\n');
    expect(human.stdout).to.match(/\nquiet +127\.0\.0\.1:\d+ +silent +- /);
    expect(human.stdout).to.match(/\ndave +127\.0\.0\.1:\d+ +offline +- /);
    expect(human.stdout).to.contain('2 of 6 peers online');
  });

  it('upload and download honour --timeout against a frozen peer', async function () {
    for (const args of [['upload', 'mine.txt', '--to', 'ice'], ['download', 'hello.txt', '--from', 'ice']]) {
      const started = Date.now();
      const r = await run(clientJs, ['--timeout', '1', ...args, '--json'], cwd());
      const ms = Date.now() - started;
      expect(ms, `${args[0]}: about --timeout, not the 15 s default`).to.be.below(6000);
      expect(r.code, r.stderr).to.equal(3);
      expect(r.stdout).to.contain('ERR_PEER_TIMEOUT');
    }
  });

  it('a dead peer named alone fails at once with its address, and nothing follows the result', async function () {
    const c = openConsole(cwd());
    c.type('#DOWNLOAD hello.txt dave');
    const took = await until(() => /error: .*\n/.test(c.output()), 5000, 'the error line');
    expect(took, 'one connect attempt, not a round of retries').to.be.below(2000);
    expect(c.output()).to.match(new RegExp(`^error: .*nothing listens at 127\\.0\\.0\\.1:${mesh.address('dave').port} \\(ECONNREFUSED\\): is dave's server running\\?`));
    expect(c.output()).to.not.contain('still retrying');
    const printed = c.output();
    await new Promise((r) => setTimeout(r, 1500));
    expect(c.output(), 'no late notes').to.equal(printed);
    c.child.stdin?.end();
    expect(await c.exit).to.equal(1);
  });

  for (const [what, command] of [['a view', '#FILELIST quiet'], ['an upload', '#UPLOAD mine.txt ice']] as const) {
    it(`Ctrl-C stops ${what} at once, with ERR_INTERRUPTED and exit status 130`, async function () {
      const c = openConsole(cwd(), ['--timeout', '25']);
      c.type(command);
      await new Promise((r) => setTimeout(r, 700)); // connected, waiting for an answer that never comes
      const started = Date.now();
      c.child.kill('SIGINT');
      expect(await c.exit).to.equal(130);
      expect(Date.now() - started).to.be.below(3000);
      expect(c.output()).to.match(/error: #\w+ was interrupted \(ERR_INTERRUPTED\)\n$/);
    });
  }
});

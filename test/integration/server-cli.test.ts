/**
 * txtmesh-server as a user runs it: the console (piped with --console, and on a real
 * pseudo-terminal), graceful quit with an upload in flight, and JSON request logs.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { REQUESTS } from '../../src/protocol/requests.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';
import { freePort, tempDir } from '../helpers.js';
import { clientJs, exited, run, serverJs, waitForOutput } from './cli-helpers.js';

interface Peer {
  readonly root: string;
  readonly port: number;
  readonly downPort: number;
}

const roots: string[] = [];

/** A root with peer folders p1 (served files given) and p2 (never started). */
async function makeRoot(files: Record<string, string> = {}): Promise<Peer> {
  const root = await tempDir();
  roots.push(root);
  const [port, downPort] = [await freePort(), await freePort()];
  await mkdir(join(root, 'p1', 'served_files'), { recursive: true });
  await mkdir(join(root, 'p2'), { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, 'p1', 'served_files', name), text);
  await writeFile(join(root, 'peer_settings.txt'), `p1 127.0.0.1 ${port}\np2 127.0.0.1 ${downPort}\n`);
  return { root, port, downPort };
}

/** Servers started by a test; any still running when it ends (a failed test) are killed. */
const started = new Set<ChildProcess>();

function startServer(peer: Peer, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [serverJs, ...args], { cwd: join(peer.root, 'p1'), stdio: ['pipe', 'pipe', 'pipe'] });
  started.add(child);
  child.on('exit', () => started.delete(child));
  return child;
}

/** Starts a PUT of `body` and sends only its first `sent` bytes. */
async function halfUpload(port: number, name: string, body: Buffer, sent: number): Promise<{ socket: Socket; answer: Promise<string> }> {
  const hasher = new PieceHasher();
  hasher.update(body);
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  let text = '';
  const answer = new Promise<string>((resolve) => {
    socket.on('data', (d) => (text += d));
    socket.on('close', () => resolve(text.replace(/^OK 9 0 [^\n]*\n/, ''))); // less the claim's answer
  });
  socket.write(REQUESTS.HELLO.encode({ verb: 'HELLO', id: 9, peerId: 'p1' })); // a member may upload
  socket.write(REQUESTS.PUT.encode({ verb: 'PUT', id: 1, name: name, size: body.length, identity: hasher.digest().identity }));
  socket.write(body.subarray(0, sent));
  return { socket, answer };
}

describe('txtmesh-server console and logs', function () {
  this.timeout(30_000);
  afterEach(() => {
    for (const child of started) child.kill('SIGKILL');
  });
  after(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

  it('answers files, status and peers on piped stdin with --console, and quits cleanly', async function () {
    const peer = await makeRoot({ 'a.txt': 'abc' });
    const child = startServer(peer, ['--console', '--quiet']);
    await waitForOutput(child, /server console for peer p1/);
    child.stdin?.write('files\n');
    let out = await waitForOutput(child, /a\.txt +3 B +[0-9a-f]{12}\n/);
    expect(out).to.contain(`1 file in ${join(peer.root, 'p1', 'served_files')}`);
    await writeFile(join(peer.root, 'p1', 'served_files', 'b.txt'), 'dropped in');
    child.stdin?.write('files\nstatus\n');
    out = await waitForOutput(child, /transfers in flight: none\n/);
    expect(out).to.match(/b\.txt +10 B +[0-9a-f]{12}\n/);
    expect(out).to.match(/up \d+s; connections: 0 open, 0 since start/);
    child.stdin?.write('peers\n');
    out = await waitForOutput(child, /0 of 1 peer online\n/);
    expect(out).to.match(/p2 +127\.0\.0\.1:\d+ +offline .*ERR_PEER_UNREACHABLE/);
    child.stdin?.write('quit\n');
    await waitForOutput(child, /txtmesh-server: quit, shutting down\n/);
    expect(await exited(child)).to.equal(0);
  });

  it('on quit, lets an upload in flight finish before exiting', async function () {
    const peer = await makeRoot();
    const child = startServer(peer, ['--console', '--quiet', '--grace', '10']);
    await waitForOutput(child, /server console/);
    const body = Buffer.alloc(200_000, 'z');
    const { socket, answer } = await halfUpload(peer.port, 'late.txt', body, 50_000);
    // The server may not have read the PUT yet: ask until it shows.
    const seen = waitForOutput(child, /receiving "late\.txt" +48\.8 KiB of 195 KiB +25\.0%\n/);
    const asking = setInterval(() => child.stdin?.write('status\n'), 100);
    await seen.finally(() => clearInterval(asking));
    child.stdin?.write('quit\n');
    await waitForOutput(child, /letting 1 transfer finish \(up to 10 s/);
    // New connections are refused while the server drains.
    const refused = await run(clientJs, ['filelist', 'p1', '--id', 'p2', '--timeout', '2'], join(peer.root, 'p2'));
    expect(refused.code).to.equal(3);
    socket.write(body.subarray(50_000));
    expect(await answer).to.match(/^OK 1 0 stored/);
    expect(await exited(child)).to.equal(0);
    expect((await readFile(join(peer.root, 'p1', 'served_files', 'late.txt'))).equals(body)).to.equal(true);
  });

  it('on quit, cuts off an upload that does not finish within --grace and leaves no partial file', async function () {
    const peer = await makeRoot();
    const child = startServer(peer, ['--console', '--quiet', '--grace', '0.3']);
    await waitForOutput(child, /server console/);
    const { answer } = await halfUpload(peer.port, 'stuck.txt', Buffer.alloc(100_000, 's'), 10_000);
    const served = join(peer.root, 'p1', 'served_files');
    const deadline = Date.now() + 3000;
    while ((await readdir(served)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await readdir(served))[0]).to.match(/^\.stuck\.txt\..*\.txtmesh-part$/);
    child.stdin?.write('quit\n');
    await waitForOutput(child, /cut off 1 transfer still running; partial uploads were removed\n/);
    expect(await exited(child)).to.equal(0);
    expect(await answer).to.equal('');
    expect(await readdir(served)).to.deep.equal([]);
  });

  it('--log-format json: one JSON object per request on stdout, messages on stderr', async function () {
    const peer = await makeRoot({ 'a.txt': 'abc' });
    const child = startServer(peer, ['--log-format', 'json']);
    await waitForOutput(child, /serving .* on 127\.0\.0\.1:\d+/, 'stderr');
    const logged = waitForOutput(child, /"verb":"GET".*\n/);
    const r = await run(clientJs, ['download', 'a.txt', '--from', 'p1', '--id', 'p2'], join(peer.root, 'p2'));
    expect(r.code).to.equal(0);
    const lines = (await logged).trimEnd().split('\n');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.map((e) => e.verb)).to.include.members(['INFO', 'GET']);
    const info = entries.find((e) => e.verb === 'INFO');
    expect(info).to.include({ name: 'a.txt', bytes: 32, status: 'OK' });
    expect(Object.keys(info ?? {})).to.deep.equal(['time', 'remote', 'verb', 'name', 'bytes', 'ms', 'status']);
    child.kill('SIGTERM');
    expect(await exited(child)).to.equal(0);
  });

  it('takes commands on a real pseudo-terminal (util-linux script), and starts no console without one', async function () {
    const peer = await makeRoot({ 'tty.txt': 'on a terminal' });
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(serverJs)} --quiet`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: join(peer.root, 'p1'), stdio: ['pipe', 'pipe', 'pipe'] });
    await waitForOutput(child, /p1-server> /);
    child.stdin?.write('fil\t');
    await waitForOutput(child, /files/);
    child.stdin?.write('\r');
    await waitForOutput(child, /tty\.txt +13 B +[0-9a-f]{12}/);
    child.stdin?.write('quit\r');
    await waitForOutput(child, /quit, shutting down/);
    expect(await exited(child)).to.equal(0);

    // Piped stdin, no --console: the server ignores its input and serves until told to stop.
    const piped = startServer(peer, ['--quiet']);
    await waitForOutput(piped, /serving/);
    piped.stdin?.end('quit\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(piped.exitCode).to.equal(null);
    piped.kill('SIGTERM');
    expect(await exited(piped)).to.equal(0);
  });
});

/**
 * The server console's command handler, driven directly with a real server's state.
 */
import { expect } from 'chai';
import { unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type ServerConsoleState, completeServerCommand, formatUptime, runServerCommand } from '../../src/cli/server-console.js';
import { REQUESTS } from '../../src/protocol/requests.js';
import { skippedNames } from '../../src/storage/skipped-names.js';
import { type Mesh, startMesh, waitFor, writeFiles } from '../helpers.js';

describe('cli/server-console', function () {
  let mesh: Mesh;
  let state: ServerConsoleState;

  beforeEach(async function () {
    mesh = await startMesh({ p1: { files: { 'hello.txt': 'Hello\n', 'sub/big.txt': Buffer.alloc(300_000, 'x') } } });
    const server = mesh.servers.get('p1')!;
    state = {
      peerId: 'p1',
      address: `127.0.0.1:${mesh.address('p1').port}`,
      dir: mesh.dirOf('p1'),
      stats: () => server.stats.snapshot(),
      files: () => server.folder.list(),
      sizeOf: (name) => server.folder.describe(name).then((f) => f.size, () => undefined),
      peers: async () => ['p2: (as given)'],
    };
  });
  afterEach(() => mesh.stop());

  it('limit: shows and sets the server\'s upload limit (#LIMIT spelt as in the client works too); status shows it', async function () {
    const server = mesh.servers.get('p1')!;
    const withLimit = { ...state, uploadLimit: server.uploadLimit };
    expect((await runServerCommand('limit', withLimit)).lines).to.deep.equal(['upload limit (all clients together): none']);
    expect((await runServerCommand('#LIMIT up 2M', withLimit)).lines).to.deep.equal(['upload limit (all clients together): 2.0 MiB/s (just set)']);
    expect(server.uploadLimit.rate).to.equal(2 * 1024 * 1024);
    expect((await runServerCommand('status', withLimit)).lines.at(-1)).to.equal('upload limit (all clients together): 2.0 MiB/s');
    expect((await runServerCommand('limit up fast', withLimit)).lines[0]).to.match(/^error: #LIMIT up must be a rate like 2M.*\(ERR_USAGE\)$/);
    expect((await runServerCommand('limit down 1M', withLimit)).lines[0]).to.match(/^error: .*no direction down; here it is up \(ERR_USAGE\)$/);
    expect((await runServerCommand('limit up 0', withLimit)).lines[0]).to.equal('upload limit (all clients together): none (just set)');
    expect((await runServerCommand('limit', state)).lines).to.deep.equal(['this server has no upload limit to set']);
  });

  it('formats uptime', () => {
    expect(formatUptime(5_400)).to.equal('5s');
    expect(formatUptime(72_000)).to.equal('1m12s');
    expect(formatUptime(3_723_000)).to.equal('1h02m03s');
  });

  it('files: what the server serves, rescanned at each call', async function () {
    let answer = await runServerCommand('files', state);
    expect(answer.lines[0]).to.equal(`2 files in ${mesh.dirOf('p1')} (293 KiB)`);
    expect(answer.lines[1]).to.match(/^ {2}hello\.txt {4}6 B {6}[0-9a-f]{12}$/);
    expect(answer.lines[2]).to.match(/^ {2}sub\/big\.txt {2}293 KiB {2}[0-9a-f]{12}$/);
    await writeFiles(mesh.dirOf('p1'), { 'dropped.txt': 'new' });
    await unlink(join(mesh.dirOf('p1'), 'hello.txt'));
    answer = await runServerCommand('  FILES ', state);
    expect(answer.lines.slice(1).map((l) => l.trim().split(/\s+/)[0])).to.deep.equal(['dropped.txt', 'sub/big.txt']);
  });

  it('files: says which files it does not serve, and why (NOTES.TXT)', async function () {
    await writeFiles(mesh.dirOf('p1'), { 'NOTES.TXT': 'upper' });
    const answer = await runServerCommand('files', { ...state, skipped: () => skippedNames(mesh.dirOf('p1')) });
    expect(answer.lines.slice(-2)).to.deep.equal(['not served: 1 file', '  "NOTES.TXT"  only names ending in lower-case .txt are served']);
  });

  it('status: uptime, connections, bytes served, and an upload in flight with its progress', async function () {
    let lines = (await runServerCommand('status', state)).lines;
    expect(lines[0]).to.equal(`peer p1 serving ${mesh.dirOf('p1')} on ${state.address}`);
    expect(lines[1]).to.match(/^up \d+s; connections: 0 open, 0 since start; requests: 0 \(0 refused\)$/);
    expect(lines[3]).to.equal('transfers in flight: none');

    const socket = connect({ host: '127.0.0.1', port: mesh.address('p1').port });
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    socket.write(REQUESTS.HELLO.encode({ verb: 'HELLO', id: 9, peerId: 'p1' })); // a member may upload
    socket.write(REQUESTS.PUT.encode({ verb: 'PUT', id: 1, name: 'up.txt', size: 1000, identity: 'f'.repeat(64) }));
    socket.write(Buffer.alloc(250, 'u'));
    const server = mesh.servers.get('p1')!;
    await waitFor(() => server.stats.transfers()[0]?.bytes === 250);
    lines = (await runServerCommand('status', state)).lines;
    expect(lines[1]).to.contain('connections: 1 open, 1 since start');
    expect(lines[3]).to.equal('transfers in flight: 1');
    expect(lines[4]).to.match(/^ {2}127\.0\.0\.1:\d+ {2}receiving "up\.txt" {2}250 B of 1000 B {2}25\.0%$/);
    socket.destroy();
    await waitFor(() => server.stats.transfers().length === 0);
  });

  it('peers: the lines the server gives it', async function () {
    expect((await runServerCommand('peers', state)).lines).to.deep.equal(['p2: (as given)']);
    expect((await runServerCommand('list', state)).lines).to.deep.equal(['p2: (as given)']);
  });

  it('quit: graceful, or now; anything else is explained', async function () {
    expect(await runServerCommand('quit', state)).to.deep.equal({ lines: [], quit: 'graceful' });
    expect(await runServerCommand('QUIT now', state)).to.deep.equal({ lines: [], quit: 'now' });
    expect((await runServerCommand('quit later', state)).quit).to.equal(undefined);
    expect((await runServerCommand('frobnicate', state)).lines[0]).to.equal('unknown command frobnicate; commands: status, files, peers, limit, quit, help');
    expect((await runServerCommand('help', state)).lines[0]).to.equal('Server commands:');
    expect((await runServerCommand('', state)).lines).to.deep.equal([]);
  });

  it('reports a failing command as an error line instead of throwing', async function () {
    const broken = { ...state, peers: async () => Promise.reject(new Error('no network')) };
    expect((await runServerCommand('peers', broken)).lines).to.deep.equal(['error: no network']);
  });

  it('completes command names', () => {
    expect(completeServerCommand('st')).to.deep.equal([['status'], 'st']);
    expect(completeServerCommand('')[0]).to.deep.equal(['exit', 'files', 'help', 'limit', 'list', 'peers', 'quit', 'status']);
    expect(completeServerCommand('quit n')).to.deep.equal([[], 'quit n']);
  });
});

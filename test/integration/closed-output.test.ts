/**
 * Issue 12, item 7 (part): output piped into a reader that leaves early, and a peer that
 * answers the claim with another protocol version, as the real txtmesh-client meets them.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, rawExchange, tempDir } from '../helpers.js';
import { clientJs, run, serverJs, waitForOutput } from './cli-helpers.js';
import { type FakePeer, helloAnswer, listAnswer, peerFolder, startFakePeer } from './fake-peer.js';

/** Runs `node client.js <args> | head -c 10` in bash; the client's status and what bash saw. */
function intoHead(folder: string, args: string[], input = ''): Promise<{ status: number; stdout: string; stderr: string }> {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const script = `"${process.execPath}" "${clientJs}" ${quoted} | head -c 10; echo "status=\${PIPESTATUS[0]}" >&2`;
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: folder, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', () => {
      const status = Number(/status=(\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ status, stdout, stderr: stderr.replace(/status=\d+\n/, '') });
    });
    child.stdin.end(input);
  });
}

describe('closed output and a peer of another version (issue 12, item 7)', function () {
  this.timeout(30_000);
  let root: string;
  let folder: string;
  let many: FakePeer;
  let newer: FakePeer;
  let newerAtOnce: FakePeer;
  // Far more than a pipe holds (64 KiB), so the client is still writing when head leaves.
  const names = Array.from({ length: 4000 }, (_, i) => `a-rather-long-file-name-number-${i}.txt`);

  before(async function () {
    root = await tempDir();
    many = await startFakePeer((r) => (r.verb === 'HELLO' ? helloAnswer(r, 'peer=p1') : r.verb === 'LIST' ? listAnswer(r, names) : undefined));
    // Answers the claim with txtmesh/2, and the LIST behind it in the same write, so both
    // answers reach the client in one read.
    let hello = '';
    newer = await startFakePeer((r) => {
      if (r.verb === 'HELLO') hello = `OK ${r.id} 0 txtmesh/2 peer=p2\n`;
      return r.verb === 'LIST' ? Buffer.concat([Buffer.from(hello), listAnswer(r, ['x.txt'])]) : undefined;
    });
    newerAtOnce = await startFakePeer((r) => (r.verb === 'HELLO' ? `OK ${r.id} 0 txtmesh/2 peer=p3\n` : r.verb === 'LIST' ? listAnswer(r, ['x.txt']) : undefined));
    folder = await peerFolder(root, 'me', { p1: many.port, p2: newer.port, p3: newerAtOnce.port });
  });
  after(async function () {
    await Promise.all([many.close(), newer.close(), newerAtOnce.close()]);
    await rm(root, { recursive: true, force: true });
  });

  it('filelist | head -c 10: no stack trace, the command\'s own status', async function () {
    const r = await intoHead(folder, ['filelist', 'p1']);
    expect(r.stdout).to.equal('p1: 4000 f');
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
  });

  it('the console | head -c 10: no stack trace, status 0, and it stops reading commands', async function () {
    const before = many.requests.filter((l) => l.startsWith('LIST')).length;
    const r = await intoHead(folder, [], '#FILELIST p1\n'.repeat(20));
    expect(r.stdout).to.equal('p1: 4000 f');
    expect(r.stderr).to.equal('');
    expect(r.status).to.equal(0);
    expect(many.requests.filter((l) => l.startsWith('LIST')).length - before).to.be.below(20);
  });

  it('txtmesh-server whose log reader has gone keeps serving, without a stack trace', async function () {
    const port = await freePort();
    const peerDir = join(root, 'srv');
    await mkdir(join(peerDir, 'served_files'), { recursive: true });
    await writeFile(join(peerDir, 'settings.txt'), `srv 127.0.0.1 ${port}\n`);
    const server = spawn(process.execPath, [serverJs, '--settings', 'settings.txt', '--no-console'], { cwd: peerDir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stderr = '';
      server.stderr.on('data', (d) => (stderr += d));
      await waitForOutput(server, /serving/);
      server.stdout.destroy(); // the reader goes: the next log line is a write to a closed pipe
      for (let i = 1; i <= 3; i++) expect((await rawExchange(port, `HELLO ${i} 0 txtmesh/1\n`)).text).to.equal(`OK ${i} 0 txtmesh/1 peer=srv\n`);
      expect(server.exitCode).to.equal(null);
      expect(stderr).to.equal('');
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('a claim answered with txtmesh/2 fails filelist for that peer (ERR_PEER_PROTOCOL), as ping and peers do', async function () {
    const r = await run(clientJs, ['filelist', 'p2'], folder);
    expect(r.code, r.stdout).to.equal(1);
    expect(r.stdout).to.match(/^p2: unreachable: .*speaks txtmesh\/2, not txtmesh\/1 \(ERR_PEER_PROTOCOL\)$/m);
    const doc = JSON.parse((await run(clientJs, ['filelist', 'p2', '--json'], folder)).stdout) as { peers: { ok: boolean; error?: { code: string } }[] };
    expect(doc.peers[0]?.ok).to.equal(false);
    expect(doc.peers[0]?.error?.code).to.equal('ERR_PEER_PROTOCOL');
    // Answered at once: filelist and ping fail alike.
    for (const command of ['filelist', 'ping']) {
      const alike = await run(clientJs, [command, 'p3'], folder);
      expect(alike.code, `${command}: ${alike.stdout}`).to.equal(1);
      expect(alike.stdout).to.contain('speaks txtmesh/2').and.contain('ERR_PEER_PROTOCOL');
    }
  });
});

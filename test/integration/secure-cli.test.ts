/**
 * Security as a user meets it on the command line: making, showing and rotating identities;
 * refusing to start on a bad identity or mixed settings; a secure mesh of real processes; and
 * settings that change while a server runs.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { upload } from '../../src/client/upload.js';
import { localAddressOf } from '../../src/security/credentials.js';
import { createIdentity } from '../../src/security/identity.js';
import { ServedFolder } from '../../src/storage/served-folder.js';
import { freePort, makeText, tempDir } from '../helpers.js';
import { clientJs, exited, run, serverJs, waitForOutput } from './cli-helpers.js';

const FINGERPRINT = /^[0-9a-f]{64}$/m;

describe('secure mode on the command line', function () {
  this.timeout(30_000);
  let root: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => (root = await tempDir('txtmesh-secure-cli-')));
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  async function peerFolders(ids: string[]): Promise<number[]> {
    const ports: number[] = [];
    for (const id of ids) {
      await mkdir(join(root, id, 'served_files'), { recursive: true });
      ports.push(await freePort());
    }
    return ports;
  }

  function startServer(id: string, args: string[] = []): ChildProcess {
    const child = spawn(process.execPath, [serverJs, '--quiet', '--no-console', ...args], { cwd: join(root, id), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return child;
  }

  it('--init-identity makes a private key and prints the fingerprint; --show-identity and --rotate-identity', async function () {
    const [port] = await peerFolders(['p1']);
    await writeFile(join(root, 'peer_settings.txt'), `p1 127.0.0.1 ${port}\n`);
    const init = await run(serverJs, ['--init-identity'], join(root, 'p1'));
    expect(init.code).to.equal(0);
    const fingerprint = FINGERPRINT.exec(init.stdout)?.[0];
    expect(init.stdout).to.contain(`that line becomes: p1 127.0.0.1 ${port} ${fingerprint}`);
    expect((await stat(join(root, 'p1', 'identity', 'key.pem'))).mode & 0o777).to.equal(0o600);
    const show = await run(serverJs, ['--show-identity'], join(root, 'p1'));
    expect(show.stdout).to.equal(`${fingerprint}\n`);
    const again = await run(serverJs, ['--init-identity'], join(root, 'p1'));
    expect(again.code).to.equal(0);
    expect(again.stdout).to.contain('already has an identity').and.contain(fingerprint);
    const rotate = await run(serverJs, ['--rotate-identity'], join(root, 'p1'));
    expect(rotate.code).to.equal(0);
    expect(rotate.stdout).to.contain(`the old fingerprint ${fingerprint}`);
    expect((await run(serverJs, ['--show-identity'], join(root, 'p1'))).stdout.trim()).to.match(FINGERPRINT).and.not.equal(fingerprint);
  });

  it('refuses to start on mixed settings, a malformed or expired certificate, or a fingerprint that is not its own', async function () {
    const [p1 = 0, p2 = 0] = await peerFolders(['p1', 'p2']);
    const settings = join(root, 'peer_settings.txt');
    const id1 = await createIdentity(join(root, 'p1', 'identity'), { peerId: 'p1' });
    const id2 = await createIdentity(join(root, 'p2', 'identity'), { peerId: 'p2' });

    await writeFile(settings, `p1 127.0.0.1 ${p1} ${id1.fingerprint}\np2 127.0.0.1 ${p2}\n`);
    let r = await run(serverJs, [], join(root, 'p1'));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('ERR_SETTINGS_MIXED').and.contain('line 2 (p2)');
    r = await run(clientJs, ['peers'], join(root, 'p1'));
    expect(r.code).to.equal(2);

    await writeFile(settings, `p1 127.0.0.1 ${p1} ${id1.fingerprint}\np2 127.0.0.1 ${p2} ${id2.fingerprint}\n`);
    await writeFile(join(root, 'p1', 'identity', 'cert.pem'), '-----BEGIN CERTIFICATE-----\nMIIBroken\n-----END CERTIFICATE-----\n');
    for (const script of [serverJs, clientJs]) {
      r = await run(script, script === clientJs ? ['peers', '--json'] : [], join(root, 'p1'));
      expect(r.code, script).to.equal(2);
      expect(r.stderr, script).to.contain('ERR_IDENTITY_FILE').and.contain('cert.pem');
    }

    await createIdentity(join(root, 'p1', 'identity'), { peerId: 'p1', replace: true, notBefore: new Date(Date.now() - 3 * 86_400_000), days: 1 });
    r = await run(serverJs, [], join(root, 'p1'));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('ERR_CERT_EXPIRED').and.contain('--rotate-identity');

    await createIdentity(join(root, 'p1', 'identity'), { peerId: 'p1', replace: true });
    r = await run(serverJs, [], join(root, 'p1'));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('ERR_BAD_IDENTITY').and.contain(id1.fingerprint);
  });

  it('--secure makes the identity on first start, and will not run an open mesh', async function () {
    const [p1 = 0] = await peerFolders(['p1']);
    await writeFile(join(root, 'peer_settings.txt'), `p1 127.0.0.1 ${p1}\n`);
    const r = await run(serverJs, ['--secure'], join(root, 'p1'));
    expect(r.code).to.equal(2);
    expect(r.stdout).to.contain('created the identity of p1');
    expect(r.stderr).to.contain('--secure').and.contain('fourth column');
    const fingerprint = (await run(serverJs, ['--show-identity'], join(root, 'p1'))).stdout.trim();
    expect(r.stdout).to.contain(fingerprint);
  });

  it('runs a secure mesh of processes: download, peers --json with verified identities', async function () {
    const ports = await peerFolders(['p1', 'p2', 'me']);
    const ids = ['p1', 'p2', 'me'];
    const text = makeText(9 * 262_144 + 11);
    const lines: string[] = [];
    for (const [i, id] of ids.entries()) {
      const made = await run(serverJs, ['--init-identity'], join(root, id));
      lines.push(`${id} 127.0.0.1 ${ports[i]} ${FINGERPRINT.exec(made.stdout)?.[0]}`);
    }
    await writeFile(join(root, 'peer_settings.txt'), lines.join('\n') + '\n');
    for (const id of ['p1', 'p2']) {
      await writeFile(join(root, id, 'served_files', 'big.txt'), text);
      const child = startServer(id);
      const out = await waitForOutput(child, /mesh is secure/);
      expect(out).to.contain('mutual TLS 1.3');
    }
    const dl = await run(clientJs, ['download', 'big.txt', '--json'], join(root, 'me'));
    expect(dl.code, dl.stderr).to.equal(0);
    expect((await readFile(join(root, 'me', 'served_files', 'big.txt'))).equals(text)).to.equal(true);
    const peers = await run(clientJs, ['peers', '--json'], join(root, 'me'));
    const doc = JSON.parse(peers.stdout) as { mode: string; peers: { peer: string; online: boolean; identity: string | null }[] };
    expect(doc.mode).to.equal('secure');
    expect(doc.peers.map((p) => [p.peer, p.online, p.identity])).to.deep.equal([
      ['p1', true, lines[0]?.split(' ')[3]],
      ['p2', true, lines[1]?.split(' ')[3]],
      ['me', false, null],
    ]);
    const human = await run(clientJs, ['peers'], join(root, 'me'));
    expect(human.stdout).to.match(/^mesh: secure /).and.match(/p1 .* [0-9a-f]{16}… verified/);
  });

  it('takes in settings that change while it runs: a peer added is let in', async function () {
    const [p1 = 0, far = 0] = await peerFolders(['p1', 'far']);
    const settings = join(root, 'peer_settings.txt');
    await writeFile(settings, `p1 127.0.0.1 ${p1}\n`);
    await writeFile(join(root, 'far', 'served_files', 'up.txt'), 'from afar');
    const child = startServer('p1');
    await waitForOutput(child, /mesh is open/);
    const folder = new ServedFolder(join(root, 'far', 'served_files'));
    await folder.init();
    const as = { id: 'far', localAddress: localAddressOf('127.0.0.2') };
    const peer = { id: 'p1', host: '127.0.0.1', port: p1, line: 1 };
    const before = await upload({ name: 'up.txt', peers: [peer], folder, as });
    expect(before.outcomes[0]?.error?.code).to.equal('ERR_NOT_A_MEMBER');
    const reloaded = waitForOutput(child, /settings reloaded/);
    await appendFile(settings, `far 127.0.0.2 ${far}\n`);
    await reloaded;
    const after = await upload({ name: 'up.txt', peers: [peer], folder, as });
    expect(after.outcomes[0]?.status).to.equal('stored');
    child.kill('SIGTERM');
    expect(await exited(child)).to.equal(0);
  });
});

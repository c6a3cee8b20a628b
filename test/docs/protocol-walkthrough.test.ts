/**
 * Runs every session of docs/PROTOCOL.md against a real server: `node dist/server.js --port 0`
 * in a fresh copy of example/ in a temp folder (a secure one: every peer given an identity by
 * `--init-identity` and its fingerprint put in the settings), the `>` lines sent at once over a
 * raw TCP or TLS 1.3 socket that then half-closes, and what comes back until the server closes
 * checked frame by frame against the `<` lines.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { exited, run, serverJs, waitForOutput } from '../integration/cli-helpers.js';
import { type Session, parseSessions, showFrame, splitFrames } from './sessions.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const doc = readFileSync(join(repo, 'docs', 'PROTOCOL.md'), 'utf8');
const sessions = parseSessions(doc);
const PEERS = ['p1', 'p2', 'p3', 'p4', 'p5'];

/** A copy of example/ whose peers have identities and whose settings list their fingerprints. */
async function secureExample(into: string): Promise<void> {
  await cp(join(repo, 'example'), into, { recursive: true });
  const fingerprints = new Map<string, string>();
  await Promise.all(
    PEERS.map(async (id) => {
      const made = await run(serverJs, ['--init-identity'], join(into, id));
      const fingerprint = /^[0-9a-f]{64}$/m.exec(made.stdout)?.[0];
      if (made.code !== 0 || !fingerprint) throw new Error(`--init-identity in ${id} failed: ${made.stderr}`);
      fingerprints.set(id, fingerprint);
    }),
  );
  const settings = join(into, 'peer_settings.txt');
  const lines = (await readFile(settings, 'utf8')).split('\n');
  await writeFile(settings, lines.map((l) => (fingerprints.has(l.split(/\s+/)[0] ?? '') ? `${l} ${fingerprints.get(l.split(/\s+/)[0] ?? '')}` : l)).join('\n'));
}

/** Starts the session's server in a fresh copy of `template`; resolves with its port. */
async function startServer(s: Session, template: string, root: string): Promise<{ child: ChildProcess; port: number }> {
  await cp(template, root, { recursive: true });
  const args = ['--port', '0', '--no-console', '--quiet', ...(s.serveTo ? ['--serve-to', s.serveTo] : []), ...(s.refuseReplace ? ['--refuse-replace'] : [])];
  const child = spawn(process.execPath, [serverJs, ...args], { cwd: join(root, s.peer), stdio: ['ignore', 'pipe', 'pipe'] });
  const started = await waitForOutput(child, / on 127\.0\.0\.1:\d+\n/);
  return { child, port: Number(/ on 127\.0\.0\.1:(\d+)\n/.exec(started)?.[1]) };
}

/** Sends the session's bytes, half-closes, and collects everything until the server closes. */
async function exchange(s: Session, port: number, root: string): Promise<Buffer> {
  const identity = async (id: string) => ({
    key: await readFile(join(root, id, 'identity', 'key.pem'), 'utf8'),
    cert: await readFile(join(root, id, 'identity', 'cert.pem'), 'utf8'),
  });
  if (s.tls !== undefined && s.from !== undefined) throw new Error(`session at line ${s.line}: tls= and from= together are not supported`);
  const socket =
    s.tls === undefined
      ? connect({ host: '127.0.0.1', port, localAddress: s.from })
      : tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3', ...(s.tls === 'none' ? {} : await identity(s.tls)) });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not close the connection within 10 s')), 10_000);
    socket.once(s.tls === undefined ? 'connect' : 'secureConnect', () => socket.end(s.send));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolvePromise();
    });
  });
  return Buffer.concat(chunks);
}

describe('docs/PROTOCOL.md sessions, run against a real server', function () {
  this.timeout(30_000);
  let work: string;
  let open: string;
  let secure: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'txtmesh-protocol-doc-'));
    open = join(repo, 'example');
    secure = join(work, 'secure-example');
    await secureExample(secure);
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('has sessions for every request, for refusals and for a secure mesh', () => {
    const sent = sessions.map((s) => s.send.toString('utf8')).join('');
    for (const verb of ['HELLO', 'LIST', 'INFO', 'GET', 'PUT']) expect(sent, verb).to.match(new RegExp(`^${verb} `, 'm'));
    expect(sessions.filter((s) => s.secure && s.tls === undefined)).to.have.length.greaterThan(0);
    expect(sessions.filter((s) => s.tls !== undefined)).to.have.length.greaterThan(0);
    expect(sessions.filter((s) => s.from !== undefined)).to.have.length.greaterThan(0);
  });

  for (const s of sessions) {
    const first = s.send.toString('utf8').split('\n')[0];
    it(`line ${s.line}: ${s.peer}${s.secure ? ' (secure)' : ''}: ${first}`, async () => {
      const root = join(work, `session-${s.line}`);
      const { child, port } = await startServer(s, s.secure ? secure : open, root);
      try {
        const got = splitFrames(await exchange(s, port, root));
        const shownGot = got.map((f, i) => showFrame(f.header, f.body, s.expect[i]?.body));
        const shownWanted = s.expect.map((f) => showFrame(f.header, f.body, f.body));
        expect(shownGot).to.deep.equal(shownWanted);
      } finally {
        child.kill('SIGTERM');
        await exited(child);
        await rm(root, { recursive: true, force: true });
      }
    });
  }
});

/**
 * A live server (dist/server.js in its own process) against generated hostile input: random
 * bytes, truncated and mutated valid frames, huge and negative lengths, odd names. After every
 * case the server still answers normal requests correctly, and its memory stays bounded.
 */
import { expect } from 'chai';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { fileInfo, getRange, hello } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { encodeName } from '../../src/protocol/header.js';
import { REQUESTS } from '../../src/protocol/requests.js';
import type { PeerAddress } from '../../src/settings.js';
import { freePort, makeText, tempDir } from '../helpers.js';
import { serverJs, waitForOutput } from './cli-helpers.js';

/**
 * Sends bytes on a fresh connection, after a claim to be p1 (a member may upload, so PUTs get
 * past admission to the parser); waits until the server closes it or goes quiet.
 */
function poke(port: number, data: Buffer): Promise<void> {
  return new Promise((resolvePromise) => {
    const socket = connect(port, '127.0.0.1');
    let timer = setTimeout(done, 100);
    function done() {
      clearTimeout(timer);
      socket.destroy();
      resolvePromise();
    }
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', () => {
      clearTimeout(timer);
      timer = setTimeout(done, 50);
    });
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from('HELLO 99 0 txtmesh/1 p1\n'), data])));
  });
}

async function rssKiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
}

describe('live server under generated hostile input (fuzz)', function () {
  this.timeout(120_000);
  let child: ChildProcess;
  let peer: PeerAddress;
  const text = makeText(3 * PIECE_SIZE + 7);
  let identity = '';
  let root = '';

  before(async function () {
    root = await tempDir();
    const port = await freePort();
    peer = { id: 'p1', host: '127.0.0.1', port, line: 1 };
    await mkdir(join(root, 'p1', 'served_files'), { recursive: true });
    await writeFile(join(root, 'p1', 'served_files', 'doc.txt'), text);
    await writeFile(join(root, 'peer_settings.txt'), `p1 127.0.0.1 ${port}\n`);
    child = spawn(process.execPath, [serverJs, '--quiet', '--header-timeout', '1'], { cwd: join(root, 'p1'), stdio: ['ignore', 'pipe', 'inherit'] });
    await waitForOutput(child, /serving/);
    const conn = await PeerConnection.connect(peer);
    identity = (await fileInfo(conn, 'doc.txt')).identity;
    conn.close();
  });
  after(() => child.kill('SIGTERM'));

  /** The server still answers HELLO, INFO and a GET correctly. */
  async function stillServing(): Promise<void> {
    const conn = await PeerConnection.connect(peer);
    try {
      expect((await hello(conn)).peerId).to.equal('p1');
      expect((await fileInfo(conn, 'doc.txt')).identity).to.equal(identity);
      expect(await getRange(conn, 'doc.txt', PIECE_SIZE - 3, 10, identity)).to.deep.equal(text.subarray(PIECE_SIZE - 3, PIECE_SIZE + 7));
    } finally {
      conn.close();
    }
  }

  const validFrames = [
    REQUESTS.INFO.encode({ verb: 'INFO', id: 1, name: 'doc.txt' }),
    REQUESTS.GET.encode({ verb: 'GET', id: 2, name: 'doc.txt', offset: 0, length: 100 }),
    Buffer.concat([REQUESTS.PUT.encode({ verb: 'PUT', id: 3, name: 'new.txt', size: 5, identity: 'a'.repeat(64) }), Buffer.from('hello')]),
    Buffer.from('HELLO 4 0 txtmesh/1\n'),
    Buffer.from('LIST 5 0\n'),
  ];
  const oddName = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), maxLength: 10 }).map((s) => `a${s}.txt`),
    fc.integer({ min: 200, max: 5000 }).map((n) => 'x'.repeat(n) + '.txt'),
    fc.constantFrom('../doc.txt', '/etc/passwd', 'a\\b.txt', '.hidden.txt', 'doc.txt\0', '%00.txt', '..%2Fx.txt', '😀/../../x.txt'),
  );
  const hostile = fc.oneof(
    fc.uint8Array({ maxLength: 5000 }).map((b) => Buffer.from(b)),
    fc.tuple(fc.constantFrom(...validFrames), fc.nat()).map(([f, cut]) => f.subarray(0, cut % f.length)),
    fc.tuple(fc.constantFrom(...validFrames), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([f, at, byte]) => {
      const copy = Buffer.from(f);
      copy[at % copy.length] = byte;
      return copy;
    }),
    fc.oneof(fc.bigInt({ min: 2n ** 40n, max: 10n ** 25n }).map(String), fc.integer({ max: -1 }).map(String)).map((n) => Buffer.from(`PUT 1 ${n} x.txt ${'a'.repeat(64)}\n`)),
    fc.oneof(fc.bigInt({ min: 2n ** 40n, max: 10n ** 25n }).map(String), fc.integer({ max: -1 }).map(String)).map((n) => Buffer.from(`GET 1 0 doc.txt ${n} ${n}\n`)),
    fc.tuple(fc.constantFrom('INFO', 'GET', 'PUT'), oddName).map(([verb, name]) =>
      Buffer.from(verb === 'PUT' ? `PUT 1 3 ${encodeName(name)} ${'b'.repeat(64)}\nabc` : `${verb} 1 0 ${encodeName(name)}${verb === 'GET' ? ' 0 1' : ''}\n`),
    ),
    fc.tuple(fc.constantFrom('INFO', 'GET'), oddName).map(([verb, name]) => Buffer.from(`${verb} 1 0 ${name}${verb === 'GET' ? ' 0 1' : ''}\n`, 'utf8')),
  );

  it('keeps answering normal requests correctly after every generated case', async function () {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(hostile, async (data) => {
        await poke(peer.port, data);
        await stillServing();
        cases++;
      }),
      { numRuns: 250 },
    );
    expect(cases).to.be.at.least(250);
  });

  it('stays within a memory bound (VmHWM under 150 MB) and writes nothing from broken uploads', async function () {
    const hwm = await rssKiB(child.pid as number, 'VmHWM');
    expect(hwm / 1024).to.be.below(150);
    // Only doc.txt (temp files included): every PUT above was malformed, truncated, cut off
    // or announced an identity its bytes do not have.
    expect(await readdir(join(root, 'p1', 'served_files'))).to.deep.equal(['doc.txt']);
  });
});

/**
 * Server limits: connection cap with idle eviction, ERR_BUSY, header timeout, a slowloris
 * crowd, backpressure against a client that never reads, half-closed clients.
 */
import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { hello, listFiles } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { withRetry } from '../../src/client/retry.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { PeerServer } from '../../src/server/peer-server.js';
import { IDLE_GRACE_MS } from '../../src/server/slots.js';
import { tempDir, waitFor, writeFiles } from '../helpers.js';

async function open(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

function closed(socket: Socket): Promise<void> {
  return socket.closed || socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

function received(socket: Socket): () => string {
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  return () => text;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('server limits', function () {
  this.timeout(30_000);
  let server: PeerServer;
  let port: number;
  const sockets: Socket[] = [];

  async function start(options: Partial<ConstructorParameters<typeof PeerServer>[0]> = {}): Promise<void> {
    const dir = await tempDir();
    await writeFiles(dir, { 'big.txt': Buffer.alloc(64 * PIECE_SIZE, 'b'), 'a.txt': 'abc' });
    server = new PeerServer({ peerId: 'srv', dir, ...options });
    port = (await server.listen(0, '127.0.0.1')).port;
  }

  /** A HELLO as a real peer sends it: a busy server is asked again after a moment (retry.ts). */
  async function helloWorks(): Promise<boolean> {
    const { conn, value } = await withRetry({ id: 'srv', host: '127.0.0.1', port, line: 1 }, (c) => hello(c));
    conn.close();
    return value.peerId === 'srv';
  }

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await server.close();
  });

  it('closes the longest-idle connection to make room when full', async function () {
    await start({ maxConnections: 3 });
    for (let i = 0; i < 3; i++) sockets.push(await open(port));
    await waitFor(() => server.connections === 3);
    await sleep(IDLE_GRACE_MS); // one just connected may be about to ask: it is not evicted
    expect(await helloWorks()).to.equal(true);
    await closed(sockets[0] as Socket); // the oldest idle one was evicted
    expect((sockets[1] as Socket).destroyed).to.equal(false);
  });

  it('answers ERR_BUSY when every connection is busy', async function () {
    await start({ maxConnections: 2 });
    for (let i = 0; i < 2; i++) {
      const s = await open(port);
      // A PUT whose body is still coming keeps the connection busy.
      s.write(`PUT 1 1000 busy${i}.txt ${'a'.repeat(64)}\nxx`);
      sockets.push(s);
    }
    await sleep(100);
    const late = await open(port);
    const text = received(late);
    await closed(late);
    expect(text()).to.match(/^ERR 0 0 ERR_BUSY server is busy/);
  });

  it('a client that pipelined its requests into a busy server reads why (ERR_BUSY), not a reset (EPIPE)', async function () {
    await start({ maxConnections: 1 });
    const s = await open(port);
    s.write(`PUT 1 1000 busy.txt ${'a'.repeat(64)}\nxx`); // keeps the one slot busy
    sockets.push(s);
    await sleep(100);
    const codes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const conn = await PeerConnection.connect({ id: 'srv', host: '127.0.0.1', port, line: 1 }, { as: { id: 'me' } });
      // The claim and the LIST go out back to back, before the refusal arrives.
      codes.push(await listFiles(conn).then(() => 'OK', (err: { code: string }) => err.code));
      conn.close();
    }
    expect([...new Set(codes)]).to.deep.equal(['ERR_BUSY']);
  });

  it('closes a connection whose header is not complete within the header timeout', async function () {
    await start({ headerTimeoutMs: 200 });
    const s = await open(port);
    const text = received(s);
    s.write('LIST 1');
    const started = Date.now();
    await closed(s);
    expect(Date.now() - started).to.be.within(150, 2000);
    expect(text()).to.match(/^ERR 0 0 ERR_HEADER_TIMEOUT /);
  });

  it('keeps serving real peers under a slowloris crowd of idle and trickling sockets', async function () {
    await start({ maxConnections: 50, headerTimeoutMs: 500 });
    for (let i = 0; i < 150; i++) {
      const s = await open(port);
      if (i % 2 === 0) s.write('GET 1 0 '); // half a header, never finished
      sockets.push(s);
    }
    for (let i = 0; i < 5; i++) expect(await helloWorks()).to.equal(true);
    expect(server.connections).to.be.at.most(50);
  });

  it('does not buffer answers for a client that requests pieces and never reads', async function () {
    await start();
    const s = await open(port);
    s.pause();
    const info = await (async () => {
      const conn = await PeerConnection.connect({ id: 'srv', host: '127.0.0.1', port, line: 1 });
      const { fileInfo } = await import('../../src/client/peer-client.js');
      try {
        return await fileInfo(conn, 'big.txt');
      } finally {
        conn.close();
      }
    })();
    let requests = '';
    for (let i = 0; i < 200; i++) requests += `GET ${i + 1} 0 big.txt ${(i % 64) * PIECE_SIZE} ${PIECE_SIZE} ${info.identity}\n`;
    s.write(requests); // 50 MiB of answers asked for
    await sleep(500);
    // At most about one chunk beyond the socket's high-water mark waits in our memory.
    expect(server.bufferedBytes).to.be.below(2 * PIECE_SIZE);
    expect(await helloWorks()).to.equal(true);
    sockets.push(s);
  });

  it('answers every request of a client that half-closes after sending them', async function () {
    await start();
    const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const text = received(s);
    await new Promise((resolve) => s.once('connect', resolve));
    s.end('HELLO 1 0 txtmesh/1\nLIST 2 0\nGET 3 0 a.txt 0 3\n');
    await closed(s);
    expect(text()).to.match(/^OK 1 0 txtmesh\/1 peer=srv\nOK 2 \d+ files=2\n[\s\S]*OK 3 3\nabc$/);
  });
});

/**
 * The server connection's send timeout over an in-memory duplex pair (test/duplex-pair.ts): a
 * client that asks for a range and stops reading is cut off once it has taken nothing for the
 * send timeout, its answer's memory goes back, and the cut is logged; a client that reads
 * slowly but steadily above the minimum rate gets its whole answer.
 */
import { expect } from 'chai';
import { rm } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { type ConnectionContext, type ConnectionState, type RequestLog, ServerConnection } from '../../src/server/connection.js';
import { SEND_CHUNK } from '../../src/server/handlers.js';
import { ServedFolder } from '../../src/storage/served-folder.js';
import { VersionsArea } from '../../src/storage/versions-area.js';
import { BufferPool } from '../../src/transport/buffer-pool.js';
import { duplexPair } from '../duplex-pair.js';
import { makeText, tempDir, waitFor, writeFiles } from '../helpers.js';

describe('server/connection: the send timeout (over an in-memory duplex pair)', function () {
  this.timeout(20_000);
  const big = makeText(2 * SEND_CHUNK);
  let dir: string;
  let log: RequestLog[];
  let ctx: ConnectionContext;

  beforeEach(async () => {
    dir = await tempDir();
    await writeFiles(dir, { 'big.txt': big });
    const folder = new ServedFolder(dir);
    await folder.init();
    log = [];
    ctx = { folder, readPool: new BufferPool(SEND_CHUNK, 2), peerId: 'p1', maxUploadBytes: 0, versions: new VersionsArea(folder), maxHeaderBytes: 256, headerTimeoutMs: 5000, log: (e) => log.push(e) };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  function open(): { client: Duplex; server: Duplex; state: ConnectionState; served: Promise<void> } {
    const [client, server] = duplexPair({ highWaterMark: 16 * 1024 });
    client.on('error', () => undefined);
    const state: ConnectionState = { busy: false, lastActive: 0 };
    return { client, server, state, served: new ServerConnection(server, 'mem:1', ctx, state).serve() };
  }

  it('cuts off a client that asks for a range and reads nothing, and logs it', async () => {
    ctx = { ...ctx, sendTimeoutMs: 300, minSendRate: 0 };
    const c = open();
    c.client.write(`GET 1 0 big.txt 0 ${big.length}\nGET 2 0 big.txt 0 ${big.length}\n`);
    const started = performance.now();
    await c.served;
    expect(performance.now() - started).to.be.within(250, 3000);
    expect(c.server.destroyed).to.equal(true);
    expect(c.state.meter?.held ?? 0).to.equal(0); // the chunk it held went back with the socket
    // One line for the cut answer, with what the client took of it (the pair's buffer), not its length.
    expect(log.map((e) => [e.verb, e.name, e.status, e.cut])).to.deep.equal([['GET', 'big.txt', 'ERR_PEER_TIMEOUT', true]]);
    expect(log[0]?.bytes).to.be.below(big.length);
  });

  it('keeps a client that reads slowly but above the minimum rate, to the last byte', async () => {
    // Chunks of 16 KiB: a pair shows progress a finished write at a time (a TCP socket, byte by byte).
    ctx = { ...ctx, sendTimeoutMs: 300, minSendRate: 1024, readPool: new BufferPool(16 * 1024, 2) };
    const c = open();
    const got: Buffer[] = [];
    c.client.pause();
    c.client.write(`GET 1 0 big.txt 0 ${256 * 1024}\n`);
    const started = performance.now();
    // About 320 KB/s, read in small steps: well over 1 KiB/s, far under what the pair could carry.
    const reader = setInterval(() => {
      const chunk = c.client.read(Math.min(16 * 1024, c.client.readableLength)) as Buffer | null;
      if (chunk) got.push(chunk);
    }, 50);
    await waitFor(() => Buffer.concat(got).length >= 256 * 1024 + 'OK 1 262144\n'.length, 10_000);
    clearInterval(reader);
    c.client.end();
    await c.served;
    expect(performance.now() - started).to.be.above(600); // slower than the send timeout, twice over
    expect(log.map((e) => e.status)).to.deep.equal(['OK']);
    expect(Buffer.concat(got).subarray('OK 1 262144\n'.length).equals(big.subarray(0, 256 * 1024))).to.equal(true);
  });

  it('with the send timeout off, waits on a client that reads nothing (as before)', async () => {
    ctx = { ...ctx, sendTimeoutMs: 0 };
    const c = open();
    c.client.write(`GET 1 0 big.txt 0 ${big.length}\n`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(c.server.destroyed).to.equal(false);
    c.client.destroy();
    await c.served;
  });
});

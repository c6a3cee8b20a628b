/**
 * Honest accounting on a real server (issue 10, item 7): a PeerServer on 127.0.0.1 port 0 and
 * raw TCP clients. A GET whose client closes midway is logged, and counted in the stats, with
 * the bytes that went out, not the range it asked for; a refused GET counts nothing; a whole
 * one counts its length; a GET held back by --max-upload-rate and cut off counts what the limit
 * let go.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { type Socket, connect } from 'node:net';
import type { RequestLog } from '../../src/server/connection.js';
import { MAX_RANGE_BYTES } from '../../src/constants.js';
import { PeerServer } from '../../src/server/peer-server.js';
import { makeText, tempDir, waitFor, writeFiles } from '../helpers.js';

/** The largest range one GET may ask for. */
const SIZE = MAX_RANGE_BYTES;
const big = makeText(SIZE);

describe('honest accounting: server logs and stats count the bytes that went out', function () {
  this.timeout(30_000);
  let dir: string;
  let server: PeerServer;
  let port: number;
  let log: RequestLog[];

  async function start(options: { maxUploadRate?: number } = {}): Promise<void> {
    dir = await tempDir();
    await writeFiles(dir, { 'big.txt': big });
    log = [];
    server = new PeerServer({ peerId: 'srv', dir, log: (entry) => log.push(entry), ...options });
    port = (await server.listen(0, '127.0.0.1')).port;
  }

  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function dial(): Promise<Socket> {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    return socket;
  }

  /** Reads until `bytes` have arrived; returns how many did (a little more, a chunk at a time). */
  async function readAtLeast(socket: Socket, bytes: number): Promise<number> {
    let got = 0;
    for await (const chunk of socket.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      got += chunk.length;
      if (got >= bytes) break;
    }
    socket.pause();
    return got;
  }

  it('a client that reads 1 MiB of a 16 MiB GET and closes: the line and the stats count what went, not 16 MiB', async () => {
    await start();
    const socket = await dial();
    socket.write(`GET 1 0 big.txt 0 ${SIZE}\n`);
    const received = await readAtLeast(socket, 1024 * 1024);
    socket.destroy();
    await waitFor(() => log.some((e) => e.verb === 'GET'), 10_000);
    const [line] = log.filter((e) => e.verb === 'GET');
    expect(line?.cut).to.equal(true);
    expect(line?.status).to.equal('ERR_PEER_CLOSED');
    // At least what the client read (less the header line); at most that plus the two kernels'
    // socket buffers on loopback (a few MiB together; 3 MiB here), well short of the range.
    expect(line?.bytes).to.be.at.least(received - 64);
    expect(line?.bytes).to.be.below((SIZE * 3) / 4);
    expect(server.stats.snapshot().bytesServed).to.equal(line?.bytes);
    expect(server.stats.snapshot().requests).to.include({ total: 1, refused: 0, cut: 1 });
  });

  it('a whole GET counts its length; a refused one nothing; the connection carries on', async () => {
    await start();
    const socket = await dial();
    const length = 3 * 1024 * 1024;
    socket.write(`GET 1 0 big.txt 0 ${length}\nGET 2 0 nope.txt 0 10\n`);
    await readAtLeast(socket, length);
    await waitFor(() => log.length === 2, 10_000);
    expect(log.map((e) => [e.verb, e.bytes, e.status, e.cut ?? false])).to.deep.equal([
      ['GET', length, 'OK', false],
      ['GET', 0, 'ERR_NOT_FOUND', false],
    ]);
    expect(server.stats.snapshot().bytesServed).to.equal(length);
    socket.destroy();
  });

  it('a GET held back by --max-upload-rate and cut off counts what the limit let out', async () => {
    const rate = 1024 * 1024;
    await start({ maxUploadRate: rate });
    const socket = await dial();
    socket.write(`GET 1 0 big.txt 0 ${SIZE}\n`);
    const started = performance.now();
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    await new Promise((resolve) => setTimeout(resolve, 600));
    socket.destroy();
    const seconds = (performance.now() - started) / 1000;
    await waitFor(() => log.length === 1, 10_000);
    const [line] = log;
    expect(line?.cut).to.equal(true);
    expect(line?.bytes).to.be.at.least(received - 64);
    // The limit's first burst plus its rate over the time the connection lived, with room.
    expect(line?.bytes).to.be.below(rate * (seconds + 1.5));
  });
});

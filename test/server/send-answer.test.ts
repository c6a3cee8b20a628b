/**
 * Sending an answer and counting what the socket took (src/server/send-answer.ts), over an
 * in-memory duplex pair (test/duplex-pair.ts: a write calls back once the other end has it).
 * The real-socket case, a client closing midway, is test/integration/accounting.test.ts.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { SendMeter } from '../../src/server/send-meter.js';
import { SentCount, sendAnswer } from '../../src/server/send-answer.js';
import { RateLimit } from '../../src/transport/rate-limit.js';
import { duplexPair } from '../duplex-pair.js';

const CHUNK = 16 * 1024;
const head = Buffer.from('OK 1 131072\n');
const chunks = Array.from({ length: 8 }, (_, i) => Buffer.alloc(CHUNK, 97 + i));

function pair(): { client: Duplex; server: Duplex } {
  const [client, server] = duplexPair({ highWaterMark: CHUNK });
  client.on('error', () => undefined);
  server.on('error', () => undefined);
  return { client, server };
}

/** Reads exactly `bytes` from a paused stream. */
async function readExactly(stream: Duplex, bytes: number): Promise<Buffer> {
  const got: Buffer[] = [];
  let have = 0;
  while (have < bytes) {
    const chunk = stream.read(Math.min(bytes - have, stream.readableLength)) as Buffer | null;
    if (chunk) {
      got.push(chunk);
      have += chunk.length;
    } else await once(stream, 'readable');
  }
  return Buffer.concat(got);
}

describe('server/send-answer', () => {
  it('counts every byte after the header line once the other end has taken it', async () => {
    const { client, server } = pair();
    const got: Buffer[] = [];
    client.on('data', (chunk: Buffer) => got.push(chunk));
    const sent = new SentCount(server);
    await sendAnswer({ socket: server, meter: new SendMeter(server, 1000) }, [head], { answer: { kind: 'GET', id: 1, length: 8 * CHUNK }, body: chunks }, sent);
    expect(await sent.done()).to.equal(8 * CHUNK);
    expect(sent.complete).to.equal(true);
    expect(Buffer.concat(got).length).to.equal(head.length + 8 * CHUNK);
  });

  it('a client that reads part and closes: only what it was given counts, and the sending fails', async () => {
    const { client, server } = pair();
    client.pause();
    const sent = new SentCount(server);
    const sending = sendAnswer({ socket: server, meter: new SendMeter(server, 1000) }, [head], { answer: { kind: 'GET', id: 1, length: 8 * CHUNK }, body: chunks }, sent);
    const read = await readExactly(client, head.length + 2 * CHUNK);
    const buffered = client.readableLength;
    client.destroy();
    const failure = await sending.then(() => undefined, (err: unknown) => err);
    expect(failure, 'the sending stopped').to.be.instanceOf(Error);
    const taken = await sent.done();
    expect(sent.complete).to.equal(false);
    // Taken: what the client read after the header, plus what sat unread in its buffer.
    expect(taken).to.equal(read.length - head.length + buffered);
    expect(taken).to.be.below(8 * CHUNK);
  });

  it('under a rate limit counts slice by slice: a cut-off answer counts the slices that went', async () => {
    const { client, server } = pair();
    const got: Buffer[] = [];
    client.on('data', (chunk: Buffer) => got.push(chunk));
    const limit = new RateLimit(256 * 1024); // 16 KiB slices, about 16 a second after the first
    const sent = new SentCount(server);
    const sending = sendAnswer({ socket: server, meter: new SendMeter(server, 1000), limit }, [head], { answer: { kind: 'GET', id: 1, length: 8 * CHUNK }, body: chunks }, sent);
    await new Promise((resolve) => setTimeout(resolve, 150));
    server.destroy();
    await sending.catch(() => undefined);
    const taken = await sent.done();
    const received = Buffer.concat(got).length - head.length;
    expect(taken).to.equal(received);
    expect(taken).to.be.above(0);
    expect(taken).to.be.below(8 * CHUNK);
    expect(taken % CHUNK).to.equal(0); // whole slices
  });

  it('an answer with no body and a closed socket: nothing counted, done at once', async () => {
    const { server } = pair();
    server.destroy();
    const sent = new SentCount(server);
    const failure = await sendAnswer({ socket: server, meter: new SendMeter(server, 1000) }, [Buffer.from('OK 1 0\n')], { answer: { kind: 'GET', id: 1, length: 0 } }, sent).catch((err: unknown) => err);
    expect((failure as { code?: string }).code).to.equal('ERR_PEER_CLOSED');
    expect(await sent.done()).to.equal(0);
  });
});

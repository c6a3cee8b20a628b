/**
 * transport/send: writes wait for 'drain' when the other side does not read, so a peer that
 * asks and never reads cannot grow our memory. Over the in-memory duplex pair, which holds a
 * write until the other end reads, as a socket does.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { joinSmall, send, sendOne } from '../../src/transport/send.js';
import { duplexPair } from '../duplex-pair.js';
import { expectCode } from '../helpers/expect-code.js';

/** Whether a promise has settled, after the event loop has had a few turns. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return done;
}

/** Reads everything an end has buffered. */
function drainReader(end: Duplex): Buffer {
  const chunks: Buffer[] = [];
  for (let chunk: Buffer | null; (chunk = end.read() as Buffer | null) !== null; ) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('transport/send', function () {
  it('joinSmall joins buffers up to the limit into one, and leaves larger answers and single buffers alone', function () {
    const parts = [Buffer.from('OK 3 5\n'), Buffer.from('hello')];
    expect(joinSmall(parts, 12)?.toString()).to.equal('OK 3 5\nhello');
    expect(joinSmall(parts, 11), 'one byte over the limit').to.equal(undefined);
    expect(joinSmall([Buffer.from('OK 1 0\n')], 100), 'nothing to join').to.equal(undefined);
    expect(joinSmall([], 100)).to.equal(undefined);
  });

  it('writes buffers in order', async function () {
    const [a, b] = duplexPair();
    const got: Buffer[] = [];
    b.on('data', (chunk: Buffer) => got.push(chunk));
    await send(a, Buffer.from('one '), Buffer.from('two '), Buffer.from('three'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(got).toString()).to.equal('one two three');
  });

  it('waits while the other side does not read, and goes on once it does', async function () {
    const [a, b] = duplexPair({ highWaterMark: 16 });
    const data = Buffer.alloc(64, 0x61);
    const sending = send(a, data);
    expect(await settled(sending)).to.equal(false);
    expect(drainReader(b).equals(data)).to.equal(true);
    await sending;
    expect(a.listenerCount('drain') + a.listenerCount('close') + a.listenerCount('error')).to.equal(0);
  });

  it('for a reader that never reads, holds the buffer in flight, not the hundred queued behind it', async function () {
    const [a, b] = duplexPair({ highWaterMark: 16 });
    const buffers = Array.from({ length: 100 }, (_, i) => Buffer.alloc(64, i));
    const sending = send(a, ...buffers);
    expect(await settled(sending)).to.equal(false);
    // One buffer in the reader's queue, one written and held: the pair's limit, like a socket's.
    expect(a.writableLength + b.readableLength).to.equal(2 * 64);
    let received = 0;
    b.on('data', (chunk: Buffer) => (received += chunk.length));
    await sending;
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).to.equal(100 * 64);
  });

  it('tells the caller when the socket is done with a buffer, so it can be reused', async function () {
    const [a, b] = duplexPair({ highWaterMark: 16 });
    const done: Buffer[] = [];
    const data = Buffer.alloc(64);
    const sending = sendOne(a, data, (buffer) => done.push(buffer));
    expect(await settled(sending)).to.equal(false);
    expect(done).to.deep.equal([]); // still held: reusing it now would change bytes not yet read
    drainReader(b);
    await sending;
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).to.have.length(1);
    expect(done[0]).to.equal(data);
  });

  it('fails with ERR_PEER_CLOSED when the connection closes while it waits, and hands the buffer back', async function () {
    const [a, b] = duplexPair({ highWaterMark: 16 });
    a.on('error', () => undefined);
    const done: Buffer[] = [];
    const sending = sendOne(a, Buffer.alloc(64), (buffer) => done.push(buffer));
    expect(await settled(sending)).to.equal(false);
    b.destroy();
    await expectCode(sending, 'ERR_PEER_CLOSED');
    if (!a.closed) await once(a, 'close');
    expect(done).to.have.length(1);
    expect(a.listenerCount('drain')).to.equal(0);
  });

  it('fails with ERR_PEER_CLOSED on a connection already destroyed or ended, handing the buffer back', async function () {
    for (const close of [(end: Duplex) => end.destroy(), (end: Duplex) => end.end()]) {
      const [a] = duplexPair();
      close(a);
      const done: Buffer[] = [];
      const data = Buffer.from('late');
      await expectCode(sendOne(a, data, (buffer) => done.push(buffer)), 'ERR_PEER_CLOSED');
      expect(done).to.deep.equal([data]);
      await expectCode(send(a, data), 'ERR_PEER_CLOSED');
    }
  });
});

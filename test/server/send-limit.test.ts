/**
 * Sending under --max-upload-rate: slices paced by the bucket, the pooled chunk given back once.
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { sendLimited } from '../../src/server/send-limit.js';
import { SendMeter } from '../../src/server/send-meter.js';
import { RateLimit, sliceFor } from '../../src/transport/rate-limit.js';
import { expectCode } from '../helpers/expect-code.js';

describe('server/send-limit', () => {
  it('hands a chunk to the socket in slices, every byte in order, and gives the chunk back once', async () => {
    const socket = new PassThrough();
    const received: Buffer[] = [];
    socket.on('data', (b: Buffer) => received.push(b));
    const limit = new RateLimit(50 * 1024 * 1024);
    const meter = new SendMeter(socket, 1000);
    const chunk = Buffer.from(Array.from({ length: 3 * sliceFor(limit.rate) + 7 }, (_, i) => i % 251));
    const released: Buffer[] = [];
    await sendLimited(socket, meter, limit, chunk, (b) => released.push(b));
    await new Promise((resolve) => setImmediate(resolve));
    expect(received.map((b) => b.length)).to.deep.equal([sliceFor(limit.rate), sliceFor(limit.rate), sliceFor(limit.rate), 7]);
    expect(Buffer.concat(received).equals(chunk)).to.equal(true);
    expect(released).to.have.length(1);
    expect(released[0]).to.equal(chunk);
  });

  it('waits its turn: 4 slices at a rate of 4 slices a second take about 0.75 s after the first', async () => {
    const socket = new PassThrough();
    socket.resume();
    const slice = sliceFor(64 * 1024); // 16 KiB, the smallest
    const limit = new RateLimit(4 * slice);
    const started = performance.now();
    await sendLimited(socket, new SendMeter(socket, 1000), limit, Buffer.alloc(4 * slice));
    expect(performance.now() - started).to.be.at.least(700);
  });

  it('a socket that fails before the last slice gets the chunk back at once, and the send fails', async () => {
    const socket = new PassThrough();
    const limit = new RateLimit(1024 * 1024);
    const chunk = Buffer.alloc(3 * sliceFor(limit.rate));
    socket.destroy();
    const released: Buffer[] = [];
    await expectCode(sendLimited(socket, new SendMeter(socket, 1000), limit, chunk, (b) => released.push(b)), 'ERR_PEER_CLOSED');
    expect(released).to.deep.equal([chunk]);
  });
});

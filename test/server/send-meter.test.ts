/**
 * server/send-meter: what a client has taken of what the server handed its socket, how long
 * bytes have waited, and the send timeout. Over an in-memory duplex pair (a finished write at a
 * time) and a real TCP socket on 127.0.0.1 (byte by byte, from the write queue).
 */
import { expect } from 'chai';
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { SLOW_BYTES, SLOW_WAIT_MS, SendMeter, slowness, watchSending } from '../../src/server/send-meter.js';
import { duplexPair } from '../duplex-pair.js';
import { waitFor } from '../helpers.js';

/** A server end that has handed 100 writes of 1000 bytes to a client that has read none yet. */
function backlogged(): { client: Duplex; meter: SendMeter } {
  const [client, server] = duplexPair({ highWaterMark: 16 });
  const meter = new SendMeter(server, 10_000);
  for (let i = 0; i < 100; i++) {
    meter.handed(1000);
    server.write(Buffer.alloc(1000));
  }
  return { client, meter };
}

describe('server/send-meter', () => {
  it('counts bytes handed, held and taken over a duplex pair, a finished write at a time', async () => {
    const [client, server] = duplexPair({ highWaterMark: 1024 });
    const meter = new SendMeter(server, 10_000);
    const data = Buffer.alloc(4096, 1);
    meter.handed(data.length);
    server.write(data);
    meter.sample(1000);
    expect(meter.held).to.equal(4096);
    expect(meter.unsent).to.equal(4096);
    expect(meter.waitingFor(3000)).to.equal(2000);
    client.read(); // the client takes it
    await new Promise((resolve) => setImmediate(resolve));
    meter.sample(4000);
    expect(meter.held).to.equal(0);
    expect(meter.waitingFor(4000)).to.equal(0);
    expect(meter.takenOver(3500, 4000)).to.equal(4096);
    expect(meter.takenOver(500, 4000)).to.equal(4096); // since the newest sample before the span
  });

  it('sees a TCP client take part of a write, from the socket\'s write queue', async () => {
    let accepted: Socket | undefined;
    const listener = createServer((s) => (accepted = s));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const client = connect((listener.address() as AddressInfo).port, '127.0.0.1');
    client.pause(); // takes nothing: only the kernel's buffers fill
    await waitFor(() => accepted !== undefined);
    const socket = accepted as Socket;
    const meter = new SendMeter(socket, 10_000);
    const data = Buffer.alloc(64 * 1024 * 1024, 2);
    meter.handed(data.length);
    socket.write(data);
    meter.sample(0);
    // The kernel took some (its buffers), not all: the meter sees that much, not nothing.
    expect(meter.held).to.equal(data.length);
    expect(meter.unsent).to.be.above(0).and.below(data.length);
    expect(meter.takenOver(1000, 0)).to.equal(0);
    client.destroy();
    socket.destroy();
    listener.close();
  });

  it('calls an answer slow once its client has taken almost nothing for a while', () => {
    const [, server] = duplexPair({ highWaterMark: 16 });
    const meter = new SendMeter(server, 10_000);
    meter.handed(100);
    server.write(Buffer.alloc(100));
    meter.sample(0);
    expect(slowness(meter, SLOW_WAIT_MS - 1)).to.equal(undefined);
    meter.sample(SLOW_WAIT_MS);
    expect(slowness(meter, SLOW_WAIT_MS)).to.equal(0);
    expect(SLOW_BYTES).to.be.above(0);
  });

  describe('watchSending (the send timeout)', () => {
    it('cuts off a client that takes nothing for the timeout, naming what it took', async () => {
      const [, server] = duplexPair({ highWaterMark: 16 });
      const meter = new SendMeter(server, 10_000);
      meter.handed(1000);
      server.write(Buffer.alloc(1000));
      let cut: number | undefined;
      const started = performance.now();
      const stop = watchSending(meter, 200, 0, (taken) => (cut = taken));
      await waitFor(() => cut !== undefined, 2000);
      stop();
      expect(cut).to.equal(0);
      expect(performance.now() - started).to.be.within(190, 1500);
    });

    it('keeps a client that takes bytes steadily above the minimum rate', async () => {
      const { client, meter } = backlogged();
      let cut = false;
      const stop = watchSending(meter, 200, 1000, () => (cut = true));
      const trickle = setInterval(() => client.read(200), 20); // about 10 KB/s, bytes waiting all along
      await new Promise((resolve) => setTimeout(resolve, 800));
      clearInterval(trickle);
      stop();
      expect(meter.held).to.be.above(0);
      expect(cut).to.equal(false);
    });

    it('cuts off a client that takes bytes, but fewer than the minimum rate', async () => {
      const { client, meter } = backlogged();
      let cut: number | undefined;
      const stop = watchSending(meter, 300, 100_000, (taken) => (cut = taken));
      const trickle = setInterval(() => client.read(100), 20); // about 5 KB/s
      await waitFor(() => cut !== undefined, 3000);
      clearInterval(trickle);
      stop();
      expect(cut).to.be.above(0).and.below(30_000);
    });
  });
});

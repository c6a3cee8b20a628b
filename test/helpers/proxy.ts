/**
 * TCP proxies in front of a real peer that pass requests straight through and do something to
 * the answers: throttle them (so a download takes long enough to be interrupted) or stop
 * forwarding them while keeping the connection open (a peer that froze).
 */
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import type { PeerAddress } from '../../src/settings.js';

export interface Proxy {
  readonly port: number;
  close(): Promise<void>;
}

/** What a proxy does with one connection's answers: `answer` gets each chunk from the peer. */
interface AnswerFilter {
  answer(data: Buffer): void;
  close?(): void;
}

async function proxy(target: PeerAddress, filterFor: (client: Socket) => AnswerFilter): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const filter = filterFor(client);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => filter.answer(d));
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.on('close', () => {
      filter.close?.();
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Passes answers at about `bytesPerSecond`. */
export function throttledProxy(target: PeerAddress, bytesPerSecond: number): Promise<Proxy> {
  const tick = 20;
  return proxy(target, (client) => {
    const queue: Buffer[] = [];
    const timer = setInterval(() => {
      let budget = (bytesPerSecond * tick) / 1000;
      while (budget > 0 && queue.length > 0) {
        const head = queue[0] as Buffer;
        const take = Math.min(budget, head.length);
        client.write(head.subarray(0, take));
        budget -= take;
        if (take === head.length) queue.shift();
        else queue[0] = head.subarray(take);
      }
    }, tick);
    return { answer: (d) => void queue.push(d), close: () => clearInterval(timer) };
  });
}

/** Forwards the first `limit` bytes of answers, then nothing more, keeping the connection open. */
export function freezingProxy(target: PeerAddress, limit: number): Promise<Proxy> {
  return proxy(target, (client) => {
    let forwarded = 0;
    return {
      answer(d) {
        const room = limit - forwarded;
        if (room <= 0) return;
        client.write(d.subarray(0, room));
        forwarded += Math.min(room, d.length);
      },
    };
  });
}

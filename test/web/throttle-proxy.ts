/**
 * A TCP proxy on 127.0.0.1 that passes what a peer sends at a fixed rate, so a download over
 * loopback takes long enough to watch (its bars move, it can be cancelled). Requests go to
 * the peer as they come; answers come back at `bytesPerSecond`.
 */
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { PeerAddress } from '../../src/settings.js';

const SLICE = 16 * 1024;

async function* paced(source: AsyncIterable<Buffer>, bytesPerSecond: number): AsyncGenerator<Buffer> {
  const start = performance.now();
  let sent = 0;
  for await (const chunk of source) {
    for (let i = 0; i < chunk.length; i += SLICE) {
      const slice = chunk.subarray(i, i + SLICE);
      sent += slice.length;
      const wait = start + (sent / bytesPerSecond) * 1000 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      yield slice;
    }
  }
}

export interface ThrottleProxy {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a proxy to 127.0.0.1:targetPort. */
export async function throttleProxy(targetPort: number, bytesPerSecond: number): Promise<ThrottleProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    pipeline(upstream, (source: AsyncIterable<Buffer>) => paced(source, bytesPerSecond), client).catch(() => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The peers with each one in `rates` reached through a proxy at that rate. */
export async function throttledPeers(peers: readonly PeerAddress[], rates: Record<string, number>): Promise<{ peers: PeerAddress[]; close(): Promise<void> }> {
  const proxies: ThrottleProxy[] = [];
  const out: PeerAddress[] = [];
  for (const p of peers) {
    const rate = rates[p.id];
    if (rate === undefined) {
      out.push(p);
      continue;
    }
    const proxy = await throttleProxy(p.port, rate);
    proxies.push(proxy);
    out.push({ ...p, port: proxy.port });
  }
  return { peers: out, close: async () => void (await Promise.all(proxies.map((p) => p.close()))) };
}

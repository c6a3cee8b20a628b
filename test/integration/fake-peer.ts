/**
 * A fake peer for hostile-peer tests: a raw TCP server on 127.0.0.1 port 0 that answers each
 * request line with whatever the test scripts, byte for byte (the requests the shipped client
 * sends have no body, so a request is one line).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { join } from 'node:path';

/** A request line split into its verb, id and args. */
export interface FakeRequest {
  readonly verb: string;
  readonly id: string;
  readonly args: string[];
}

/** The bytes to answer a request with (nothing: no answer). */
export type FakeScript = (request: FakeRequest) => string | Buffer | undefined;

export interface FakePeer {
  readonly port: number;
  /** Every request line received, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** `OK <id> 0 txtmesh/1 peer=<id>` to a HELLO, as a real server answers it. */
export function helloAnswer(request: FakeRequest, fields = 'peer=fake'): string {
  return `OK ${request.id} 0 txtmesh/1 ${fields}\n`;
}

/** `OK <id> <n> files=<k>` and a LIST body of `identity size encoded-name` lines. */
export function listAnswer(request: FakeRequest, encodedNames: readonly string[], size = 5): Buffer {
  const body = Buffer.from(encodedNames.map((n) => `${'ab'.repeat(32)} ${size} ${n}\n`).join(''), 'utf8');
  return Buffer.concat([Buffer.from(`OK ${request.id} ${body.length} files=${encodedNames.length}\n`), body]);
}

export async function startFakePeer(script: FakeScript): Promise<FakePeer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let eol: number;
      while ((eol = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, eol);
        pending = pending.slice(eol + 1);
        requests.push(line);
        const [verb = '', id = '0', ...args] = line.split(' ');
        const answer = script({ verb, id, args });
        if (answer !== undefined) socket.write(answer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A peer folder `<root>/<id>` whose settings file (in root) lists it and the given peers, all
 * at 127.0.0.1, so the shipped client can be run from it.
 */
export async function peerFolder(root: string, id: string, peers: Record<string, number>, ownPort = 1): Promise<string> {
  const folder = join(root, id);
  await mkdir(join(folder, 'served_files'), { recursive: true });
  const lines = [`${id} 127.0.0.1 ${ownPort}`, ...Object.entries(peers).map(([peer, port]) => `${peer} 127.0.0.1 ${port}`)];
  await writeFile(join(root, 'peer_settings.txt'), lines.join('\n') + '\n');
  return folder;
}

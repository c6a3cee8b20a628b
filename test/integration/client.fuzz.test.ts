/**
 * The client side under generated hostile answers (fast-check): every client command — each
 * request function, a download, an upload and the mesh views — talks to a real server through
 * a proxy that does something generated to the answers: passes them, cuts them short, flips a
 * byte, inserts or replaces bytes, or goes silent part-way. Whatever it does, nothing crashes,
 * no wrong byte lands on disk (a downloaded file is the real one or is not there), and every
 * failure is a TxtmeshError with a code of ERROR_TABLE, for each peer of a view too.
 */
import { expect } from 'chai';
import { readFile, readdir, rm } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { download } from '../../src/client/download.js';
import { fileInfo, getRange, hello, holding, listFiles, putFile } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { upload } from '../../src/client/upload.js';
import { fileListView, filesView, peersView, pingView } from '../../src/client/views.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { TxtmeshError, isErrorCode } from '../../src/errors.js';
import { PeerServer } from '../../src/server/peer-server.js';
import type { PeerAddress } from '../../src/settings.js';
import { fileInfoOf, makeText, servedFolder, tempDir, writeFiles } from '../helpers.js';

/** What the proxy does to one connection's answers, counted in bytes of the answer stream. */
type Plan =
  | { readonly kind: 'pass' }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'flip'; readonly at: number; readonly byte: number }
  | { readonly kind: 'insert'; readonly at: number; readonly data: Uint8Array }
  | { readonly kind: 'replace'; readonly data: Uint8Array }
  | { readonly kind: 'stall'; readonly at: number };

const at = fc.oneof(fc.nat({ max: 200 }), fc.nat({ max: 2 * PIECE_SIZE }));
const planArb: fc.Arbitrary<Plan> = fc.oneof(
  fc.constant({ kind: 'pass' as const }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({ kind: fc.constant('flip' as const), at, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at, data: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('replace' as const), data: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...[`OK 1 ${64 * 1024 * 1024} files=9\n`, 'ERR 0 0 ERR_NOPE x\n', 'OK 99 0\n', 'ERR 1 0 ERR_BUSY full\n', 'OK 1 5 size=1\nhello'].map((t) => new Uint8Array(Buffer.from(t))))) }),
  fc.record({ kind: fc.constant('stall' as const), at }),
);

/** A proxy in front of `target` that applies the current plan to every connection's answers. */
async function planProxy(target: PeerAddress, plan: () => Plan): Promise<{ server: Server; port: number }> {
  const server = createServer((client: Socket) => {
    const p = plan();
    const upstream = connect(target.port, target.host);
    let seen = 0;
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.end());
    client.on('data', (d) => upstream.write(d));
    if (p.kind === 'replace') {
      client.end(Buffer.from(p.data));
      return;
    }
    upstream.on('data', (d: Buffer) => {
      const start = seen;
      seen += d.length;
      if (p.kind === 'pass' || seen <= p.at || (p.kind !== 'stall' && p.kind !== 'truncate' && start > p.at)) return void client.write(d);
      const cut = p.at - start;
      if (p.kind === 'truncate') return void client.end(d.subarray(0, cut));
      if (p.kind === 'stall') return void client.write(d.subarray(0, cut)); // and nothing more, ever
      if (p.kind === 'flip') return void client.write(Buffer.concat([d.subarray(0, cut), Buffer.from([p.byte]), d.subarray(cut + 1)]));
      client.write(Buffer.concat([d.subarray(0, cut), Buffer.from(p.data), d.subarray(cut)]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A failure must be ours, with a code of the table. */
function checkFailure(err: unknown): string {
  expect(err, String(err)).to.be.instanceOf(TxtmeshError);
  const code = (err as TxtmeshError).code;
  expect(isErrorCode(code), code).to.equal(true);
  return code;
}

describe('client commands against generated hostile answers (fuzz)', function () {
  this.timeout(180_000);
  const text = makeText(3 * PIECE_SIZE + 17);
  const info = fileInfoOf('doc.txt', text);
  let root: string;
  let server: PeerServer;
  let proxy: Server;
  let peer: PeerAddress;
  let plan: Plan = { kind: 'pass' };
  const crashes: unknown[] = [];
  const onCrash = (err: unknown) => crashes.push(err);

  before(async () => {
    root = await tempDir();
    await writeFiles(join(root, 'p1'), { 'doc.txt': text, 'other.txt': 'other\n' });
    await writeFiles(join(root, 'me'), { 'up.txt': text.subarray(0, 1000) });
    server = new PeerServer({ peerId: 'p1', dir: join(root, 'p1') });
    const { port } = await server.listen(0, '127.0.0.1');
    const p = await planProxy({ id: 'p1', host: '127.0.0.1', port, line: 1 }, () => plan);
    proxy = p.server;
    peer = { id: 'p1', host: '127.0.0.1', port: p.port, line: 1 };
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
  });

  after(async () => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    proxy.close();
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  /** A request function over its own connection, with short deadlines. */
  async function over<T>(fn: (conn: PeerConnection) => Promise<T>): Promise<void> {
    let conn: PeerConnection | undefined;
    try {
      conn = await PeerConnection.connect(peer, { timeoutMs: 1000, stallTimeoutMs: 300 });
      await fn(conn);
    } catch (err) {
      checkFailure(err);
    } finally {
      conn?.close();
    }
  }

  const fast = { timeoutMs: 300 };
  let runs = 0;
  const commands: Record<string, () => Promise<void>> = {
    hello: () => over((c) => hello(c, 'me')),
    listFiles: () => over((c) => listFiles(c)),
    fileInfo: () => over((c) => fileInfo(c, 'doc.txt')),
    getRange: () => over((c) => getRange(c, 'doc.txt', PIECE_SIZE - 5, PIECE_SIZE + 10, info.identity, { timeoutMs: 600 })),
    holding: () => over((c) => holding(c, 'doc.txt', info.identity, 4)),
    putFile: () => over((c) => putFile(c, `up${runs}.txt`, join(root, 'me', 'up.txt'), 1000, fileInfoOf('up.txt', text.subarray(0, 1000)).identity)),
    views: async () => {
      const results = [await fileListView([peer], fast), await filesView([peer], fast), await peersView([peer], 'me', fast), await pingView([peer], 2, fast)];
      for (const result of results) {
        for (const entry of JSON.parse(JSON.stringify(result)).peers ?? []) if (entry.error) checkFailure(Object.assign(new TxtmeshError(entry.error.code, entry.error.message)));
      }
    },
    upload: async () => {
      const folder = await servedFolder(join(root, 'me'));
      const { outcomes } = await upload({ name: 'up.txt', peers: [peer], folder, connectTimeoutMs: 1000, signal: AbortSignal.timeout(800) });
      for (const o of outcomes) if (o.status === 'failed') checkFailure(new TxtmeshError(o.error?.code as never, o.error?.message ?? ''));
    },
    download: async () => {
      const dir = join(root, `dl${runs}`);
      const folder = await servedFolder(dir);
      try {
        await download({ name: 'doc.txt', peers: [peer], folder, requestTimeoutMs: 600, stallTimeoutMs: 300, connectTimeoutMs: 1000, retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 5 } });
      } catch (err) {
        checkFailure(err);
      }
      // No wrong byte on disk: the real file, or no file under the name.
      const names = await readdir(dir);
      if (names.includes('doc.txt')) expect((await readFile(join(dir, 'doc.txt'))).equals(text), 'the downloaded file is the real one').to.equal(true);
      expect(names.filter((n) => !n.startsWith('.') && n !== 'doc.txt')).to.deep.equal([]);
    },
  };

  it('no crash, no wrong byte on disk, every failure a code, over every client command', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(commands)), planArb, async (command, p) => {
        plan = p;
        runs++;
        await (commands[command] as () => Promise<void>)();
        seen.set(command, (seen.get(command) ?? 0) + 1);
      }),
      { numRuns: 250 },
    );
    expect(crashes).to.deep.equal([]);
    expect([...seen.keys()].sort()).to.deep.equal(Object.keys(commands).sort());
  });
});

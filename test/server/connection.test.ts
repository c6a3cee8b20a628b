/**
 * The server connection over an in-memory duplex pair (test/duplex-pair.ts): pipelining and
 * frames split anywhere, backpressure from a client that stops reading, the header timeout,
 * malformed frames, unknown verbs, uploads cut off, and refusals by a gate. Real files in a
 * temp folder; no sockets.
 */
import { expect } from 'chai';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { PIECE_SIZE } from '../../src/constants.js';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import type { Request } from '../../src/protocol/requests.js';
import { REQUESTS } from '../../src/protocol/requests.js';
import { Membership } from '../../src/security/membership.js';
import { ConnectionGate } from '../../src/server/admission.js';
import { type ConnectionContext, type ConnectionState, type RequestLog, ServerConnection } from '../../src/server/connection.js';
import { SEND_CHUNK } from '../../src/server/handlers.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';
import { ServedFolder } from '../../src/storage/served-folder.js';
import { VersionsArea } from '../../src/storage/versions-area.js';
import { BufferPool } from '../../src/transport/buffer-pool.js';
import { duplexPair } from '../duplex-pair.js';
import { makeText, tempDir, writeFiles } from '../helpers.js';

function identityOf(data: Buffer): string {
  const hasher = new PieceHasher(PIECE_SIZE);
  hasher.update(data);
  return hasher.digest().identity;
}

/** Answers as `header line` plus body, in order. */
function answersIn(bytes: Buffer): { line: string; body: Buffer }[] {
  const decoder = new FrameDecoder({ maxBodyBytes: () => 1 << 30 });
  const answers: { line: string; body: Buffer }[] = [];
  const bodies: Buffer[] = [];
  for (const event of decoder.push(bytes)) {
    if (event.type === 'body') bodies.push(Buffer.from(event.chunk));
    if (event.type === 'end') {
      const h = event.header;
      answers.push({ line: [h.verb, h.id, h.length, ...h.args].join(' '), body: Buffer.concat(bodies.splice(0)) });
    }
  }
  return answers;
}

const lines = (bytes: Buffer) => answersIn(bytes).map((a) => a.line);

async function waitUntil(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Open {
  readonly client: Duplex;
  readonly conn: ServerConnection;
  readonly state: ConnectionState;
  /** Resolves when serve() has returned. */
  readonly served: Promise<void>;
  /** Everything the client has read so far (once reading starts). */
  readonly received: Buffer[];
  /** Starts reading (a client that reads at once is the default). */
  read(): void;
}

describe('server/connection (over an in-memory duplex pair)', () => {
  const small = Buffer.from('Hello, world!\n');
  const big = makeText(3 * SEND_CHUNK);
  let dir: string;
  let log: RequestLog[];
  let ctx: ConnectionContext;
  const requests: Request[] = [];
  let bodyBytes = 0;

  beforeEach(async () => {
    dir = await tempDir();
    await writeFiles(dir, { 'hello.txt': small, 'big.txt': big });
    const folder = new ServedFolder(dir);
    await folder.init();
    log = [];
    requests.length = 0;
    bodyBytes = 0;
    ctx = {
      folder,
      readPool: new BufferPool(SEND_CHUNK, 2),
      peerId: 'p1',
      maxUploadBytes: 1 << 20,
      versions: new VersionsArea(folder),
      maxHeaderBytes: 256,
      headerTimeoutMs: 5000,
      log: (entry) => log.push(entry),
      activity: { onRequest: (_remote, request) => requests.push(request), onBody: (_remote, bytes) => (bodyBytes += bytes) },
    };
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  function open(options: { gate?: ConnectionGate; highWaterMark?: number; read?: boolean } = {}): Open {
    const [client, server] = duplexPair({ highWaterMark: options.highWaterMark });
    const state: ConnectionState = { busy: false, lastActive: 0 };
    const conn = new ServerConnection(server, 'mem:1', ctx, state, options.gate);
    const received: Buffer[] = [];
    client.on('error', () => undefined);
    const read = () => void client.on('data', (chunk: Buffer) => received.push(chunk));
    if (options.read !== false) read();
    return { client, conn, state, served: conn.serve(), received, read };
  }

  /** Sends `parts` one write each, half-closes, and returns all the server sent until it closed. */
  async function exchange(parts: (string | Buffer)[], gate?: ConnectionGate): Promise<Buffer> {
    const c = open({ gate });
    for (const part of parts) c.client.write(part);
    c.client.end();
    await c.served;
    await waitUntil(() => c.client.readableEnded || c.client.destroyed);
    return Buffer.concat(c.received);
  }

  const put = (id: number, name: string, data: Buffer) => Buffer.concat([REQUESTS.PUT.encode({ verb: 'PUT', id, name, size: data.length, identity: identityOf(data) }), data]);

  it('answers pipelined requests in order, and logs each with its status', async () => {
    const got = await exchange([`HELLO 1 0 txtmesh/1\nLIST 2 0\nINFO 3 0 hello.txt\nGET 4 0 hello.txt 7 5\nINFO 5 0 nope.txt\n`]);
    const answers = answersIn(got);
    expect(answers.map((a) => a.line)).to.deep.equal([
      'OK 1 0 txtmesh/1 peer=p1',
      `OK 2 ${answers[1]?.body.length} files=2`,
      `OK 3 32 size=14 piece=262144 pieces=1 identity=${identityOf(small)}`,
      'OK 4 5',
      'ERR 5 0 ERR_NOT_FOUND no such file: nope.txt',
    ]);
    expect(answers[3]?.body.toString()).to.equal('world');
    expect(log.map((e) => [e.verb, e.name, e.bytes, e.status])).to.deep.equal([
      ['HELLO', undefined, 0, 'OK'],
      ['LIST', undefined, answers[1]?.body.length, 'OK'],
      ['INFO', 'hello.txt', 32, 'OK'],
      ['GET', 'hello.txt', 5, 'OK'],
      ['INFO', 'nope.txt', 0, 'ERR_NOT_FOUND'],
    ]);
    expect(requests.map((r) => r.verb)).to.deep.equal(['HELLO', 'LIST', 'INFO', 'GET', 'INFO']);
  });

  it('gives the same answers however the bytes are split (every split point)', async function () {
    this.timeout(120_000);
    const upload = Buffer.from('uploaded\n');
    const input = Buffer.concat([
      Buffer.from('HELLO 1 0 txtmesh/1\nFOO 2 3\nabcINFO 3 0 hello.txt\nGET 4 0 hello.txt 0 14\n'),
      put(5, 'hello.txt', small),
      Buffer.from('GET 6 0 hello.txt 007 5\nLIST 7 0\n'),
      put(8, 'up.txt', upload),
    ]);
    const whole = await exchange([input]);
    expect(lines(whole)).to.have.length(8);
    expect(lines(whole)[7]).to.equal('OK 8 0 stored');
    for (let at = 1; at < input.length; at++) {
      await rm(join(dir, 'up.txt'));
      const split = await exchange([input.subarray(0, at), input.subarray(at)]);
      if (!split.equals(whole)) expect.fail(`split at ${at}: ${JSON.stringify(lines(split))}`);
    }
    expect(await readFile(join(dir, 'up.txt'))).to.deep.equal(upload);
  });

  it('reads nothing more while an answer waits on a client that does not read (backpressure)', async () => {
    const c = open({ highWaterMark: 64 * 1024, read: false });
    c.client.write(`GET 1 0 big.txt 0 ${big.length}\nLIST 2 0\n`);
    await waitUntil(() => c.conn.phase === 'ANSWERING');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(c.conn.phase).to.equal('ANSWERING');
    expect(c.state.busy).to.equal(true);
    // The GET is logged (its answer is being sent); the LIST behind it is not even decoded.
    expect(requests.map((r) => r.verb)).to.deep.equal(['GET']);
    c.read();
    await waitUntil(() => log.length === 2);
    c.client.end();
    await c.served;
    const answers = answersIn(Buffer.concat(c.received));
    expect(answers.map((a) => a.line.split(' ')[0])).to.deep.equal(['OK', 'OK']);
    expect(answers[0]?.body.equals(big)).to.equal(true);
    expect(c.state.busy).to.equal(false);
  });

  describe('header timeout', () => {
    it('answers ERR_HEADER_TIMEOUT and closes when a header is not complete in time', async () => {
      ctx = { ...ctx, headerTimeoutMs: 100 };
      const c = open();
      c.client.write('LIST 1');
      await c.served;
      await waitUntil(() => c.client.destroyed);
      expect(lines(Buffer.concat(c.received))).to.deep.equal(['ERR 0 0 ERR_HEADER_TIMEOUT header not complete within 100 ms']);
      expect(log.map((e) => e.status)).to.deep.equal(['ERR_HEADER_TIMEOUT']);
    });

    it('runs only while a header is partly in: an idle connection, and headers completed in time, stay', async () => {
      ctx = { ...ctx, headerTimeoutMs: 400 };
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const c = open();
      await pause(900);
      c.client.write('LIST');
      await pause(20);
      c.client.write(' 1 0\nLI');
      await pause(20);
      c.client.write('ST 2 0\n');
      await waitUntil(() => log.length === 2);
      expect(c.conn.phase).to.equal('READ_HEADER');
      c.client.end();
      await c.served;
      const got = lines(Buffer.concat(c.received));
      expect(got).to.have.length(2);
      for (const line of got) expect(line).to.match(/^OK [12] \d+ files=2$/);
    });
  });

  describe('malformed frames: one ERR 0, then close; earlier requests answered, later ones never', () => {
    const cases: [string, string, string][] = [
      ['a lower-case verb', 'list 2 0\n', 'ERR_BAD_FRAME'],
      ['an id with a leading zero', 'LIST 02 0\n', 'ERR_BAD_FRAME'],
      ['an empty line', '\n', 'ERR_BAD_FRAME'],
      ['a header over the limit', `INFO 2 0 ${'x'.repeat(300)}\n`, 'ERR_HEADER_TOO_LARGE'],
      ['a body on a verb that has none', 'LIST 2 5\nhello', 'ERR_BODY_TOO_LARGE'],
      ['an unknown verb with a body over the header limit', 'FOO 2 257\n', 'ERR_BODY_TOO_LARGE'],
      ['a PUT over the upload limit', `PUT 2 ${(1 << 20) + 1} a.txt ${'a'.repeat(64)}\n`, 'ERR_BODY_TOO_LARGE'],
    ];
    for (const [what, bad, code] of cases) {
      it(`${what}: ${code}`, async () => {
        const got = lines(await exchange([`HELLO 1 0 txtmesh/1\n${bad}LIST 3 0\n`]));
        expect(got).to.have.length(2);
        expect(got[0]).to.equal('OK 1 0 txtmesh/1 peer=p1');
        expect(got[1]).to.match(new RegExp(`^ERR 0 0 ${code} `));
        expect(log.map((e) => e.status)).to.deep.equal(['OK', code]);
      });
    }
  });

  it('answers an unknown verb (its small body skipped) and bad args, and carries on', async () => {
    const got = lines(await exchange(['FOO 1 5\nhelloGET 2 0 hello.txt 007 5\nINFO 3 0 ..%2Fx.txt\nGET 4 0 hello.txt 0 5\n']));
    expect(got).to.deep.equal([
      'ERR 1 0 ERR_UNKNOWN_COMMAND unknown command FOO; known: HELLO LIST INFO GET PUT HAVE VERSIONS',
      'ERR 2 0 ERR_BAD_REQUEST GET needs a decimal offset (digits, no leading zeros)',
      'ERR 3 0 ERR_BAD_NAME bad file name "../x.txt": name contains ".."',
      'OK 4 5',
    ]);
    expect(log.map((e) => [e.verb, e.status])).to.deep.equal([
      ['FOO', 'ERR_UNKNOWN_COMMAND'],
      ['GET', 'ERR_BAD_REQUEST'],
      ['INFO', 'ERR_BAD_NAME'],
      ['GET', 'OK'],
    ]);
  });

  it('reads and discards a refused PUT\'s body, and stays in step', async () => {
    const other = Buffer.from('other content\n');
    const got = lines(await exchange([put(1, 'hello.txt', other), 'LIST 2 0\n']));
    expect(got[0]).to.equal('ERR 1 0 ERR_EXISTS hello.txt already exists here with different content; nothing was replaced');
    expect(got[1]).to.match(/^OK 2 \d+ files=2$/);
    expect(bodyBytes).to.equal(other.length);
    expect(await readFile(join(dir, 'hello.txt'))).to.deep.equal(small);
  });

  for (const how of ['half-closes', 'resets'] as const) {
    it(`leaves no file when a client ${how} in the middle of a PUT's body`, async () => {
      const data = makeText(100_000);
      const c = open();
      c.client.write(put(1, 'cut.txt', data).subarray(0, 50_000));
      await waitUntil(() => bodyBytes > 0);
      if (how === 'half-closes') c.client.end();
      else c.client.destroy();
      await c.served;
      expect(await readdir(dir)).to.deep.equal(['big.txt', 'hello.txt']);
      expect(log).to.deep.equal([]);
    });
  }

  describe('a gate', () => {
    const membership = () => new Membership([{ id: 'p2', host: '127.0.0.1', port: 1, line: 1 }]);

    it('refuses a PUT from a connection that has not claimed a peer ID: one ERR, then close, body unread', async () => {
      const gate = new ConnectionGate(membership(), 'any', '127.0.0.1');
      const got = lines(await exchange([put(1, 'x.txt', small), 'LIST 2 0\n'], gate));
      expect(got).to.have.length(1);
      expect(got[0]).to.match(/^ERR 1 0 ERR_NOT_A_MEMBER /);
      expect(bodyBytes).to.equal(0);
      expect(log.map((e) => [e.verb, e.status])).to.deep.equal([['PUT', 'ERR_NOT_A_MEMBER']]);
      expect(await readdir(dir)).to.deep.equal(['big.txt', 'hello.txt']);
    });

    it('lets a member upload once its claim holds, and refuses a second claim', async () => {
      const gate = new ConnectionGate(membership(), 'any', '127.0.0.1');
      const got = lines(await exchange(['HELLO 1 0 txtmesh/1 p2\n', put(2, 'x.txt', small), 'HELLO 3 0 txtmesh/1 p3\nLIST 4 0\n'], gate));
      expect(got).to.deep.equal(['OK 1 0 txtmesh/1 peer=p1', 'OK 2 0 stored', "ERR 3 0 ERR_BAD_IDENTITY this connection is p2's; it cannot claim to be p3"]);
      expect(gate.member).to.equal('p2');
    });

    it('serving the mesh only, refuses a read before a claim', async () => {
      const gate = new ConnectionGate(membership(), 'mesh', '127.0.0.1');
      expect(lines(await exchange(['LIST 1 0\n'], gate))).to.deep.equal([
        'ERR 1 0 ERR_NOT_A_MEMBER this peer serves only its mesh; say who you are first: HELLO <id> 0 txtmesh/1 <your peer ID>',
      ]);
    });
  });
});

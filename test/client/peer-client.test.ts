/**
 * The client's requests, one function per verb, against a real server on 127.0.0.1 port 0, and
 * against a server that answers each request with a frame that breaks the protocol.
 */
import { expect } from 'chai';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { join } from 'node:path';
import { fileInfo, getRange, hello, listFiles, listVersions, putFile } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { MAX_LIST_BYTES, PIECE_SIZE } from '../../src/constants.js';
import type { TxtmeshError } from '../../src/errors.js';
import { PeerServer } from '../../src/server/peer-server.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';
import { makeText, tempDir, writeFiles } from '../helpers.js';

function digestOf(data: Buffer): { identity: string; pieceHashes: Buffer } {
  const hasher = new PieceHasher(PIECE_SIZE);
  hasher.update(data);
  return hasher.digest();
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(() => undefined, (err: TxtmeshError) => err.code);
}

describe('client/peer-client', () => {
  const text = makeText(PIECE_SIZE + 100);
  let dir: string;
  /** Files to upload from. */
  let local: string;
  let server: PeerServer;
  let conn: PeerConnection;

  before(async () => {
    dir = await tempDir();
    local = await tempDir();
    await writeFiles(dir, { 'a.txt': text });
    await writeFiles(local, { 'b.txt': 'new\n', 'empty.txt': '' });
    server = new PeerServer({ peerId: 'p1', dir });
    const { port } = await server.listen(0, '127.0.0.1');
    conn = await PeerConnection.connect({ id: 'p1', host: '127.0.0.1', port, line: 1 });
  });

  after(async () => {
    conn.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
    await rm(local, { recursive: true, force: true });
  });

  it('hello, listFiles, fileInfo, getRange and putFile', async () => {
    const { identity, pieceHashes } = digestOf(text);
    expect(await hello(conn, 'me')).to.deep.equal({ version: 'txtmesh/1', peerId: 'p1', anonymous: false });
    expect(await listFiles(conn)).to.deep.equal([{ name: 'a.txt', size: text.length, identity }]);
    expect(await fileInfo(conn, 'a.txt')).to.deep.equal({ name: 'a.txt', size: text.length, identity, pieceSize: PIECE_SIZE, pieceHashes });
    expect(await getRange(conn, 'a.txt', PIECE_SIZE, 100, identity)).to.deep.equal(text.subarray(PIECE_SIZE));
    expect(await putFile(conn, 'a.txt', join(dir, 'a.txt'), text.length, identity)).to.deep.equal({ result: 'same' });
    expect(await putFile(conn, 'b.txt', join(local, 'b.txt'), 4, digestOf(Buffer.from('new\n')).identity)).to.deep.equal({ result: 'stored' });
    expect(await readFile(join(dir, 'b.txt'), 'utf8')).to.equal('new\n');
  });

  it('putFile with replace, then listVersions of one name and of all', async () => {
    const newer = Buffer.from('newer\n');
    await writeFile(join(local, 'b2.txt'), newer);
    const before = Date.now();
    expect(await putFile(conn, 'b.txt', join(local, 'b2.txt'), newer.length, digestOf(newer).identity, undefined, true)).to.deep.equal({ result: 'replaced', kept: digestOf(Buffer.from('new\n')).identity });
    const versions = await listVersions(conn, 'b.txt');
    expect(versions.map((v) => [v.state, v.identity, v.size])).to.deep.equal([
      ['current', digestOf(newer).identity, newer.length],
      ['replaced', digestOf(Buffer.from('new\n')).identity, 4],
    ]);
    expect(versions[1]?.time).to.be.within(before, Date.now());
    expect((await listVersions(conn)).map((v) => `${v.name} ${v.state}`)).to.deep.equal(['a.txt current', 'b.txt current', 'b.txt replaced']);
  });

  it('an ERR answer fails that request with its code, and the connection carries on', async () => {
    expect(await codeOf(fileInfo(conn, 'nope.txt'))).to.equal('ERR_NOT_FOUND');
    expect(await codeOf(getRange(conn, 'a.txt', 0, 1, 'f'.repeat(64)))).to.equal('ERR_CHANGED');
    expect((await listFiles(conn)).length).to.be.greaterThan(0);
  });

  describe('answers that break the protocol are ERR_PEER_PROTOCOL', () => {
    let liar: Server;
    let answer = '';

    before(async () => {
      // Answers every request line with `answer`, under the request's id.
      liar = createServer((socket) => {
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().split('\n').filter((l) => l !== '')) socket.write(answer.replace('<id>', line.split(' ')[1] ?? '0'));
        });
      });
      await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    });

    after(() => new Promise<void>((resolve) => liar.close(() => resolve())));

    const cases: [string, string, (c: PeerConnection) => Promise<unknown>][] = [
      ['another version in HELLO', 'OK <id> 0 txtmesh/2 peer=x\n', (c) => hello(c)],
      ['a bad LIST line', 'OK <id> 6 files=1\nhello\n', (c) => listFiles(c)],
      ['an INFO piece count that does not fit its size', `OK <id> 32 size=1 piece=${PIECE_SIZE} pieces=2 identity=${'a'.repeat(64)}\n${'x'.repeat(32)}`, (c) => fileInfo(c, 'a.txt')],
      ['a PUT word other than stored or same', 'OK <id> 0 kept\n', (c) => putFile(c, 'up.txt', join(local, 'empty.txt'), 0, digestOf(Buffer.alloc(0)).identity)],
    ];
    it('a LIST of 63 MiB, refused at its header: quickly, without waiting for or keeping its body', async () => {
      // The header and a first line, then nothing: a client that waits for the body would wait
      // out the request deadline (15 s); one that read it all would spend seconds and a GB.
      answer = `OK <id> ${63 * 1024 * 1024} files=797000\n${'a'.repeat(64)} 1 x.txt\n`;
      const c = await PeerConnection.connect({ id: 'liar', host: '127.0.0.1', port: (liar.address() as AddressInfo).port, line: 2 });
      const started = performance.now();
      const err = await listFiles(c).then(() => undefined, (e: TxtmeshError) => e);
      expect(err?.code).to.equal('ERR_PEER_PROTOCOL');
      expect(err?.message).to.contain('larger than this client accepts').and.to.contain(String(MAX_LIST_BYTES));
      expect(performance.now() - started).to.be.below(2000);
      expect(c.closed).to.equal(true);
    });

    for (const [what, frame, call] of cases) {
      it(what, async () => {
        answer = frame;
        const c = await PeerConnection.connect({ id: 'liar', host: '127.0.0.1', port: (liar.address() as AddressInfo).port, line: 2 });
        try {
          expect(await codeOf(call(c))).to.equal('ERR_PEER_PROTOCOL');
        } finally {
          c.close();
        }
      });
    }
  });
});

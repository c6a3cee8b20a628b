/**
 * The server against raw and typed requests: ranges, bad ranges, traversal names, malformed
 * frames, pipelining. Every error leaves the server serving.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileInfo, getRange, hello, listFiles } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { MAX_HEADER_BYTES, MAX_RANGE_BYTES, PIECE_SIZE } from '../../src/constants.js';
import { type Mesh, rawExchange, startMesh, writeFiles } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

describe('server requests', function () {
  let mesh: Mesh;
  let conn: PeerConnection;
  const text = Buffer.from('line one\r\nline two: café ☕\r\n\xff invalid utf-8 survives\n', 'latin1');
  const content = Buffer.concat([Buffer.from('héllo wörld\r\n', 'utf8'), text]);

  before(async function () {
    mesh = await startMesh({ p1: { files: { 'a.txt': content, 'my notes.txt': 'spaced', 'empty.txt': '' } } });
    await writeFiles(mesh.root, { 'secret.txt': 'outside the served folder' });
  });
  beforeEach(async function () {
    conn = await PeerConnection.connect(mesh.address('p1'));
  });
  afterEach(() => conn.close());
  after(() => mesh.stop());

  const port = () => mesh.address('p1').port;

  it('answers HELLO with its version and peer ID, and says when it took the claim as an outsider\'s', async function () {
    expect(await hello(conn, 'p1')).to.deep.equal({ version: 'txtmesh/1', peerId: 'p1', anonymous: false });
    const outsider = await PeerConnection.connect(mesh.address('p1'));
    try {
      expect(await hello(outsider, 'x9')).to.deep.equal({ version: 'txtmesh/1', peerId: 'p1', anonymous: true });
    } finally {
      outsider.close();
    }
  });

  it('serves byte-exact ranges, including CRLF and invalid UTF-8', async function () {
    const info = await fileInfo(conn, 'a.txt');
    expect(info.size).to.equal(content.length);
    expect(await getRange(conn, 'a.txt', 0, content.length, info.identity)).to.deep.equal(content);
    expect(await getRange(conn, 'a.txt', 5, 9, info.identity)).to.deep.equal(content.subarray(5, 14));
    expect(await getRange(conn, 'a.txt', content.length, 0, info.identity)).to.deep.equal(Buffer.alloc(0));
  });

  it('serves names with spaces and empty files', async function () {
    const spaced = await fileInfo(conn, 'my notes.txt');
    expect(await getRange(conn, 'my notes.txt', 0, 6, spaced.identity)).to.deep.equal(Buffer.from('spaced'));
    const empty = await fileInfo(conn, 'empty.txt');
    expect(empty.size).to.equal(0);
    expect(empty.pieceHashes.length).to.equal(0);
    expect(empty.identity).to.equal('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('refuses bad ranges with ERR_BAD_RANGE and keeps the connection', async function () {
    const info = await fileInfo(conn, 'a.txt');
    await expectCode(getRange(conn, 'a.txt', content.length - 2, 3, info.identity), 'ERR_BAD_RANGE');
    await expectCode(getRange(conn, 'a.txt', 2 ** 52, 1, info.identity), 'ERR_BAD_RANGE');
    const raw = await rawExchange(port(), `GET 1 0 a.txt 0 ${MAX_RANGE_BYTES + 1}\nGET 2 0 a.txt 0 4\n`);
    expect(raw.text).to.match(/^ERR 1 0 ERR_BAD_RANGE /);
    expect(raw.text).to.contain('OK 2 4\n');
    expect(raw.closed).to.equal(false);
    expect(await getRange(conn, 'a.txt', 0, 3, info.identity)).to.deep.equal(content.subarray(0, 3));
  });

  it('answers ERR_CHANGED for a GET of another identity', async function () {
    await expectCode(getRange(conn, 'a.txt', 0, 3, 'f'.repeat(64)), 'ERR_CHANGED');
  });

  it('answers ERR_NOT_FOUND for a missing file', async function () {
    await expectCode(fileInfo(conn, 'nope.txt'), 'ERR_NOT_FOUND');
  });

  for (const [label, field] of [
    ['../', '../secret.txt'],
    ['encoded ../', '..%2Fsecret.txt'],
    ['absolute', '/etc/passwd.txt'],
    ['backslash', '..%5Csecret.txt'],
    ['NUL', 'a%00.txt'],
    ['not .txt', 'a.md'],
    ['hidden', '.a.txt'],
    ['bad escape', '%zz.txt'],
  ] as const) {
    it(`refuses a traversal or illegal name (${label}) with ERR_BAD_NAME on INFO, GET and PUT`, async function () {
      const put = `PUT 3 5 ${field} ${'a'.repeat(64)}\nhello`;
      const raw = await rawExchange(port(), `INFO 1 0 ${field}\nGET 2 0 ${field} 0 1\n${put}HELLO 4 0 txtmesh/1\n`, 300, { claimAs: 'p1' });
      const lines = raw.text.split('\n');
      expect(lines[0]).to.match(/^ERR 1 0 ERR_BAD_NAME /);
      expect(lines[1]).to.match(/^ERR 2 0 ERR_BAD_NAME /);
      expect(lines[2]).to.match(/^ERR 3 0 ERR_BAD_NAME /);
      expect(lines[3]).to.equal('OK 4 0 txtmesh/1 peer=p1');
      expect(existsSync(join(mesh.root, 'p1', 'secret.txt'))).to.equal(false);
    });
  }

  it('answers a malformed frame with ERR_BAD_FRAME, closes that connection only', async function () {
    const raw = await rawExchange(port(), 'this is not a frame\nLIST 1 0\n');
    expect(raw.text).to.match(/^ERR 0 0 ERR_BAD_FRAME /);
    expect(raw.text).not.to.contain('OK 1');
    expect(raw.closed).to.equal(true);
    expect((await listFiles(conn)).length).to.equal(3);
  });

  it('closes a connection whose header exceeds the limit, without waiting for a newline', async function () {
    const raw = await rawExchange(port(), 'LIST 1 0 ' + 'x'.repeat(MAX_HEADER_BYTES * 2));
    expect(raw.text).to.match(/^ERR 0 0 ERR_HEADER_TOO_LARGE /);
    expect(raw.closed).to.equal(true);
  });

  it('refuses a body length over the limit for a verb without a body', async function () {
    const raw = await rawExchange(port(), 'LIST 1 99999999999\n');
    expect(raw.text).to.match(/^ERR 0 0 ERR_BODY_TOO_LARGE /);
    expect(raw.closed).to.equal(true);
  });

  it('answers unknown commands with ERR_UNKNOWN_COMMAND and carries on', async function () {
    const raw = await rawExchange(port(), 'FROB 1 3\nabcHELLO 2 0 txtmesh/1\n');
    expect(raw.text).to.match(/^ERR 1 0 ERR_UNKNOWN_COMMAND /);
    expect(raw.text).to.contain('OK 2 0 txtmesh/1 peer=p1\n');
  });

  it('answers a frame typed in pieces, with CRLF, as nc would send it', async function () {
    const raw = await rawExchange(port(), 'HELLO 7 0 txtmesh/1\r\n');
    expect(raw.text).to.equal('OK 7 0 txtmesh/1 peer=p1\n');
  });

  it('answers pipelined requests in order on one connection', async function () {
    await writeFiles(mesh.dirOf('p1'), { 'big.txt': Buffer.alloc(PIECE_SIZE * 4, 'z') });
    const info = await fileInfo(conn, 'big.txt');
    const pieces = await Promise.all([0, 1, 2, 3].map((i) => getRange(conn, 'big.txt', i * PIECE_SIZE, PIECE_SIZE, info.identity)));
    expect(Buffer.concat(pieces).equals(Buffer.alloc(PIECE_SIZE * 4, 'z'))).to.equal(true);
  });
});

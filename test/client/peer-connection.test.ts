/**
 * PeerConnection: a dial and a session put together, against real servers on 127.0.0.1. The
 * session's own rules are tested over in-memory pairs (peer-session.test.ts), the dialling
 * against bare listeners (test/transport/dial.test.ts); this checks the two meet: the claim
 * goes out on the dialled socket, reads come through the reused buffer, the local address is
 * picked for the peer, and the verified fingerprint is kept.
 */
import { expect } from 'chai';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { type Mesh, makeText, startMesh } from '../helpers.js';
import { failure } from './scripted-peer.js';

const text = makeText(5 * PIECE_SIZE + 77);

/** GETs the whole of big.txt in pipelined ranges of one piece. */
async function fetchAll(conn: PeerConnection, identity: string): Promise<Buffer> {
  const ranges = [];
  for (let offset = 0; offset < text.length; offset += PIECE_SIZE) {
    const length = Math.min(PIECE_SIZE, text.length - offset);
    const id = conn.nextId();
    ranges.push(conn.request(id, Buffer.from(`GET ${id} 0 big.txt ${offset} ${length} ${identity}\n`), { maxBody: length, exactBody: length }));
  }
  return Buffer.concat((await Promise.all(ranges)).map((a) => a.body));
}

async function identityOfBig(conn: PeerConnection): Promise<string> {
  const id = conn.nextId();
  const { header } = await conn.request(id, Buffer.from(`INFO ${id} 0 big.txt\n`), { maxBody: 1 << 20 });
  return header.args.find((a) => a.startsWith('identity='))?.slice('identity='.length) ?? '';
}

describe('client/peer-connection', function () {
  this.timeout(30_000);

  describe('open mesh', function () {
    let mesh: Mesh;
    before(async () => (mesh = await startMesh({ p1: { files: { 'big.txt': text } } }, ['me'])));
    after(() => mesh.stop());

    it('claims our ID first, then pipelined requests come back whole', async function () {
      const conn = await PeerConnection.connect(mesh.address('p1'), { as: mesh.credentialsOf('me') });
      expect(conn.peer).to.deep.equal(mesh.address('p1'));
      expect(conn.verifiedFingerprint).to.equal(undefined);
      expect((await fetchAll(conn, await identityOfBig(conn))).equals(text)).to.equal(true);
      expect(mesh.logs.get('p1')?.[0]).to.include({ verb: 'HELLO', status: 'OK' });
      conn.close();
      expect(conn.closed).to.equal(true);
    });

    it('a claim the server refuses fails the requests behind it with its code', async function () {
      // "me" is listed at 127.0.0.1; claimed from 127.0.0.2 it is an impostor's claim.
      const conn = await PeerConnection.connect(mesh.address('p1'), { as: { id: 'me', localAddress: '127.0.0.2' } });
      const id = conn.nextId();
      const err = await failure(conn.request(id, Buffer.from(`LIST ${id} 0\n`), { maxBody: 1024 }));
      expect(err.code).to.equal('ERR_BAD_IDENTITY');
      expect(conn.closed).to.equal(true);
    });

    it('connects from our address only where it can reach the peer', async function () {
      // 192.0.2.7 is not loopback: towards 127.0.0.1 it is not bound (it would fail), and the
      // claim of 'me' is then checked against the address the kernel picked.
      const conn = await PeerConnection.connect(mesh.address('p1'), { as: { id: 'me', localAddress: '192.0.2.7' } });
      expect((await fetchAll(conn, await identityOfBig(conn))).length).to.equal(text.length);
      conn.close();
    });
  });

  describe('secure mesh', function () {
    let mesh: Mesh;
    before(async () => (mesh = await startMesh({ p1: { files: { 'big.txt': text } } }, ['me'], { secure: true })));
    after(() => mesh.stop());

    it('keeps the fingerprint it verified, and reads over TLS', async function () {
      const conn = await PeerConnection.connect(mesh.address('p1'), { as: mesh.credentialsOf('me') });
      expect(conn.verifiedFingerprint).to.equal(mesh.identities.get('p1')?.fingerprint);
      expect((await fetchAll(conn, await identityOfBig(conn))).equals(text)).to.equal(true);
      conn.close();
    });
  });
});

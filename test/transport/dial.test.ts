/**
 * Dialling real listeners on 127.0.0.1 port 0: plain TCP with its reused read buffer, the local
 * address, refusals, deadlines and aborts, and TLS pinned to a fingerprint with real identities.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type TLSSocket, createServer as createTlsServer } from 'node:tls';
import type { TxtmeshError } from '../../src/errors.js';
import { generateIdentity } from '../../src/security/identity.js';
import type { PeerAddress } from '../../src/settings.js';
import { type Link, dial, unreachable } from '../../src/transport/dial.js';
import { READ_BUFFER_BYTES } from '../../src/transport/reads.js';

/** Starts a listener on 127.0.0.1 port 0; `onSocket` gets each accepted connection. */
async function listen(server: Server, onSocket: (socket: Socket) => void, event = 'connection'): Promise<PeerAddress> {
  server.on(event, onSocket);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { id: 'p1', host: '127.0.0.1', port: (server.address() as AddressInfo).port, line: 1 };
}

function failure(promise: Promise<unknown>): Promise<TxtmeshError> {
  return promise.then(() => expect.fail('expected a failure'), (err: TxtmeshError) => err);
}

/** Everything a link receives until the other side closes, and the chunks as delivered. */
async function drain(link: Link): Promise<{ bytes: Buffer; chunks: Buffer[] }> {
  const chunks: Buffer[] = [];
  const copies: Buffer[] = [];
  link.receive({
    onBytes: (chunk) => {
      chunks.push(chunk);
      copies.push(Buffer.from(chunk)); // a view of a reused buffer: copy at once
    },
  });
  if (!link.socket.closed) await once(link.socket, 'close');
  return { bytes: Buffer.concat(copies), chunks };
}

describe('transport/dial', function () {
  const servers: Server[] = [];
  const serve = (server: Server) => (servers.push(server), server);
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  describe('plain TCP', function () {
    const payload = Buffer.alloc(3 * READ_BUFFER_BYTES + 1234);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 10)) & 0xff;

    it('receives every byte in order, read into one reused buffer', async function () {
      const peer = await listen(serve(createServer()), (socket) => socket.end(payload));
      const link = await dial(peer);
      expect(link.fingerprint).to.equal(undefined);
      const { bytes, chunks } = await drain(link);
      expect(bytes.equals(payload)).to.equal(true);
      expect(chunks.length).to.be.above(1);
      expect(new Set(chunks.map((c) => c.buffer)).size, 'one ArrayBuffer under every chunk').to.equal(1);
    });

    it('keeps bytes that arrive before the receiver is attached', async function () {
      const peer = await listen(serve(createServer()), (socket) => socket.end('ERR 0 0 ERR_BUSY full\n'));
      const link = await dial(peer);
      await sleep(50);
      expect((await drain(link)).bytes.toString()).to.equal('ERR 0 0 ERR_BUSY full\n');
    });

    it('connects from the local address it is given', async function () {
      const from: (string | undefined)[] = [];
      const peer = await listen(serve(createServer()), (socket) => (from.push(socket.remoteAddress), socket.end()));
      await drain(await dial(peer, { localAddress: '127.0.0.2' }));
      await drain(await dial(peer));
      expect(from).to.deep.equal(['127.0.0.2', '127.0.0.1']);
      // An address this machine does not have: the bind fails at once.
      expect((await failure(dial(peer, { localAddress: '192.0.2.7' }))).code).to.equal('ERR_PEER_UNREACHABLE');
    });

    it('a port nobody listens on is ERR_PEER_UNREACHABLE, asking whether the peer\'s server runs', async function () {
      const peer = await listen(serve(createServer()), () => undefined);
      await new Promise((resolve) => servers.pop()?.close(resolve));
      const err = await failure(dial(peer));
      expect(err.code).to.equal('ERR_PEER_UNREACHABLE');
      expect(err.message).to.equal(`nothing listens at 127.0.0.1:${peer.port} (ECONNREFUSED): is ${peer.id}'s server running?`);
    });

    it('words other failures for the line that names the peer: an unknown host, anything else', function () {
      const peer = { id: 'p9', host: 'nowhere.invalid', port: 9, line: 1 };
      expect(unreachable(peer, Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).to.equal("the host name nowhere.invalid does not resolve (ENOTFOUND); check p9's line in the settings");
      expect(unreachable(peer, Object.assign(new Error('x'), { code: 'EHOSTUNREACH' }))).to.equal('nowhere.invalid:9 cannot be reached (EHOSTUNREACH); is p9 up, and its port open?');
    });

    it('an already aborted signal is ERR_PEER_TIMEOUT before anything is sent', async function () {
      let accepted = 0;
      const peer = await listen(serve(createServer()), () => accepted++);
      expect((await failure(dial(peer, { signal: AbortSignal.abort() }))).code).to.equal('ERR_PEER_TIMEOUT');
      await sleep(50);
      expect(accepted).to.equal(0);
    });
  });

  describe('TLS pinned by fingerprint', function () {
    const server = generateIdentity({ peerId: 'p1' });
    const client = generateIdentity({ peerId: 'me' });

    async function tlsPeer(identity = server, onSocket: (socket: TLSSocket) => void = (s) => s.end('hello')): Promise<{ peer: PeerAddress; received: Buffer[] }> {
      const received: Buffer[] = [];
      const tls = serve(createTlsServer({ key: identity.key, cert: identity.cert, minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: false }));
      tls.on('tlsClientError', () => undefined);
      const address = await listen(tls, (socket) => {
        socket.on('data', (chunk: Buffer) => received.push(chunk));
        socket.on('error', () => undefined);
        onSocket(socket as TLSSocket);
      }, 'secureConnection');
      return { peer: { ...address, fingerprint: identity.fingerprint }, received };
    }

    it('connects when the server shows the pinned certificate, and receives', async function () {
      const { peer } = await tlsPeer();
      const link = await dial(peer, { identity: client });
      expect(link.fingerprint).to.equal(server.fingerprint);
      expect((await drain(link)).bytes.toString()).to.equal('hello');
    });

    it('another certificate is ERR_BAD_IDENTITY, and nothing is sent', async function () {
      const { peer, received } = await tlsPeer(server, () => undefined);
      const impostor = { ...peer, fingerprint: generateIdentity({ peerId: 'p1' }).fingerprint };
      expect((await failure(dial(impostor, { identity: client }))).code).to.equal('ERR_BAD_IDENTITY');
      await sleep(50);
      expect(received).to.deep.equal([]);
    });

    it('an expired certificate, even the pinned one, is ERR_CERT_EXPIRED', async function () {
      const expired = generateIdentity({ peerId: 'p1', notBefore: new Date(Date.now() - 3 * 86_400_000), days: 1 });
      const { peer } = await tlsPeer(expired);
      expect((await failure(dial(peer, { identity: client }))).code).to.equal('ERR_CERT_EXPIRED');
    });

    it('without an identity of our own it is ERR_TLS_REQUIRED', async function () {
      const { peer } = await tlsPeer();
      expect((await failure(dial(peer))).code).to.equal('ERR_TLS_REQUIRED');
    });

    it('a server that does not speak TLS is ERR_TLS_HANDSHAKE', async function () {
      const plain = await listen(serve(createServer()), (socket) => socket.end('ERR 0 0 ERR_BAD_FRAME not a frame\n'));
      expect((await failure(dial({ ...plain, fingerprint: server.fingerprint }, { identity: client }))).code).to.equal('ERR_TLS_HANDSHAKE');
    });

    describe('a handshake that never completes (the server accepts and stays silent)', function () {
      let closed: Promise<unknown>[];
      let silent: PeerAddress;
      beforeEach(async function () {
        closed = [];
        const address = await listen(serve(createServer()), (socket) => closed.push(once(socket.resume(), 'close')));
        silent = { ...address, fingerprint: server.fingerprint };
      });

      it('times out with ERR_PEER_TIMEOUT and closes the connection', async function () {
        expect((await failure(dial(silent, { identity: client, timeoutMs: 100 }))).code).to.equal('ERR_PEER_TIMEOUT');
        await Promise.all(closed);
        expect(closed.length).to.equal(1);
      });

      it('an abort is ERR_PEER_TIMEOUT and closes the connection', async function () {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 50);
        expect((await failure(dial(silent, { identity: client, signal: controller.signal, timeoutMs: 20_000 }))).code).to.equal('ERR_PEER_TIMEOUT');
        await Promise.all(closed);
        expect(closed.length).to.equal(1);
      });
    });
  });
});

/**
 * The client session over an in-memory duplex pair: answers matched by id, pipelining,
 * deadlines, stalls, aborts, and every way a peer can break the protocol. The other end is a
 * ScriptedPeer that writes exactly the bytes each test gives it.
 */
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { PeerSession } from '../../src/client/peer-session.js';
import { RemoteError } from '../../src/errors.js';
import { type ByteSink, HEADER_READ_BYTES, ReusedReadBuffer } from '../../src/transport/reads.js';
import { duplexPair } from '../duplex-pair.js';
import { ScriptedPeer, failure, frame, sessionPair } from './scripted-peer.js';

const LIST = { maxBody: 1024 };

describe('client/peer-session', function () {
  describe('answers', function () {
    it('matches an answer to its request by id', async function () {
      const { session, peer } = sessionPair();
      const id = session.nextId();
      const answer = session.request(id, frame('LIST', id), LIST);
      const [request] = await peer.received(1);
      expect(request).to.include({ verb: 'LIST', id });
      peer.write(`OK ${id} 5 files=1\nhello`);
      const { header, body } = await answer;
      expect(header).to.deep.include({ verb: 'OK', id, length: 5, args: ['files=1'] });
      expect(body.toString()).to.equal('hello');
      expect(session.waiting).to.equal(0);
      expect(session.closed).to.equal(false);
    });

    it('pipelines requests and takes their answers in any order', async function () {
      const { session, peer } = sessionPair();
      const ids = [session.nextId(), session.nextId(), session.nextId()];
      const answers = ids.map((id) => session.request(id, frame('GET', id), LIST));
      // All three are on the wire before any answer.
      expect((await peer.received(3)).map((r) => r.id)).to.deep.equal(ids);
      expect(session.waiting).to.equal(3);
      for (const id of [...ids].reverse()) peer.write(`OK ${id} 3\n#${id}!`);
      const bodies = await Promise.all(answers);
      expect(bodies.map((a) => a.body.toString())).to.deep.equal(ids.map((id) => `#${id}!`));
    });

    it('reassembles answers split at every byte, into a caller buffer', async function () {
      const wire = Buffer.from('OK 1 4\nabcdOK 2 0\nOK 3 6\nxyz123');
      for (let split = 1; split < wire.length; split++) {
        const { session, peer } = sessionPair();
        const into = Buffer.alloc(6);
        const answers = [session.request(1, frame('GET', 1), { maxBody: 4, exactBody: 4 }), session.request(2, frame('HELLO', 2), { maxBody: 0 }), session.request(3, frame('GET', 3), { maxBody: 6, into })];
        peer.write(wire.subarray(0, split));
        await sleep(0);
        peer.write(wire.subarray(split));
        const [a, b, c] = await Promise.all(answers);
        expect([a?.body.toString(), b?.body.length, c?.body.toString()], `split at ${split}`).to.deep.equal(['abcd', 0, 'xyz123']);
        expect(c?.body).to.equal(into);
      }
    });

    it('copies what it needs before the transport reuses its read buffer', async function () {
      // Like Node's onread: every chunk is a view of one buffer that is overwritten afterwards.
      const [client, server] = duplexPair();
      const reused = Buffer.alloc(3);
      const receive = (sink: ByteSink) => client.on('data', (chunk: Buffer) => {
        for (let at = 0; at < chunk.length; at += reused.length) {
          const n = chunk.copy(reused, 0, at, at + reused.length);
          sink.onBytes(reused.subarray(0, n));
          reused.fill('!');
        }
      });
      const session = new PeerSession(client, { label: 'p1 (test)', receive });
      const answers = [session.request(1, frame('GET', 1), LIST), session.request(2, frame('GET', 2), LIST)];
      new ScriptedPeer(server).write('OK 1 10 some=args\n0123456789OK 2 4\nlast');
      expect((await Promise.all(answers)).map((a) => [a.header.args, a.body.toString()])).to.deep.equal([[['some=args'], '0123456789'], [[], 'last']]);
    });

    it('receives bodies straight into their buffers when the transport reads where it is told', async function () {
      // Like Node's onread with a buffer function: each read lands where onread.buffer() says.
      const wire = Buffer.from('OK 1 6\nabcdefOK 2 3 x=1\nxyzOK 3 5\n12345');
      for (const readSize of [1, 2, 5, 7, 64]) {
        const [client] = duplexPair();
        const reads = new ReusedReadBuffer();
        const session = new PeerSession(client, { label: 'p1 (test)', receive: (sink) => reads.attach(sink) });
        const into = [Buffer.alloc(6), Buffer.alloc(5)];
        const answers = [session.request(1, frame('GET', 1), { maxBody: 6, into: into[0] }), session.request(2, frame('LIST', 2), LIST), session.request(3, frame('GET', 3), { maxBody: 5, into: into[1] })];
        const inPlace: number[] = [];
        for (let at = 0; at < wire.length; ) {
          const where = reads.onread.buffer();
          const n = wire.copy(where, 0, at, at + Math.min(readSize, where.length));
          if (where.buffer !== reads.buffer.buffer) inPlace.push(n);
          reads.onread.callback(n, where);
          at += n;
        }
        const [a, b, c] = await Promise.all(answers);
        expect([a?.body.toString(), b?.body.toString(), c?.body.toString()], `reads of ${readSize}`).to.deep.equal(['abcdef', 'xyz', '12345']);
        expect(a?.body).to.equal(into[0]);
        expect(c?.body).to.equal(into[1]);
        // Body bytes after the read that carried their header's end land in place: all 14 of
        // them when each read is one byte, none when one read holds the whole wire.
        const landed = inPlace.reduce((x, y) => x + y, 0);
        if (readSize === 1) expect(landed).to.equal(14);
        else if (readSize >= wire.length) expect(landed).to.equal(0);
        else expect(landed, `reads of ${readSize}`).to.be.within(1, 14);
        session.close();
      }
    });
    it('between answers reads just a header when a large body comes next or nothing waits, else a full buffer', function () {
      const [client] = duplexPair();
      const reads = new ReusedReadBuffer();
      const session = new PeerSession(client, { label: 'p1 (test)', receive: (sink) => reads.attach(sink) });
      expect(reads.onread.buffer().length, 'nothing waiting').to.equal(HEADER_READ_BYTES);
      void session.request(1, frame('LIST', 1), LIST).catch(() => undefined);
      expect(reads.onread.buffer(), 'a small answer next').to.equal(reads.buffer);
      void session.request(2, frame('GET', 2), { maxBody: 1 << 20, into: Buffer.alloc(1 << 20) }).catch(() => undefined);
      expect(reads.onread.buffer(), 'still the small answer first').to.equal(reads.buffer);
      session.close();
      const reads2 = new ReusedReadBuffer();
      const other = new PeerSession(duplexPair()[0], { label: 'p2 (test)', receive: (sink) => reads2.attach(sink) });
      void other.request(1, frame('GET', 1), { maxBody: 1 << 20, exactBody: 1 << 20 }).catch(() => undefined);
      expect(reads2.onread.buffer().length, 'a large body next').to.equal(HEADER_READ_BYTES);
      other.close();
    });
  });

  describe('deadlines', function () {
    it('fails every waiting request and the connection when one is not answered in time', async function () {
      const { session, peer } = sessionPair();
      const slow = session.request(1, frame('LIST', 1), { ...LIST, timeoutMs: 50 });
      const other = session.request(2, frame('LIST', 2), { ...LIST, timeoutMs: 60_000 });
      expect((await failure(slow)).code).to.equal('ERR_PEER_TIMEOUT');
      expect((await failure(other)).code).to.equal('ERR_PEER_TIMEOUT');
      expect(session.closed).to.equal(true);
      expect((await failure(session.request(3, frame('LIST', 3), LIST))).code).to.equal('ERR_PEER_TIMEOUT');
      await sleep(10);
      expect(peer.end.destroyed, 'the other end sees a reset').to.equal(true);
    });

    it('follows bytes arriving: an answer that trickles in for longer than its deadline completes', async function () {
      const { session, peer } = sessionPair();
      const answer = session.request(1, frame('GET', 1), { maxBody: 100, timeoutMs: 150 });
      const started = performance.now();
      for (const byte of 'OK 1 20\n0123456789abcdefghij') {
        peer.write(byte);
        await sleep(25); // 28 bytes a byte every 25 ms: 700 ms, over four deadlines
      }
      expect((await answer).body.toString()).to.equal('0123456789abcdefghij');
      expect(performance.now() - started).to.be.above(600);
    });

    it('a request queued behind a slow answer waits for it without timing out', async function () {
      const { session, peer } = sessionPair();
      const first = session.request(1, frame('GET', 1), { maxBody: 100, timeoutMs: 150 });
      const second = session.request(2, frame('GET', 2), { maxBody: 100, timeoutMs: 150 });
      for (const byte of 'OK 1 12\n0123456789ab') {
        peer.write(byte);
        await sleep(25);
      }
      peer.write('OK 2 2\nok');
      expect((await first).body.toString()).to.equal('0123456789ab');
      expect((await second).body.toString()).to.equal('ok');
    });

    it('passes when the peer sends nothing for the deadline, and says how far its answer got', async function () {
      const { session, peer } = sessionPair();
      const answer = session.request(1, frame('GET', 1), { maxBody: 100, timeoutMs: 200 });
      peer.write('OK 1 50\n0123456789');
      const started = performance.now();
      const err = await failure(answer);
      expect(err.code).to.equal('ERR_PEER_TIMEOUT');
      expect(err.message).to.contain('10 of the 50 bytes');
      expect(performance.now() - started).to.be.within(150, 2000);
    });

    it('fails on a stall: no byte for the stall timeout while requests wait', async function () {
      const { session, peer } = sessionPair({ stallTimeoutMs: 400 });
      const answer = session.request(1, frame('GET', 1), { maxBody: 100, timeoutMs: 20_000 });
      // A byte every 40 ms keeps it alive for more than twice the stall timeout...
      const started = performance.now();
      for (const byte of 'OK 1 40\n0123456789abcdefghijklmn') {
        peer.write(byte);
        await sleep(40);
      }
      expect(performance.now() - started).to.be.above(1000);
      expect(session.closed, 'trickling bytes are progress').to.equal(false);
      // ...then silence, mid-body: the stall timer fails it long before the request deadline.
      const err = await failure(answer);
      expect(err.code).to.equal('ERR_PEER_TIMEOUT');
      expect(performance.now() - started).to.be.below(10_000);
    });

    it('takes the deadlines of the command using it after retune(): a pooled connection serves a view, then a download', async function () {
      const { session, peer } = sessionPair({ stallTimeoutMs: 60_000, requestTimeoutMs: 60_000 });
      const first = session.request(1, frame('LIST', 1), LIST);
      peer.write('OK 1 0\n');
      await first;
      session.retune({ stallTimeoutMs: 150, requestTimeoutMs: 60_000 });
      const started = performance.now();
      const err = await failure(session.request(2, frame('GET', 2), { maxBody: 100 }));
      expect(err.code).to.equal('ERR_PEER_TIMEOUT');
      expect(err.message).to.contain('stalled: nothing received for 150 ms');
      expect(performance.now() - started).to.be.within(100, 5000);
      // And back: no stall watch, the request's own deadline alone.
      const other = sessionPair({ stallTimeoutMs: 50 });
      other.session.retune({ requestTimeoutMs: 200 });
      const slow = await failure(other.session.request(1, frame('LIST', 1), LIST));
      expect(slow.message).to.contain('sent nothing for 200 ms');
    });

    it('does not count idle time without requests as a stall', async function () {
      const { session, peer } = sessionPair({ stallTimeoutMs: 60 });
      const first = session.request(1, frame('LIST', 1), LIST);
      peer.write('OK 1 0\n');
      await first;
      await sleep(250);
      expect(session.closed).to.equal(false);
      const second = session.request(2, frame('LIST', 2), LIST);
      peer.write('OK 2 0\n');
      expect((await second).header.id).to.equal(2);
    });

    it('keeps a request alive while its body is still being sent, against backpressure', async function () {
      const [client, server] = duplexPair({ highWaterMark: 1024 });
      const session = new PeerSession(client, { label: 'p1 (test)' });
      const total = 16 * 1024;
      const upload = session.request(1, frame('PUT', 1, total), { maxBody: 0, timeoutMs: 300 }, async (write) => {
        for (let sent = 0; sent < total; sent += 1024) await write(Buffer.alloc(1024, 'a'));
      });
      // The peer reads what has arrived every 100 ms, so the body crawls in for longer than the
      // deadline; then it reads the rest at full speed and answers.
      const started = performance.now();
      let received = 0;
      while (received < total / 2) {
        await sleep(100);
        received += (server.read() as Buffer | null)?.length ?? 0;
        expect(session.closed, `after ${received} bytes`).to.equal(false);
      }
      expect(performance.now() - started, 'the slow part outlasted the deadline').to.be.above(300);
      server.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received === frame('PUT', 1, total).length + total) server.write('OK 1 0 stored\n');
      });
      expect((await upload).header.args).to.deep.equal(['stored']);
    });
  });

  describe('abort', function () {
    it('an aborted request fails the connection with ERR_PEER_TIMEOUT', async function () {
      const { session, peer } = sessionPair();
      const controller = new AbortController();
      const answer = session.request(1, frame('LIST', 1), { ...LIST, signal: controller.signal });
      const other = session.request(2, frame('LIST', 2), LIST);
      await peer.received(2);
      controller.abort();
      expect((await failure(answer)).code).to.equal('ERR_PEER_TIMEOUT');
      expect((await failure(other)).code).to.equal('ERR_PEER_TIMEOUT');
      expect(session.closed).to.equal(true);
    });

    it('a signal that has already aborted fails at once, without waiting for the deadline', async function () {
      const { session } = sessionPair();
      const started = performance.now();
      const err = await failure(session.request(1, frame('LIST', 1), { ...LIST, signal: AbortSignal.abort(), timeoutMs: 20_000 }));
      expect(err.code).to.equal('ERR_PEER_TIMEOUT');
      expect(performance.now() - started).to.be.below(5_000);
    });
  });

  describe('protocol violations: ERR_PEER_PROTOCOL, the connection fails', function () {
    const cases: [string, string, { maxBody: number; exactBody?: number; into?: Buffer }][] = [
      ['an answer to an id that is not waiting', 'OK 9 0\n', LIST],
      ['a malformed header', 'OK one 0\n', LIST],
      ['a request where an answer belongs', 'GET 1 0 a.txt 0 5\n', LIST],
      ['a body longer than the request allows', 'OK 1 2000\n', LIST],
      ['a body of another length than asked for', 'OK 1 4\nabcd', { maxBody: 100, exactBody: 5 }],
      ['a body of another length than the caller buffer', 'OK 1 4\nabcd', { maxBody: 100, into: Buffer.alloc(5) }],
      ['an ERR with a body', 'ERR 1 3 ERR_NOT_FOUND\nabc', LIST],
    ];
    for (const [what, wire, options] of cases) {
      it(what, async function () {
        const { session, peer } = sessionPair();
        const answer = session.request(1, frame('GET', 1), options);
        const other = session.request(2, frame('LIST', 2), LIST);
        peer.write(wire);
        expect((await failure(answer)).code).to.equal('ERR_PEER_PROTOCOL');
        expect((await failure(other)).code).to.equal('ERR_PEER_PROTOCOL');
        expect(session.closed).to.equal(true);
      });
    }
  });

  describe('ERR answers', function () {
    it('an ERR with a known code fails only its request', async function () {
      const { session, peer } = sessionPair();
      const missing = session.request(1, frame('INFO', 1, 0, 'x.txt'), LIST);
      const next = session.request(2, frame('LIST', 2), LIST);
      peer.write('ERR 1 0 ERR_NOT_FOUND no such file: x.txt\nOK 2 2\nok');
      const err = await failure(missing);
      expect(err).to.be.instanceOf(RemoteError);
      expect(err.code).to.equal('ERR_NOT_FOUND');
      expect(err.message).to.equal('no such file: x.txt');
      expect((await next).body.toString()).to.equal('ok');
      expect(session.closed).to.equal(false);
    });

    it('an ERR with an unknown code fails its request with ERR_PEER_PROTOCOL', async function () {
      const { session, peer } = sessionPair();
      const answer = session.request(1, frame('LIST', 1), LIST);
      peer.write('ERR 1 0 ERR_MADE_UP whatever\n');
      expect((await failure(answer)).code).to.equal('ERR_PEER_PROTOCOL');
    });

    it('an ERR with id 0 fails every waiting request with its code, and the connection', async function () {
      const { session, peer } = sessionPair();
      const answers = [session.request(1, frame('LIST', 1), LIST), session.request(2, frame('LIST', 2), LIST)];
      peer.write('ERR 0 0 ERR_BUSY too many connections\n');
      for (const answer of answers) expect((await failure(answer)).code).to.equal('ERR_BUSY');
      expect(session.closed).to.equal(true);
    });
  });

  describe('the other end', function () {
    it('closing mid-body fails the request with ERR_PEER_CLOSED', async function () {
      const { session, peer } = sessionPair();
      const answer = session.request(1, frame('GET', 1), LIST);
      peer.write('OK 1 10\nabc');
      await sleep(5);
      peer.end.destroy();
      expect((await failure(answer)).code).to.equal('ERR_PEER_CLOSED');
      expect(session.closed).to.equal(true);
    });

    it('ending its side while a request waits fails it with ERR_PEER_CLOSED', async function () {
      const { session, peer } = sessionPair();
      const answer = session.request(1, frame('GET', 1), LIST);
      peer.end.end('OK 1 10\nabc');
      expect((await failure(answer)).code).to.equal('ERR_PEER_CLOSED');
    });

    it('close() fails waiting requests with ERR_PEER_CLOSED and resets the other end', async function () {
      const { session, peer } = sessionPair();
      const answer = session.request(1, frame('LIST', 1), LIST);
      session.close();
      expect((await failure(answer)).code).to.equal('ERR_PEER_CLOSED');
      await sleep(5);
      expect(peer.end.destroyed).to.equal(true);
    });
  });

  describe('HELLO claim', function () {
    it('goes out first, pipelined with the first request', async function () {
      const { session, peer } = sessionPair({ claim: 'me' });
      const id = session.nextId();
      const answer = session.request(id, frame('LIST', id), LIST);
      const [hello, list] = await peer.received(2);
      expect(hello).to.deep.include({ verb: 'HELLO', id: 1, args: ['txtmesh/1', 'me'] });
      expect(list).to.include({ verb: 'LIST', id: 2 });
      peer.write('OK 1 0 txtmesh/1 peer=p1\nOK 2 0\n');
      expect((await answer).header.id).to.equal(2);
      expect(session.closed).to.equal(false);
    });

    it('refused, it fails the connection and every waiting request with the refusal\'s code', async function () {
      const { session, peer } = sessionPair({ claim: 'me' });
      const answer = session.request(session.nextId(), frame('LIST', 2), LIST);
      await peer.received(2);
      // The server would close the connection now; the session does not wait for that.
      peer.write('ERR 1 0 ERR_NOT_A_MEMBER me is not in the settings\n');
      expect((await failure(answer)).code).to.equal('ERR_NOT_A_MEMBER');
      expect(session.closed).to.equal(true);
    });
  });

  it('refuses a second request with an id that is still waiting', async function () {
    const { session } = sessionPair();
    void session.request(1, frame('LIST', 1), LIST).catch(() => undefined);
    const err = await session.request(1, frame('LIST', 1), LIST).then(() => undefined, (e: Error) => e);
    expect(err).to.be.instanceOf(RangeError);
    session.close();
  });
});

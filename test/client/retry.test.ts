/**
 * client/retry: backoff delays, an abortable sleep, and withRetry, which retries only transient
 * (transport) failures. Real listeners on 127.0.0.1: a port where nothing listens yet is a
 * peer restarting.
 */
import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import { type Server, type Socket, createServer } from 'node:net';
import { DEFAULT_RETRY, type RetryPolicy, backoffDelay, sleep, withRetry } from '../../src/client/retry.js';
import { type ErrorCode, TxtmeshError } from '../../src/errors.js';
import type { PeerAddress } from '../../src/settings.js';
import { freePort } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

const FAST: RetryPolicy = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

describe('client/retry', function () {
  describe('backoffDelay', function () {
    it('waits nothing before the first attempt, then doubles from the base up to the cap, within ±20%', function () {
      const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
      expect(backoffDelay(1, policy)).to.equal(0);
      expect(backoffDelay(0, policy)).to.equal(0);
      const bases = [100, 200, 400, 800, 1000, 1000, 1000];
      for (const [i, base] of bases.entries()) {
        const samples = Array.from({ length: 200 }, () => backoffDelay(i + 2, policy));
        expect(Math.min(...samples), `attempt ${i + 2}`).to.be.at.least(Math.round(base * 0.8));
        expect(Math.max(...samples), `attempt ${i + 2}`).to.be.at.most(Math.round(base * 1.2));
        expect(new Set(samples).size, 'jittered').to.be.above(1);
      }
    });

    it('follows the default policy when given none', function () {
      for (let i = 0; i < 50; i++) {
        expect(backoffDelay(2)).to.be.within(DEFAULT_RETRY.baseDelayMs * 0.8, DEFAULT_RETRY.baseDelayMs * 1.2);
        expect(backoffDelay(30)).to.be.within(DEFAULT_RETRY.maxDelayMs * 0.8, DEFAULT_RETRY.maxDelayMs * 1.2);
      }
    });
  });

  describe('sleep', function () {
    it('resolves after the delay and leaves no listener on the signal', async function () {
      const signal = new AbortController().signal;
      const started = Date.now();
      await sleep(30, signal);
      expect(Date.now() - started).to.be.at.least(29);
      expect(getEventListeners(signal, 'abort')).to.have.length(0);
    });

    it('rejects at once with ERR_DOWNLOAD_INCOMPLETE when aborted, or already aborted', async function () {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 20);
      await expectCode(sleep(60_000, controller.signal), 'ERR_DOWNLOAD_INCOMPLETE');
      expect(Date.now() - started).to.be.below(10_000);
      await expectCode(sleep(60_000, controller.signal), 'ERR_DOWNLOAD_INCOMPLETE');
    });
  });

  describe('withRetry', function () {
    let port: number;
    let peer: PeerAddress;
    let server: Server | undefined;
    /** Every connection the listener accepted, in order. */
    let accepted: Socket[];

    beforeEach(async () => {
      port = await freePort();
      peer = { id: 'p1', host: '127.0.0.1', port, line: 1 };
      accepted = [];
      server = undefined;
    });
    afterEach(async () => {
      for (const socket of accepted) socket.destroy();
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    });

    /** Starts listening on the peer's port: the peer is back. */
    async function listen(): Promise<void> {
      server = createServer((socket) => void accepted.push(socket.on('error', () => undefined)));
      await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    }

    const closed = (socket: Socket | undefined) => new Promise<void>((resolve) => (socket?.closed ? resolve() : socket?.once('close', () => resolve())));

    it('retries a peer that refuses connections until it listens again, and hands over the connection', async function () {
      const retries: [ErrorCode, number][] = [];
      const onRetry = (err: unknown, attempt: number) => {
        retries.push([(err as TxtmeshError).code, attempt]);
        if (attempt === 2) void listen();
      };
      const { conn, value } = await withRetry(peer, async () => 'answered', { policy: { ...FAST, attempts: 5 }, onRetry });
      expect(value).to.equal('answered');
      expect(retries).to.deep.equal([
        ['ERR_PEER_UNREACHABLE', 1],
        ['ERR_PEER_UNREACHABLE', 2],
      ]);
      expect(accepted).to.have.length(1);
      expect(accepted[0]?.closed).to.equal(false); // the caller owns it now
      conn.close();
      await closed(accepted[0]);
    });

    it('gives up after the attempts the policy allows, with the last transport error', async function () {
      const attempts: number[] = [];
      await expectCode(withRetry(peer, async () => 'never', { policy: FAST, onRetry: (_err, attempt) => attempts.push(attempt) }), 'ERR_PEER_UNREACHABLE');
      expect(attempts).to.deep.equal([1, 2]);
    });

    for (const code of ['ERR_NOT_FOUND', 'ERR_PEER_PROTOCOL', 'ERR_EXISTS'] as const) {
      it(`does not retry ${code} (an answer or a lie, not a transport failure), and closes the connection`, async function () {
        await listen();
        let calls = 0;
        const failing = async () => {
          calls++;
          throw new TxtmeshError(code, 'as the peer said');
        };
        await expectCode(withRetry(peer, failing, { policy: FAST, onRetry: () => expect.fail('retried') }), code);
        expect(calls).to.equal(1);
        expect(accepted).to.have.length(1);
        await closed(accepted[0]);
      });
    }

    it('retries on a new connection when the work fails with a transport error, closing the failed one', async function () {
      await listen();
      let calls = 0;
      const work = async () => {
        if (++calls === 1) throw new TxtmeshError('ERR_PEER_CLOSED', 'cut');
        return calls;
      };
      const { conn, value } = await withRetry(peer, work, { policy: FAST });
      expect(value).to.equal(2);
      expect(accepted).to.have.length(2);
      await closed(accepted[0]);
      conn.close();
    });

    it('stops at once when aborted: during the backoff, or before retrying a failure', async function () {
      const controller = new AbortController();
      const slow = { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 };
      const started = Date.now();
      const waiting = withRetry(peer, async () => 'never', { policy: slow, signal: controller.signal, onRetry: () => setTimeout(() => controller.abort(), 10) });
      await expectCode(waiting, 'ERR_DOWNLOAD_INCOMPLETE');
      expect(Date.now() - started).to.be.below(10_000);

      await listen();
      const aborting = new AbortController();
      const work = async () => {
        aborting.abort();
        throw new TxtmeshError('ERR_PEER_TIMEOUT', 'too slow');
      };
      await expectCode(withRetry(peer, work, { policy: FAST, signal: aborting.signal, onRetry: () => expect.fail('retried') }), 'ERR_PEER_TIMEOUT');
      expect(accepted).to.have.length(1);
    });
  });
});

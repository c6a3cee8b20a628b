import { expect } from 'chai';
import { noAnswer, silentFor, stalledFor, withDeadline } from '../../src/client/deadline.js';
import { TxtmeshError } from '../../src/errors.js';
import type { PeerAddress } from '../../src/settings.js';
import { expectCode } from '../helpers/expect-code.js';

const peer: PeerAddress = { id: 'p1', host: '127.0.0.1', port: 4001, line: 1 };

/** Waits until the signal aborts, then fails as a connection does: ERR_PEER_TIMEOUT, "aborted". */
function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    signal?.addEventListener('abort', () => reject(new TxtmeshError('ERR_PEER_TIMEOUT', 'p1: request aborted')), { once: true });
  });
}

describe('client/deadline', () => {
  it('noAnswer names the peer and the deadline in whole ms', () => {
    const err = noAnswer('p1 (127.0.0.1:4001)', 3319.6753211201326);
    expect(err.code).to.equal('ERR_PEER_TIMEOUT');
    expect(err.message).to.equal('p1 (127.0.0.1:4001) did not answer within 3320 ms');
    const cause = new Error('underneath');
    expect(noAnswer('p1', 10, cause).cause).to.equal(cause);
  });

  it('silentFor says how long the peer sent nothing, and how much of the answer had come', () => {
    expect(silentFor('p1', 2000.4).message).to.equal('p1 sent nothing for 2000 ms while a request waited');
    expect(silentFor('p1', 2000, { filled: 10, body: Buffer.alloc(40) }).message).to.equal('p1 sent nothing for 2000 ms while a request waited, after 10 of the 40 bytes of its answer');
    expect(silentFor('p1', 5, { filled: 0, body: undefined }).message).to.not.include('after');
    expect(stalledFor('p1', 300).code).to.equal('ERR_PEER_TIMEOUT');
    expect(stalledFor('p1', 300).message).to.equal('p1 stalled: nothing received for 300 ms');
  });

  it('withDeadline passes the value through, with a signal that has not fired', async () => {
    const value = await withDeadline(peer, 1000, undefined, async (signal) => {
      expect(signal?.aborted).to.equal(false);
      return 42;
    });
    expect(value).to.equal(42);
  });

  it('reports a deadline that passed as ERR_PEER_TIMEOUT naming it, with the failure as cause', async () => {
    const started = performance.now();
    const err = await expectCode(withDeadline(peer, 100, undefined, untilAborted), 'ERR_PEER_TIMEOUT');
    expect(performance.now() - started).to.be.within(90, 2000);
    expect(err.code).to.equal('ERR_PEER_TIMEOUT');
    expect(err.message).to.equal('p1 (127.0.0.1:4001) did not answer within 100 ms');
    expect((err.cause as Error).message).to.equal('p1: request aborted');
  });

  it('leaves the failure alone when the caller aborted, or when there is no deadline', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const aborted = await expectCode(withDeadline(peer, 5000, stop.signal, untilAborted), 'ERR_PEER_TIMEOUT');
    expect(aborted.message).to.equal('p1: request aborted');
    const refused = new TxtmeshError('ERR_PEER_UNREACHABLE', 'refused');
    expect(await expectCode(withDeadline(peer, 5000, undefined, () => Promise.reject(refused)), 'ERR_PEER_UNREACHABLE')).to.equal(refused);
    const outer = new AbortController();
    expect(await withDeadline(peer, undefined, outer.signal, async (signal) => signal)).to.equal(outer.signal);
  });
});

import { expect } from 'chai';
import type { PutRequest } from '../../src/protocol/requests.js';
import { ServerStats } from '../../src/server/stats.js';

const put = (name: string, size: number): PutRequest => ({ verb: 'PUT', id: 1, name, size, identity: 'f'.repeat(64) });
const get = (remote: string, name: string, bytes: number, status = 'OK') => ({ remote, verb: 'GET', name, bytes, ms: 1, status });

describe('server/stats', () => {
  let now = 1000;
  const clock = () => now;

  it('counts connections, requests, refusals and bytes', () => {
    const stats = new ServerStats(clock);
    stats.onConnect('a:1');
    stats.onConnect('b:2');
    stats.onLog({ remote: 'a:1', verb: 'LIST', bytes: 80, ms: 1, status: 'OK' });
    stats.onLog(get('a:1', 'x.txt', 100));
    stats.onLog(get('a:1', 'x.txt', 0, 'ERR_CHANGED'));
    stats.onLog({ remote: 'b:2', verb: 'PUT', name: 'up.txt', bytes: 50, ms: 1, status: 'OK' });
    stats.onLog({ remote: 'b:2', verb: 'PUT', name: 'no.txt', bytes: 70, ms: 1, status: 'ERR_EXISTS' });
    stats.onClose('b:2');
    now = 61_000;
    const s = stats.snapshot();
    expect(s.uptimeMs).to.equal(60_000);
    expect(s.connections).to.deep.equal({ open: 1, total: 2 });
    expect(s.requests).to.deep.equal({ total: 5, refused: 2, cut: 0 });
    expect(s.bytesServed).to.equal(100);
    expect(s.bytesReceived).to.equal(50);
  });

  it('follows a download from us: consecutive GETs of one file on one connection, until it closes', () => {
    const stats = new ServerStats(clock);
    stats.onConnect('a:1');
    stats.onLog(get('a:1', 'x.txt', 100));
    stats.onLog(get('a:1', 'x.txt', 50));
    expect(stats.transfers()).to.deep.equal([{ remote: 'a:1', direction: 'sending', name: 'x.txt', bytes: 150, total: null, startedAt: now }]);
    stats.onLog(get('a:1', 'y.txt', 7));
    expect(stats.transfers().map((t) => [t.name, t.bytes])).to.deep.equal([['y.txt', 7]]);
    stats.onClose('a:1');
    expect(stats.transfers()).to.deep.equal([]);
  });

  it('follows an upload to us from its request through its body to its answer', () => {
    const stats = new ServerStats(clock);
    stats.onConnect('b:2');
    stats.onRequest('b:2', { verb: 'HELLO', id: 1 });
    expect(stats.transfers()).to.deep.equal([]);
    stats.onRequest('b:2', put('my notes.txt', 1000));
    stats.onBody('b:2', 300);
    stats.onBody('b:2', 200);
    expect(stats.transfers()).to.deep.equal([{ remote: 'b:2', direction: 'receiving', name: 'my notes.txt', bytes: 500, total: 1000, startedAt: now }]);
    stats.onLog({ remote: 'b:2', verb: 'PUT', name: 'my notes.txt', bytes: 1000, ms: 1, status: 'OK' });
    expect(stats.transfers()).to.deep.equal([]);
  });

  it('forgets an upload whose connection died mid-body', () => {
    const stats = new ServerStats(clock);
    stats.onConnect('b:2');
    stats.onRequest('b:2', put('a.txt', 10));
    stats.onBody('b:2', 4);
    stats.onClose('b:2');
    expect(stats.transfers()).to.deep.equal([]);
    expect(stats.snapshot().bytesReceived).to.equal(0);
  });
});

import { expect } from 'chai';
import { formatRequestLog } from '../../src/cli/request-log.js';

const time = new Date('2026-11-25T19:08:33.322Z');

describe('cli/request-log', () => {
  it('writes a text line: time, peer, command, quoted name, bytes, ms, outcome', () => {
    const line = formatRequestLog({ remote: '127.0.0.1:5', verb: 'GET', name: 'my notes.txt', bytes: 262144, ms: 1.63, status: 'OK' }, 'text', time);
    expect(line).to.equal('2026-11-25T19:08:33.322Z 127.0.0.1:5 GET "my notes.txt" 262144B 1.6ms OK');
    expect(formatRequestLog({ remote: 'x', verb: 'LIST', bytes: 0, ms: 0.5, status: 'OK' }, 'text', time)).to.contain(' LIST - 0B ');
  });

  it('writes one JSON object per line, with null for a missing name', () => {
    const line = formatRequestLog({ remote: '127.0.0.1:5', verb: 'INFO', name: 'a\n"b".txt', bytes: 32, ms: 0.12345, status: 'ERR_NOT_FOUND' }, 'json', time);
    expect(line).to.not.contain('\n');
    expect(JSON.parse(line)).to.deep.equal({ time: '2026-11-25T19:08:33.322Z', remote: '127.0.0.1:5', verb: 'INFO', name: 'a\n"b".txt', bytes: 32, ms: 0.123, status: 'ERR_NOT_FOUND' });
    expect(JSON.parse(formatRequestLog({ remote: 'x', verb: '-', bytes: 0, ms: 0, status: 'ERR_BAD_FRAME' }, 'json', time)).name).to.equal(null);
  });
});

import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { HASH_BYTES, isIdentity, protocolViolation } from '../../src/protocol/messages.js';

describe('protocol/messages', () => {
  it('isIdentity: 64 lower-case hex digits, nothing else', () => {
    expect(isIdentity(createHash('sha256').update('x').digest('hex'))).to.equal(true);
    for (const bad of ['', 'a'.repeat(63), 'a'.repeat(65), 'A'.repeat(64), `${'a'.repeat(63)}g`, ` ${'a'.repeat(63)}`, `${'a'.repeat(64)}\n`]) {
      expect(isIdentity(bad), JSON.stringify(bad)).to.equal(false);
    }
  });

  it('a piece hash is a SHA-256', () => {
    expect(HASH_BYTES).to.equal(createHash('sha256').digest().length);
  });

  it('protocolViolation carries ERR_PEER_PROTOCOL', () => {
    expect(protocolViolation('bad line')).to.include({ code: 'ERR_PEER_PROTOCOL', message: 'bad line' });
  });
});

import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_LIST_BYTES } from '../../src/constants.js';
import { TxtmeshError } from '../../src/errors.js';
import type { VersionEntry } from '../../src/protocol/messages.js';
import { decodeVersionsBody, encodeVersionsBody } from '../../src/protocol/versions-answer.js';

const ID_A = 'a'.repeat(64);
const ID_B = createHash('sha256').update('b').digest('hex');

describe('protocol/versions-answer', () => {
  const versions: VersionEntry[] = [
    { name: 'my notes.txt', size: 14, identity: ID_A, time: 1764097713322, state: 'current' },
    { name: 'my notes.txt', size: 0, identity: ID_B, time: 1764097000000, state: 'replaced' },
    { name: 'sub/é.txt', size: 5, identity: ID_A, time: 0, state: 'unshared' },
  ];

  it('encodes one `identity size time state name` line per version', () => {
    expect(encodeVersionsBody(versions).toString('utf8')).to.equal(
      `${ID_A} 14 1764097713322 current my%20notes.txt\n${ID_B} 0 1764097000000 replaced my%20notes.txt\n${ID_A} 5 0 unshared sub/%C3%A9.txt\n`,
    );
    expect(encodeVersionsBody([])).to.deep.equal(Buffer.alloc(0));
  });

  it('round-trips any list', () => {
    const entryArb = fc.record({
      name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
      size: fc.maxSafeNat(),
      identity: fc.stringMatching(/^[0-9a-f]{64}$/),
      time: fc.maxSafeNat(),
      state: fc.constantFrom('current' as const, 'replaced' as const, 'unshared' as const),
    });
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 20 }), (list) => {
        expect(decodeVersionsBody(encodeVersionsBody(list))).to.deep.equal(list);
      }),
    );
  });

  it('refuses to encode what a reader would refuse (TypeError)', () => {
    expect(() => encodeVersionsBody([{ ...(versions[0] as VersionEntry), time: -1 }])).to.throw(TypeError);
    expect(() => encodeVersionsBody([{ ...(versions[0] as VersionEntry), state: 'deleted' as 'current' }])).to.throw(TypeError);
    expect(() => encodeVersionsBody([{ ...(versions[0] as VersionEntry), identity: 'abc' }])).to.throw(TypeError);
  });

  const badLines: [string, string][] = [
    ['an unknown state', `${ID_A} 1 2 deleted a.txt`],
    ['a time with a leading zero', `${ID_A} 1 02 current a.txt`],
    ['a negative time', `${ID_A} 1 -2 current a.txt`],
    ['no time (a LIST line)', `${ID_A} 1 a.txt`],
    ['a missing name', `${ID_A} 1 2 current`],
    ['an extra field', `${ID_A} 1 2 current a.txt x`],
    ['a bad escape', `${ID_A} 1 2 current %zz.txt`],
    ['an upper-case identity', `${ID_A.toUpperCase()} 1 2 current a.txt`],
  ];
  for (const [what, line] of badLines) {
    it(`refuses the whole list for one line with ${what} (ERR_PEER_PROTOCOL)`, () => {
      const body = Buffer.from(`${ID_B} 3 4 current good.txt\n${line}\n`);
      expect(() => decodeVersionsBody(body)).to.throw(TxtmeshError).with.property('code', 'ERR_PEER_PROTOCOL');
    });
  }

  it(`refuses a list over MAX_LIST_BYTES (${MAX_LIST_BYTES}) before reading it`, () => {
    expect(() => decodeVersionsBody(Buffer.alloc(MAX_LIST_BYTES + 1, 0x0a))).to.throw(TxtmeshError).with.property('code', 'ERR_PEER_PROTOCOL');
  });
});

import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_LIST_BYTES } from '../../src/constants.js';
import { TxtmeshError } from '../../src/errors.js';
import { bodyLines, decodeListBody, encodeListBody } from '../../src/protocol/list-body.js';
import type { FileEntry } from '../../src/protocol/messages.js';

const ID_A = 'a'.repeat(64);
const ID_B = createHash('sha256').update('b').digest('hex');

describe('protocol/list-body', () => {
  it('bodyLines gives the non-blank lines, and refuses a body past MAX_LIST_BYTES by name', () => {
    expect(bodyLines(Buffer.from('a b\n\nc d\n'), 'file list')).to.deep.equal(['a b', 'c d']);
    expect(bodyLines(Buffer.alloc(0), 'file list')).to.deep.equal([]);
    const err = (() => {
      try {
        bodyLines(Buffer.alloc(MAX_LIST_BYTES + 1, 0x61), 'version list');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).to.be.instanceOf(TxtmeshError);
    expect((err as TxtmeshError).code).to.equal('ERR_PEER_PROTOCOL');
    expect((err as TxtmeshError).message).to.include('version list too large');
  });

  const files: FileEntry[] = [
    { name: 'a.txt', size: 0, identity: ID_A },
    { name: 'sub/my notes.txt', size: 1234567, identity: ID_B },
    { name: '日本語 ノート.txt', size: 5, identity: ID_A },
  ];

  it('encodes one `identity size name` line per file', () => {
    expect(encodeListBody(files).toString('utf8')).to.equal(
      `${ID_A} 0 a.txt\n${ID_B} 1234567 sub/my%20notes.txt\n${ID_A} 5 %E6%97%A5%E6%9C%AC%E8%AA%9E%20%E3%83%8E%E3%83%BC%E3%83%88.txt\n`,
    );
    expect(encodeListBody([])).to.deep.equal(Buffer.alloc(0));
  });

  it('round-trips any list', () => {
    const entryArb = fc.record({
      name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
      size: fc.maxSafeNat(),
      identity: fc.stringMatching(/^[0-9a-f]{64}$/),
    });
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 20 }), (list) => {
        expect(decodeListBody(encodeListBody(list))).to.deep.equal(list);
      }),
    );
    expect(decodeListBody(Buffer.alloc(0))).to.deep.equal([]);
  });

  it('refuses to encode what a reader would refuse (TypeError)', () => {
    expect(() => encodeListBody([{ name: 'a.txt', size: -1, identity: ID_A }])).to.throw(TypeError);
    expect(() => encodeListBody([{ name: 'a.txt', size: 1, identity: ID_A.toUpperCase() }])).to.throw(TypeError);
  });

  const badLines: [string, string][] = [
    ['an upper-case identity', `${ID_A.toUpperCase()} 1 a.txt`],
    ['a short identity', `${'a'.repeat(63)} 1 a.txt`],
    ['a negative size', `${ID_A} -1 a.txt`],
    ['a non-decimal size', `${ID_A} 1k a.txt`],
    ['a size with a leading zero', `${ID_A} 01 a.txt`],
    ['a 17-digit size', `${ID_A} 12345678901234567 a.txt`],
    ['a size past 2^53 - 1', `${ID_A} 9999999999999999 a.txt`],
    ['a missing name', `${ID_A} 1`],
    ['an empty name (trailing space)', `${ID_A} 1 `],
    ['an extra field', `${ID_A} 1 a.txt extra`],
    ['a bad escape in the name', `${ID_A} 1 %zz.txt`],
    ['invalid UTF-8 in the name', `${ID_A} 1 %ff.txt`],
    ['a double space', `${ID_A}  1 a.txt`],
    ['garbage', 'hello'],
  ];
  for (const [what, line] of badLines) {
    it(`refuses the whole list for one line with ${what} (ERR_PEER_PROTOCOL)`, () => {
      const body = Buffer.from(`${ID_B} 3 good.txt\n${line}\n`);
      expect(() => decodeListBody(body)).to.throw(TxtmeshError).with.property('code', 'ERR_PEER_PROTOCOL');
    });
  }

  it(`refuses a list over MAX_LIST_BYTES (${MAX_LIST_BYTES}) before reading it`, () => {
    expect(() => decodeListBody(Buffer.alloc(MAX_LIST_BYTES + 1, 0x0a))).to.throw(TxtmeshError).with.property('code', 'ERR_PEER_PROTOCOL');
  });
});

import { expect } from 'chai';
import { ProtocolError } from '../../src/errors.js';
import { decodeName, encodeHeader, encodeName, parseHeader, sanitizeText } from '../../src/protocol/header.js';
import { expectCode } from '../helpers/expect-code.js';

describe('protocol/header', () => {
  describe('encodeHeader', () => {
    it('joins verb, id, length and args with single spaces and ends with LF', () => {
      expect(encodeHeader('GET', 7, 0, ['a.txt', '0', '13'])).to.deep.equal(Buffer.from('GET 7 0 a.txt 0 13\n'));
      expect(encodeHeader('PUT', 4294967295, 12, ['x.txt', 5])).to.deep.equal(Buffer.from('PUT 4294967295 12 x.txt 5\n'));
    });

    it('encodes a header with no args', () => {
      expect(encodeHeader('LIST', 1, 0)).to.deep.equal(Buffer.from([0x4c, 0x49, 0x53, 0x54, 0x20, 0x31, 0x20, 0x30, 0x0a]));
    });

    it('encodes non-ASCII args as UTF-8', () => {
      expect(encodeHeader('OK', 1, 0, ['é'])).to.deep.equal(Buffer.from([...Buffer.from('OK 1 0 '), 0xc3, 0xa9, 0x0a]));
    });

    it('refuses args that are not wire-safe', () => {
      expect(() => encodeHeader('GET', 1, 0, ['a b'])).to.throw(TypeError);
      expect(() => encodeHeader('GET', 1, 0, [''])).to.throw(TypeError);
      expect(() => encodeHeader('GET', 1, 0, ['a\nb'])).to.throw(TypeError);
      expect(() => encodeHeader('GET', 1, 0, ['a\x7f'])).to.throw(TypeError);
    });
  });

  describe('parseHeader', () => {
    it('reads verb, id, length and args', () => {
      expect(parseHeader('GET 7 0 a.txt 0 13')).to.deep.equal({ verb: 'GET', id: 7, length: 0, args: ['a.txt', '0', '13'] });
      expect(parseHeader('PUT 0 1048576 x.txt')).to.deep.equal({ verb: 'PUT', id: 0, length: 1048576, args: ['x.txt'] });
      expect(parseHeader('LIST 1 0')).to.deep.equal({ verb: 'LIST', id: 1, length: 0, args: [] });
    });

    it('accepts the largest request id and the largest safe length', () => {
      const h = parseHeader(`OK 4294967295 ${Number.MAX_SAFE_INTEGER}`);
      expect(h.id).to.equal(0xffffffff);
      expect(h.length).to.equal(Number.MAX_SAFE_INTEGER);
    });

    it('accepts a CR before the LF (CRLF lines)', () => {
      expect(parseHeader('LIST 3 0\r')).to.deep.equal({ verb: 'LIST', id: 3, length: 0, args: [] });
      expect(parseHeader('INFO 3 0 a.txt\r')).to.deep.equal({ verb: 'INFO', id: 3, length: 0, args: ['a.txt'] });
    });

    it('round-trips what encodeHeader writes', () => {
      const bytes = encodeHeader('GET', 99, 5, ['sub/a%20b.txt', '0', '13']);
      const line = bytes.subarray(0, -1).toString('utf8');
      expect(parseHeader(line)).to.deep.equal({ verb: 'GET', id: 99, length: 5, args: ['sub/a%20b.txt', '0', '13'] });
    });

    it('accepts non-ASCII in args', () => {
      expect(parseHeader('ERR 1 0 ERR_NOT_FOUND no such file: é.txt').args).to.deep.equal(['ERR_NOT_FOUND', 'no', 'such', 'file:', 'é.txt']);
    });

    const bad: [string, string][] = [
      ['empty line', ''],
      ['lower-case verb', 'get 1 0'],
      ['mixed-case verb', 'Get 1 0'],
      ['verb with a digit', 'G3T 1 0'],
      ['verb longer than 16 letters', `${'A'.repeat(17)} 1 0`],
      ['verb only', 'LIST'],
      ['missing length', 'LIST 1'],
      ['hex id', 'LIST 0x1 0'],
      ['negative id', 'LIST -1 0'],
      ['fractional id', 'LIST 1.5 0'],
      ['id with a plus sign', 'LIST +1 0'],
      ['leading-zero id', 'LIST 01 0'],
      ['leading-zero length', 'LIST 1 00'],
      ['exponent length', 'LIST 1 1e3'],
      ['non-decimal length', 'LIST 1 abc'],
      ['id above 0xffffffff', 'LIST 4294967296 0'],
      ['length above MAX_SAFE_INTEGER', 'LIST 1 9999999999999999'],
      ['length with 17 digits', 'LIST 1 10000000000000000'],
      ['double space before id', 'LIST  1 0'],
      ['double space between args', 'GET 1 0 a.txt  0 13'],
      ['trailing space', 'LIST 1 0 '],
      ['leading space', ' LIST 1 0'],
      ['tab separator', 'LIST\t1\t0'],
      ['NUL in an arg', 'INFO 1 0 a\0.txt'],
      ['DEL in an arg', 'INFO 1 0 a\x7f.txt'],
      ['ESC in an arg', 'INFO 1 0 \x1b[31m'],
      ['CR inside the line', 'INFO 1 0 a\rb'],
      ['two trailing CRs', 'LIST 1 0\r\r'],
    ];
    for (const [what, line] of bad) {
      it(`rejects ${what} with ERR_BAD_FRAME`, () => {
        expectCode(() => parseHeader(line), 'ERR_BAD_FRAME', ProtocolError);
      });
    }
  });

  describe('encodeName / decodeName', () => {
    const cases: [string, string][] = [
      ['a.txt', 'a.txt'],
      ['my notes.txt', 'my%20notes.txt'],
      ['100%.txt', '100%25.txt'],
      ['sub/dir/b.txt', 'sub/dir/b.txt'],
      ['résumé.txt', 'r%C3%A9sum%C3%A9.txt'],
      ['日本/メモ.txt', '%E6%97%A5%E6%9C%AC/%E3%83%A1%E3%83%A2.txt'],
      ['😀.txt', '%F0%9F%98%80.txt'],
      ['a+b&c=d?.txt', 'a%2Bb%26c%3Dd%3F.txt'],
    ];
    for (const [name, wire] of cases) {
      it(`encodes ${JSON.stringify(name)} as ${wire} and decodes it back`, () => {
        expect(encodeName(name)).to.equal(wire);
        expect(decodeName(wire)).to.equal(name);
      });
    }

    it('produces a wire-safe field: no spaces, no control characters', () => {
      const field = encodeName('a b\tc\nd\x7f%/é.txt');
      expect(field).to.equal('a%20b%09c%0Ad%7F%25/%C3%A9.txt');
      expect(parseHeader(`INFO 1 0 ${field}`).args).to.deep.equal([field]);
    });

    it('returns undefined for a bad escape', () => {
      expect(decodeName('%zz')).to.equal(undefined);
      expect(decodeName('a%2')).to.equal(undefined);
      expect(decodeName('%')).to.equal(undefined);
    });

    it('returns undefined for invalid UTF-8', () => {
      expect(decodeName('%ff')).to.equal(undefined);
      expect(decodeName('%C3')).to.equal(undefined);
      expect(decodeName('%C3%28')).to.equal(undefined);
    });
  });

  describe('sanitizeText', () => {
    it('turns newlines and other control characters into single spaces', () => {
      expect(sanitizeText('line one\nline two')).to.equal('line one line two');
      expect(sanitizeText('a\r\n\r\nb')).to.equal('a b');
      expect(sanitizeText('a\tb\0c\x7fd')).to.equal('a b c d');
    });

    it('trims leading and trailing whitespace', () => {
      expect(sanitizeText('\n  boom  \r\n')).to.equal('boom');
      expect(sanitizeText('\n\n')).to.equal('');
    });

    it('shortens long text to maxLength with an ellipsis', () => {
      expect(sanitizeText('abcdefg', 5)).to.equal('abcd…');
      expect(sanitizeText('abcde', 5)).to.equal('abcde');
      expect(sanitizeText('x'.repeat(400))).to.equal('x'.repeat(299) + '…');
      // An emoji is two UTF-16 units: a cut between them would send a lone half (U+FFFD).
      expect(sanitizeText('abc😀def', 5)).to.equal('abc…');
      expect(sanitizeText('ab😀def', 5)).to.equal('ab😀…');
    });
  });
});

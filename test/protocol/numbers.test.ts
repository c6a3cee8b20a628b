import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_REQUEST_ID } from '../../src/constants.js';
import { formatNumber, isWireNumber, parseNumber } from '../../src/protocol/numbers.js';

describe('protocol/numbers (the one number rule)', () => {
  it('reads decimal numbers', () => {
    expect(parseNumber('0')).to.equal(0);
    expect(parseNumber('7')).to.equal(7);
    expect(parseNumber('262144')).to.equal(262144);
    expect(parseNumber('9007199254740991')).to.equal(Number.MAX_SAFE_INTEGER);
  });

  const refused: [string, string | undefined][] = [
    ['nothing', undefined],
    ['an empty string', ''],
    ['a leading zero', '007'],
    ['two zeros', '00'],
    ['a sign', '+1'],
    ['a minus', '-1'],
    ['a fraction', '1.5'],
    ['an exponent', '1e3'],
    ['hex', '0x10'],
    ['a space', ' 1'],
    ['a trailing space', '1 '],
    ['letters', 'abc'],
    ['a digit that is not ASCII', '١٢'],
    ['17 digits', '10000000000000000'],
    ['2^53 (16 digits, not safe)', '9007199254740992'],
    ['the largest 16-digit number', '9999999999999999'],
  ];
  for (const [what, text] of refused) {
    it(`refuses ${what}`, () => {
      expect(parseNumber(text)).to.equal(undefined);
    });
  }

  it('refuses a number above the field\'s own maximum', () => {
    expect(parseNumber('4294967295', MAX_REQUEST_ID)).to.equal(MAX_REQUEST_ID);
    expect(parseNumber('4294967296', MAX_REQUEST_ID)).to.equal(undefined);
  });

  it('writes what it reads, and reads back what it writes (any safe integer)', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        const text = formatNumber(n);
        expect(text).to.match(/^(0|[1-9]\d*)$/);
        expect(parseNumber(text)).to.equal(n);
      }),
    );
  });

  it('accepts a string only in the one way it is written (no two spellings of a number)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9+\-. e]{0,18}$/), (text) => {
        const n = parseNumber(text);
        if (n !== undefined) expect(String(n)).to.equal(text);
      }),
    );
  });

  it('refuses to write what the rule cannot carry (a bug in the sender)', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1]) {
      expect(isWireNumber(bad)).to.equal(false);
      expect(() => formatNumber(bad)).to.throw(TypeError);
    }
    expect(() => formatNumber(MAX_REQUEST_ID + 1, MAX_REQUEST_ID)).to.throw(TypeError);
    expect(formatNumber(0)).to.equal('0');
  });
});

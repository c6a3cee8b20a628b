/**
 * Numbers and rates as the options take them, with the option's name in every refusal.
 */
import { expect } from 'chai';
import { checkNumber, parseRate } from '../src/options.js';
import { expectCode } from './helpers/expect-code.js';

describe('options', () => {
  it('checkNumber returns a value that keeps the rule and names the option otherwise', () => {
    expect(checkNumber('--grace', 3, { min: 0 })).to.equal(3);
    const err = expectCode(() => checkNumber('--grace', -1, { min: 0 }), 'ERR_USAGE');
    expect(err.message).to.contain('--grace');
  });

  it('parseRate reads 1024-based units, with or without B, iB and /s', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['65536', 65536],
      ['500k', 500 * 1024],
      ['500K', 500 * 1024],
      ['2M', 2 * 1024 * 1024],
      ['1.5m', 1.5 * 1024 * 1024],
      ['1g', 1024 ** 3],
      ['500KiB/s', 500 * 1024],
      ['2MB', 2 * 1024 * 1024],
      [' 2M ', 2 * 1024 * 1024],
      ['.5k', 512],
    ];
    for (const [text, bytes] of cases) expect(parseRate('--max-download-rate', text), text).to.equal(bytes);
  });

  it('parseRate refuses what is not a rate, naming the option (ERR_USAGE)', () => {
    for (const text of ['', 'fast', '-1', '2X', '2 M B', '1e6', '0.5', 'k', '2M/h']) {
      const err = expectCode(() => parseRate('--max-upload-rate', text), 'ERR_USAGE');
      expect(err.message, text).to.contain('--max-upload-rate').and.contain(JSON.stringify(text));
    }
  });
});

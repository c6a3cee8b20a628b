import { expect } from 'chai';
import { jsonLine, visible } from '../../src/cli/terminal-text.js';

describe('cli/terminal-text', () => {
  it('shows C0, DEL, C1, separators and bidirectional controls as \\u{hex}, and nothing else', () => {
    expect(visible('\u001b[2J\u001b]0;pwned\u0007.txt')).to.equal('\\u{1b}[2J\\u{1b}]0;pwned\\u{7}.txt');
    expect(visible('a\tb\r\nc\u0000d\u007fe')).to.equal('a\\u{9}b\\u{d}\\u{a}c\\u{0}d\\u{7f}e');
    expect(visible('\u009b2J\u0085')).to.equal('\\u{9b}2J\\u{85}');
    expect(visible('txt.\u202eexe\u2066\u2028')).to.equal('txt.\\u{202e}exe\\u{2066}\\u{2028}');
    const plain = 'Grüße, 日本語 😀 "q" \\ ~ ÿ\u00a0é.txt';
    expect(visible(plain)).to.equal(plain);
  });

  it('is idempotent: what it prints has nothing left to escape', () => {
    const once = visible('\u001b\u009b\u202e');
    expect(visible(once)).to.equal(once);
  });

  it('jsonLine: valid JSON of the same value, with no control character left raw', () => {
    const value = { name: '\u001b[2J\u009b\u007f\u2028\u202e.txt', n: 1 };
    const line = jsonLine(value);
    expect(line).to.not.match(/[\u0000-\u001f\u007f-\u009f\u2028\u202e]/);
    expect(line).to.contain('\\u009b').and.contain('\\u007f').and.contain('\\u2028').and.contain('\\u202e');
    expect(JSON.parse(line)).to.deep.equal(value);
    expect(jsonLine({ a: 'plain' })).to.equal(JSON.stringify({ a: 'plain' }));
  });
});

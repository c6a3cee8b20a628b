/**
 * cli/name-glob: which words are names, and what a glob matches.
 */
import { expect } from 'chai';
import { globMatcher, hasGlob, isNameWord } from '../../src/cli/name-glob.js';

describe('cli/name-glob', () => {
  it('words that end in .txt or hold * ? [ are names; the rest are peer IDs', () => {
    expect(['a.txt', 'notes/b.txt', 'notes/*', '*.txt', 'n?.txt', '[ab].txt'].map(isNameWord)).to.deep.equal([true, true, true, true, true, true]);
    expect(['p1', 'alice', 'bob.local', 'txt', '.txt.bak'].map(isNameWord)).to.deep.equal([false, false, false, false, false]);
    expect(hasGlob('a.txt')).to.equal(false);
    expect(hasGlob('a*.txt')).to.equal(true);
  });

  const names = ['a.txt', 'b.txt', 'ab.txt', 'notes/a.txt', 'notes/2026/b.txt', 'my notes.txt', 'x+y.txt', 'a.txt.txt'];
  const cases: [string, string[]][] = [
    ['*.txt', ['a.txt', 'b.txt', 'ab.txt', 'my notes.txt', 'x+y.txt', 'a.txt.txt']],
    ['notes/*.txt', ['notes/a.txt']],
    ['notes/**/*.txt', ['notes/a.txt', 'notes/2026/b.txt']],
    ['**/b.txt', ['b.txt', 'notes/2026/b.txt']],
    ['?.txt', ['a.txt', 'b.txt']],
    ['[ab].txt', ['a.txt', 'b.txt']],
    ['[!a].txt', ['b.txt']],
    ['x+y.txt', ['x+y.txt']],
    ['notes/**', ['notes/a.txt', 'notes/2026/b.txt']],
    ['my notes.txt', ['my notes.txt']],
  ];
  for (const [glob, matched] of cases) {
    it(`${glob} matches ${matched.join(', ')}`, () => {
      expect(names.filter(globMatcher(glob))).to.deep.equal(matched);
    });
  }

  it('an unclosed [ is an ordinary character', () => {
    expect(globMatcher('[a.txt')('[a.txt')).to.equal(true);
    expect(globMatcher('[a.txt')('a.txt')).to.equal(false);
  });
});

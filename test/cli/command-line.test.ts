import { expect } from 'chai';
import { splitCommandLine } from '../../src/cli/command-line.js';
import { expectCode } from '../helpers/expect-code.js';

describe('client/command-line', () => {
  it('splits plain words', () => {
    expect(splitCommandLine('#DOWNLOAD a.txt p1 p2')).to.deep.equal(['#DOWNLOAD', 'a.txt', 'p1', 'p2']);
  });

  it('treats runs of spaces and tabs, and leading/trailing blanks, as one separator', () => {
    expect(splitCommandLine('  #LIST \t\t p1   p2\t ')).to.deep.equal(['#LIST', 'p1', 'p2']);
  });

  it('returns no words for an empty or blank line', () => {
    expect(splitCommandLine('')).to.deep.equal([]);
    expect(splitCommandLine(' \t ')).to.deep.equal([]);
  });

  it('groups a double-quoted name with spaces into one word', () => {
    expect(splitCommandLine('#DOWNLOAD "my notes.txt" p2')).to.deep.equal(['#DOWNLOAD', 'my notes.txt', 'p2']);
    expect(splitCommandLine('#UPLOAD "a  b\tc.txt"')).to.deep.equal(['#UPLOAD', 'a  b\tc.txt']);
  });

  it('joins quoted and unquoted parts of one word', () => {
    expect(splitCommandLine('sub/"my notes".txt x')).to.deep.equal(['sub/my notes.txt', 'x']);
  });

  it('reads \\" and \\\\ inside quotes as " and \\', () => {
    expect(splitCommandLine('"say \\"hi\\".txt"')).to.deep.equal(['say "hi".txt']);
    expect(splitCommandLine('"back\\\\slash.txt"')).to.deep.equal(['back\\slash.txt']);
  });

  it('keeps other backslashes as they are', () => {
    expect(splitCommandLine('"a\\nb"')).to.deep.equal(['a\\nb']);
    expect(splitCommandLine('a\\b')).to.deep.equal(['a\\b']);
  });

  it('outside quotes, a backslash escapes a space, a quote or a backslash, as Tab completion writes them', () => {
    expect(splitCommandLine('#DOWNLOAD my\\ notes.txt p2')).to.deep.equal(['#DOWNLOAD', 'my notes.txt', 'p2']);
    expect(splitCommandLine('say\\"hi\\".txt back\\\\slash')).to.deep.equal(['say"hi".txt', 'back\\slash']);
  });

  it('gives an empty word for ""', () => {
    expect(splitCommandLine('#DOWNLOAD "" p1')).to.deep.equal(['#DOWNLOAD', '', 'p1']);
    expect(splitCommandLine('""')).to.deep.equal(['']);
  });

  it('throws ERR_USAGE for an unterminated quote', () => {
    for (const line of ['#DOWNLOAD "my notes.txt', '"', 'a "b\\"']) expectCode(() => splitCommandLine(line), 'ERR_USAGE');
  });
});

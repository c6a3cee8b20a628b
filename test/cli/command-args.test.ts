/**
 * cli/command-args: a command's words and options, read by its spec, and the words that give
 * an option the value yargs read (so subcommands and the console read one way).
 */
import { expect } from 'chai';
import { optionWords, parseCommandArgs } from '../../src/cli/command-args.js';
import { type CommandSpec, findSpec } from '../../src/cli/command-specs.js';
import { expectCode } from '../helpers/expect-code.js';

const download = findSpec('#DOWNLOAD') as CommandSpec;

describe('cli/command-args', () => {
  it('splits words from flags, one-value and many-value options, in any order', () => {
    const parsed = parseCommandArgs(download, ['a.txt', '--replace', 'b.txt', '--from', 'p1', 'p2', '--version', '1a2b', 'c.txt']);
    expect(parsed.words).to.deep.equal(['a.txt', 'b.txt', 'c.txt']);
    expect([...parsed.flags]).to.deep.equal(['replace']);
    expect(Object.fromEntries(parsed.values)).to.deep.equal({ version: '1a2b' });
    expect(Object.fromEntries(parsed.lists)).to.deep.equal({ from: ['p1', 'p2'] });
  });

  it('a many-value option given twice gathers both; after -- every word is a word', () => {
    const parsed = parseCommandArgs(download, ['--from', 'p1', '--replace', '--from', 'p2', '--', '--odd.txt', 'x.txt']);
    expect(parsed.lists.get('from')).to.deep.equal(['p1', 'p2']);
    expect(parsed.words).to.deep.equal(['--odd.txt', 'x.txt']);
  });

  it('refuses an option the command does not take, and one without its value (ERR_USAGE, with the usage)', () => {
    const unknown = expectCode(() => parseCommandArgs(download, ['a.txt', '--force']), 'ERR_USAGE');
    expect(unknown.message).to.contain('--from, --replace, --version').and.contain(download.usage);
    expectCode(() => parseCommandArgs(download, ['a.txt', '--version']), 'ERR_USAGE');
    expectCode(() => parseCommandArgs(download, ['a.txt', '--version', '--replace']), 'ERR_USAGE');
    expectCode(() => parseCommandArgs(findSpec('#PEERS') as CommandSpec, ['--replace']), 'ERR_USAGE');
  });

  it('gives back the words for what yargs read', () => {
    const [from, replace, version] = download.options ?? [];
    expect(optionWords(replace as never, true)).to.deep.equal(['--replace']);
    expect(optionWords(replace as never, false)).to.deep.equal([]);
    expect(optionWords(version as never, 'abc')).to.deep.equal(['--version', 'abc']);
    expect(optionWords(version as never, undefined)).to.deep.equal([]);
    expect(optionWords(from as never, ['p1', 'p2'])).to.deep.equal(['--from', 'p1', 'p2']);
    expect(optionWords(from as never, [])).to.deep.equal([]);
  });
});

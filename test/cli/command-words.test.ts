/**
 * cli/command-words: the subcommand word in any case, by alias, and the nearest one for a typo.
 */
import { expect } from 'chai';
import { commandIndex, commandWords, nearest, subcommandOf } from '../../src/cli/command-words.js';

describe('cli/command-words', () => {
  it('finds the subcommand after global options and their values', () => {
    const takes = new Set(['--id', '--timeout']);
    expect(commandIndex(['--id', 'p1', '--json', 'files'], takes)).to.equal(3);
    expect(commandIndex(['--timeout', '3'], takes)).to.equal(-1);
    expect(commandIndex(['--', 'files'], takes)).to.equal(-1);
  });

  it('names the subcommand in any case, by the console\'s aliases, and nothing for console-only commands', () => {
    expect(['FILES', 'Files', 'fetch', 'LIST', 'publish', 'versions', 'Restore'].map((w) => subcommandOf(w))).to.deep.equal([
      'files', 'files', 'download', 'filelist', 'share', 'versions', 'restore',
    ]);
    expect(subcommandOf('help')).to.equal(undefined);
    expect(subcommandOf('quit')).to.equal(undefined);
    expect(subcommandOf('#files')).to.equal(undefined);
    expect(subcommandOf('UI', ['ui'])).to.equal('ui');
    expect(commandWords()).to.include.members(['download', 'fetch', 'filelist', 'list', 'share', 'publish']);
  });

  it('suggests the nearest word for a typo, and none for a word far from all', () => {
    const known = [...commandWords(), 'ui'];
    expect(nearest('dowload', known)).to.equal('download');
    expect(nearest('downlaod', known)).to.equal('download');
    expect(nearest('fles', known)).to.equal('files');
    expect(nearest('uplod', known)).to.equal('upload');
    expect(nearest('xyzzy', known)).to.equal(undefined);
    expect(nearest('u', known)).to.equal(undefined);
  });
});

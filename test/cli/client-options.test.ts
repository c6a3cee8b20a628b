/**
 * cli/client-options: the client's lean command-line parsers (no yargs at start-up): the
 * console's, and the plain subcommand lines'; everything else is left to yargs.
 */
import { expect } from 'chai';
import { GLOBAL_OPTIONS, needsFullParser, parseConsoleArgs, parseSubcommandArgs } from '../../src/cli/client-options.js';
import { TxtmeshError } from '../../src/errors.js';

const DEFAULT_TIMEOUT = GLOBAL_OPTIONS.timeout.default;

describe('cli/client-options', () => {
  it('reads the console\'s options, and refuses a stray word or an unknown flag with ERR_USAGE', () => {
    expect(parseConsoleArgs(['--id', 'p5', '--timeout', '3'])).to.include({ id: 'p5', timeout: 3, ui: false });
    for (const bad of [['stray'], ['--nonsense'], ['--id']]) {
      expect(() => parseConsoleArgs(bad), JSON.stringify(bad)).to.throw(TxtmeshError).with.property('code', 'ERR_USAGE');
    }
  });

  it('sends subcommands, --help and --version past the console', () => {
    expect(needsFullParser([])).to.equal(false);
    expect(needsFullParser(['--id', 'files'])).to.equal(false); // a flag's value, not a subcommand
    for (const line of [['files'], ['--help'], ['-h'], ['--version'], ['--dir', 'x', 'download', 'a.txt']]) expect(needsFullParser(line), JSON.stringify(line)).to.equal(true);
  });

  describe('plain subcommand lines', () => {
    it('reads a download: the name, then peers, with global options and --json', () => {
      const lean = parseSubcommandArgs(['download', 'big.txt', 'p1', 'p2', '--json', '--timeout', '5', '--dir', 'files']);
      expect(lean?.spec.name).to.equal('#DOWNLOAD');
      expect(lean?.args).to.deep.equal(['big.txt', 'p1', 'p2']);
      expect(lean?.argv).to.deep.include({ json: true, timeout: 5, dir: 'files', id: undefined });
    });

    it('reads the rate limits, for the console and for a subcommand', () => {
      expect(parseConsoleArgs(['--max-download-rate', '500k', '--max-upload-rate', '2M'])).to.include({ 'max-download-rate': '500k', 'max-upload-rate': '2M' });
      expect(parseSubcommandArgs(['download', 'big.txt', 'p1', '--max-download-rate', '1M'])?.argv).to.deep.include({ 'max-download-rate': '1M' });
    });

    it('reads upload, filelist, discover, peers and files, with the default timeout', () => {
      expect(parseSubcommandArgs(['upload', 'a.txt', 'p3'])?.args).to.deep.equal(['a.txt', 'p3']);
      expect(parseSubcommandArgs(['filelist'])?.args).to.deep.equal([]);
      expect(parseSubcommandArgs(['discover', 'p1'])?.spec.name).to.equal('#DISCOVER');
      expect(parseSubcommandArgs(['peers'])?.argv).to.deep.include({ json: false, timeout: DEFAULT_TIMEOUT });
      expect(parseSubcommandArgs(['files', '--json'])?.argv.json).to.equal(true);
    });

    it('leaves to yargs what it does not take as given', () => {
      for (const line of [
        [],
        ['--help'],
        ['download', '--help'],
        ['--version'],
        ['download'],
        ['download', 'a.txt', '--from', 'p1'],
        ['upload', 'a.txt', '--to', 'p2'],
        ['ping', 'p1'],
        ['share', 'x.txt'],
        ['ui'],
        ['peers', 'extra'],
        ['files', '--nonsense'],
        ['files', '--timeout', 'soon'],
        ['files', '--json=false'],
        ['--id', 'p1', 'files'],
      ]) {
        expect(parseSubcommandArgs(line), JSON.stringify(line)).to.equal(undefined);
      }
    });
  });
});

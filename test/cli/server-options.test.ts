import { expect } from 'chai';
import yargs from 'yargs';
import { type ServerArgs, limitsFromArgs, parseServerArgs, serverOptions } from '../../src/cli/server-options.js';
import { SERVER_DEFAULTS } from '../../src/server/options.js';
import { TxtmeshError } from '../../src/errors.js';

async function parse(...args: string[]): Promise<ServerArgs> {
  return (await serverOptions(yargs(args)).strict().parseAsync()) as unknown as ServerArgs;
}

async function refusal(...args: string[]): Promise<string> {
  const argv = await parse(...args);
  try {
    limitsFromArgs(argv);
  } catch (err) {
    expect((err as TxtmeshError).code).to.equal('ERR_USAGE');
    return (err as Error).message;
  }
  throw new Error('expected ERR_USAGE');
}

describe('cli/server-options', () => {
  it('defaults to the server\'s own limits, in seconds on the command line', async () => {
    expect(limitsFromArgs(await parse())).to.deep.equal(SERVER_DEFAULTS);
    expect(limitsFromArgs(await parse('--idle-timeout', '2.5', '--max-connections', '7'))).to.include({ idleTimeoutMs: 2500, maxConnections: 7 });
  });

  it('names the flag of a bad value, in the flag\'s own unit', async () => {
    expect(await refusal('--max-connections', '0')).to.match(/^--max-connections must be a whole number at least 1, not 0/);
    expect(await refusal('--header-timeout', '0')).to.match(/^--header-timeout must be a number greater than 0, not 0/);
    expect(await refusal('--idle-timeout', '-5')).to.match(/^--idle-timeout must be a number at least 0, not -5/);
    expect(await refusal('--port', '99999')).to.match(/^--port must be a whole number from 0 to 65535, not 99999/);
    expect(await refusal('--grace', '-1')).to.match(/^--grace /);
    expect(await refusal('--keep-versions', '0')).to.match(/^--keep-versions must be a whole number from 1 to 10000, not 0/);
    expect(limitsFromArgs(await parse('--keep-versions', '12'))).to.include({ keepVersions: 12 });
  });

  it('--max-upload-rate takes 2M, 500k or 0 (none), and names itself for anything else', async () => {
    expect(limitsFromArgs(await parse('--max-upload-rate', '2M'))).to.include({ maxUploadRate: 2 * 1024 * 1024 });
    expect(limitsFromArgs(await parse('--max-upload-rate', '500k'))).to.include({ maxUploadRate: 500 * 1024 });
    expect(limitsFromArgs(await parse())).to.include({ maxUploadRate: 0 });
    expect(await refusal('--max-upload-rate', 'lots')).to.match(/^--max-upload-rate must be a rate like 2M, 500k or 65536 \(bytes a second\), or 0 for no limit; not "lots"/);
  });

  describe('the lean parser (no yargs at start-up)', () => {
    /** The flags serverMain reads: what yargs gives for them (it adds camelCase copies and more). */
    async function byYargs(...args: string[]): Promise<Record<string, unknown>> {
      const lean = parseServerArgs([]) as ServerArgs;
      const full = (await parse(...args)) as Record<string, unknown>;
      return Object.fromEntries(Object.keys(lean).map((k) => [k, full[k]]));
    }

    const lines = [
      [],
      ['--port', '9001', '--host', '127.0.0.1'],
      ['--quiet', '--log-format', 'json', '--no-console'],
      ['--console', '--serve-to', 'mesh', '--grace', '2.5'],
      ['--id', 'p2', '--settings', '../x.txt', '--dir', 'files', '--identity', 'id'],
      ['--max-connections', '7', '--idle-timeout', '0', '--header-timeout', '3', '--max-upload', '1000', '--max-header', '4096'],
      ['--secure', '--init-identity'],
      ['--show-identity'],
      ['--rotate-identity', '--no-quiet'],
      ['--port=9002', '--log-format=text'],
      ['--max-upload-rate', '2M', '--quiet'],
    ];
    for (const line of lines) {
      it(`reads ${JSON.stringify(line.join(' '))} as yargs does`, async () => {
        expect(parseServerArgs(line)).to.deep.equal(await byYargs(...line));
      });
    }

    it('leaves to yargs --help, --version and what it does not take as given', () => {
      for (const line of [
        ['--help'],
        ['-h'],
        ['--version'],
        ['--port', 'abc'],
        ['--port', '-1'],
        ['--log-format', 'xml'],
        ['--serve-to', 'all'],
        ['--nonsense'],
        ['stray'],
        ['--port', '1', '--port', '2'],
        ['--quiet=false'],
        ['--logFormat', 'json'],
        ['--dir', '--no-console'],
        ['--console', '--no-console'],
        ['--port'],
      ]) {
        expect(parseServerArgs(line), JSON.stringify(line)).to.equal(undefined);
      }
    });
  });
});

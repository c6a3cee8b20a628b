/**
 * The lean reader of txtmesh-server's command line must read every line it takes exactly as
 * yargs does (the same table, the same defaults), and leave to yargs what it cannot take.
 */
import { expect } from 'chai';
import yargs from 'yargs';
import { leanServerArgs } from '../../src/cli/server-args.js';
import { SERVER_OPTIONS, type ServerArgs, limitsFromArgs, serverOptions } from '../../src/cli/server-options.js';

async function viaYargs(args: string[]): Promise<Record<string, unknown>> {
  const argv = (await serverOptions(yargs(args)).strict().parseAsync()) as unknown as ServerArgs;
  return Object.fromEntries(Object.keys(SERVER_OPTIONS).flatMap((k) => (argv[k] === undefined ? [] : [[k, argv[k]]])));
}

describe('cli/server-args', () => {
  const lines = [
    [],
    ['--port', '0', '--host', '127.0.0.1', '--quiet'],
    ['--log-format', 'json', '--no-console', '--max-connections=7', '--idle-timeout', '2.5'],
    ['--id', 'p1', '--settings', '../s.txt', '--dir', 'x', '--serve-to', 'mesh', '--secure', '--identity', 'id', '--grace', '0'],
    ['--console', '--init-identity'],
  ];
  for (const line of lines) {
    it(`reads ${JSON.stringify(line.join(' '))} as yargs does`, async () => {
      const lean = leanServerArgs(line);
      expect(lean).to.not.equal(undefined);
      expect(lean).to.deep.equal(await viaYargs(line));
      expect(limitsFromArgs(lean as ServerArgs)).to.deep.equal(limitsFromArgs((await viaYargs(line)) as ServerArgs));
    });
  }

  it('leaves --help, --version, unknown flags, stray words, bad numbers and bad choices to yargs', () => {
    for (const line of [['--help'], ['-h'], ['--version'], ['--nope'], ['serve'], ['--port', 'abc'], ['--port', ''], ['--log-format', 'xml'], ['--quiet=yes']]) {
      expect(leanServerArgs(line), line.join(' ')).to.equal(undefined);
    }
  });
});

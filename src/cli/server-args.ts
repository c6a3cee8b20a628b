/**
 * txtmesh-server's command line read without yargs (issue 13, what a server costs at rest):
 * loading yargs costs each server about 8 MB of memory and tens of ms of start-up, and a
 * machine running a hundred peers pays that a hundred times. The options are server-options.ts's
 * table; --help, --version and any command line this reader cannot take whole (an unknown flag,
 * a bad number or choice) are left to yargs (server-parser.ts), which prints help and words
 * the errors.
 */
import { parseArgs } from 'node:util';
import { SERVER_OPTIONS, type ServerArgs } from './server-options.js';

/** The parsed command line, or undefined when yargs must read it. */
export function leanServerArgs(args: readonly string[]): ServerArgs | undefined {
  if (args.some((a) => a === '--help' || a === '-h' || a === '--version')) return undefined;
  const options = Object.fromEntries(Object.entries(SERVER_OPTIONS).map(([name, o]) => [name, { type: o.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false, allowNegative: true }) as { values: Record<string, string | boolean | undefined> });
  } catch {
    return undefined;
  }
  const argv: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(SERVER_OPTIONS)) {
    const value = values[name];
    if (value === undefined) {
      if (o.default !== undefined) argv[name] = o.default;
    } else if (o.type === 'number') {
      const n = Number(value);
      if (value === '' || Number.isNaN(n)) return undefined;
      argv[name] = n;
    } else if (o.choices && !o.choices.includes(String(value))) {
      return undefined;
    } else {
      argv[name] = value;
    }
  }
  return argv as ServerArgs;
}

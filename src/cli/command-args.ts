/**
 * A console command's words and options (`#DOWNLOAD a.txt b.txt --from p1 p2 --replace`),
 * read by the options its spec lists (command-specs.ts). The subcommands hand their options
 * over as the same words (optionWords), so both read one way. Pure.
 */
import { TxtmeshError } from '../errors.js';
import type { CommandOption, CommandSpec } from './command-specs.js';

export interface CommandArgs {
  /** The words that are not options, in order. */
  readonly words: string[];
  /** Options that take nothing, by name, when given. */
  readonly flags: ReadonlySet<string>;
  /** Options that take one word. */
  readonly values: ReadonlyMap<string, string>;
  /** Options that take words up to the next option. */
  readonly lists: ReadonlyMap<string, string[]>;
}

/**
 * Splits `args` into words and the options of `spec`.
 * @throws TxtmeshError ERR_USAGE for an option the command does not take, or one without its value
 */
/** ERR_USAGE: `what` was wrong, with the command's usage line. */
export function usageError(usage: string, what: string): TxtmeshError {
  return new TxtmeshError('ERR_USAGE', `${what}; usage: ${usage}`);
}

export function parseCommandArgs(spec: CommandSpec, args: readonly string[]): CommandArgs {
  const options = new Map((spec.options ?? []).map((o) => [o.name, o]));
  const words: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  let list: string[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    // After `--` every word is a name, even one that starts with --.
    if (arg === '--') {
      words.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      (list ?? words).push(arg);
      continue;
    }
    list = undefined;
    const option = options.get(arg.slice(2));
    if (!option) {
      const known = [...options.keys()].map((n) => `--${n}`).join(', ');
      throw usage(spec, `${spec.name} has no option ${arg}${known ? ` (it takes ${known})` : ''}`);
    }
    if (option.takes === 'nothing') flags.add(option.name);
    else if (option.takes === 'many') lists.set(option.name, (list = lists.get(option.name) ?? []));
    else {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw usage(spec, `--${option.name} needs ${option.value ?? 'a value'}`);
      values.set(option.name, value);
    }
  }
  return { words, flags, values, lists };
}

/** The words that give `option` the value yargs read for it (nothing when it is unset). */
export function optionWords(option: CommandOption, value: unknown): string[] {
  if (option.takes === 'nothing') return value === true ? [`--${option.name}`] : [];
  const given = (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
  return given.length === 0 ? [] : [`--${option.name}`, ...given];
}

function usage(spec: CommandSpec, what: string): TxtmeshError {
  return new TxtmeshError('ERR_USAGE', `${what}; usage: ${spec.usage}`);
}

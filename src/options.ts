/**
 * Checking numeric options where they are used, with the option's name in the message (the way
 * p-limit validates its concurrency): an engine constructor and a command line give the same
 * answer for the same mistake. Pure.
 */
import { TxtmeshError } from './errors.js';

export interface NumberRule {
  /** Smallest allowed value. */
  readonly min: number;
  /** Largest allowed value. */
  readonly max?: number;
  /** The value must be greater than min, not equal to it. */
  readonly exclusive?: boolean;
  readonly integer?: boolean;
}

/**
 * Returns `value` if it follows the rule, else throws ERR_USAGE naming the option.
 * @param name how the option is called where the value came from (`maxConnections`, `--grace`)
 */
export function checkNumber(name: string, value: number, rule: NumberRule): number {
  const ok =
    Number.isFinite(value) &&
    (rule.integer !== true || Number.isInteger(value)) &&
    (rule.exclusive ? value > rule.min : value >= rule.min) &&
    (rule.max === undefined || value <= rule.max);
  if (ok) return value; // the message is worked out only when needed: downloads check eight options each
  const whole = rule.integer ? 'a whole number' : 'a number';
  const lower = rule.exclusive ? `greater than ${rule.min}` : `at least ${rule.min}`;
  const bound = rule.max === undefined ? lower : `from ${rule.min} to ${rule.max}`;
  throw new TxtmeshError('ERR_USAGE', `${name} must be ${whole} ${bound}, not ${String(value)}`);
}

const RATE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * Reads a rate limit as people type it: `2M` (2 MiB/s), `500k`, `1.5m`, `65536`, `0` (no
 * limit); a `B`, `iB` or `/s` after the unit is taken too (`500KiB/s`). Units are 1024-based,
 * as curl's --limit-rate and aria2's --max-download-limit count.
 * @param name the option or command the text came from (`--max-upload-rate`, `#LIMIT up`)
 * @returns bytes a second, a whole number; 0 for no limit
 * @throws TxtmeshError ERR_USAGE naming `name`
 */
export function parseRate(name: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmg]?)(?:i?b)?(?:\/s)?\s*$/i.exec(text);
  const value = match ? Number(match[1]) * (RATE_UNITS[(match[2] as string).toLowerCase()] as number) : NaN;
  if (!Number.isFinite(value) || (value > 0 && value < 1) || value > Number.MAX_SAFE_INTEGER) {
    throw new TxtmeshError('ERR_USAGE', `${name} must be a rate like 2M, 500k or 65536 (bytes a second), or 0 for no limit; not ${JSON.stringify(text)}`);
  }
  return Math.round(value);
}

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
  const whole = rule.integer ? 'a whole number' : 'a number';
  const lower = rule.exclusive ? `greater than ${rule.min}` : `at least ${rule.min}`;
  const bound = rule.max === undefined ? lower : `from ${rule.min} to ${rule.max}`;
  const ok =
    Number.isFinite(value) &&
    (rule.integer !== true || Number.isInteger(value)) &&
    (rule.exclusive ? value > rule.min : value >= rule.min) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) throw new TxtmeshError('ERR_USAGE', `${name} must be ${whole} ${bound}, not ${String(value)}`);
  return value;
}

/**
 * #LIMIT (issue 15): rate limits set live. The console's (and the page's) are what this peer's
 * downloads receive (`down`) and its uploads send (`up`); the server console's `limit up` is
 * what the server sends to every client together (--max-upload-rate). The words are read here
 * for both consoles; the limits themselves are transport/rate-limit.ts's buckets.
 */
import { TxtmeshError } from '../errors.js';
import { parseRate } from '../options.js';
import type { LimitResult } from '../client/results.js';
import type { RateLimit, RateLimits } from '../transport/rate-limit.js';
import { formatBytes, table } from './format.js';

export type Direction = 'up' | 'down';

/** A rate limit as people read it: "2.0 MiB/s", or "none". */
export function formatLimit(rate: number): string {
  return rate > 0 ? `${formatBytes(rate)}/s` : 'none';
}

/**
 * Reads `up RATE`, `down RATE` or both (`none` and `off` mean 0) into the changes they ask for.
 * @param allowed the directions this console has
 * @throws TxtmeshError ERR_USAGE naming the word that is wrong
 */
export function parseLimitArgs(args: readonly string[], allowed: readonly Direction[], usage: string): { direction: Direction; rate: number }[] {
  if (args.length % 2 !== 0) throw new TxtmeshError('ERR_USAGE', `${usage}: a direction (${allowed.join(' or ')}) and a rate such as 2M, 500k or 0`);
  const changes: { direction: Direction; rate: number }[] = [];
  for (let i = 0; i < args.length; i += 2) {
    const direction = (args[i] as string).toLowerCase() as Direction;
    if (!allowed.includes(direction)) throw new TxtmeshError('ERR_USAGE', `${usage}: no direction ${args[i] as string}; here it is ${allowed.join(' or ')}`);
    const text = args[i + 1] as string;
    const rate = /^(none|off)$/i.test(text) ? 0 : parseRate(`#LIMIT ${direction}`, text);
    changes.push({ direction, rate });
  }
  return changes;
}

/** #LIMIT in the console: sets the limits asked for, then says what they all are. */
export function limitCommand(limits: RateLimits, args: readonly string[]): LimitResult {
  const changes = parseLimitArgs(args, ['up', 'down'], '#LIMIT [up RATE] [down RATE]');
  for (const { direction, rate } of changes) limits[direction].rate = rate;
  return limitResult(limits, changes.map((c) => c.direction));
}

/** What the limits are now. */
export function limitResult(limits: RateLimits, changed: readonly Direction[] = []): LimitResult {
  const holding = (['up', 'down'] as const).filter((d) => limits[d].holding);
  return { command: 'limit', up: limits.up.rate, down: limits.down.rate, holding, changed: [...new Set(changed)] };
}

/** The console's lines for a #LIMIT result. */
export function renderLimits(result: LimitResult): string[] {
  const row = (d: Direction, what: string) => {
    const held = result.holding.includes(d) ? ' (holding a transfer back now)' : '';
    const set = result.changed.includes(d) ? ' (just set)' : '';
    return [d, formatLimit(result[d]), `${what}${set}${held}`];
  };
  return [
    'Rate limits of this peer\'s console (1024-based; 0 or none: no limit):',
    ...table([row('down', 'downloads, all sources together'), row('up', 'uploads (#UPLOAD), all peers together')]),
    'The server\'s own limit on what it sends is --max-upload-rate, or "limit up RATE" in its console.',
  ];
}

/** `limit [up RATE]` in the server console: the server's sending limit. */
export function serverLimitLines(limit: RateLimit, args: readonly string[]): string[] {
  const changes = parseLimitArgs(args, ['up'], 'limit [up RATE]');
  for (const { rate } of changes) limit.rate = rate;
  const held = limit.holding ? '; it is holding transfers back now' : '';
  return [`upload limit (all clients together): ${formatLimit(limit.rate)}${changes.length > 0 ? ' (just set)' : ''}${held}`];
}

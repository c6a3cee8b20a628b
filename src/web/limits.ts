/**
 * The page's rate limits (issue 15): the console's own (#LIMIT), shown and set from the page.
 * `down` paces what this peer's downloads receive, `up` what its uploads send; the server's
 * limit on what it sends belongs to the server process (--max-upload-rate, its console).
 */
import { parseRate } from '../options.js';
import type { LimitResult } from '../client/results.js';
import { WebError } from './http.js';
import type { UiContext } from './context.js';

const DIRECTIONS = ['up', 'down'] as const;

/** The limits now, as #LIMIT's result (the page words it as the console does). */
export function limitsOf(ui: UiContext, changed: readonly ('up' | 'down')[] = []): LimitResult & { lines: string[] } {
  const limits = ui.limits;
  const result: LimitResult = {
    command: 'limit',
    up: limits?.up.rate ?? 0,
    down: limits?.down.rate ?? 0,
    holding: DIRECTIONS.filter((d) => limits?.[d].holding === true),
    changed: [...changed],
  };
  return { ...result, lines: ui.render(result) };
}

/**
 * Sets the limits a JSON body names: `{down: "500k"}`, `{up: "2M", down: 0}` (a number is bytes
 * a second; 0 lifts the limit).
 * @returns the directions set
 * @throws TxtmeshError ERR_USAGE for a rate that does not read; WebError ERR_UI_BAD_REQUEST
 */
export function setLimits(ui: UiContext, body: Record<string, unknown>): ('up' | 'down')[] {
  const limits = ui.limits;
  if (!limits) throw new WebError('ERR_UI_BAD_REQUEST', 'this page has no rate limits to set');
  const given = DIRECTIONS.filter((d) => body[d] !== undefined);
  if (given.length === 0) throw new WebError('ERR_UI_BAD_REQUEST', 'name "up" or "down" with a rate such as "2M", "500k" or 0');
  const rates = given.map((d) => {
    const value = body[d];
    if (typeof value !== 'string' && typeof value !== 'number') throw new WebError('ERR_UI_BAD_REQUEST', `"${d}" must be a rate such as "500k", or a number of bytes a second`);
    return parseRate(`the ${d === 'up' ? 'upload' : 'download'} limit`, String(value));
  });
  // Every rate is read before any is set: a bad one changes nothing.
  given.forEach((d, i) => (limits[d].rate = rates[i] as number));
  return given;
}

/**
 * The one number rule of the protocol (docs/PROTOCOL.md, "Numbers"), for every number on the
 * wire: a header's id and length, GET's offset and length, the fields of an INFO answer, the
 * size in a LIST line.
 *
 *   number = "0" / (%x31-39 *15DIGIT)     ; decimal, no sign, no leading zeros, a safe integer
 *
 * `007` is refused: one way to write each number means a reader never has to guess, and a
 * peer's bytes can be compared as written. Pure: no I/O.
 */

/** Most digits a number may have: 2^53 − 1 has 16. */
const MAX_NUMBER_DIGITS = 16;

const ZERO = 0x30;
const NINE = 0x39;

/**
 * Reads a number written by the rule, up to `max` (at most Number.MAX_SAFE_INTEGER).
 * @returns the value, or undefined if `text` breaks the rule or exceeds `max` (each caller
 *   throws the code of its own side: ERR_BAD_FRAME, ERR_BAD_REQUEST or ERR_PEER_PROTOCOL)
 */
export function parseNumber(text: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const digits = text.length;
  if (digits === 0 || digits > MAX_NUMBER_DIGITS) return undefined;
  if (digits > 1 && text.charCodeAt(0) === ZERO) return undefined;
  let value = 0;
  for (let i = 0; i < digits; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return undefined;
    value = value * 10 + (c - ZERO);
  }
  // Past 2^53 the sum may round, but never below 2^53, so the comparison still holds.
  return value <= max ? value : undefined;
}

/** True if `value` can be written by the rule (a safe integer, 0 or more, at most `max`). */
export function isWireNumber(value: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= max;
}

/**
 * Writes a number by the rule.
 * @throws TypeError if `value` is not a safe integer from 0 to `max` (a bug in the sender)
 */
export function formatNumber(value: number, max = Number.MAX_SAFE_INTEGER): string {
  if (!isWireNumber(value, max)) throw new TypeError(`${value} is not a protocol number (a safe integer from 0 to ${max})`);
  return String(value);
}

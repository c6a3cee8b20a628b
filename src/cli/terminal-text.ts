/**
 * Text from the wire or the disk, made safe to print on a terminal. A peer controls the names it
 * lists, the IDs and versions it announces and the words of its errors; printed raw, an
 * `ESC [ 2 J` in a file name clears the screen and an `ESC ] 0 ;` retitles the window (issue
 * 12, item 2). Every control character is shown as `\u{hex}` instead: ESC as `\u{1b}`, BEL as
 * `\u{7}`, the 8-bit CSI as `\u{9b}`. Pure.
 *
 * Made visible: C0 controls (U+0000–U+001F, including tab, CR and LF: one printed line stays one
 * line), DEL, C1 controls (U+0080–U+009F), the line and paragraph separators (U+2028, U+2029)
 * and the bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A–U+202E,
 * U+2066–U+2069), which reorder what is shown and so can disguise a name. A backslash is left
 * as it is, so `\u{1b}` typed literally reads the same as an escaped ESC: --json gives the exact
 * text.
 */

const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character shown as `\u{hex}`. Idempotent. */
export function visible(text: string): string {
  return text.replace(INVISIBLE, (c) => `\\u{${(c.codePointAt(0) as number).toString(16)}}`);
}

/**
 * One JSON document on one line, as JSON.stringify makes it, with the characters JSON.stringify
 * leaves raw (DEL, C1, the separators and bidirectional controls) escaped as `\uXXXX` too, so a
 * JSON line read on a terminal cannot drive it either. Still valid JSON, with the same value.
 */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(INVISIBLE, (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
}

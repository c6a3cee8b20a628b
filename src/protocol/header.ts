/**
 * Header lines (docs/PROTOCOL.md, "Frames"):
 *
 *   VERB SP id SP length *(SP arg) LF        (a CR before the LF is accepted, for nc users)
 *
 * VERB is upper-case ASCII letters; id and length follow the number rule (numbers.ts); each arg
 * is printable and has no spaces (names are percent-encoded). Pure functions: no sockets, no files.
 */
import { MAX_REQUEST_ID } from '../constants.js';
import { ProtocolError } from '../errors.js';
import { protocolViolation } from './messages.js';
import { formatNumber, parseNumber } from './numbers.js';

/** A parsed header line. */
export interface Header {
  readonly verb: string;
  readonly id: number;
  /** Exact length of the body that follows the header. */
  readonly length: number;
  readonly args: readonly string[];
}

const VERB_PATTERN = /^[A-Z]{1,16}$/;
// Printable: no C0 controls, no DEL. Non-ASCII is allowed (UTF-8 in free text).
const CONTROL_PATTERN = /[\u0000-\u001f\u007f]/;

/**
 * Encodes a header line. String args must already be wire-safe (see encodeName); number args
 * are written by the number rule.
 * @example encodeHeader('GET', 7, 0, ['a.txt', 0, 13]) // 'GET 7 0 a.txt 0 13\n'
 * @throws TypeError for a field that is not wire-safe or a number the rule cannot write
 */
export function encodeHeader(verb: string, id: number, length: number, args: readonly (string | number)[] = []): Buffer {
  if (!VERB_PATTERN.test(verb)) throw new TypeError(`verb ${JSON.stringify(verb)} is not wire-safe`);
  let line = `${verb} ${formatNumber(id, MAX_REQUEST_ID)} ${formatNumber(length)}`;
  for (const arg of args) {
    if (typeof arg === 'number') line += ' ' + formatNumber(arg);
    else if (arg === '' || arg.includes(' ') || CONTROL_PATTERN.test(arg)) throw new TypeError(`header field ${JSON.stringify(arg)} is not wire-safe`);
    else line += ' ' + arg;
  }
  return Buffer.from(line + '\n', 'utf8');
}

/**
 * Parses one header line (without its LF; a trailing CR is dropped).
 * @throws ProtocolError ERR_BAD_FRAME when the line does not follow the grammar.
 */
export function parseHeader(line: string): Header {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (CONTROL_PATTERN.test(text)) throw new ProtocolError('ERR_BAD_FRAME', 'header contains control characters');
  const fields = text.split(' ');
  if (fields.length < 3) throw new ProtocolError('ERR_BAD_FRAME', 'header needs at least: VERB id length');
  const [verb, idText, lengthText, ...args] = fields as [string, string, string, ...string[]];
  if (!VERB_PATTERN.test(verb)) throw new ProtocolError('ERR_BAD_FRAME', 'bad verb in header');
  const id = parseNumber(idText, MAX_REQUEST_ID);
  if (id === undefined) throw new ProtocolError('ERR_BAD_FRAME', 'bad request id in header');
  const length = parseNumber(lengthText);
  if (length === undefined) throw new ProtocolError('ERR_BAD_FRAME', 'bad body length in header');
  if (args.some((a) => a === '')) throw new ProtocolError('ERR_BAD_FRAME', 'empty field in header (fields are separated by one space)');
  return { verb, id, length, args };
}

/**
 * Percent-encodes a file name for a header: everything but unreserved characters and '/' is
 * escaped, so spaces, '%' and non-ASCII travel safely and a person can still read the name.
 */
export function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/%2F/g, '/');
}

/** Reverses encodeName; returns undefined for bad escapes or invalid UTF-8. */
export function decodeName(field: string): string | undefined {
  try {
    return decodeURIComponent(field);
  } catch {
    return undefined;
  }
}

/** Makes free text (error messages) header-safe: one line, printable. */
export function sanitizeText(text: string, maxLength = 300): string {
  // Runs of spaces too: the header grammar has exactly one space between fields.
  const clean = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  if (clean.length <= maxLength) return clean;
  // Never cut between the halves of a surrogate pair: the lone half would go out as U+FFFD.
  const end = isHighSurrogate(clean.charCodeAt(maxLength - 2)) ? maxLength - 2 : maxLength - 1;
  return clean.slice(0, end) + '…';
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Checks an OK header against the body it came with. */
export function okHeader(header: Header, body: Buffer): Header {
  if (header.verb !== 'OK') throw protocolViolation(`expected OK, got ${header.verb}`);
  if (body.length !== header.length) throw protocolViolation(`answer body has ${body.length} bytes where the header says ${header.length}`);
  return header;
}

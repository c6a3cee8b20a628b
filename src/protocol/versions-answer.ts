/**
 * The VERSIONS answer (docs/PROTOCOL.md, "VERSIONS"), in ANSWERS like every other: a header,
 * then one line per version,
 *
 *   <identity> SP <size> SP <time> SP <state> SP <percent-encoded name> LF
 *
 * `size` and `time` (ms since 1970) follow the number rule (numbers.ts); `state` is current,
 * replaced or unshared. Pure: no I/O.
 */
import { type Header, decodeName, encodeHeader, encodeName, okHeader, sanitizeText } from './header.js';
import { bodyLines } from './list-body.js';
import { VERSION_STATES, type VersionEntry, type VersionState, identityField, isIdentity, protocolViolation } from './messages.js';
import { formatNumber, parseNumber } from './numbers.js';

/** One line per version, in the order given. */
export function encodeVersionsBody(versions: readonly VersionEntry[]): Buffer {
  let text = '';
  for (const v of versions) {
    if (!VERSION_STATES.includes(v.state)) throw new TypeError(`unknown version state ${JSON.stringify(v.state)}`);
    text += `${identityField(v.identity)} ${formatNumber(v.size)} ${formatNumber(v.time)} ${v.state} ${encodeName(v.name)}\n`;
  }
  return Buffer.from(text, 'utf8');
}

/**
 * Parses a VERSIONS answer's body; a line that does not parse makes the whole answer a
 * protocol violation, as in a LIST body.
 * @throws TxtmeshError ERR_PEER_PROTOCOL
 */
export function decodeVersionsBody(body: Buffer): VersionEntry[] {
  const versions: VersionEntry[] = [];
  for (const line of bodyLines(body, 'version list')) {
    const [identity = '', sizeText, timeText, state = '', field = '', extra] = line.split(' ');
    const size = parseNumber(sizeText);
    const time = parseNumber(timeText);
    const name = decodeName(field);
    const known = (VERSION_STATES as readonly string[]).includes(state);
    if (!isIdentity(identity) || size === undefined || time === undefined || !known || name === undefined || name === '' || extra !== undefined) {
      throw protocolViolation(`bad version list line ${JSON.stringify(sanitizeText(line, 80))}`);
    }
    versions.push({ identity, size, time, state: state as VersionState, name });
  }
  return versions;
}

export interface VersionsAnswer {
  readonly kind: 'VERSIONS';
  readonly id: number;
  readonly versions: readonly VersionEntry[];
}

/**
 * VERSIONS's answer: k versions, one line each; n is the body's length.
 *
 *   OK <id> <n> versions=<k>
 *   <identity> <size> <time> <state> <name> LF   (k times)
 */
export const VERSIONS = {
  encode(a: VersionsAnswer): Buffer[] {
    const body = encodeVersionsBody(a.versions);
    return [encodeHeader('OK', a.id, body.length, [`versions=${formatNumber(a.versions.length)}`]), body];
  },
  // versions= is not checked: the lines are the list.
  decode: (header: Header, body: Buffer = Buffer.alloc(0)): VersionsAnswer => ({ kind: 'VERSIONS', id: okHeader(header, body).id, versions: decodeVersionsBody(body) }),
};

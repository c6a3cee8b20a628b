/**
 * The body of a LIST answer (docs/PROTOCOL.md, "LIST"): one line per file,
 *
 *   <identity> SP <size> SP <percent-encoded name> LF
 *
 * `size` follows the number rule (numbers.ts). Pure: no I/O.
 */
import { MAX_LIST_BYTES } from '../constants.js';
import { decodeName, encodeName, sanitizeText } from './header.js';
import { type FileEntry, identityField, isIdentity, protocolViolation } from './messages.js';
import { formatNumber, parseNumber } from './numbers.js';

/** One `identity size name` line per file, in the order given. */
export function encodeListBody(files: readonly FileEntry[]): Buffer {
  let text = '';
  for (const f of files) {
    text += `${identityField(f.identity)} ${formatNumber(f.size)} ${encodeName(f.name)}\n`;
  }
  return Buffer.from(text, 'utf8');
}

/**
 * Parses a LIST answer's body. A line that does not parse makes the whole answer a protocol
 * violation: a peer that writes one bad line cannot be trusted with the others.
 * @throws TxtmeshError ERR_PEER_PROTOCOL
 */
export function decodeListBody(body: Buffer): FileEntry[] {
  const files: FileEntry[] = [];
  for (const line of bodyLines(body, 'file list')) {
    const [identity = '', sizeText, field = '', extra] = line.split(' ');
    const size = parseNumber(sizeText);
    const name = decodeName(field);
    if (!isIdentity(identity) || size === undefined || name === undefined || name === '' || extra !== undefined) {
      throw protocolViolation(`bad file list line ${JSON.stringify(sanitizeText(line, 80))}`);
    }
    files.push({ identity, size, name });
  }
  return files;
}

/**
 * The lines of a line-per-entry answer body (LIST, VERSIONS), blank ones left out.
 * @throws TxtmeshError ERR_PEER_PROTOCOL when the body is larger than MAX_LIST_BYTES
 */
export function bodyLines(body: Buffer, what: string): string[] {
  if (body.length > MAX_LIST_BYTES) throw protocolViolation(`${what} too large`);
  return body.toString('utf8').split('\n').filter((line) => line !== '');
}

/**
 * Every txtmesh message, with its bytes (docs/PROTOCOL.md has the full description).
 * Requests go client → server, answers server → client; the answer echoes the request id.
 * Pure: builds and reads frames, no I/O.
 */
import { MAX_LIST_BYTES, PIECE_SIZE, PROTOCOL_VERSION } from '../constants.js';
import { type ErrorCode, RemoteError, TxtmeshError, isErrorCode } from '../errors.js';
import { type Header, decodeName, encodeHeader, encodeName, sanitizeText } from './header.js';

/** Requests a server understands. */
export const REQUEST_VERBS = ['HELLO', 'LIST', 'INFO', 'GET', 'PUT'] as const;
export type RequestVerb = (typeof REQUEST_VERBS)[number];

/** Length in bytes of one piece hash (SHA-256). */
export const HASH_BYTES = 32;

/** A file as listed by LIST. */
export interface FileEntry {
  readonly name: string;
  readonly size: number;
  /** Hex SHA-256 over the file's piece hashes. */
  readonly identity: string;
}

/** INFO's answer: what a downloader needs to fetch and verify a file. */
export interface FileInfo extends FileEntry {
  readonly pieceSize: number;
  /** Concatenated 32-byte SHA-256 of each piece. */
  readonly pieceHashes: Buffer;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** True for a lower-case hex SHA-256. */
export function isIdentity(text: string): boolean {
  return HEX64.test(text);
}

// ---- requests --------------------------------------------------------------------------

/** `HELLO <id> 0 txtmesh/1 [peerId]` — version check; answered `OK <id> 0 txtmesh/1 [peer=ID]`. */
export function encodeHello(id: number, peerId?: string): Buffer {
  return encodeHeader('HELLO', id, 0, peerId ? [PROTOCOL_VERSION, peerId] : [PROTOCOL_VERSION]);
}

/** `LIST <id> 0` — answered `OK <id> <n> files=<k>` and a body of k lines `identity size name`. */
export function encodeList(id: number): Buffer {
  return encodeHeader('LIST', id, 0);
}

/**
 * `INFO <id> 0 <name>` — answered
 * `OK <id> <32k> size=<bytes> piece=<piece size> pieces=<k> identity=<hex>` and k raw hashes.
 */
export function encodeInfo(id: number, name: string): Buffer {
  return encodeHeader('INFO', id, 0, [encodeName(name)]);
}

/**
 * `GET <id> 0 <name> <offset> <length> [identity]` — answered `OK <id> <length>` and the bytes.
 * With identity, a server whose file has changed answers ERR_CHANGED instead.
 */
export function encodeGet(id: number, name: string, offset: number, length: number, identity?: string): Buffer {
  const args: (string | number)[] = [encodeName(name), offset, length];
  if (identity) args.push(identity);
  return encodeHeader('GET', id, 0, args);
}

/**
 * `PUT <id> <size> <name> <identity>` then exactly size bytes of file — answered
 * `OK <id> 0 stored` or `OK <id> 0 same` (already there), or ERR.
 */
export function encodePutHeader(id: number, name: string, size: number, identity: string): Buffer {
  return encodeHeader('PUT', id, size, [encodeName(name), identity]);
}

// ---- answers ---------------------------------------------------------------------------

/** `OK <id> <length> [key=value ...]` */
export function encodeOk(id: number, length: number, fields: Record<string, string | number> = {}): Buffer {
  return encodeHeader('OK', id, length, Object.entries(fields).map(([k, v]) => `${k}=${v}`));
}

/** `OK <id> <length> word ...` for answers whose args are plain words (HELLO, PUT). */
export function encodeOkWords(id: number, words: readonly string[], length = 0): Buffer {
  return encodeHeader('OK', id, length, words);
}

/** `ERR <id> 0 <CODE> <message>` — the message is the rest of the line, free text. */
export function encodeError(id: number, code: ErrorCode, message: string): Buffer {
  const text = sanitizeText(message) || code;
  return Buffer.from(`ERR ${id} 0 ${code} ${text}\n`, 'utf8');
}

/** Reads `key=value` args; unknown keys are ignored so later versions can add fields. */
export function readFields(header: Header): Map<string, string> {
  const fields = new Map<string, string>();
  for (const arg of header.args) {
    const eq = arg.indexOf('=');
    if (eq > 0) fields.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
  return fields;
}

/** Turns an ERR header into a RemoteError (unknown codes become ERR_PEER_PROTOCOL). */
export function readError(header: Header): RemoteError {
  const [code = '', ...words] = header.args;
  const message = words.join(' ') || code;
  return isErrorCode(code) ? new RemoteError(code, message) : new RemoteError('ERR_PEER_PROTOCOL', `peer answered unknown error ${sanitizeText(code, 40)}: ${message}`);
}

function protocolViolation(what: string): TxtmeshError {
  return new TxtmeshError('ERR_PEER_PROTOCOL', what);
}

function readCount(fields: Map<string, string>, key: string, max = Number.MAX_SAFE_INTEGER): number {
  const text = fields.get(key);
  if (text === undefined || !/^\d{1,16}$/.test(text) || Number(text) > max) {
    throw protocolViolation(`answer has a missing or bad ${key}`);
  }
  return Number(text);
}

// ---- bodies ----------------------------------------------------------------------------

/** LIST body: one `identity size name` line per file, name percent-encoded. */
export function encodeListBody(files: readonly FileEntry[]): Buffer {
  return Buffer.from(files.map((f) => `${f.identity} ${f.size} ${encodeName(f.name)}\n`).join(''), 'utf8');
}

/** Parses a LIST answer. Lines that do not parse make the whole answer a protocol violation. */
export function decodeListBody(body: Buffer): FileEntry[] {
  if (body.length > MAX_LIST_BYTES) throw protocolViolation('file list too large');
  const files: FileEntry[] = [];
  for (const line of body.toString('utf8').split('\n')) {
    if (line === '') continue;
    const [identity = '', sizeText = '', field = '', extra] = line.split(' ');
    const name = decodeName(field);
    if (!isIdentity(identity) || !/^\d{1,16}$/.test(sizeText) || name === undefined || name === '' || extra !== undefined) {
      throw protocolViolation(`bad file list line ${JSON.stringify(sanitizeText(line, 80))}`);
    }
    files.push({ identity, size: Number(sizeText), name });
  }
  return files;
}

/** Checks an INFO answer's header and body and returns the file's description. */
export function decodeInfo(name: string, header: Header, body: Buffer): FileInfo {
  const fields = readFields(header);
  const size = readCount(fields, 'size');
  const pieceSize = readCount(fields, 'piece');
  const pieces = readCount(fields, 'pieces');
  const identity = fields.get('identity') ?? '';
  if (pieceSize !== PIECE_SIZE) throw protocolViolation(`peer uses piece size ${pieceSize}, expected ${PIECE_SIZE}`);
  if (!isIdentity(identity)) throw protocolViolation('answer has a missing or bad identity');
  if (pieces !== Math.ceil(size / pieceSize)) throw protocolViolation(`piece count ${pieces} does not fit size ${size}`);
  if (body.length !== pieces * HASH_BYTES) throw protocolViolation('piece hash list has the wrong length');
  return { name, size, identity, pieceSize, pieceHashes: body };
}

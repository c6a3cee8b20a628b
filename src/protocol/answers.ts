/**
 * Answers, server → client (docs/PROTOCOL.md, "Answers"): one codec per answer, each an
 * encode/decode pair over a typed answer. Every request gets one answer, OK or ERR, echoing
 * the request's id; `kind` names what the answer answers (or ERR).
 *
 * `encode` returns the frames to send: the header line, then the body when the answer holds
 * it (LIST, INFO). A GET's bytes are not in its answer object: the server streams them from
 * disk after the header, and the client receives them into its own buffer.
 *
 * Decoding is the client's side: an answer that breaks the grammar is a protocol violation
 * (ERR_PEER_PROTOCOL) and the client drops the connection. Unknown `key=value` fields are
 * ignored, so later versions can add some (docs/PROTOCOL.md, "Versioning").
 *
 * A new answer is one more codec in ANSWERS (HAVE and INFO's partial form came that way).
 * Pure: no I/O.
 */
import { HASH_BYTES, MAX_REQUEST_ID, PIECE_SIZE, PROTOCOL_VERSION } from '../constants.js';
import { type ErrorCode, RemoteError, TxtmeshError, codeOf, isErrorCode } from '../errors.js';
import { type Header, encodeHeader, okHeader, sanitizeText } from './header.js';
import { countHeld, decodeBitfield, encodeBitfield } from './bitfield.js';
import { decodeListBody, encodeListBody } from './list-body.js';
import { type FileEntry, identityField, isIdentity, protocolViolation } from './messages.js';
import { formatNumber, parseNumber } from './numbers.js';
import { VERSIONS, type VersionsAnswer } from './versions-answer.js';

export type { VersionsAnswer } from './versions-answer.js';

export interface HelloAnswer {
  readonly kind: 'HELLO';
  readonly id: number;
  /** The ID the server announces. */
  readonly peerId?: string;
  /** The server took the client's claim as an outsider's: it serves it as anonymous. */
  readonly anonymous?: boolean;
}

export interface ListAnswer {
  readonly kind: 'LIST';
  readonly id: number;
  readonly files: readonly FileEntry[];
}

export interface InfoAnswer {
  readonly kind: 'INFO';
  readonly id: number;
  readonly size: number;
  readonly pieceSize: number;
  /** Hex SHA-256 over `pieceHashes`. */
  readonly identity: string;
  /** Concatenated 32-byte SHA-256 of each piece. */
  readonly pieceHashes: Buffer;
  /** A partial holder's answer: one byte per piece, 1 if held (absent: the whole file). */
  readonly have?: Uint8Array;
  /** With `have`: the server holds the whole file and offers only these pieces now (super-seeding). */
  readonly complete?: boolean;
}

export interface HaveAnswer {
  readonly kind: 'HAVE';
  readonly id: number;
  /** One byte per piece, 1 if held. */
  readonly have: Uint8Array;
}

export interface GetAnswer {
  readonly kind: 'GET';
  readonly id: number;
  /** The bytes that follow the header: exactly the length asked for. */
  readonly length: number;
}

export interface PutAnswer {
  readonly kind: 'PUT';
  readonly id: number;
  /**
   * 'stored': the file was published; 'same': the server already had these bytes; 'replaced'
   * (only to a PUT that said `replace`): it took the name, and the version it replaced is kept.
   */
  readonly result: 'stored' | 'same' | 'replaced';
  /** The identity of the version a 'replaced' answer kept. */
  readonly kept?: string;
}

export interface ErrAnswer {
  readonly kind: 'ERR';
  /** The request's id, or 0 when the server could not parse a frame or refused the connection. */
  readonly id: number;
  readonly code: ErrorCode;
  /** For people; never branched on. */
  readonly message: string;
}

export type Answer = HelloAnswer | ListAnswer | InfoAnswer | HaveAnswer | GetAnswer | PutAnswer | VersionsAnswer | ErrAnswer;
export type AnswerKind = Answer['kind'];

export interface AnswerCodec<A extends Answer> {
  /** The header line, then the body if the answer holds it. @throws TypeError for a field the grammar cannot carry */
  encode(answer: A): Buffer[];
  /** @throws TxtmeshError ERR_PEER_PROTOCOL */
  decode(header: Header, body?: Buffer): A;
}

const EMPTY = Buffer.alloc(0);

/** Reads `key=value` args; unknown keys are ignored so later versions can add fields. */
function readFields(args: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq > 0) fields.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
  return fields;
}

function readCount(fields: Map<string, string>, key: string): number {
  const value = parseNumber(fields.get(key));
  if (value === undefined) throw protocolViolation(`answer has a missing or bad ${key}`);
  return value;
}


/**
 * HELLO's answer: the protocol version, then the server's peer ID, and `as=anonymous` when the
 * server took the client's claim as an outsider's (docs/PROTOCOL.md, "HELLO").
 *
 *   OK <id> 0 txtmesh/1 [peer=<peer-id>] [as=anonymous]
 */
const HELLO: AnswerCodec<HelloAnswer> = {
  encode: (a) => [encodeHeader('OK', a.id, 0, [PROTOCOL_VERSION, ...(a.peerId === undefined ? [] : [`peer=${a.peerId}`]), ...(a.anonymous ? ['as=anonymous'] : [])])],
  decode(header, body = EMPTY) {
    const [version, ...rest] = okHeader(header, body).args;
    if (version !== PROTOCOL_VERSION) throw protocolViolation(`peer speaks ${sanitizeText(version ?? 'an unknown protocol', 40)}, not ${PROTOCOL_VERSION}`);
    const fields = readFields(rest);
    const peerId = fields.get('peer');
    return { kind: 'HELLO', id: header.id, ...(peerId === undefined ? {} : { peerId }), ...(fields.get('as') === 'anonymous' ? { anonymous: true } : {}) };
  },
};

/**
 * LIST's answer: k files, one line each (list-body.ts); n is the body's length in bytes.
 *
 *   OK <id> <n> files=<k>
 *   <identity> <size> <name> LF   (k times)
 */
const LIST: AnswerCodec<ListAnswer> = {
  encode(a) {
    const body = encodeListBody(a.files);
    return [encodeHeader('OK', a.id, body.length, [`files=${formatNumber(a.files.length)}`]), body];
  },
  // files= is not checked: the lines are the list.
  decode: (header, body = EMPTY) => ({ kind: 'LIST', id: okHeader(header, body).id, files: decodeListBody(body) }),
};

/**
 * INFO's answer: the file's size, the piece size, its k pieces and identity, then the k raw
 * 32-byte piece hashes. A partial holder (asked with `partial`) adds `have=<h>`, the number of
 * pieces it holds, and its bitfield after the hashes (bitfield.ts); a full holder that offers
 * only some pieces (super-seeding) answers the same, and adds `complete=1`.
 *
 *   OK <id> <32k> size=<bytes> piece=262144 pieces=<k> identity=<64 hex>
 *   <32k bytes>
 *   OK <id> <32k + ceil(k/8)> size=<bytes> piece=262144 pieces=<k> identity=<64 hex> have=<h>
 *   <32k bytes><ceil(k/8) bytes>
 */
const INFO: AnswerCodec<InfoAnswer> = {
  encode(a) {
    if (a.pieceHashes.length % HASH_BYTES !== 0) throw new TypeError(`piece hash list of ${a.pieceHashes.length} bytes is not whole hashes`);
    identityField(a.identity);
    const fields = [`size=${formatNumber(a.size)}`, `piece=${formatNumber(a.pieceSize)}`, `pieces=${a.pieceHashes.length / HASH_BYTES}`, `identity=${a.identity}`];
    if (!a.have) return [encodeHeader('OK', a.id, a.pieceHashes.length, fields), a.pieceHashes];
    const bits = encodeBitfield(a.have);
    const held = [`have=${countHeld(a.have)}`, ...(a.complete ? ['complete=1'] : [])];
    return [encodeHeader('OK', a.id, a.pieceHashes.length + bits.length, [...fields, ...held]), a.pieceHashes, bits];
  },
  decode(header, body = EMPTY) {
    const fields = readFields(okHeader(header, body).args);
    const size = readCount(fields, 'size');
    const pieceSize = readCount(fields, 'piece');
    const pieces = readCount(fields, 'pieces');
    const identity = fields.get('identity') ?? '';
    if (pieceSize !== PIECE_SIZE) throw protocolViolation(`peer uses piece size ${pieceSize}, expected ${PIECE_SIZE}`);
    if (!isIdentity(identity)) throw protocolViolation('answer has a missing or bad identity');
    if (pieces !== Math.ceil(size / pieceSize)) throw protocolViolation(`piece count ${pieces} does not fit size ${size}`);
    if (!fields.has('have')) {
      if (body.length !== pieces * HASH_BYTES) throw protocolViolation('piece hash list has the wrong length');
      return { kind: 'INFO', id: header.id, size, pieceSize, identity, pieceHashes: body };
    }
    const have = readHolding(fields, body.subarray(pieces * HASH_BYTES), pieces);
    const complete = fields.get('complete') === '1' ? { complete: true } : {};
    return { kind: 'INFO', id: header.id, size, pieceSize, identity, pieceHashes: body.subarray(0, pieces * HASH_BYTES), have, ...complete };
  },
};

/** A bitfield and the `have=` count that must agree with it. */
function readHolding(fields: Map<string, string>, bits: Buffer, pieces: number): Uint8Array {
  const have = decodeBitfield(bits, pieces);
  if (countHeld(have) !== readCount(fields, 'have')) throw protocolViolation('have= does not match the bitfield');
  return have;
}

/**
 * HAVE's answer: how many pieces the version has, how many the server holds, and its bitfield.
 *
 *   OK <id> <ceil(k/8)> pieces=<k> have=<h>
 *   <ceil(k/8) bytes>
 */
const HAVE: AnswerCodec<HaveAnswer> = {
  encode(a) {
    const bits = encodeBitfield(a.have);
    return [encodeHeader('OK', a.id, bits.length, [`pieces=${formatNumber(a.have.length)}`, `have=${countHeld(a.have)}`]), bits];
  },
  decode(header, body = EMPTY) {
    const fields = readFields(okHeader(header, body).args);
    return { kind: 'HAVE', id: header.id, have: readHolding(fields, body, readCount(fields, 'pieces')) };
  },
};

/**
 * GET's answer: the range's bytes follow the header (streamed by the sender, not encoded here).
 *
 *   OK <id> <length>
 *   <length bytes>
 */
const GET: AnswerCodec<GetAnswer> = {
  encode: (a) => [encodeHeader('OK', a.id, a.length)],
  decode: (header, body = EMPTY) => ({ kind: 'GET', id: header.id, length: okHeader(header, body).length }),
};

/**
 * PUT's answer: `stored` (published), `same` (the server had these bytes already), or, to a
 * PUT that said `replace`, `replaced` and the identity of the version it kept.
 *
 *   OK <id> 0 stored|same
 *   OK <id> 0 replaced <kept identity>
 */
const PUT: AnswerCodec<PutAnswer> = {
  encode: (a) => [encodeHeader('OK', a.id, 0, a.result === 'replaced' && a.kept !== undefined ? [a.result, a.kept] : [a.result])],
  decode(header, body = EMPTY) {
    const [result, kept] = okHeader(header, body).args;
    if (result !== 'stored' && result !== 'same' && result !== 'replaced') throw protocolViolation(`PUT answered with ${sanitizeText(result ?? 'nothing', 40)}`);
    if (result === 'replaced' && kept !== undefined && isIdentity(kept)) return { kind: 'PUT', id: header.id, result, kept };
    return { kind: 'PUT', id: header.id, result };
  },
};

function encodeErr(a: ErrAnswer): Buffer {
  const message = sanitizeText(a.message) || a.code;
  return Buffer.from(`ERR ${formatNumber(a.id, MAX_REQUEST_ID)} 0 ${a.code} ${message}\n`, 'utf8');
}

/**
 * An error: a stable code, then free text for people (the rest of the line, made one line of
 * single spaces by sanitizeText, the code again if it comes out empty). No body.
 *
 *   ERR <id> 0 <code> <message>
 *
 * A code the reader does not know becomes ERR_PEER_PROTOCOL for that request only.
 */
const ERR: AnswerCodec<ErrAnswer> = {
  encode: (a) => [encodeErr(a)],
  decode(header, body = EMPTY) {
    if (header.verb !== 'ERR') throw protocolViolation(`expected ERR, got ${header.verb}`);
    if (header.length !== 0 || body.length !== 0) throw protocolViolation('ERR answer with a body');
    const [code = '', ...words] = header.args;
    const message = words.join(' ') || code;
    if (isErrorCode(code)) return { kind: 'ERR', id: header.id, code, message };
    return { kind: 'ERR', id: header.id, code: 'ERR_PEER_PROTOCOL', message: `peer answered unknown error ${sanitizeText(code, 40)}: ${message}` };
  },
};

/** The codec of each answer. */
export const ANSWERS: { readonly [K in AnswerKind]: AnswerCodec<Extract<Answer, { kind: K }>> } = { HELLO, LIST, INFO, HAVE, GET, PUT, VERSIONS, ERR };

/** The frames of any answer (its codec's encode). */
export function encodeAnswer(answer: Answer): Buffer[] {
  return (ANSWERS[answer.kind] as AnswerCodec<Answer>).encode(answer);
}

/** The ERR answer for a failure: its code and message (ERR_INTERNAL for anything not txtmesh's own). */
export function errAnswer(id: number, err: unknown): ErrAnswer {
  return { kind: 'ERR', id, code: codeOf(err), message: err instanceof TxtmeshError ? err.message : 'internal error' };
}

/** The error an ERR answer reports, for the request it answers. */
export function errorOf(answer: ErrAnswer): RemoteError {
  return new RemoteError(answer.code, answer.message);
}

/** The one frame of the ERR answer for a failure, for a server about to close the connection. */
export function errFrame(id: number, err: unknown): Buffer {
  return encodeErr(errAnswer(id, err));
}

/** 'OK', or the answer's error code: what the request log and the server's counters record. */
export function statusOf(answer: Answer): 'OK' | ErrorCode {
  return answer.kind === 'ERR' ? answer.code : 'OK';
}

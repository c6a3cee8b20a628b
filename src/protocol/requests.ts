/**
 * Requests, client → server (docs/PROTOCOL.md, "Requests"): one codec per verb, each an
 * encode/decode pair over a typed request. `encode` writes the header line (a PUT's file
 * follows it); `decode` reads the typed request out of a parsed header.
 *
 * Decoding is the server's side, so its errors are answers the connection survives:
 * ERR_BAD_REQUEST for a missing or malformed arg, ERR_BAD_NAME for a name that does not
 * percent-decode (or that the server's `checkName` refuses, checked in the order the spec
 * gives: a bad name before a bad number), ERR_UNKNOWN_COMMAND for a verb with no codec.
 * Args after the ones a request uses are ignored (docs/PROTOCOL.md, "Versioning").
 *
 * A new request is one more codec in REQUESTS. Pure: no I/O.
 */
import { PROTOCOL_VERSION } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import { type Header, decodeName, encodeHeader, encodeName } from './header.js';
import { identityField, isIdentity } from './messages.js';
import { parseNumber } from './numbers.js';

export interface HelloRequest {
  readonly verb: 'HELLO';
  readonly id: number;
  /** The peer ID the client claims to be (a member of the mesh). */
  readonly peerId?: string;
}

export interface ListRequest {
  readonly verb: 'LIST';
  readonly id: number;
}

export interface InfoRequest {
  readonly verb: 'INFO';
  readonly id: number;
  readonly name: string;
  /** The client takes a partial holder's answer (a peer still downloading the file). */
  readonly partial?: boolean;
}

export interface HaveRequest {
  readonly verb: 'HAVE';
  readonly id: number;
  readonly name: string;
  /** The version whose pieces are asked about. */
  readonly identity: string;
}

export interface GetRequest {
  readonly verb: 'GET';
  readonly id: number;
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  /** Serve only this version: a server whose file has another identity answers ERR_CHANGED. */
  readonly identity?: string;
}

export interface PutRequest {
  readonly verb: 'PUT';
  readonly id: number;
  readonly name: string;
  /** The file's size: the body that follows the header. */
  readonly size: number;
  /** The identity the sender claims for the body. */
  readonly identity: string;
  /** Take the name even if another version holds it (that one is kept in the versions area). */
  readonly replace?: boolean;
}

export interface VersionsRequest {
  readonly verb: 'VERSIONS';
  readonly id: number;
  /** One name's versions; without it, every name's. */
  readonly name?: string;
}

export type Request = HelloRequest | ListRequest | InfoRequest | GetRequest | PutRequest | HaveRequest | VersionsRequest;
export type RequestVerb = Request['verb'];

export interface RequestDecodeOptions {
  /** The server's name rules, applied right after percent-decoding (storage/names.ts checkName). */
  readonly checkName?: (name: string) => string;
}

export interface RequestCodec<R extends Request> {
  /** True if the request has a body (its length is the header's); else the body must be empty. */
  readonly hasBody: boolean;
  /** The header line. @throws TypeError for a field the grammar cannot carry (a bug in the sender) */
  encode(request: R): Buffer;
  /** @throws TxtmeshError ERR_BAD_REQUEST or ERR_BAD_NAME */
  decode(header: Header, options?: RequestDecodeOptions): R;
}

function badRequest(message: string): TxtmeshError {
  return new TxtmeshError('ERR_BAD_REQUEST', message);
}

function nameArg(header: Header, index: number, options: RequestDecodeOptions | undefined): string {
  const field = header.args[index];
  if (field === undefined) throw badRequest(`${header.verb} needs a file name`);
  const name = decodeName(field);
  if (name === undefined) throw new TxtmeshError('ERR_BAD_NAME', 'file name has a bad percent-escape or invalid UTF-8');
  return options?.checkName ? options.checkName(name) : name;
}

function numberArg(header: Header, index: number, what: string): number {
  const text = header.args[index];
  const value = parseNumber(text);
  if (value !== undefined) return value;
  // Digits without a leading zero that still fail the rule are a number too large to carry.
  if (text !== undefined && /^[1-9][0-9]*$/.test(text)) throw badRequest(`${header.verb} ${what} ${text} is too large: a number on the wire is at most ${Number.MAX_SAFE_INTEGER} (2^53 - 1)`);
  throw badRequest(`${header.verb} needs a decimal ${what} (digits, no leading zeros)`);
}

/**
 * HELLO: checks the protocol version; with a peer ID, claims to be that peer.
 *
 *   HELLO <id> 0 txtmesh/1 [<peer-id>]
 */
const HELLO: RequestCodec<HelloRequest> = {
  hasBody: false,
  encode: (r) => encodeHeader('HELLO', r.id, 0, r.peerId === undefined ? [PROTOCOL_VERSION] : [PROTOCOL_VERSION, r.peerId]),
  decode(header) {
    const version = header.args[0];
    if (version !== PROTOCOL_VERSION) throw badRequest(`unsupported protocol ${version ?? '(none)'}; this server speaks ${PROTOCOL_VERSION}`);
    const peerId = header.args[1];
    return peerId === undefined ? { verb: 'HELLO', id: header.id } : { verb: 'HELLO', id: header.id, peerId };
  },
};

/**
 * LIST: every file the server serves.
 *
 *   LIST <id> 0
 */
const LIST: RequestCodec<ListRequest> = {
  hasBody: false,
  encode: (r) => encodeHeader('LIST', r.id, 0),
  decode: (header) => ({ verb: 'LIST', id: header.id }),
};

/**
 * INFO: size, identity and piece hashes of one file. With `partial`, a peer still downloading
 * the file may answer with the pieces it holds (answers.ts).
 *
 *   INFO <id> 0 <name> [partial]
 */
const INFO: RequestCodec<InfoRequest> = {
  hasBody: false,
  encode: (r) => encodeHeader('INFO', r.id, 0, r.partial ? [encodeName(r.name), 'partial'] : [encodeName(r.name)]),
  decode(header, options) {
    const name = nameArg(header, 0, options);
    return header.args[1] === 'partial' ? { verb: 'INFO', id: header.id, name, partial: true } : { verb: 'INFO', id: header.id, name };
  },
};

/**
 * HAVE: which pieces of one version of a file the server holds now (a partial holder's
 * answer changes as its download goes on).
 *
 *   HAVE <id> 0 <name> <identity>
 */
const HAVE: RequestCodec<HaveRequest> = {
  hasBody: false,
  encode: (r) => encodeHeader('HAVE', r.id, 0, [encodeName(r.name), identityField(r.identity)]),
  decode(header, options) {
    const name = nameArg(header, 0, options);
    const identity = header.args[1];
    if (identity === undefined || !isIdentity(identity)) throw badRequest('HAVE needs the file identity (64 lower-case hex digits)');
    return { verb: 'HAVE', id: header.id, name, identity };
  },
};

/**
 * GET: a byte range of one file, optionally only of the version with `identity`.
 *
 *   GET <id> 0 <name> <offset> <length> [<identity>]
 */
const GET: RequestCodec<GetRequest> = {
  hasBody: false,
  encode(r) {
    const args: (string | number)[] = [encodeName(r.name), r.offset, r.length];
    if (r.identity !== undefined) args.push(identityField(r.identity));
    return encodeHeader('GET', r.id, 0, args);
  },
  decode(header, options) {
    const name = nameArg(header, 0, options);
    const offset = numberArg(header, 1, 'offset');
    const length = numberArg(header, 2, 'length');
    const identity = header.args[3];
    if (identity === undefined) return { verb: 'GET', id: header.id, name, offset, length };
    if (!isIdentity(identity)) throw badRequest('GET identity must be 64 lower-case hex digits');
    return { verb: 'GET', id: header.id, name, offset, length, identity };
  },
};

/**
 * PUT: uploads one file; the header's length is the file's size, and the file follows. The
 * word `replace` asks the server to let it take the name from another version (an older
 * server ignores the word, and answers ERR_EXISTS as before).
 *
 *   PUT <id> <size> <name> <identity> [replace]
 *   <size bytes>
 */
const PUT: RequestCodec<PutRequest> = {
  hasBody: true,
  encode(r) {
    const args = [encodeName(r.name), identityField(r.identity)];
    if (r.replace) args.push('replace');
    return encodeHeader('PUT', r.id, r.size, args);
  },
  decode(header, options) {
    const name = nameArg(header, 0, options);
    const identity = header.args[1];
    if (identity === undefined || !isIdentity(identity)) throw badRequest('PUT needs the file identity (64 lower-case hex digits)');
    const request: PutRequest = { verb: 'PUT', id: header.id, name, size: header.length, identity };
    return header.args[2] === 'replace' ? { ...request, replace: true } : request;
  },
};

/**
 * VERSIONS: the versions of one name the server holds (under the name, and kept in its
 * versions area), or of every name when no name is given.
 *
 *   VERSIONS <id> 0 [<name>]
 */
const VERSIONS: RequestCodec<VersionsRequest> = {
  hasBody: false,
  encode: (r) => encodeHeader('VERSIONS', r.id, 0, r.name === undefined ? [] : [encodeName(r.name)]),
  decode: (header, options) =>
    header.args[0] === undefined ? { verb: 'VERSIONS', id: header.id } : { verb: 'VERSIONS', id: header.id, name: nameArg(header, 0, options) },
};

/** The codec of each request verb. */
export const REQUESTS: { readonly [V in RequestVerb]: RequestCodec<Extract<Request, { verb: V }>> } = { HELLO, LIST, INFO, GET, PUT, HAVE, VERSIONS };

/** Verbs a server understands, in the order error messages list them. */
export const REQUEST_VERBS = Object.keys(REQUESTS) as RequestVerb[];

/** The codec for `verb`, or undefined for a verb txtmesh/1 does not have. */
export function requestCodec(verb: string): RequestCodec<Request> | undefined {
  return Object.hasOwn(REQUESTS, verb) ? (REQUESTS[verb as RequestVerb] as RequestCodec<Request>) : undefined;
}

/**
 * The typed request a header carries.
 * @throws TxtmeshError ERR_UNKNOWN_COMMAND, ERR_BAD_REQUEST or ERR_BAD_NAME
 */
export function decodeRequest(header: Header, options?: RequestDecodeOptions): Request {
  const codec = requestCodec(header.verb);
  if (!codec) throw new TxtmeshError('ERR_UNKNOWN_COMMAND', `unknown command ${header.verb}; known: ${REQUEST_VERBS.join(' ')}`);
  return codec.decode(header, options);
}

/**
 * Request codecs: exact bytes, a round trip of every request through the frame grammar, and
 * what decoding answers to missing, malformed and hostile args.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_REQUEST_ID } from '../../src/constants.js';
import { TxtmeshError } from '../../src/errors.js';
import { type Header, parseHeader } from '../../src/protocol/header.js';
import { REQUESTS, REQUEST_VERBS, type Request, type RequestDecodeOptions, decodeRequest } from '../../src/protocol/requests.js';
import { checkName } from '../../src/storage/names.js';

const ID_A = 'a'.repeat(64);
const ID_B = '0123456789abcdef'.repeat(4);

/** The header of one encoded line (which must end with its only LF). */
function headerOf(bytes: Buffer): Header {
  expect(bytes.indexOf(0x0a)).to.equal(bytes.length - 1);
  return parseHeader(bytes.subarray(0, -1).toString('utf8'));
}

function encode(request: Request): Buffer {
  // Each codec takes its own request type; the verb picks the codec.
  return (REQUESTS[request.verb] as { encode(r: Request): Buffer }).encode(request);
}

function decodeLine(line: string, options?: RequestDecodeOptions): Request {
  return decodeRequest(parseHeader(line), options);
}

const idArb = fc.integer({ min: 0, max: MAX_REQUEST_ID });
// Any text, non-ASCII included (no lone surrogates: names are UTF-8 on the wire).
const nameArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const identityArb = fc.stringMatching(/^[0-9a-f]{64}$/);
const peerIdArb = fc.stringMatching(/^[!-~]{1,24}$/);
const requestArb: fc.Arbitrary<Request> = fc.oneof(
  fc.record({ verb: fc.constant('HELLO' as const), id: idArb, peerId: peerIdArb }, { requiredKeys: ['verb', 'id'] }),
  fc.record({ verb: fc.constant('LIST' as const), id: idArb }),
  fc.record({ verb: fc.constant('INFO' as const), id: idArb, name: nameArb }),
  fc.record(
    { verb: fc.constant('GET' as const), id: idArb, name: nameArb, offset: fc.maxSafeNat(), length: fc.maxSafeNat(), identity: identityArb },
    { requiredKeys: ['verb', 'id', 'name', 'offset', 'length'] },
  ),
  fc.record({ verb: fc.constant('PUT' as const), id: idArb, name: nameArb, size: fc.maxSafeNat(), identity: identityArb }),
  fc.record({ verb: fc.constant('PUT' as const), id: idArb, name: nameArb, size: fc.maxSafeNat(), identity: identityArb, replace: fc.constant(true) }),
  fc.record({ verb: fc.constant('VERSIONS' as const), id: idArb, name: nameArb }, { requiredKeys: ['verb', 'id'] }),
);

describe('protocol/requests', () => {
  describe('exact bytes', () => {
    const cases: [Request, string][] = [
      [{ verb: 'HELLO', id: 1 }, 'HELLO 1 0 txtmesh/1\n'],
      [{ verb: 'HELLO', id: 2, peerId: 'peer-7' }, 'HELLO 2 0 txtmesh/1 peer-7\n'],
      [{ verb: 'LIST', id: 3 }, 'LIST 3 0\n'],
      [{ verb: 'INFO', id: 4, name: 'a.txt' }, 'INFO 4 0 a.txt\n'],
      [{ verb: 'INFO', id: 5, name: 'sub/my notes é.txt' }, 'INFO 5 0 sub/my%20notes%20%C3%A9.txt\n'],
      [{ verb: 'GET', id: 6, name: 'a.txt', offset: 0, length: 13 }, 'GET 6 0 a.txt 0 13\n'],
      [{ verb: 'GET', id: 7, name: 'my notes.txt', offset: 262144, length: 524288, identity: ID_B }, `GET 7 0 my%20notes.txt 262144 524288 ${ID_B}\n`],
      [{ verb: 'PUT', id: 8, name: '100%.txt', size: 42, identity: ID_A }, `PUT 8 42 100%25.txt ${ID_A}\n`],
      [{ verb: 'PUT', id: 10, name: 'a.txt', size: 3, identity: ID_A, replace: true }, `PUT 10 3 a.txt ${ID_A} replace\n`],
      [{ verb: 'VERSIONS', id: 11, name: 'my notes.txt' }, 'VERSIONS 11 0 my%20notes.txt\n'],
      [{ verb: 'VERSIONS', id: 12 }, 'VERSIONS 12 0\n'],
      [{ verb: 'GET', id: MAX_REQUEST_ID, name: 'z.txt', offset: Number.MAX_SAFE_INTEGER, length: 0 }, `GET 4294967295 0 z.txt 9007199254740991 0\n`],
    ];
    for (const [request, wire] of cases) {
      it(`${request.verb} ${request.id}: ${JSON.stringify(wire)}`, () => {
        expect(encode(request).toString('utf8')).to.equal(wire);
        expect(decodeRequest(headerOf(encode(request)))).to.deep.equal(request);
      });
    }

    it("a PUT's header length is the file's size: its body follows", () => {
      expect(headerOf(encode({ verb: 'PUT', id: 1, name: 'x.txt', size: 9, identity: ID_A })).length).to.equal(9);
      expect(REQUESTS.PUT.hasBody).to.equal(true);
      for (const verb of ['HELLO', 'LIST', 'INFO', 'GET', 'VERSIONS'] as const) expect(REQUESTS[verb].hasBody).to.equal(false);
    });
  });

  it('round-trips every request through its header line', () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        expect(decodeRequest(headerOf(encode(request)))).to.deep.equal(request);
      }),
      { numRuns: 500 },
    );
  });

  describe('encode refuses what the grammar cannot carry (TypeError: a bug in the sender)', () => {
    const bad: [string, Request][] = [
      ['an empty name', { verb: 'INFO', id: 1, name: '' }],
      ['a negative offset', { verb: 'GET', id: 1, name: 'a.txt', offset: -1, length: 1 }],
      ['a fractional length', { verb: 'GET', id: 1, name: 'a.txt', offset: 0, length: 1.5 }],
      ['an upper-case identity', { verb: 'GET', id: 1, name: 'a.txt', offset: 0, length: 1, identity: ID_B.toUpperCase() }],
      ['a short identity', { verb: 'PUT', id: 1, name: 'a.txt', size: 1, identity: 'abc' }],
      ['an id above 2^32 - 1', { verb: 'LIST', id: MAX_REQUEST_ID + 1 }],
      ['a peer ID with a space', { verb: 'HELLO', id: 1, peerId: 'p 1' }],
      ['a peer ID with a newline', { verb: 'HELLO', id: 1, peerId: 'p1\nLIST' }],
    ];
    for (const [what, request] of bad) {
      it(what, () => {
        expect(() => encode(request)).to.throw(TypeError);
      });
    }
  });

  describe('decode', () => {
    it('ignores args after the ones a request uses', () => {
      expect(decodeLine('HELLO 1 0 txtmesh/1 p1 later')).to.deep.equal({ verb: 'HELLO', id: 1, peerId: 'p1' });
      expect(decodeLine('LIST 2 0 x')).to.deep.equal({ verb: 'LIST', id: 2 });
      expect(decodeLine('INFO 3 0 a.txt x')).to.deep.equal({ verb: 'INFO', id: 3, name: 'a.txt' });
      expect(decodeLine(`GET 4 0 a.txt 0 1 ${ID_A} x`)).to.deep.equal({ verb: 'GET', id: 4, name: 'a.txt', offset: 0, length: 1, identity: ID_A });
      expect(decodeLine(`PUT 5 3 a.txt ${ID_A} x`)).to.deep.equal({ verb: 'PUT', id: 5, name: 'a.txt', size: 3, identity: ID_A });
      expect(decodeLine(`PUT 5 3 a.txt ${ID_A} replace x`)).to.deep.equal({ verb: 'PUT', id: 5, name: 'a.txt', size: 3, identity: ID_A, replace: true });
      expect(decodeLine('VERSIONS 6 0 a.txt x')).to.deep.equal({ verb: 'VERSIONS', id: 6, name: 'a.txt' });
    });

    it('accepts escapes in either case and unescaped UTF-8 in names', () => {
      expect(decodeLine('INFO 1 0 %68ello%2fhi.txt')).to.deep.equal({ verb: 'INFO', id: 1, name: 'hello/hi.txt' });
      expect(decodeLine('INFO 1 0 é.txt')).to.deep.equal({ verb: 'INFO', id: 1, name: 'é.txt' });
    });

    const refused: [string, string, string][] = [
      ['HELLO without a version', 'HELLO 1 0', 'ERR_BAD_REQUEST'],
      ['HELLO of another version', 'HELLO 1 0 txtmesh/2', 'ERR_BAD_REQUEST'],
      ['INFO without a name', 'INFO 1 0', 'ERR_BAD_REQUEST'],
      ['a bad escape in a name', 'INFO 1 0 %zz.txt', 'ERR_BAD_NAME'],
      ['invalid UTF-8 in a name', 'INFO 1 0 %ff.txt', 'ERR_BAD_NAME'],
      ['a cut escape in a name', 'GET 1 0 a%2 0 1', 'ERR_BAD_NAME'],
      ['GET without a name', 'GET 1 0', 'ERR_BAD_REQUEST'],
      ['GET without an offset', 'GET 1 0 a.txt', 'ERR_BAD_REQUEST'],
      ['GET without a length', 'GET 1 0 a.txt 0', 'ERR_BAD_REQUEST'],
      ['an offset with leading zeros', 'GET 1 0 a.txt 007 5', 'ERR_BAD_REQUEST'],
      ['a length of 00', 'GET 1 0 a.txt 0 00', 'ERR_BAD_REQUEST'],
      ['a negative offset', 'GET 1 0 a.txt -1 5', 'ERR_BAD_REQUEST'],
      ['an exponent', 'GET 1 0 a.txt 0 1e3', 'ERR_BAD_REQUEST'],
      ['a 17-digit offset', 'GET 1 0 a.txt 10000000000000000 1', 'ERR_BAD_REQUEST'],
      ['an offset of 2^53', 'GET 1 0 a.txt 9007199254740992 1', 'ERR_BAD_REQUEST'],
      ['an upper-case GET identity', `GET 1 0 a.txt 0 1 ${ID_B.toUpperCase()}`, 'ERR_BAD_REQUEST'],
      ['a short GET identity', 'GET 1 0 a.txt 0 1 abc', 'ERR_BAD_REQUEST'],
      ['PUT without an identity', 'PUT 1 3 a.txt', 'ERR_BAD_REQUEST'],
      ['PUT with a bad identity', 'PUT 1 3 a.txt xyz', 'ERR_BAD_REQUEST'],
      ['PUT without a name', 'PUT 1 0', 'ERR_BAD_REQUEST'],
      ['an unknown verb', 'FOO 1 0', 'ERR_UNKNOWN_COMMAND'],
      ['an answer verb', 'OK 1 0', 'ERR_UNKNOWN_COMMAND'],
    ];
    for (const [what, line, code] of refused) {
      it(`answers ${what} with ${code}`, () => {
        expect(() => decodeLine(line)).to.throw(TxtmeshError).with.property('code', code);
      });
    }

    it('says a decimal number past 2^53 - 1 is too large, not that it is not decimal (issue 12, item 7)', () => {
      expect(() => decodeLine('GET 1 0 a.txt 9999999999999999 1')).to.throw(TxtmeshError, /^GET offset 9999999999999999 is too large: a number on the wire is at most 9007199254740991/);
      expect(() => decodeLine('GET 1 0 a.txt 0 90071992547409920')).to.throw(TxtmeshError, /^GET length 90071992547409920 is too large/);
      expect(() => decodeLine('GET 1 0 a.txt 007 5')).to.throw(TxtmeshError, /^GET needs a decimal offset \(digits, no leading zeros\)$/);
    });

    it('applies the server\'s name rules right after decoding, before the other args', () => {
      const options = { checkName };
      expect(() => decodeLine('INFO 1 0 ..%2Fsecret.txt', options)).to.throw(TxtmeshError).with.property('code', 'ERR_BAD_NAME');
      // Both the name and the offset are bad: the name is reported (docs/PROTOCOL.md, GET errors).
      expect(() => decodeLine('GET 1 0 ../x.txt 007 5', options)).to.throw(TxtmeshError).with.property('code', 'ERR_BAD_NAME');
      expect(() => decodeLine('PUT 1 0 x.md nothex', options)).to.throw(TxtmeshError).with.property('code', 'ERR_BAD_NAME');
      // Without the rules the codec only percent-decodes.
      expect(decodeLine('INFO 1 0 ..%2Fsecret.txt')).to.deep.equal({ verb: 'INFO', id: 1, name: '../secret.txt' });
    });

    it('lists the known verbs in the unknown-command answer', () => {
      expect(REQUEST_VERBS).to.deep.equal(['HELLO', 'LIST', 'INFO', 'GET', 'PUT', 'HAVE', 'VERSIONS']);
      expect(() => decodeLine('CONSTRUCTOR 1 0')).to.throw(TxtmeshError, 'known: HELLO LIST INFO GET PUT HAVE VERSIONS');
    });

    it('turns any header into a request of its verb or an ERR_BAD_REQUEST / ERR_BAD_NAME, nothing else', () => {
      const argArb = fc.oneof(fc.stringMatching(/^[!-~]{1,12}$/), fc.constantFrom('0', '007', ID_A, 'txtmesh/1', 'a.txt', '%', '%ff'));
      fc.assert(
        fc.property(fc.constantFrom(...REQUEST_VERBS), idArb, fc.nat(1000), fc.array(argArb, { maxLength: 6 }), (verb, id, length, args) => {
          const header: Header = { verb, id, length, args };
          try {
            const request = decodeRequest(header, { checkName });
            expect(request.verb).to.equal(verb);
            expect(request.id).to.equal(id);
          } catch (err) {
            expect(err).to.be.instanceOf(TxtmeshError);
            expect(['ERR_BAD_REQUEST', 'ERR_BAD_NAME']).to.include((err as TxtmeshError).code);
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});

/**
 * Answer codecs: exact bytes, a round trip of every answer through the frame grammar, and what
 * a client makes of answers that break it.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_REQUEST_ID, PIECE_SIZE } from '../../src/constants.js';
import { ERROR_CODES, RemoteError, TxtmeshError } from '../../src/errors.js';
import { ANSWERS, type Answer, encodeAnswer, errAnswer, errFrame, errorOf, statusOf } from '../../src/protocol/answers.js';
import { type Header, parseHeader, sanitizeText } from '../../src/protocol/header.js';

const ID_A = 'a'.repeat(64);
const ID_B = createHash('sha256').update('b').digest('hex');

/** Header and body of an encoded answer, as a reader sees them. */
function read(frames: Buffer[]): [Header, Buffer] {
  const [head, ...body] = frames;
  if (!head) throw new Error('no frames');
  expect(head.indexOf(0x0a)).to.equal(head.length - 1);
  return [parseHeader(head.subarray(0, -1).toString('utf8')), Buffer.concat(body)];
}

function decode(answer: Answer, header: Header, body: Buffer): Answer {
  return (ANSWERS[answer.kind] as { decode(h: Header, b: Buffer): Answer }).decode(header, body);
}

function roundTrip(answer: Answer, streamed: Buffer = Buffer.alloc(0)): Answer {
  const [header, body] = read(encodeAnswer(answer));
  return decode(answer, header, Buffer.concat([body, streamed]));
}

function violation(kind: keyof typeof ANSWERS, line: string, body: Buffer = Buffer.alloc(0)): void {
  expect(() => ANSWERS[kind].decode(parseHeader(line), body)).to.throw(TxtmeshError).with.property('code', 'ERR_PEER_PROTOCOL');
}

const idArb = fc.integer({ min: 0, max: MAX_REQUEST_ID });
const identityArb = fc.stringMatching(/^[0-9a-f]{64}$/);
const infoArb = fc.nat(64 * PIECE_SIZE).chain((size) =>
  fc.record({
    kind: fc.constant('INFO' as const),
    id: idArb,
    size: fc.constant(size),
    pieceSize: fc.constant(PIECE_SIZE),
    identity: identityArb,
    pieceHashes: fc.uint8Array({ minLength: Math.ceil(size / PIECE_SIZE) * 32, maxLength: Math.ceil(size / PIECE_SIZE) * 32 }).map((a) => Buffer.from(a)),
  }),
);
const fileArb = fc.record({ name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), size: fc.maxSafeNat(), identity: identityArb });
const answerArb: fc.Arbitrary<Answer> = fc.oneof(
  fc.record({ kind: fc.constant('HELLO' as const), id: idArb, peerId: fc.stringMatching(/^[!-~]{1,24}$/) }, { requiredKeys: ['kind', 'id'] }),
  fc.record({ kind: fc.constant('LIST' as const), id: idArb, files: fc.array(fileArb, { maxLength: 8 }) }),
  infoArb,
  fc.record({ kind: fc.constant('PUT' as const), id: idArb, result: fc.constantFrom('stored' as const, 'same' as const) }),
  fc.record({ kind: fc.constant('PUT' as const), id: idArb, result: fc.constant('replaced' as const), kept: identityArb }),
  fc.record({
    kind: fc.constant('VERSIONS' as const),
    id: idArb,
    versions: fc.array(fc.record({ name: fileArb.map((f) => f.name), size: fc.maxSafeNat(), identity: identityArb, time: fc.maxSafeNat(), state: fc.constantFrom('current' as const, 'replaced' as const, 'unshared' as const) }), { maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('ERR' as const), id: idArb, code: fc.constantFrom(...ERROR_CODES), message: fc.string({ unit: 'grapheme', maxLength: 400 }) }),
);

describe('protocol/answers', () => {
  describe('exact bytes', () => {
    const hashes = Buffer.alloc(64, 7);
    const cases: [Answer, string][] = [
      [{ kind: 'HELLO', id: 1, peerId: 'p1' }, 'OK 1 0 txtmesh/1 peer=p1\n'],
      [{ kind: 'LIST', id: 2, files: [{ name: 'my notes.txt', size: 14, identity: ID_A }] }, `OK 2 83 files=1\n${ID_A} 14 my%20notes.txt\n`],
      [{ kind: 'LIST', id: 3, files: [] }, 'OK 3 0 files=0\n'],
      [{ kind: 'INFO', id: 4, size: PIECE_SIZE + 1, pieceSize: PIECE_SIZE, identity: ID_B, pieceHashes: hashes }, `OK 4 64 size=262145 piece=262144 pieces=2 identity=${ID_B}\n${hashes.toString('latin1')}`],
      [{ kind: 'GET', id: 5, length: 13 }, 'OK 5 13\n'],
      [{ kind: 'PUT', id: 6, result: 'stored' }, 'OK 6 0 stored\n'],
      [{ kind: 'PUT', id: 7, result: 'same' }, 'OK 7 0 same\n'],
      [{ kind: 'PUT', id: 9, result: 'replaced', kept: ID_A }, `OK 9 0 replaced ${ID_A}\n`],
      [{ kind: 'VERSIONS', id: 10, versions: [{ name: 'a b.txt', size: 3, identity: ID_A, time: 17, state: 'replaced' }] }, `OK 10 89 versions=1\n${ID_A} 3 17 replaced a%20b.txt\n`],
      [{ kind: 'VERSIONS', id: 11, versions: [] }, 'OK 11 0 versions=0\n'],
      [{ kind: 'ERR', id: 8, code: 'ERR_NOT_FOUND', message: 'no such file: a.txt' }, 'ERR 8 0 ERR_NOT_FOUND no such file: a.txt\n'],
    ];
    for (const [answer, wire] of cases) {
      it(`${answer.kind} ${answer.id}: ${JSON.stringify(wire.slice(0, 40))}`, () => {
        expect(Buffer.concat(encodeAnswer(answer)).toString('latin1')).to.equal(Buffer.from(wire, 'latin1').toString('latin1'));
        expect(roundTrip(answer, answer.kind === 'GET' ? Buffer.alloc(answer.length) : undefined)).to.deep.equal(answer);
      });
    }

    it('sends an INFO answer\'s hashes as they are (no copy)', () => {
      const frames = ANSWERS.INFO.encode({ kind: 'INFO', id: 1, size: 1, pieceSize: PIECE_SIZE, identity: ID_A, pieceHashes: hashes.subarray(0, 32) });
      expect(frames[1]?.buffer).to.equal(hashes.buffer);
    });
  });

  it('round-trips every answer (an ERR message as sanitizeText makes it)', () => {
    fc.assert(
      fc.property(answerArb, (answer) => {
        const expected = answer.kind === 'ERR' ? { ...answer, message: sanitizeText(answer.message) || answer.code } : answer;
        expect(roundTrip(answer)).to.deep.equal(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips a GET answer with the bytes that follow it', () => {
    fc.assert(
      fc.property(idArb, fc.nat(4096), (id, length) => {
        expect(roundTrip({ kind: 'GET', id, length }, Buffer.alloc(length))).to.deep.equal({ kind: 'GET', id, length });
      }),
    );
  });

  describe('ERR', () => {
    it('is one line whatever the message holds', () => {
      const frame = errFrame(15, new TxtmeshError('ERR_INTERNAL', 'boom\nat foo\r\nat bar\n'));
      expect(frame.toString()).to.equal('ERR 15 0 ERR_INTERNAL boom at foo at bar\n');
      expect(Buffer.concat(encodeAnswer({ kind: 'ERR', id: 16, code: 'ERR_CHANGED', message: '\n' })).toString()).to.equal('ERR 16 0 ERR_CHANGED ERR_CHANGED\n');
      expect(Buffer.concat(encodeAnswer({ kind: 'ERR', id: 18, code: 'ERR_NOT_FOUND', message: 'no such file: my  notes.txt' })).toString()).to.equal(
        'ERR 18 0 ERR_NOT_FOUND no such file: my notes.txt\n',
      );
    });

    it('turns a failure into its code, and anything not txtmesh\'s into ERR_INTERNAL', () => {
      expect(errAnswer(3, new TxtmeshError('ERR_BAD_RANGE', 'past the end'))).to.deep.equal({ kind: 'ERR', id: 3, code: 'ERR_BAD_RANGE', message: 'past the end' });
      expect(errAnswer(4, new Error('secret path /home/x'))).to.deep.equal({ kind: 'ERR', id: 4, code: 'ERR_INTERNAL', message: 'internal error' });
    });

    it('reads an unknown code, or none, as ERR_PEER_PROTOCOL for that request only', () => {
      expect(ANSWERS.ERR.decode(parseHeader('ERR 3 0 ERR_MADE_UP something'))).to.include({ id: 3, code: 'ERR_PEER_PROTOCOL' });
      expect(ANSWERS.ERR.decode(parseHeader('ERR 3 0 hello'))).to.include({ code: 'ERR_PEER_PROTOCOL' });
      expect(ANSWERS.ERR.decode(parseHeader('ERR 3 0'))).to.include({ code: 'ERR_PEER_PROTOCOL' });
    });

    it('becomes a RemoteError with its code and message for the request it answers', () => {
      const err = errorOf(ANSWERS.ERR.decode(parseHeader('ERR 3 0 ERR_BAD_RANGE range 5+10 is past the end')));
      expect(err).to.be.instanceOf(RemoteError);
      expect(err).to.include({ code: 'ERR_BAD_RANGE', message: 'range 5+10 is past the end' });
    });

    it('refuses an ERR with a body', () => {
      violation('ERR', 'ERR 1 2 ERR_NOT_FOUND x', Buffer.from('hi'));
    });

    it('gives the status the log records', () => {
      expect(statusOf({ kind: 'GET', id: 1, length: 1 })).to.equal('OK');
      expect(statusOf({ kind: 'ERR', id: 1, code: 'ERR_CHANGED', message: 'x' })).to.equal('ERR_CHANGED');
    });
  });

  describe('decoding answers that break the protocol (ERR_PEER_PROTOCOL)', () => {
    it('HELLO of another version, or none', () => {
      violation('HELLO', 'OK 1 0 txtmesh/2 peer=p1');
      violation('HELLO', 'OK 1 0');
    });

    it('HELLO ignores fields it does not know, and a missing peer', () => {
      expect(ANSWERS.HELLO.decode(parseHeader('OK 1 0 txtmesh/1 later=yes peer=p=2'))).to.deep.equal({ kind: 'HELLO', id: 1, peerId: 'p=2' });
      expect(ANSWERS.HELLO.decode(parseHeader('OK 1 0 txtmesh/1'))).to.deep.equal({ kind: 'HELLO', id: 1 });
    });

    it('an ERR given to an OK decoder, and a body that is not the header\'s length', () => {
      violation('PUT', 'ERR 1 0 stored');
      violation('GET', 'OK 1 5', Buffer.alloc(4));
    });

    it('PUT with a word other than stored, same or replaced', () => {
      violation('PUT', 'OK 1 0 kept');
      violation('PUT', 'OK 1 0');
    });

    it('PUT replaced without a well-formed kept identity is still replaced (later words are ignored)', () => {
      expect(ANSWERS.PUT.decode(parseHeader('OK 1 0 replaced'))).to.deep.equal({ kind: 'PUT', id: 1, result: 'replaced' });
      expect(ANSWERS.PUT.decode(parseHeader('OK 1 0 replaced xyz'))).to.deep.equal({ kind: 'PUT', id: 1, result: 'replaced' });
      expect(ANSWERS.PUT.decode(parseHeader(`OK 1 0 stored ${ID_A}`))).to.deep.equal({ kind: 'PUT', id: 1, result: 'stored' });
    });

    it('VERSIONS with a bad line', () => {
      const body = Buffer.from(`${ID_A} 1 2 lost a.txt\n`);
      violation('VERSIONS', `OK 1 ${body.length} versions=1`, body);
    });

    it('LIST with a bad line', () => {
      const body = Buffer.from(`${ID_A} 01 a.txt\n`);
      violation('LIST', `OK 1 ${body.length} files=1`, body);
    });

    /** An INFO answer's header line for a file of `size` bytes, consistent unless overridden. */
    function info(size: number, over: { piece?: string; pieces?: number; hashes?: number; identity?: string; sizeText?: string } = {}): [string, Buffer] {
      const pieces = over.pieces ?? Math.ceil(size / PIECE_SIZE);
      const body = Buffer.alloc((over.hashes ?? pieces) * 32, 7);
      const identity = over.identity ?? ID_B;
      return [`OK 1 ${body.length} size=${over.sizeText ?? size} piece=${over.piece ?? PIECE_SIZE} pieces=${pieces} identity=${identity}`, body];
    }

    it('INFO: accepts an empty file and an exact multiple of the piece size', () => {
      for (const size of [0, 2 * PIECE_SIZE]) {
        const [line, body] = info(size);
        expect(ANSWERS.INFO.decode(parseHeader(line), body).pieceHashes.length).to.equal(body.length);
      }
    });

    const bad: [string, [string, Buffer]][] = [
      ['a wrong piece size', info(10, { piece: '1024' })],
      ['a piece size with a leading zero', info(10, { piece: `0${PIECE_SIZE}` })],
      ['a size with a leading zero', info(10, { sizeText: '010' })],
      ['a non-decimal size', info(10, { sizeText: '1e3' })],
      ['one piece too many', info(PIECE_SIZE, { pieces: 2 })],
      ['one piece too few', info(PIECE_SIZE + 1, { pieces: 1 })],
      ['a body one hash short', info(PIECE_SIZE + 1, { hashes: 1 })],
      ['a body one hash long', info(10, { hashes: 2 })],
      ['an upper-case identity', info(10, { identity: ID_B.toUpperCase() })],
      ['a short identity', info(10, { identity: ID_B.slice(1) })],
      ['a missing identity', [`OK 1 32 size=10 piece=${PIECE_SIZE} pieces=1`, Buffer.alloc(32)]],
      ['a missing size', [`OK 1 32 piece=${PIECE_SIZE} pieces=1 identity=${ID_A}`, Buffer.alloc(32)]],
    ];
    for (const [what, [line, body]] of bad) {
      it(`INFO with ${what}`, () => violation('INFO', line, body));
    }
  });

  describe('encode refuses what the grammar cannot carry (TypeError)', () => {
    const bad: [string, Answer][] = [
      ['a peer ID with a space', { kind: 'HELLO', id: 1, peerId: 'p 1' }],
      ['a negative GET length', { kind: 'GET', id: 1, length: -1 }],
      ['INFO hashes that are not whole hashes', { kind: 'INFO', id: 1, size: 1, pieceSize: PIECE_SIZE, identity: ID_A, pieceHashes: Buffer.alloc(31) }],
      ['an INFO identity in upper case', { kind: 'INFO', id: 1, size: 1, pieceSize: PIECE_SIZE, identity: ID_B.toUpperCase(), pieceHashes: Buffer.alloc(32) }],
      ['an ERR id above 2^32 - 1', { kind: 'ERR', id: MAX_REQUEST_ID + 1, code: 'ERR_BUSY', message: 'x' }],
    ];
    for (const [what, answer] of bad) {
      it(what, () => {
        expect(() => encodeAnswer(answer)).to.throw(TypeError);
      });
    }
  });
});

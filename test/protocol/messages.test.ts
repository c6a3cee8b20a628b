import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { PIECE_SIZE } from '../../src/constants.js';
import { RemoteError } from '../../src/errors.js';
import { type Header, parseHeader } from '../../src/protocol/header.js';
import {
  type FileEntry,
  decodeInfo,
  decodeListBody,
  encodeError,
  encodeGet,
  encodeHello,
  encodeInfo,
  encodeList,
  encodeListBody,
  encodeOk,
  encodeOkWords,
  encodePutHeader,
  readError,
  readFields,
} from '../../src/protocol/messages.js';
import { expectCode } from '../helpers/expect-code.js';

const ID_A = 'a'.repeat(64);
const ID_B = createHash('sha256').update('b').digest('hex');

function text(buf: Buffer): string {
  return buf.toString('utf8');
}

/** Parses an encoded header (one line, LF-terminated). */
function headerOf(buf: Buffer): Header {
  expect(buf[buf.length - 1]).to.equal(0x0a);
  return parseHeader(buf.subarray(0, -1).toString('utf8'));
}

describe('protocol/messages', () => {
  describe('request encoders', () => {
    it('encodeHello', () => {
      expect(text(encodeHello(1))).to.equal('HELLO 1 0 txtmesh/1\n');
      expect(text(encodeHello(2, 'peer-7'))).to.equal('HELLO 2 0 txtmesh/1 peer-7\n');
    });

    it('encodeList', () => {
      expect(encodeList(3)).to.deep.equal(Buffer.from('LIST 3 0\n'));
    });

    it('encodeInfo percent-encodes the name', () => {
      expect(text(encodeInfo(4, 'a.txt'))).to.equal('INFO 4 0 a.txt\n');
      expect(text(encodeInfo(5, 'sub/my notes é.txt'))).to.equal('INFO 5 0 sub/my%20notes%20%C3%A9.txt\n');
    });

    it('encodeGet without and with identity', () => {
      expect(text(encodeGet(6, 'a.txt', 0, 13))).to.equal('GET 6 0 a.txt 0 13\n');
      expect(text(encodeGet(7, 'my notes.txt', 262144, 524288, ID_B))).to.equal(`GET 7 0 my%20notes.txt 262144 524288 ${ID_B}\n`);
    });

    it('encodePutHeader carries the file size as the body length', () => {
      expect(text(encodePutHeader(8, '100%.txt', 42, ID_A))).to.equal(`PUT 8 42 100%25.txt ${ID_A}\n`);
    });
  });

  describe('answer encoders', () => {
    it('encodeOk with and without fields', () => {
      expect(text(encodeOk(9, 0))).to.equal('OK 9 0\n');
      expect(text(encodeOk(10, 64, { size: 300000, piece: 262144, pieces: 2, identity: ID_A }))).to.equal(
        `OK 10 64 size=300000 piece=262144 pieces=2 identity=${ID_A}\n`,
      );
    });

    it('encodeOkWords', () => {
      expect(text(encodeOkWords(11, ['stored']))).to.equal('OK 11 0 stored\n');
      expect(text(encodeOkWords(12, ['txtmesh/1', 'peer=p1']))).to.equal('OK 12 0 txtmesh/1 peer=p1\n');
      expect(text(encodeOkWords(13, ['files=2'], 150))).to.equal('OK 13 150 files=2\n');
    });

    it('encodeError writes code and message', () => {
      expect(text(encodeError(14, 'ERR_NOT_FOUND', 'no such file: a.txt'))).to.equal('ERR 14 0 ERR_NOT_FOUND no such file: a.txt\n');
    });

    it('encodeError sanitizes a message with newlines to one line', () => {
      const bytes = encodeError(15, 'ERR_INTERNAL', 'boom\nat foo\r\nat bar\n');
      expect(text(bytes)).to.equal('ERR 15 0 ERR_INTERNAL boom at foo at bar\n');
      expect(bytes.indexOf(0x0a)).to.equal(bytes.length - 1);
    });

    it('encodeError output parses when the message has a run of spaces (a name like "my  notes.txt")', () => {
      const frame = encodeError(18, 'ERR_NOT_FOUND', 'no such file: my  notes.txt');
      expect(text(frame)).to.equal('ERR 18 0 ERR_NOT_FOUND no such file: my notes.txt\n');
      expect(readError(headerOf(frame)).code).to.equal('ERR_NOT_FOUND');
    });

    it('encodeError uses the code as message when the message is empty', () => {
      expect(text(encodeError(16, 'ERR_CHANGED', '\n'))).to.equal('ERR 16 0 ERR_CHANGED ERR_CHANGED\n');
    });

    it('encodeError output parses back through parseHeader and readError', () => {
      const err = readError(headerOf(encodeError(17, 'ERR_BAD_RANGE', 'range 5+10\nis past the end')));
      expect(err).to.be.instanceOf(RemoteError);
      expect(err.code).to.equal('ERR_BAD_RANGE');
      expect(err.message).to.equal('range 5+10 is past the end');
    });
  });

  describe('readFields', () => {
    it('reads key=value args and ignores the rest', () => {
      const fields = readFields(parseHeader('OK 1 0 size=5 stored a=b=c =x'));
      expect([...fields]).to.deep.equal([
        ['size', '5'],
        ['a', 'b=c'],
      ]);
    });
  });

  describe('readError', () => {
    it('maps a known code to a RemoteError with that code and the message', () => {
      const err = readError(parseHeader('ERR 3 0 ERR_NOT_FOUND no such file: a.txt'));
      expect(err).to.be.instanceOf(RemoteError);
      expect(err.code).to.equal('ERR_NOT_FOUND');
      expect(err.message).to.equal('no such file: a.txt');
    });

    it('maps every code it knows', () => {
      for (const code of ['ERR_CHANGED', 'ERR_EXISTS', 'ERR_BAD_NAME', 'ERR_UNKNOWN_COMMAND'] as const) {
        expect(readError(parseHeader(`ERR 1 0 ${code} x`)).code).to.equal(code);
      }
    });

    it('maps an unknown code to ERR_PEER_PROTOCOL', () => {
      expect(readError(parseHeader('ERR 3 0 ERR_MADE_UP something')).code).to.equal('ERR_PEER_PROTOCOL');
      expect(readError(parseHeader('ERR 3 0 hello')).code).to.equal('ERR_PEER_PROTOCOL');
    });

    it('maps an ERR with no code to ERR_PEER_PROTOCOL', () => {
      expect(readError(parseHeader('ERR 3 0')).code).to.equal('ERR_PEER_PROTOCOL');
    });
  });

  describe('LIST body', () => {
    const files: FileEntry[] = [
      { name: 'a.txt', size: 0, identity: ID_A },
      { name: 'sub/my notes.txt', size: 1234567, identity: ID_B },
      { name: '日本語 ノート.txt', size: 5, identity: ID_A },
    ];

    it('encodes one `identity size name` line per file', () => {
      expect(text(encodeListBody(files))).to.equal(
        `${ID_A} 0 a.txt\n${ID_B} 1234567 sub/my%20notes.txt\n${ID_A} 5 %E6%97%A5%E6%9C%AC%E8%AA%9E%20%E3%83%8E%E3%83%BC%E3%83%88.txt\n`,
      );
      expect(encodeListBody([])).to.deep.equal(Buffer.alloc(0));
    });

    it('round-trips through decodeListBody', () => {
      expect(decodeListBody(encodeListBody(files))).to.deep.equal(files);
      expect(decodeListBody(Buffer.alloc(0))).to.deep.equal([]);
    });

    const badLines: [string, string][] = [
      ['upper-case identity', `${ID_A.toUpperCase()} 1 a.txt`],
      ['short identity', `${'a'.repeat(63)} 1 a.txt`],
      ['negative size', `${ID_A} -1 a.txt`],
      ['non-decimal size', `${ID_A} 1k a.txt`],
      ['17-digit size', `${ID_A} 12345678901234567 a.txt`],
      ['missing name', `${ID_A} 1`],
      ['empty name (trailing space)', `${ID_A} 1 `],
      ['extra field', `${ID_A} 1 a.txt extra`],
      ['bad escape in name', `${ID_A} 1 %zz.txt`],
      ['invalid UTF-8 in name', `${ID_A} 1 %ff.txt`],
      ['double space', `${ID_A}  1 a.txt`],
      ['garbage', 'hello'],
    ];
    for (const [what, line] of badLines) {
      it(`decodeListBody rejects a line with ${what} (ERR_PEER_PROTOCOL)`, () => {
        const body = Buffer.from(`${ID_B} 3 good.txt\n${line}\n`);
        expectCode(() => decodeListBody(body), 'ERR_PEER_PROTOCOL');
      });
    }
  });

  describe('decodeInfo', () => {
    /** An INFO answer for a file of `size` bytes, consistent unless overridden. */
    function answer(size: number, over: { piece?: number; pieces?: number; hashes?: number; identity?: string } = {}): [Header, Buffer] {
      const pieces = over.pieces ?? Math.ceil(size / PIECE_SIZE);
      const body = Buffer.alloc((over.hashes ?? pieces) * 32, 7);
      const identity = over.identity ?? createHash('sha256').update(body).digest('hex');
      return [headerOf(encodeOk(1, body.length, { size, piece: over.piece ?? PIECE_SIZE, pieces, identity })), body];
    }

    it('accepts a consistent answer', () => {
      const [header, body] = answer(PIECE_SIZE + 1);
      const info = decodeInfo('a.txt', header, body);
      expect(info).to.deep.equal({
        name: 'a.txt',
        size: PIECE_SIZE + 1,
        identity: createHash('sha256').update(body).digest('hex'),
        pieceSize: PIECE_SIZE,
        pieceHashes: body,
      });
    });

    it('accepts an empty file (no pieces) and an exact multiple of the piece size', () => {
      const [h0, b0] = answer(0);
      expect(decodeInfo('e.txt', h0, b0).pieceHashes.length).to.equal(0);
      const [h2, b2] = answer(2 * PIECE_SIZE);
      expect(decodeInfo('f.txt', h2, b2).pieceHashes.length).to.equal(64);
    });

    const bad: [string, () => [Header, Buffer]][] = [
      ['a wrong piece size', () => answer(10, { piece: 1024 })],
      ['one piece too many', () => answer(PIECE_SIZE, { pieces: 2 })],
      ['one piece too few', () => answer(PIECE_SIZE + 1, { pieces: 1 })],
      ['a body one hash short', () => answer(PIECE_SIZE + 1, { hashes: 1 })],
      ['a body one hash long', () => answer(10, { hashes: 2 })],
      ['a body one byte long', () => {
        const [h, b] = answer(10);
        return [h, Buffer.concat([b, Buffer.from([0])])];
      }],
      ['an upper-case identity', () => answer(10, { identity: ID_B.toUpperCase() })],
      ['a short identity', () => answer(10, { identity: ID_B.slice(1) })],
      ['a missing identity', () => [parseHeader(`OK 1 32 size=10 piece=${PIECE_SIZE} pieces=1`), Buffer.alloc(32)]],
      ['a missing size', () => [parseHeader(`OK 1 32 piece=${PIECE_SIZE} pieces=1 identity=${ID_A}`), Buffer.alloc(32)]],
      ['a non-decimal size', () => [parseHeader(`OK 1 32 size=1e3 piece=${PIECE_SIZE} pieces=1 identity=${ID_A}`), Buffer.alloc(32)]],
    ];
    for (const [what, make] of bad) {
      it(`rejects ${what} with ERR_PEER_PROTOCOL`, () => {
        const [header, body] = make();
        expectCode(() => decodeInfo('a.txt', header, body), 'ERR_PEER_PROTOCOL');
      });
    }
  });
});

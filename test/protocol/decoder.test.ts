import { expect } from 'chai';
import { ProtocolError } from '../../src/errors.js';
import { type FrameDecoderOptions, type FrameEvent, FrameDecoder } from '../../src/protocol/decoder.js';
import { type Header, encodeHeader } from '../../src/protocol/header.js';
import { expectCode } from '../helpers/expect-code.js';

interface Frame {
  header: Header;
  body: Buffer;
}

const LIMITS: FrameDecoderOptions = { maxBodyBytes: () => 1024 };

function frame(verb: string, id: number, body: Buffer | string, args: readonly (string | number)[] = []): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([encodeHeader(verb, id, bytes.length, args), bytes]);
}

/** Drains one push into a list of events, copying body chunks (they are views). */
function events(decoder: FrameDecoder, chunk: Buffer): FrameEvent[] {
  return [...decoder.push(chunk)].map((e) => (e.type === 'body' ? { type: 'body', chunk: Buffer.from(e.chunk) } : e));
}

/**
 * Feeds the pieces in order and reassembles frames, checking the event grammar:
 * header, any number of non-empty body chunks, end (with the same header).
 */
function decode(pieces: readonly Buffer[], options: FrameDecoderOptions = LIMITS): Frame[] {
  const decoder = new FrameDecoder(options);
  const frames: Frame[] = [];
  let current: { header: Header; chunks: Buffer[] } | undefined;
  for (const piece of pieces) {
    for (const event of events(decoder, piece)) {
      if (event.type === 'header') {
        expect(current, 'header inside a frame').to.equal(undefined);
        current = { header: event.header, chunks: [] };
      } else if (event.type === 'body') {
        expect(current, 'body outside a frame').to.not.equal(undefined);
        expect(event.chunk.length, 'empty body chunk').to.be.greaterThan(0);
        current?.chunks.push(event.chunk);
      } else {
        expect(current, 'end outside a frame').to.not.equal(undefined);
        expect(event.header).to.equal(current?.header);
        frames.push({ header: event.header, body: Buffer.concat(current?.chunks ?? []) });
        current = undefined;
      }
    }
  }
  expect(current, 'unfinished frame').to.equal(undefined);
  expect(decoder.idle).to.equal(true);
  return frames;
}

function bytesOf(buf: Buffer): Buffer[] {
  return [...buf].map((b) => Buffer.from([b]));
}

// Two frames: a GET with no body and a PUT whose body holds LF, CRLF, NUL and invalid UTF-8.
const BINARY_BODY = Buffer.from([0x61, 0x0a, 0x62, 0x0d, 0x0a, 0xff, 0xfe, 0x00, 0x0a, 0xc3]);
const FRAME_A = frame('GET', 1, '', ['a.txt', 0, 13]);
const FRAME_B = frame('PUT', 2, BINARY_BODY, ['b.txt', 'x']);
const STREAM = Buffer.concat([FRAME_A, FRAME_B]);
const EXPECTED: Frame[] = [
  { header: { verb: 'GET', id: 1, length: 0, args: ['a.txt', '0', '13'] }, body: Buffer.alloc(0) },
  { header: { verb: 'PUT', id: 2, length: BINARY_BODY.length, args: ['b.txt', 'x'] }, body: BINARY_BODY },
];

describe('protocol/decoder', () => {
  it('decodes a stream pushed whole', () => {
    expect(decode([STREAM])).to.deep.equal(EXPECTED);
  });

  it('decodes a stream pushed byte by byte', () => {
    expect(decode(bytesOf(STREAM))).to.deep.equal(EXPECTED);
  });

  it('decodes the same frames for every split point of a two-frame stream', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      const frames = decode([STREAM.subarray(0, i), STREAM.subarray(i)]);
      expect(frames, `split at ${i}`).to.deep.equal(EXPECTED);
    }
  });

  it('decodes the same frames for every pair of split points', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      for (let j = i; j <= STREAM.length; j++) {
        const frames = decode([STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)]);
        expect(frames, `split at ${i} and ${j}`).to.deep.equal(EXPECTED);
      }
    }
  });

  it('decodes several frames from one push, in order', () => {
    const stream = Buffer.concat([frame('OK', 1, 'one'), frame('OK', 2, ''), frame('ERR', 3, '', ['ERR_NOT_FOUND', 'gone']), frame('OK', 4, 'four!')]);
    const frames = decode([stream]);
    expect(frames.map((f) => [f.header.verb, f.header.id, f.body.toString('latin1')])).to.deep.equal([
      ['OK', 1, 'one'],
      ['OK', 2, ''],
      ['ERR', 3, ''],
      ['OK', 4, 'four!'],
    ]);
  });

  it('passes a body with LF, CRLF and invalid UTF-8 through byte-exact', () => {
    const body = Buffer.from([0x0a, 0x0d, 0x0a, 0xff, 0xfe, 0x0a, 0x0a, 0x00, 0xef, 0xbb, 0xbf, 0x0d]);
    for (const pieces of [[frame('PUT', 9, body)], bytesOf(frame('PUT', 9, body))]) {
      const [only, ...rest] = decode(pieces);
      expect(rest).to.deep.equal([]);
      expect(only?.body).to.deep.equal(body);
    }
  });

  it('yields header then end, with no body event, for a zero-length body', () => {
    const decoder = new FrameDecoder(LIMITS);
    const header = { verb: 'LIST', id: 5, length: 0, args: [] };
    expect(events(decoder, Buffer.from('LIST 5 0\n'))).to.deep.equal([
      { type: 'header', header },
      { type: 'end', header },
    ]);
  });

  it('yields header, body chunks and end as the bytes arrive', () => {
    const decoder = new FrameDecoder(LIMITS);
    const header = { verb: 'OK', id: 1, length: 5, args: [] };
    expect(events(decoder, Buffer.from('OK 1 5\nab'))).to.deep.equal([
      { type: 'header', header },
      { type: 'body', chunk: Buffer.from('ab') },
    ]);
    expect(events(decoder, Buffer.from('cdeOK'))).to.deep.equal([
      { type: 'body', chunk: Buffer.from('cde') },
      { type: 'end', header },
    ]);
    expect(events(decoder, Buffer.from(' 2 0\n'))).to.deep.equal([
      { type: 'header', header: { verb: 'OK', id: 2, length: 0, args: [] } },
      { type: 'end', header: { verb: 'OK', id: 2, length: 0, args: [] } },
    ]);
  });

  it('accepts CRLF after a header', () => {
    expect(decode([Buffer.from('OK 1 2\r\nhiLIST 2 0\r\n')])).to.deep.equal([
      { header: { verb: 'OK', id: 1, length: 2, args: [] }, body: Buffer.from('hi') },
      { header: { verb: 'LIST', id: 2, length: 0, args: [] }, body: Buffer.alloc(0) },
    ]);
  });

  it('yields nothing for an empty push', () => {
    const decoder = new FrameDecoder(LIMITS);
    expect(events(decoder, Buffer.alloc(0))).to.deep.equal([]);
    expect(decoder.idle).to.equal(true);
  });

  describe('limits', () => {
    it('throws ERR_HEADER_TOO_LARGE for 5000 bytes with no LF', () => {
      const decoder = new FrameDecoder(LIMITS);
      expectCode(() => events(decoder, Buffer.alloc(5000, 0x41)), 'ERR_HEADER_TOO_LARGE', ProtocolError);
    });

    it('throws ERR_HEADER_TOO_LARGE as soon as LF-less input passes the limit across pushes', () => {
      const decoder = new FrameDecoder(LIMITS);
      // Default limit 4096 bytes: 40 pushes of 100 bytes are fine, the 41st is not.
      for (let i = 0; i < 40; i++) expect(events(decoder, Buffer.alloc(100, 0x41))).to.deep.equal([]);
      expectCode(() => events(decoder, Buffer.alloc(100, 0x41)), 'ERR_HEADER_TOO_LARGE', ProtocolError);
    });

    it('accepts a header of exactly maxHeaderBytes (LF included) and refuses one byte more', () => {
      const options = { maxHeaderBytes: 16, maxBodyBytes: () => 0 };
      const exact = Buffer.from('INFO 1 0 abc.tx\n');
      expect(exact.length).to.equal(16);
      expect(decode([exact], options).map((f) => f.header.args)).to.deep.equal([['abc.tx']]);
      const over = Buffer.from('INFO 1 0 abcd.tx\n');
      expectCode(() => events(new FrameDecoder(options), over), 'ERR_HEADER_TOO_LARGE', ProtocolError);
      const byByte = new FrameDecoder(options);
      expectCode(() => {
        for (const b of bytesOf(over)) events(byByte, b);
      }, 'ERR_HEADER_TOO_LARGE', ProtocolError);
    });

    it('throws ERR_BODY_TOO_LARGE when the length exceeds maxBodyBytes for that header', () => {
      const seen: Header[] = [];
      const options = {
        maxBodyBytes: (h: Header) => {
          seen.push(h);
          return h.verb === 'PUT' ? 10 : 0;
        },
      };
      expect(decode([frame('PUT', 1, '0123456789')], options).map((f) => f.body.toString())).to.deep.equal(['0123456789']);
      expect(seen).to.deep.equal([{ verb: 'PUT', id: 1, length: 10, args: [] }]);
      expectCode(() => events(new FrameDecoder(options), Buffer.from('PUT 2 11\n')), 'ERR_BODY_TOO_LARGE', ProtocolError);
      expectCode(() => events(new FrameDecoder(options), Buffer.from('GET 3 1\n')), 'ERR_BODY_TOO_LARGE', ProtocolError);
    });

    it('does not yield the header of a frame whose body is too large', () => {
      const decoder = new FrameDecoder({ maxBodyBytes: () => 0 });
      const seen: string[] = [];
      expectCode(() => {
        for (const e of decoder.push(Buffer.from('OK 1 0\nOK 2 1\nx'))) seen.push(`${e.type}`);
      }, 'ERR_BODY_TOO_LARGE', ProtocolError);
      expect(seen).to.deep.equal(['header', 'end']);
    });
  });

  describe('failures', () => {
    it('throws ERR_BAD_FRAME for a garbage line', () => {
      expectCode(() => events(new FrameDecoder(LIMITS), Buffer.from('hello world\n')), 'ERR_BAD_FRAME', ProtocolError);
      expectCode(() => events(new FrameDecoder(LIMITS), Buffer.from('\n')), 'ERR_BAD_FRAME', ProtocolError);
    });

    it('throws ERR_BAD_FRAME for a bad line after a good frame', () => {
      const decoder = new FrameDecoder(LIMITS);
      const seen: string[] = [];
      expectCode(() => {
        for (const e of decoder.push(Buffer.from('LIST 1 0\nlist 2 0\n'))) seen.push(e.type);
      }, 'ERR_BAD_FRAME', ProtocolError);
      expect(seen).to.deep.equal(['header', 'end']);
    });

    it('refuses further input after a failure', () => {
      const decoder = new FrameDecoder(LIMITS);
      expectCode(() => events(decoder, Buffer.from('bad\n')), 'ERR_BAD_FRAME', ProtocolError);
      expectCode(() => events(decoder, Buffer.from('LIST 1 0\n')), 'ERR_BAD_FRAME', ProtocolError);
      expectCode(() => events(decoder, Buffer.from('LIST 2 0\n')), 'ERR_BAD_FRAME', ProtocolError);
    });

    it('refuses further input after ERR_HEADER_TOO_LARGE', () => {
      const decoder = new FrameDecoder({ maxHeaderBytes: 8, maxBodyBytes: () => 0 });
      expectCode(() => events(decoder, Buffer.from('LIST 12345 0\n')), 'ERR_HEADER_TOO_LARGE', ProtocolError);
      expectCode(() => events(decoder, Buffer.from('LIST 1 0\n')), 'ERR_BAD_FRAME', ProtocolError);
    });
  });

  describe('idle', () => {
    it('is true between frames and false mid-header or mid-body', () => {
      const decoder = new FrameDecoder(LIMITS);
      expect(decoder.idle).to.equal(true);
      events(decoder, Buffer.from('OK 1'));
      expect(decoder.idle).to.equal(false);
      events(decoder, Buffer.from(' 3\n'));
      expect(decoder.idle).to.equal(false);
      events(decoder, Buffer.from('ab'));
      expect(decoder.idle).to.equal(false);
      events(decoder, Buffer.from('c'));
      expect(decoder.idle).to.equal(true);
      events(decoder, Buffer.from('LIST 2 0\n'));
      expect(decoder.idle).to.equal(true);
      events(decoder, Buffer.from('L'));
      expect(decoder.idle).to.equal(false);
    });

    it('is false after a lone CR of a CRLF header', () => {
      const decoder = new FrameDecoder(LIMITS);
      events(decoder, Buffer.from('LIST 1 0\r'));
      expect(decoder.idle).to.equal(false);
      events(decoder, Buffer.from('\n'));
      expect(decoder.idle).to.equal(true);
    });
  });
});

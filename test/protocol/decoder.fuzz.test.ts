/**
 * Property tests of the frame codec with generated input (fast-check): whatever the bytes and
 * however they are split, the decoder yields well-formed events or throws a ProtocolError —
 * nothing else — and valid frames always come back exactly.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { ProtocolError } from '../../src/errors.js';
import { FrameDecoder, type FrameEvent } from '../../src/protocol/decoder.js';
import { encodeHeader } from '../../src/protocol/header.js';

interface Frame {
  verb: string;
  id: number;
  args: string[];
  body: Uint8Array;
}

const frameArb: fc.Arbitrary<Frame> = fc.record({
  verb: fc.constantFrom('GET', 'PUT', 'OK', 'ERR', 'LIST', 'X'),
  id: fc.integer({ min: 0, max: 0xffffffff }),
  args: fc.array(fc.stringMatching(/^[!-~]{1,20}$/), { maxLength: 4 }),
  body: fc.uint8Array({ maxLength: 600 }),
});

function encode(frame: Frame): Buffer {
  return Buffer.concat([encodeHeader(frame.verb, frame.id, frame.body.length, frame.args), frame.body]);
}

/** Splits `data` at the given cut points (each taken modulo the length). */
function split(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (data.length === 0 ? 0 : c % data.length)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let last = 0;
  for (const p of points) {
    parts.push(data.subarray(last, p));
    last = p;
  }
  parts.push(data.subarray(last));
  return parts;
}

function decodeAll(parts: Buffer[], maxBody = 1 << 20): { events: FrameEvent[]; error?: unknown } {
  const decoder = new FrameDecoder({ maxBodyBytes: () => maxBody, maxHeaderBytes: 4096 });
  const events: FrameEvent[] = [];
  try {
    for (const part of parts) for (const ev of decoder.push(part)) events.push(ev.type === 'body' ? { type: 'body', chunk: Buffer.from(ev.chunk) } : ev);
  } catch (error) {
    return { events, error };
  }
  return { events };
}

describe('protocol/decoder (fuzz)', () => {
  it('decodes any sequence of valid frames, split anywhere, exactly', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 12 }), (frames, cuts) => {
        const { events, error } = decodeAll(split(Buffer.concat(frames.map(encode)), cuts));
        expect(error).to.equal(undefined);
        const decoded: Frame[] = [];
        let body: Buffer[] = [];
        for (const ev of events) {
          if (ev.type === 'header') body = [];
          else if (ev.type === 'body') body.push(ev.chunk);
          else decoded.push({ verb: ev.header.verb, id: ev.header.id, args: [...ev.header.args], body: new Uint8Array(Buffer.concat(body)) });
        }
        expect(decoded).to.deep.equal(frames.map((f) => ({ ...f, body: new Uint8Array(f.body) })));
      }),
      { numRuns: 300 },
    );
  });

  it('answers random bytes with events or a ProtocolError, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const { events, error } = decodeAll(split(Buffer.from(bytes), cuts), 100);
        if (error !== undefined) expect(error).to.be.instanceOf(ProtocolError);
        for (const ev of events) if (ev.type === 'body') expect(ev.chunk.length).to.be.at.most(100);
      }),
      { numRuns: 500 },
    );
  });

  it('answers mutated and truncated valid frames with events or a ProtocolError', () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), (frame, at, byte, cut) => {
        const data = Buffer.from(encode(frame));
        if (data.length > 0) data[at % data.length] = byte;
        const truncated = data.subarray(0, cut % (data.length + 1));
        const { error } = decodeAll([truncated]);
        if (error !== undefined) expect(error).to.be.instanceOf(ProtocolError);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses huge, negative and non-numeric lengths with a ProtocolError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 2n ** 53n, max: 10n ** 30n }).map(String), fc.integer({ max: -1 }).map(String), fc.stringMatching(/^[^ \n]{1,30}$/)), (length) => {
        const { error } = decodeAll([Buffer.from(`GET 1 ${length} a.txt 0 1\n`)], 1000);
        const ok = /^(0|[1-9]\d{0,15})$/.test(length) && Number(length) <= 1000;
        if (!ok) expect(error).to.be.instanceOf(ProtocolError);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * The piece bitfield (docs/PROTOCOL.md, "Partial holders"): exact bits, a round trip of any
 * holding, and the bounds a client enforces on what a peer sends.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { bitfieldBytes, countHeld, decodeBitfield, encodeBitfield } from '../../src/protocol/bitfield.js';
import { ANSWERS, encodeAnswer } from '../../src/protocol/answers.js';
import { REQUESTS } from '../../src/protocol/requests.js';
import { parseHeader } from '../../src/protocol/header.js';
import { expectCode } from '../helpers/expect-code.js';

const ID = 'c'.repeat(64);

describe('protocol/bitfield', () => {
  it('puts piece 0 in the high bit of the first byte, spare bits zero', () => {
    expect([...encodeBitfield(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 1, 1]))]).to.deep.equal([0x81, 0x80]);
    expect(bitfieldBytes(0)).to.equal(0);
    expect(bitfieldBytes(9)).to.equal(2);
    expect(countHeld(Uint8Array.from([1, 0, 1]))).to.equal(2);
  });

  it('round-trips any holding', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 300 }), (held) => {
        const flags = Uint8Array.from(held);
        expect([...decodeBitfield(encodeBitfield(flags), flags.length)]).to.deep.equal(held);
      }),
    );
  });

  it('refuses a bitfield of the wrong length, or with a bit past the last piece', () => {
    expectCode(() => decodeBitfield(Buffer.from([0x80]), 9), 'ERR_PEER_PROTOCOL');
    expectCode(() => decodeBitfield(Buffer.from([0x80, 0x00]), 8), 'ERR_PEER_PROTOCOL');
    expectCode(() => decodeBitfield(Buffer.from([0x00, 0x40]), 9), 'ERR_PEER_PROTOCOL');
    expect([...decodeBitfield(Buffer.from([0x00, 0x80]), 9)]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('INFO partial and HAVE: exact bytes, and a have= count that disagrees with the bits is a violation', () => {
    expect(REQUESTS.INFO.encode({ verb: 'INFO', id: 3, name: 'a b.txt', partial: true }).toString()).to.equal('INFO 3 0 a%20b.txt partial\n');
    expect(REQUESTS.INFO.decode(parseHeader('INFO 3 0 a.txt partial'))).to.deep.equal({ verb: 'INFO', id: 3, name: 'a.txt', partial: true });
    expect(REQUESTS.HAVE.encode({ verb: 'HAVE', id: 4, name: 'a.txt', identity: ID }).toString()).to.equal(`HAVE 4 0 a.txt ${ID}\n`);
    expectCode(() => REQUESTS.HAVE.decode(parseHeader('HAVE 4 0 a.txt')), 'ERR_BAD_REQUEST');
    const frames = encodeAnswer({ kind: 'HAVE', id: 4, have: Uint8Array.from([1, 1, 0]) });
    expect(Buffer.concat(frames).toString('latin1')).to.equal('OK 4 1 pieces=3 have=2\n\xc0');
    expect([...ANSWERS.HAVE.decode(parseHeader('OK 4 1 pieces=3 have=2'), Buffer.from([0xc0])).have]).to.deep.equal([1, 1, 0]);
    expectCode(() => ANSWERS.HAVE.decode(parseHeader('OK 4 1 pieces=3 have=3'), Buffer.from([0xc0])), 'ERR_PEER_PROTOCOL');
    expectCode(() => ANSWERS.HAVE.decode(parseHeader('OK 4 1 pieces=3 have=2'), Buffer.from([0xc1])), 'ERR_PEER_PROTOCOL');
  });

  it('a partial INFO answer carries the bitfield after the hashes', () => {
    const pieceHashes = Buffer.alloc(64, 7);
    const identity = 'd'.repeat(64);
    const frames = encodeAnswer({ kind: 'INFO', id: 5, size: 300_000, pieceSize: 262_144, identity, pieceHashes, have: Uint8Array.from([0, 1]) });
    const head = parseHeader((frames[0] as Buffer).subarray(0, -1).toString());
    expect(head.length).to.equal(65);
    expect(head.args).to.include('have=1');
    const back = ANSWERS.INFO.decode(head, Buffer.concat(frames.slice(1)));
    expect([...(back.have ?? [])]).to.deep.equal([0, 1]);
    expect(back.pieceHashes.equals(pieceHashes)).to.equal(true);
    expect(back.complete).to.equal(undefined);
  });

  it('a full holder offering some pieces (super-seeding) adds complete=1 after have=; a reader that does not know it sees a partial answer', () => {
    const pieceHashes = Buffer.alloc(64, 7);
    const frames = encodeAnswer({ kind: 'INFO', id: 6, size: 300_000, pieceSize: 262_144, identity: 'd'.repeat(64), pieceHashes, have: Uint8Array.from([1, 0]), complete: true });
    const text = (frames[0] as Buffer).toString('latin1');
    expect(text).to.equal(`OK 6 65 size=300000 piece=262144 pieces=2 identity=${'d'.repeat(64)} have=1 complete=1\n`);
    const back = ANSWERS.INFO.decode(parseHeader(text.slice(0, -1)), Buffer.concat(frames.slice(1)));
    expect(back.complete).to.equal(true);
    expect([...(back.have ?? [])]).to.deep.equal([1, 0]);
    // Only `complete=1` says so; any other value is ignored, as an unknown field would be.
    expect(ANSWERS.INFO.decode(parseHeader(text.slice(0, -1).replace('complete=1', 'complete=yes')), Buffer.concat(frames.slice(1))).complete).to.equal(undefined);
  });
});

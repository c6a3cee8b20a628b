import { expect } from 'chai';
import { bitString, boolean, explicit, integer, oid, sequence, time, tlv, utf8String } from '../../src/security/der.js';

const hex = (b: Buffer) => b.toString('hex');

describe('security/der', function () {
  it('encodes short and long lengths', function () {
    expect(hex(tlv(0x04, Buffer.alloc(3)))).to.equal('0403000000');
    expect(hex(tlv(0x04, Buffer.alloc(127))).slice(0, 4)).to.equal('047f');
    expect(hex(tlv(0x04, Buffer.alloc(128))).slice(0, 6)).to.equal('048180');
    expect(hex(tlv(0x04, Buffer.alloc(300))).slice(0, 8)).to.equal('0482012c');
  });

  it('encodes INTEGERs in their minimal, non-negative form', function () {
    expect(hex(integer(0))).to.equal('020100');
    expect(hex(integer(2))).to.equal('020102');
    expect(hex(integer(127))).to.equal('02017f');
    expect(hex(integer(128))).to.equal('02020080');
    expect(hex(integer(256))).to.equal('02020100');
    expect(hex(integer(Buffer.from('0000ff', 'hex')))).to.equal('020200ff');
    expect(hex(integer(Buffer.from('000001', 'hex')))).to.equal('020101');
  });

  it('encodes OBJECT IDENTIFIERs, multi-byte arcs included', function () {
    expect(hex(oid('2.5.4.3'))).to.equal('0603550403');
    expect(hex(oid('1.3.101.112'))).to.equal('06032b6570');
    expect(hex(oid('1.2.840.113549.1.1.11'))).to.equal('06092a864886f70d01010b');
  });

  it('encodes the other types', function () {
    expect(hex(boolean(true))).to.equal('0101ff');
    expect(hex(utf8String('ü'))).to.equal('0c02c3bc');
    expect(hex(bitString(Buffer.from([0x80]), 7))).to.equal('03020780');
    expect(hex(sequence())).to.equal('3000');
    expect(hex(explicit(3, sequence()))).to.equal('a3023000');
  });

  it('uses UTCTime up to 2049 and GeneralizedTime from 2050', function () {
    expect(time(new Date(Date.UTC(2026, 10, 25, 19, 5, 9, 999))).toString('latin1')).to.equal('\x17\x0d261125190509Z');
    expect(time(new Date(Date.UTC(2049, 11, 31, 23, 59, 59))).toString('latin1')).to.equal('\x17\x0d491231235959Z');
    expect(time(new Date(Date.UTC(2050, 0, 1))).toString('latin1')).to.equal('\x18\x0f20500101000000Z');
  });
});

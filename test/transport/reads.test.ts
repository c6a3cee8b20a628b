/**
 * The receive side of a transport, driven the way Node drives `onread`: bytes land in the one
 * read buffer and the callback is told how many.
 */
import { expect } from 'chai';
import { HEADER_READ_BYTES, ReusedReadBuffer, inPlace, receiveData } from '../../src/transport/reads.js';
import { duplexPair } from '../duplex-pair.js';

/** What Node does on each socket read with `onread`: fill the buffer, call back. */
function read(reads: ReusedReadBuffer, text: string): boolean {
  const buffer = Buffer.from(reads.onread.buffer().buffer);
  const n = buffer.write(text);
  return reads.onread.callback(n, buffer);
}

describe('transport/reads', function () {
  it('hands the sink views of the one read buffer, without copies, and keeps reading', function () {
    const reads = new ReusedReadBuffer();
    const got: Buffer[] = [];
    reads.attach({ onBytes: (chunk) => got.push(chunk) });
    expect(read(reads, 'OK 1 3\n')).to.equal(true);
    expect(read(reads, 'abc')).to.equal(true);
    expect(got.map((c) => c.length)).to.deep.equal([7, 3]);
    for (const chunk of got) expect(chunk.buffer).to.equal(reads.buffer.buffer);
  });

  it('reads into the sink\'s target while it has one, and into the reused buffer otherwise', function () {
    const reads = new ReusedReadBuffer();
    const body = Buffer.alloc(10);
    let target: Buffer | undefined;
    const got: Buffer[] = [];
    reads.attach({ onBytes: (chunk) => got.push(chunk), target: () => target });
    expect(reads.onread.buffer()).to.equal(reads.buffer);
    target = body.subarray(4);
    const into = reads.onread.buffer();
    expect(into).to.equal(target);
    const n = Buffer.from(into.buffer, into.byteOffset, into.length).write('xyz');
    reads.onread.callback(n, into);
    expect(got.at(-1)?.buffer).to.equal(body.buffer);
    expect(got.at(-1)?.byteOffset).to.equal(body.byteOffset + 4);
    expect(body.subarray(4, 7).toString()).to.equal('xyz');
    target = undefined;
    expect(reads.onread.buffer()).to.equal(reads.buffer);
  });

  it('reads only a header\'s worth into the reused buffer when the sink says a header is due', function () {
    const reads = new ReusedReadBuffer();
    reads.attach({ onBytes: () => undefined, target: () => 'header' });
    const room = reads.onread.buffer();
    expect(room.length).to.equal(HEADER_READ_BYTES);
    expect(room.buffer).to.equal(reads.buffer.buffer);
  });

  it('keeps bytes read before a sink is attached, copied before the buffer is reused', function () {
    const reads = new ReusedReadBuffer();
    read(reads, 'ERR 0 0 ERR_BUSY full\n');
    read(reads, 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX');
    const got: string[] = [];
    reads.attach({ onBytes: (chunk) => got.push(chunk.toString()) });
    read(reads, 'after');
    expect(got).to.deep.equal(['ERR 0 0 ERR_BUSY full\n', 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', 'after']);
  });

  it('inPlace tells bytes read into a body from bytes to be copied there', function () {
    const body = Buffer.alloc(100);
    expect(inPlace(body.subarray(10, 20), body, 10)).to.equal(true);
    expect(inPlace(body.subarray(10, 20), body, 11)).to.equal(false);
    expect(inPlace(Buffer.alloc(10), body, 10)).to.equal(false);
    const view = body.subarray(50);
    expect(inPlace(body.subarray(60, 70), view, 10)).to.equal(true);
  });

  it('receiveData passes on a stream\'s data chunks in order', async function () {
    const [a, b] = duplexPair();
    const got: string[] = [];
    receiveData(b, { onBytes: (chunk) => got.push(chunk.toString()) });
    a.end('one two');
    await new Promise((resolve) => b.once('end', resolve));
    expect(got.join('')).to.equal('one two');
  });
});

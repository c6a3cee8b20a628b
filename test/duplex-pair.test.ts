import { expect } from 'chai';
import { once } from 'node:events';
import { duplexPair } from './duplex-pair.js';

describe('duplex-pair (test helper)', () => {
  it('carries bytes both ways and ends the other side on end()', async () => {
    const [a, b] = duplexPair();
    const got: Buffer[] = [];
    b.on('data', (c: Buffer) => got.push(c));
    a.write('hello ');
    a.end('world');
    await once(b, 'end');
    expect(Buffer.concat(got).toString()).to.equal('hello world');
    b.end('back');
    const [chunk] = (await once(a, 'data')) as [Buffer];
    expect(chunk.toString()).to.equal('back');
  });

  it('holds writes while the other end does not read (backpressure)', async () => {
    const [a, b] = duplexPair({ highWaterMark: 16 });
    let flushed = 0;
    let ok = true;
    for (let i = 0; i < 10 && ok; i++) ok = a.write(Buffer.alloc(16), () => flushed++);
    expect(ok).to.equal(false);
    expect(flushed).to.be.lessThan(10);
    b.resume();
    await once(a, 'drain');
  });

  it('copies what is written, so a writer may reuse its buffer once the write is done', async () => {
    const [a, b] = duplexPair();
    const buffer = Buffer.from('first');
    await new Promise<void>((resolve) => a.write(buffer, () => resolve()));
    buffer.write('later');
    const [chunk] = (await once(b, 'data')) as [Buffer];
    expect(chunk.toString()).to.equal('first');
  });

  it('destroying one end destroys the other', async () => {
    const [a, b] = duplexPair();
    a.destroy();
    await once(b, 'close');
    expect(b.destroyed).to.equal(true);
  });
});

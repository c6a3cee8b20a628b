/** transport/buffer-pool: fixed-size buffers reused, never waited for, at most `max` kept. */
import { expect } from 'chai';
import { BufferPool } from '../../src/transport/buffer-pool.js';

/** Where a buffer's bytes live: two views of the same memory have the same place. */
const placeOf = (b: Buffer) => [b.buffer, b.byteOffset] as const;
const samePlace = (a: Buffer, b: Buffer) => a.buffer === b.buffer && a.byteOffset === b.byteOffset;

describe('transport/buffer-pool', function () {
  it('hands out views of the asked length, and refuses more than a buffer holds', function () {
    const pool = new BufferPool(64 * 1024, 4);
    expect(pool.take(10)).to.have.length(10);
    expect(pool.take(64 * 1024)).to.have.length(64 * 1024);
    expect(pool.take(0)).to.have.length(0);
    expect(() => pool.take(64 * 1024 + 1)).to.throw(RangeError);
  });

  it('reuses a buffer given back, at full size whatever length it was taken at', function () {
    const pool = new BufferPool(64 * 1024, 4);
    const small = pool.take(100);
    small.fill(7);
    pool.give(small);
    const again = pool.take(64 * 1024);
    expect(samePlace(again, small)).to.equal(true);
    expect(again).to.have.length(64 * 1024);
    expect(again[99]).to.equal(7); // the same memory, not cleared: callers overwrite what they read
  });

  it('never waits: with every kept buffer out, take() allocates fresh ones, each its own memory', function () {
    const pool = new BufferPool(64 * 1024, 2);
    const out = Array.from({ length: 5 }, () => pool.take(64 * 1024));
    for (const [i, a] of out.entries()) for (const b of out.slice(i + 1)) expect(samePlace(a, b)).to.equal(false);
  });

  it('keeps at most `max` given back; the rest are left to the garbage collector', function () {
    const pool = new BufferPool(64 * 1024, 2);
    const out = Array.from({ length: 3 }, () => pool.take(64 * 1024));
    for (const b of out) pool.give(b);
    const next = Array.from({ length: 3 }, () => pool.take(64 * 1024));
    const reused = next.filter((n) => out.some((o) => samePlace(n, o)));
    expect(reused).to.have.length(2);
    expect(placeOf(reused[0] as Buffer)).to.not.deep.equal(placeOf(reused[1] as Buffer));
  });

  it('shared: buffers in shared memory that worker threads can read, reused like any other', function () {
    const pool = new BufferPool(64 * 1024, 2, { shared: true });
    const a = pool.take(1000);
    expect(a.buffer).to.be.an.instanceOf(SharedArrayBuffer);
    expect(a.buffer.byteLength).to.equal(64 * 1024);
    pool.give(a);
    expect(samePlace(pool.take(10), a)).to.equal(true);
    expect(new BufferPool(1024, 1).take(10).buffer).to.not.be.an.instanceOf(SharedArrayBuffer);
  });
});

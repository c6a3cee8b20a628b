/**
 * client/piece-verifier: SHA-256 of pieces in shared memory on worker threads, the same digests
 * as hashing here, and here whenever a worker would not pay or is not there.
 */
import { expect } from 'chai';
import { HASH_THREADS, PieceVerifier, WORKER_MIN_BYTES } from '../../src/client/piece-verifier.js';
import { hashPiece } from '../../src/storage/piece-hasher.js';
import { BufferPool } from '../../src/transport/buffer-pool.js';

/** `lengths` pieces of distinct bytes, in a buffer of the pool. */
function pieces(pool: BufferPool, lengths: readonly number[]): Buffer {
  const data = pool.take(lengths.reduce((a, b) => a + b, 0));
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 9)) & 0xff;
  return data;
}

/** The digests computed one piece at a time on this thread. */
function expected(data: Buffer, lengths: readonly number[]): string[] {
  let at = 0;
  return lengths.map((n) => hashPiece(data.subarray(at, (at += n))).toString('hex'));
}

/** Resolves once every worker of the verifier is online (they start in the background). */
async function online(verifier: PieceVerifier): Promise<void> {
  for (let i = 0; i < 500 && verifier.online < verifier.workers; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(verifier.online).to.equal(verifier.workers);
}

describe('client/piece-verifier', function () {
  const shared = new BufferPool(1024 * 1024, 4, { shared: true });
  let verifier: PieceVerifier;
  beforeEach(() => (verifier = new PieceVerifier({ threads: 2, fastBytes: 0 })));
  afterEach(() => verifier.close());

  it('starts no worker for a small download, and hashes it here', async function () {
    verifier.prepare(WORKER_MIN_BYTES - 1);
    expect(verifier.workers).to.equal(0);
    const lengths = [262144, 1000];
    const data = pieces(shared, lengths);
    expect((await verifier.digests(data, lengths)).map((d) => d.toString('hex'))).to.deep.equal(expected(data, lengths));
    expect(verifier.hashedByWorkers).to.equal(0);
  });

  it('starts HASH_THREADS workers by default, once a large download hashes fast here, not before', async function () {
    const plain = new PieceVerifier({ fastBytes: 2 * 1024 * 1024 });
    plain.prepare(WORKER_MIN_BYTES);
    expect(plain.workers).to.equal(0);
    const data = pieces(shared, [1024 * 1024]);
    await plain.digests(data, [data.length]);
    expect(plain.workers, 'a megabyte: not yet').to.equal(0);
    await plain.digests(data, [data.length]);
    expect(plain.workers).to.equal(HASH_THREADS);
    await plain.close();
  });

  it('starts no worker for a large download that delivers slowly', async function () {
    const slow = new PieceVerifier({ fastBytes: 2 * 1024 * 1024 });
    slow.prepare(WORKER_MIN_BYTES);
    const data = pieces(shared, [1024 * 1024]);
    await slow.digests(data, [data.length]);
    await new Promise((resolve) => setTimeout(resolve, 300)); // past the window
    await slow.digests(data, [data.length]);
    expect(slow.workers).to.equal(0);
    await slow.close();
  });

  it('stops its workers once every download that asked for them is over, not before', async function () {
    const first = verifier.prepare(WORKER_MIN_BYTES);
    const second = verifier.prepare(WORKER_MIN_BYTES);
    expect(verifier.workers).to.equal(2);
    first();
    first(); // a second call of the same download counts once
    expect(verifier.workers, 'the other download still hashes').to.equal(2);
    second();
    expect(verifier.workers).to.equal(0);
    const data = pieces(shared, [1000]);
    expect((await verifier.digests(data, [1000]))[0]?.toString('hex')).to.equal(expected(data, [1000])[0]);
    verifier.prepare(WORKER_MIN_BYTES - 1)(); // a small download neither starts nor stops any
    expect(verifier.workers).to.equal(0);
  });

  it('hashes here while its workers are still starting', async function () {
    verifier.prepare(WORKER_MIN_BYTES);
    expect(verifier.online).to.equal(0);
    const data = pieces(shared, [1000]);
    expect((await verifier.digests(data, [1000]))[0]?.toString('hex')).to.equal(expected(data, [1000])[0]);
    expect(verifier.hashedByWorkers).to.equal(0);
  });

  it('on worker threads, gives the same digests as hashing here, for many requests at once', async function () {
    verifier.prepare(WORKER_MIN_BYTES);
    expect(verifier.workers).to.equal(2);
    await online(verifier);
    const runs = [[262144, 262144, 262144, 262144], [262144], [5], [262144, 17]];
    const buffers = runs.map((lengths) => pieces(new BufferPool(1024 * 1024, 1, { shared: true }), lengths));
    const got = await Promise.all(runs.map((lengths, i) => verifier.digests(buffers[i] as Buffer, lengths)));
    expect(got.map((ds) => ds.map((d) => d.toString('hex')))).to.deep.equal(runs.map((lengths, i) => expected(buffers[i] as Buffer, lengths)));
    expect(verifier.hashedByWorkers).to.equal(8);
  });

  it('hashes pieces at an offset inside the shared memory', async function () {
    verifier.prepare(WORKER_MIN_BYTES);
    await online(verifier);
    const whole = pieces(shared, [300000]);
    const part = whole.subarray(1234, 1234 + 2000);
    expect((await verifier.digests(part, [1500, 500])).map((d) => d.toString('hex'))).to.deep.equal(expected(part, [1500, 500]));
    expect(verifier.hashedByWorkers).to.equal(2);
  });

  it('hashes memory that is not shared here, even with workers running', async function () {
    verifier.prepare(WORKER_MIN_BYTES);
    await online(verifier);
    const lengths = [1000, 2000];
    const data = pieces(new BufferPool(4096, 1), lengths);
    expect((await verifier.digests(data, lengths)).map((d) => d.toString('hex'))).to.deep.equal(expected(data, lengths));
    expect(verifier.hashedByWorkers).to.equal(0);
  });

  it('closed while pieces are being hashed, it hashes them here and stops its workers', async function () {
    verifier.prepare(WORKER_MIN_BYTES);
    await online(verifier);
    const lengths = [262144, 262144, 262144, 262144];
    const data = pieces(shared, lengths);
    const pending = verifier.digests(data, lengths);
    await verifier.close();
    expect(verifier.workers).to.equal(0);
    expect((await pending).map((d) => d.toString('hex'))).to.deep.equal(expected(data, lengths));
  });

  it('stops idle workers after its idle time', async function () {
    const quick = new PieceVerifier({ threads: 1, idleMs: 50, fastBytes: 0 });
    quick.prepare(WORKER_MIN_BYTES);
    expect(quick.workers).to.equal(1);
    for (let i = 0; i < 100 && quick.workers > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(quick.workers).to.equal(0);
  });
});

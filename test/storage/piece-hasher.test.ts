import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { PIECE_SIZE } from '../../src/constants.js';
import { PieceHasher, hashPiece, identityOf, shortIdentity } from '../../src/storage/piece-hasher.js';

const SHA256_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Independent reference: piece hashes and identity with node:crypto only. */
function reference(data: Buffer, pieceSize: number): { pieceHashes: Buffer; identity: string } {
  const hashes: Buffer[] = [];
  for (let i = 0; i < data.length; i += pieceSize) hashes.push(sha256(data.subarray(i, i + pieceSize)));
  const pieceHashes = Buffer.concat(hashes);
  return { pieceHashes, identity: sha256(pieceHashes).toString('hex') };
}

function hashInChunks(data: Buffer, pieceSize: number, chunkSize: number): { pieceHashes: Buffer; identity: string; size: number } {
  const hasher = new PieceHasher(pieceSize);
  for (let i = 0; i < data.length; i += chunkSize) hasher.update(data.subarray(i, i + chunkSize));
  return { ...hasher.digest(), size: hasher.size };
}

describe('storage/piece-hasher', () => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog.\n', 'utf8'); // 45 bytes

  it('gives the same result for every chunk size 1..n as for one update (piece size 4)', () => {
    const whole = new PieceHasher(4);
    whole.update(data);
    const expected = whole.digest();
    expect(expected).to.deep.equal(reference(data, 4));
    expect(expected.pieceHashes.length).to.equal(12 * 32); // ceil(45 / 4) pieces
    for (let chunk = 1; chunk <= data.length; chunk++) {
      const got = hashInChunks(data, 4, chunk);
      expect(got.size, `chunk size ${chunk}`).to.equal(data.length);
      expect(got.pieceHashes, `chunk size ${chunk}`).to.deep.equal(expected.pieceHashes);
      expect(got.identity, `chunk size ${chunk}`).to.equal(expected.identity);
    }
  });

  it('handles input that is an exact multiple of the piece size (no empty last piece)', () => {
    const eight = Buffer.from('abcdefgh');
    const got = hashInChunks(eight, 4, 3);
    expect(got.pieceHashes).to.deep.equal(Buffer.concat([sha256(Buffer.from('abcd')), sha256(Buffer.from('efgh'))]));
    expect(got.identity).to.equal(reference(eight, 4).identity);
  });

  it('ignores empty updates', () => {
    const hasher = new PieceHasher(4);
    hasher.update(Buffer.alloc(0));
    hasher.update(Buffer.from('abcd'));
    hasher.update(Buffer.alloc(0));
    hasher.update(Buffer.from('e'));
    expect(hasher.digest()).to.deep.equal(reference(Buffer.from('abcde'), 4));
  });

  it('identity of empty input is sha256 of the empty piece list', () => {
    const hasher = new PieceHasher(4);
    const { pieceHashes, identity } = hasher.digest();
    expect(pieceHashes.length).to.equal(0);
    expect(identity).to.equal(SHA256_EMPTY);
    expect(hasher.size).to.equal(0);
    expect(identityOf(Buffer.alloc(0))).to.equal(SHA256_EMPTY);
  });

  it('identity is sha256 of the concatenated sha256 of each piece (default piece size)', () => {
    const big = Buffer.alloc(PIECE_SIZE * 2 + 100);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    const hasher = new PieceHasher();
    hasher.update(big.subarray(0, 1000));
    hasher.update(big.subarray(1000));
    const got = hasher.digest();
    const pieces = [big.subarray(0, PIECE_SIZE), big.subarray(PIECE_SIZE, 2 * PIECE_SIZE), big.subarray(2 * PIECE_SIZE)];
    const expectedHashes = Buffer.concat(pieces.map(sha256));
    expect(got.pieceHashes).to.deep.equal(expectedHashes);
    expect(got.identity).to.equal(sha256(expectedHashes).toString('hex'));
  });

  it('hashes the exact bytes of a multi-byte UTF-8 character split across a piece boundary', () => {
    const text = Buffer.from('ab€', 'utf8'); // 61 62 e2 82 ac: the euro sign spans pieces [ab e2 82] [ac]
    expect([...text]).to.deep.equal([0x61, 0x62, 0xe2, 0x82, 0xac]);
    const hasher = new PieceHasher(4);
    hasher.update(text.subarray(0, 3));
    hasher.update(text.subarray(3));
    const got = hasher.digest();
    const expectedHashes = Buffer.concat([sha256(Buffer.from([0x61, 0x62, 0xe2, 0x82])), sha256(Buffer.from([0xac]))]);
    expect(got.pieceHashes).to.deep.equal(expectedHashes);
    expect(got.identity).to.equal(sha256(expectedHashes).toString('hex'));
  });

  it('hashPiece is sha256 and shortIdentity keeps 12 hex digits', () => {
    expect(hashPiece(Buffer.from('abc')).toString('hex')).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(shortIdentity(SHA256_EMPTY)).to.equal('e3b0c44298fc');
  });
});

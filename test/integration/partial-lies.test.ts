/**
 * Lies from a partial holder (issue 10, "Tests"): a scripted peer that answers INFO … partial as
 * a peer still downloading the file, beside a real seed slowed by a proxy. One claims pieces it
 * never serves (every GET: ERR_NOT_HELD); one answers HAVE with a bit past the last piece (a
 * protocol violation: banned); one floods the connection with answers nobody asked for (txtmesh
 * has no notices: a client learns holdings only by asking HAVE, so an unasked answer is a
 * violation); one answers every HAVE at once with a holding that flips between everything and
 * nothing. The download completes from the seed, every byte compared, and the liar is credited
 * with nothing. (A partial holder whose part file is deleted: partial-faults.test.ts.)
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { download } from '../../src/client/download.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { encodeBitfield } from '../../src/protocol/bitfield.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';
import { type Mesh, type Proxy, makeText, startMesh, throttledProxy } from '../helpers.js';
import { type FakePeer, type FakeRequest, helloAnswer, startFakePeer } from './fake-peer.js';

const PIECES = 12;
const text = makeText(PIECES * PIECE_SIZE);
const hasher = new PieceHasher(PIECE_SIZE);
hasher.update(text);
const { pieceHashes, identity } = hasher.digest();

/** The first half of the pieces, as a bitfield. */
const half = new Uint8Array(PIECES).map((_, p) => (p < PIECES / 2 ? 1 : 0));

function infoAnswer(request: FakeRequest, have: Uint8Array): Buffer {
  const bits = encodeBitfield(have);
  const held = have.reduce((a, b) => a + b, 0);
  const header = `OK ${request.id} ${pieceHashes.length + bits.length} size=${text.length} piece=${PIECE_SIZE} pieces=${PIECES} identity=${identity} have=${held}\n`;
  return Buffer.concat([Buffer.from(header), pieceHashes, bits]);
}

function haveAnswer(request: FakeRequest, bits: Buffer, held: number): Buffer {
  return Buffer.concat([Buffer.from(`OK ${request.id} ${bits.length} pieces=${PIECES} have=${held}\n`), bits]);
}

/** Every piece the GETs among `requests` asked for (`GET <id> 0 <name> <offset> <length> <identity>`), in order. */
function piecesAsked(requests: readonly string[]): number[] {
  return requests
    .filter((r) => r.startsWith('GET '))
    .flatMap((r) => {
      const [, , , , offset, length] = r.split(' ').map(Number);
      const first = (offset as number) / PIECE_SIZE;
      return Array.from({ length: Math.ceil((length as number) / PIECE_SIZE) }, (_, i) => first + i);
    });
}

describe('lies from a partial holder', function () {
  this.timeout(60_000);
  let mesh: Mesh | undefined;
  let proxy: Proxy | undefined;
  let fake: FakePeer | undefined;
  afterEach(async () => {
    await fake?.close();
    await proxy?.close();
    await mesh?.stop();
  });

  async function downloadBeside(script: (request: FakeRequest) => string | Buffer | undefined) {
    mesh = await startMesh({ seed: { files: { 'big.txt': text } } }, ['me']);
    proxy = await throttledProxy(mesh.address('seed'), 2 * 1024 * 1024);
    fake = await startFakePeer(script);
    const liar = { id: 'liar', host: '127.0.0.1', port: fake.port, line: 2 };
    const seed = { ...mesh.address('seed'), port: proxy.port };
    const result = await download({ name: 'big.txt', peers: [liar, seed], folder: await mesh.folderOf('me') });
    expect((await readFile(join(mesh.dirOf('me'), 'big.txt'))).equals(text)).to.equal(true);
    return { result, requests: fake.requests };
  }

  it('claims pieces it never serves: every GET is ERR_NOT_HELD; the download completes from the seed', async () => {
    const { result, requests } = await downloadBeside((request) => {
      if (request.verb === 'HELLO') return helloAnswer(request);
      if (request.verb === 'INFO') return infoAnswer(request, half);
      if (request.verb === 'HAVE') return haveAnswer(request, encodeBitfield(half), PIECES / 2);
      if (request.verb === 'GET') return `ERR ${request.id} 0 ERR_NOT_HELD not here after all\n`;
      return undefined;
    });
    expect(requests.some((r) => r.startsWith('GET ')), 'the liar was asked for a piece').to.equal(true);
    // Each refusal makes the client ask HAVE again; the HAVE claims the piece again, and is not
    // believed for it (client/holdings.ts): no piece is asked of the liar twice in this download.
    expect(requests.filter((r) => r.startsWith('HAVE ')).length).to.be.at.least(1);
    const asked = piecesAsked(requests);
    expect(asked.length, `pieces asked of the liar: ${asked.join(' ')}`).to.equal(new Set(asked).size);
    expect(result.peers.find((p) => p.peer === 'liar')?.bytes ?? 0).to.equal(0);
    expect(result.peers.find((p) => p.peer === 'seed')?.bytes).to.equal(text.length);
  });

  it('a HAVE with a bit past the last piece: banned for a protocol violation, the download completes', async () => {
    // 12 pieces: 2 bytes, the last 4 bits spare; one of them set.
    const bad = Buffer.from(encodeBitfield(half));
    bad[1] = (bad[1] as number) | 0x01;
    const { result } = await downloadBeside((request) => {
      if (request.verb === 'HELLO') return helloAnswer(request);
      if (request.verb === 'INFO') return infoAnswer(request, new Uint8Array(PIECES));
      if (request.verb === 'HAVE') return haveAnswer(request, bad, PIECES / 2 + 1);
      return undefined;
    });
    const liar = result.peers.find((p) => p.peer === 'liar');
    expect(liar?.bytes ?? 0).to.equal(0);
    expect(liar?.problem?.code).to.equal('ERR_PEER_PROTOCOL');
  });

  it('a flood of answers nobody asked for (20000 HAVE answers after its INFO): cut off at the first, the download completes', async () => {
    const notice = haveAnswer({ verb: 'HAVE', id: '999', args: [] }, encodeBitfield(half), PIECES / 2);
    const flood = Buffer.concat(Array.from({ length: 20_000 }, () => notice));
    const { result, requests } = await downloadBeside((request) => {
      if (request.verb === 'HELLO') return helloAnswer(request);
      if (request.verb === 'INFO') return Buffer.concat([infoAnswer(request, half), flood]);
      return `ERR ${request.id} 0 ERR_NOT_HELD not here\n`;
    });
    const liar = result.peers.find((p) => p.peer === 'liar');
    expect(liar?.bytes ?? 0).to.equal(0);
    expect(liar?.problem?.code).to.equal('ERR_PEER_PROTOCOL');
    expect(requests.filter((r) => r.startsWith('GET ')), 'never asked for a piece').to.deep.equal([]);
  });

  it('HAVE answered at once with a holding that flips between all and nothing: each piece is asked at most once, HAVEs at the client\'s pace', async () => {
    let flips = 0;
    const started = performance.now();
    const { result, requests } = await downloadBeside((request) => {
      if (request.verb === 'HELLO') return helloAnswer(request);
      if (request.verb === 'INFO') return infoAnswer(request, half);
      if (request.verb === 'HAVE') return ++flips % 2 === 0 ? haveAnswer(request, encodeBitfield(new Uint8Array(PIECES).fill(1)), PIECES) : haveAnswer(request, encodeBitfield(new Uint8Array(PIECES)), 0);
      return `ERR ${request.id} 0 ERR_NOT_HELD not here after all\n`;
    });
    const seconds = (performance.now() - started) / 1000;
    expect(result.peers.find((p) => p.peer === 'liar')?.bytes ?? 0).to.equal(0);
    const asked = piecesAsked(requests);
    expect(asked.length, `pieces asked of the liar: ${asked.join(' ')}`).to.equal(new Set(asked).size);
    // A quick HAVE at most every 200 ms plus the one-second poll (swarm-source.ts), with room: not a storm.
    expect(requests.filter((r) => r.startsWith('HAVE ')).length).to.be.below(4 + 10 * seconds);
  });
});

/**
 * The download's target in a real temp folder: prepared (nothing to do, a conflict, a fresh
 * part file, a resumed one) and published (complete, incomplete, interrupted, raced).
 */
import { expect } from 'chai';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PeerLedger } from '../../../src/client/download/peer-ledger.js';
import { type Target, prepareTarget, publishTarget } from '../../../src/client/download/target.js';
import { Swarm } from '../../../src/client/swarm.js';
import { PIECE_SIZE } from '../../../src/constants.js';
import type { ServedFolder } from '../../../src/storage/served-folder.js';
import { VersionsArea } from '../../../src/storage/versions-area.js';
import { fileInfoOf, makeText, servedFolder, tempDir } from '../../helpers.js';
import { expectCode } from '../../helpers/expect-code.js';

describe('client/download/target', function () {
  const text = makeText(3 * PIECE_SIZE + 100);
  const info = fileInfoOf('f.txt', text);
  let dir: string;
  let folder: ServedFolder;
  const swarms: Swarm[] = [];

  async function prepared(): Promise<Target> {
    const target = await prepareTarget(folder, info, undefined);
    if (target === 'already') throw new Error('expected a part file');
    return target;
  }

  /** Writes `pieces` of the text into the part file, as the swarm would after verifying them. */
  async function writePieces(target: Target, pieces: number[]): Promise<void> {
    for (const p of pieces) await target.part.write(p * PIECE_SIZE, text.subarray(p * PIECE_SIZE, (p + 1) * PIECE_SIZE));
  }

  /** A swarm with no sources that has `done` pieces. */
  function swarmWith(target: Target, done: number[]): Swarm {
    const swarm = new Swarm({ info, part: target.part, verified: done, depth: 1, stallTimeoutMs: 1000, signal: new AbortController().signal });
    swarms.push(swarm);
    return swarm;
  }

  beforeEach(async function () {
    dir = await tempDir();
    folder = await servedFolder(dir);
  });
  afterEach(async function () {
    for (const s of swarms.splice(0)) s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('has nothing to do when the folder already has this version', async function () {
    await writeFile(join(dir, 'f.txt'), text);
    expect(await prepareTarget(folder, info, undefined)).to.equal('already');
  });

  it('never replaces a different file under the name', async function () {
    await writeFile(join(dir, 'f.txt'), 'something else');
    await expectCode(prepareTarget(folder, info, undefined), 'ERR_EXISTS');
    expect(await readFile(join(dir, 'f.txt'), 'utf8')).to.equal('something else');
  });

  it('opens a fresh part file with nothing to resume', async function () {
    let resumed = false;
    const target = await prepareTarget(folder, info, () => (resumed = true));
    if (target === 'already') throw new Error('expected a part file');
    expect([target.verified, target.resumedBytes, target.pieceCount, resumed]).to.deep.equal([[], 0, 4, false]);
    await target.part.discard();
  });

  it('resumes from the verified pieces of an earlier attempt, and says so', async function () {
    const first = await prepared();
    await writePieces(first, [0, 1]);
    await first.part.close();
    const calls: number[][] = [];
    const again = await prepareTarget(folder, info, (pieces, of, bytes) => calls.push([pieces, of, bytes]));
    if (again === 'already') throw new Error('expected a part file');
    expect(again.verified).to.deep.equal([0, 1]);
    expect(again.resumedBytes).to.equal(2 * PIECE_SIZE);
    expect(calls).to.deep.equal([[2, 4, 2 * PIECE_SIZE]]);
    await again.part.discard();
  });

  it('with a versions area, replaces a different file under the name and keeps it there', async function () {
    await writeFile(join(dir, 'f.txt'), 'something else');
    const versions = new VersionsArea(folder);
    const target = await prepareTarget(folder, info, undefined, versions);
    if (target === 'already') throw new Error('expected a part file');
    expect(await readFile(join(dir, 'f.txt'), 'utf8')).to.equal('something else'); // untouched until published
    await writePieces(target, [0, 1, 2, 3]);
    const published = await publishTarget(target, swarmWith(target, [0, 1, 2, 3]), new PeerLedger(), false);
    expect(published.status).to.equal('replaced');
    expect(published.kept).to.include({ name: 'f.txt', size: 14, why: 'replaced' });
    expect((await readFile(join(dir, 'f.txt'))).equals(text)).to.equal(true);
    expect((await versions.kept('f.txt')).map((k) => k.size)).to.deep.equal([14]);
    expect(await readdir(dir)).to.deep.equal(['.txtmesh', 'f.txt']);
  });

  it('publishes a complete file under its name, leaving no part file', async function () {
    const target = await prepared();
    await writePieces(target, [0, 1, 2, 3]);
    expect(await publishTarget(target, swarmWith(target, [0, 1, 2, 3]), new PeerLedger(), false)).to.deep.equal({ status: 'downloaded' });
    expect((await readFile(join(dir, 'f.txt'))).equals(text)).to.equal(true);
    expect(await readdir(dir)).to.deep.equal(['f.txt']);
    expect((await folder.describe('f.txt')).identity).to.equal(info.identity);
  });

  it('is already there when the same file took the name meanwhile, and ERR_EXISTS when another did', async function () {
    const same = await prepared();
    await writePieces(same, [0, 1, 2, 3]);
    await writeFile(join(dir, 'f.txt'), text);
    expect(await publishTarget(same, swarmWith(same, [0, 1, 2, 3]), new PeerLedger(), false)).to.deep.equal({ status: 'already' });
    expect(await readdir(dir)).to.deep.equal(['f.txt']);

    await rm(join(dir, 'f.txt'));
    const other = await prepared();
    await writePieces(other, [0, 1, 2, 3]);
    await writeFile(join(dir, 'f.txt'), 'another file');
    await expectCode(publishTarget(other, swarmWith(other, [0, 1, 2, 3]), new PeerLedger(), false), 'ERR_EXISTS');
    expect(await readFile(join(dir, 'f.txt'), 'utf8')).to.equal('another file');
    expect(await readdir(dir)).to.deep.equal(['f.txt']);
  });

  it('fails an incomplete download, keeping its verified pieces and naming why each peer stopped', async function () {
    const target = await prepared();
    await writePieces(target, [0]);
    const ledger = new PeerLedger();
    ledger.set('p1', { problem: { code: 'ERR_PEER_UNREACHABLE', message: 'down (ERR_PEER_UNREACHABLE)' } });
    const err = await expectCode(publishTarget(target, swarmWith(target, [0]), ledger, false), 'ERR_DOWNLOAD_INCOMPLETE');
    expect(err.reasons).to.deep.equal(['ERR_PEER_UNREACHABLE']);
    expect(err.message).to.contain('1/4 pieces').and.to.contain('p1: down (ERR_PEER_UNREACHABLE)');
    // Nothing under the real name; the part file is kept, with the record of its verified pieces.
    const part = basename(target.part.path);
    expect((await readdir(dir)).sort()).to.deep.equal([part.replace(/part$/, 'have'), part]);
  });

  it('says it was interrupted; with no verified piece, the part file goes', async function () {
    const target = await prepared();
    const err = await expectCode(publishTarget(target, swarmWith(target, []), new PeerLedger(), true), 'ERR_DOWNLOAD_INCOMPLETE');
    expect(err.message).to.equal('download of f.txt was interrupted');
    expect(await readdir(dir)).to.deep.equal([]);
  });
});

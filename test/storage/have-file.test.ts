import { expect } from 'chai';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIECE_SIZE } from '../../src/constants.js';
import { HaveFile, findPartials, havePathFor, partPathFor, readPartial } from '../../src/storage/have-file.js';
import { fileInfoOf } from '../helpers.js';

describe('storage/have-file', () => {
  const data = Buffer.alloc(3 * PIECE_SIZE + 100, 'a');
  const info = fileInfoOf('notes.txt', data);

  it('pairs a part file with its sidecar', () => {
    const part = '/x/.notes.txt.dl-0123456789abcdef.txtmesh-part';
    expect(havePathFor(part)).to.equal('/x/.notes.txt.dl-0123456789abcdef.txtmesh-have');
    expect(partPathFor(havePathFor(part))).to.equal(part);
  });

  it('records verified pieces where a reader finds them, one flag at a time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'txtmesh-have-'));
    const part = join(dir, `.notes.txt.dl-${info.identity.slice(0, 16)}.txtmesh-part`);
    const have = await HaveFile.create(part, info, [2]);
    let copy = await readPartial(have.path, 'notes.txt');
    expect(copy?.info.identity).to.equal(info.identity);
    expect(copy?.info.pieceHashes.equals(info.pieceHashes)).to.equal(true);
    expect([...(copy?.have ?? [])]).to.deep.equal([0, 0, 1, 0]);
    await have.mark(0);
    await have.mark(3);
    copy = await readPartial(have.path, 'notes.txt');
    expect([...(copy?.have ?? [])]).to.deep.equal([1, 0, 1, 1]);
    expect(copy?.heldCount).to.equal(3);
    expect(copy?.partPath).to.equal(part);
    expect((await findPartials(join(dir, 'notes.txt'), 'notes.txt')).map((c) => c.heldCount)).to.deep.equal([3]);
    await have.mark(0, 2); // a run of pieces in one write
    expect([...((await readPartial(have.path, 'notes.txt'))?.have ?? [])]).to.deep.equal([1, 1, 1, 1]);
    await have.remove();
    expect(await readPartial(have.path, 'notes.txt')).to.equal(undefined);
  });

  it('never believes a sidecar whose hashes do not give its identity, or that is cut short', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'txtmesh-have-'));
    const have = await HaveFile.create(join(dir, '.notes.txt.dl-x.txtmesh-part'), info, [0]);
    await have.close();
    const bytes = await readFile(have.path);
    const tampered = Buffer.from(bytes);
    const at = bytes.indexOf(0x0a) + 5; // a hash byte
    tampered[at] = (tampered[at] as number) ^ 0xff;
    await writeFile(have.path, tampered);
    expect(await readPartial(have.path, 'notes.txt')).to.equal(undefined);
    await writeFile(have.path, bytes.subarray(0, bytes.length - 1));
    expect(await readPartial(have.path, 'notes.txt')).to.equal(undefined);
    await writeFile(have.path, 'garbage\n');
    expect(await readPartial(have.path, 'notes.txt')).to.equal(undefined);
    expect(await findPartials(join(dir, 'notes.txt'), 'notes.txt')).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileLists } from '../../src/client/filelist.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { type Mesh, startMesh, writeFiles } from '../helpers.js';

function identityOf(data: Buffer): string {
  const hashes: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += PIECE_SIZE) {
    hashes.push(createHash('sha256').update(data.subarray(offset, offset + PIECE_SIZE)).digest());
  }
  return createHash('sha256').update(Buffer.concat(hashes)).digest('hex');
}

describe('#FILELIST over real servers', function () {
  let mesh: Mesh;
  const big = Buffer.alloc(PIECE_SIZE * 2 + 17, 'x');

  before(async function () {
    mesh = await startMesh({
      p1: { files: { 'a.txt': 'alpha\r\n', 'sub/dir/b.txt': big, 'notes.md': 'not served', '.hidden.txt': 'temp' } },
      p2: { files: {} },
      p3: { state: 'down' },
      p4: { state: 'silent' },
    });
  });
  after(() => mesh.stop());

  it('lists each peer\'s .txt files with size and identity, skipping hidden and other files', async function () {
    const [p1, p2] = await fileLists([mesh.address('p1'), mesh.address('p2')]);
    expect(p1).to.deep.equal({
      peer: 'p1',
      ok: true,
      files: [
        { name: 'a.txt', size: 7, identity: identityOf(Buffer.from('alpha\r\n')) },
        { name: 'sub/dir/b.txt', size: big.length, identity: identityOf(big) },
      ],
    });
    expect(p2).to.deep.equal({ peer: 'p2', ok: true, files: [] });
  });

  it('reports a down peer and a silent peer without stalling the others', async function () {
    const started = Date.now();
    const results = await fileLists(mesh.peers, { timeoutMs: 1500 });
    const elapsed = Date.now() - started;
    expect(results.map((r) => [r.peer, r.ok ? 'ok' : r.error.code])).to.deep.equal([
      ['p1', 'ok'],
      ['p2', 'ok'],
      ['p3', 'ERR_PEER_UNREACHABLE'],
      ['p4', 'ERR_PEER_TIMEOUT'],
    ]);
    // Asked in parallel: the silent peer's deadline is paid once, not added to the others.
    expect(elapsed).to.be.below(5000);
  });

  it('sees files added and removed while the server runs', async function () {
    await writeFiles(mesh.dirOf('p2'), { 'new.txt': 'fresh' });
    let [p2] = await fileLists([mesh.address('p2')]);
    expect(p2?.ok && p2.files.map((f) => f.name)).to.deep.equal(['new.txt']);
    await unlink(join(mesh.dirOf('p2'), 'new.txt'));
    [p2] = await fileLists([mesh.address('p2')]);
    expect(p2?.ok && p2.files).to.deep.equal([]);
  });
});

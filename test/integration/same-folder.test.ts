/**
 * Issue 12, item 4: two downloads of one file into one peer folder at once. The first, slowed
 * by a throttling proxy, holds the name's download lock; the second is refused at once with
 * ERR_BUSY saying a download of it is running, never a raw ENOENT, and never touches the
 * first's part file, whether it asks for the same version or another one. The first finishes
 * byte for byte.
 */
import { expect } from 'chai';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { download } from '../../src/client/download.js';
import { PIECE_SIZE } from '../../src/constants.js';
import { type Mesh, type Proxy, makeText, startMesh, throttledProxy, waitFor } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

describe('two downloads of one file into one peer folder', function () {
  this.timeout(60_000);
  let mesh: Mesh | undefined;
  let proxy: Proxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await mesh?.stop();
    mesh = proxy = undefined;
  });

  for (const versions of ['the same version', 'two versions']) {
    it(`the second is refused with ERR_BUSY while the first runs (${versions}), and the first finishes`, async function () {
      const text = makeText(8 * PIECE_SIZE);
      const other = versions === 'two versions' ? makeText(4 * PIECE_SIZE, [100]) : text;
      mesh = await startMesh({ p1: { files: { 'large.txt': text } }, p2: { files: { 'large.txt': other } } }, ['me']);
      proxy = await throttledProxy(mesh.address('p1'), 1024 * 1024); // about 2 s for the first
      const folder = await mesh.folderOf('me');
      const me = mesh.dirOf('me');
      const first = download({ name: 'large.txt', peers: [{ ...mesh.address('p1'), port: proxy.port }], folder });
      await waitFor(async () => (await readdir(me)).some((n) => n.endsWith('.txtmesh-part')), 5000, 'the first download\'s part file');
      const partsBefore = (await readdir(me)).filter((n) => n.endsWith('.txtmesh-part'));
      const err = await expectCode(download({ name: 'large.txt', peers: [mesh.address('p2')], folder }), 'ERR_BUSY');
      expect(err.message).to.contain('a download of large.txt into this folder is already running');
      expect((await readdir(me)).filter((n) => n.endsWith('.txtmesh-part'))).to.deep.equal(partsBefore);
      const result = await first;
      expect(result.status).to.equal('downloaded');
      expect((await readFile(join(me, 'large.txt'))).equals(text)).to.equal(true);
      expect(await readdir(me)).to.deep.equal(['large.txt']);
    });
  }
});

/**
 * Nothing outside served_files/ is read or written: symlinks are neither listed, served nor
 * written through; replaced files are not served from stale handles.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { download } from '../../src/client/download.js';
import { fileInfo, getRange, listFiles } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { REQUESTS } from '../../src/protocol/requests.js';
import { type Mesh, rawExchange, startMesh } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

const identityOf = (data: Buffer) => createHash('sha256').update(createHash('sha256').update(data).digest()).digest('hex');

describe('confinement to served_files/', function () {
  let mesh: Mesh;
  let outside: string;

  beforeEach(async function () {
    mesh = await startMesh({ p1: { files: { 'real.txt': 'real' } } }, ['me']);
    outside = join(mesh.root, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await symlink(join(outside, 'secret.txt'), join(mesh.dirOf('p1'), 'link.txt'));
    await symlink(outside, join(mesh.dirOf('p1'), 'linkdir'));
    await symlink(join(mesh.dirOf('p1'), 'real.txt'), join(mesh.dirOf('p1'), 'inside-link.txt'));
  });
  afterEach(() => mesh.stop());

  it('neither lists nor serves symlinked files or folders, even pointing inside', async function () {
    const conn = await PeerConnection.connect(mesh.address('p1'));
    try {
      expect((await listFiles(conn)).map((f) => f.name)).to.deep.equal(['real.txt']);
      for (const name of ['link.txt', 'linkdir/secret.txt', 'inside-link.txt']) {
        await expectCode(fileInfo(conn, name), 'ERR_NOT_FOUND');
      }
    } finally {
      conn.close();
    }
  });

  it('refuses an upload through a symlinked folder, writing nothing outside', async function () {
    const body = Buffer.from('planted');
    const raw = await rawExchange(mesh.address('p1').port, Buffer.concat([REQUESTS.PUT.encode({ verb: 'PUT', id: 1, name: 'linkdir/planted.txt', size: body.length, identity: identityOf(body) }), body]), 300, { claimAs: 'me' });
    expect(raw.text).to.match(/^ERR 1 0 ERR_BAD_NAME /);
    expect(await readdir(outside)).to.deep.equal(['secret.txt']);
  });

  it('refuses to download into a symlinked folder of its own', async function () {
    await mkdir(join(mesh.dirOf('p1'), 'sub'));
    await writeFile(join(mesh.dirOf('p1'), 'sub', 'x.txt'), 'x');
    await symlink(outside, join(mesh.dirOf('me'), 'sub'));
    await expectCode(download({ name: 'sub/x.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me') }), 'ERR_BAD_NAME');
    expect(existsSync(join(outside, 'x.txt'))).to.equal(false);
  });

  it('does not serve a replaced file from a handle opened before', async function () {
    const conn = await PeerConnection.connect(mesh.address('p1'));
    try {
      const before = await fileInfo(conn, 'real.txt');
      expect(await getRange(conn, 'real.txt', 0, 4, before.identity)).to.deep.equal(Buffer.from('real'));
      await writeFile(join(mesh.dirOf('p1'), 'new.tmp'), 'newer');
      await rename(join(mesh.dirOf('p1'), 'new.tmp'), join(mesh.dirOf('p1'), 'real.txt'));
      await expectCode(getRange(conn, 'real.txt', 0, 4, before.identity), 'ERR_CHANGED');
    } finally {
      conn.close();
    }
  });

  it('neither writes through nor replaces a symlink at the target name (dangling, pointing out)', async function () {
    await symlink(join(outside, 'planted.txt'), join(mesh.dirOf('p1'), 'planted.txt'));
    const body = Buffer.from('planted');
    const raw = await rawExchange(mesh.address('p1').port, Buffer.concat([REQUESTS.PUT.encode({ verb: 'PUT', id: 1, name: 'planted.txt', size: body.length, identity: identityOf(body) }), body]), 300, { claimAs: 'me' });
    expect(raw.text).to.match(/^ERR 1 0 ERR_EXISTS /);
    await writeFile(join(mesh.dirOf('p1'), 'dl.txt'), 'to download');
    await symlink(join(outside, 'dl.txt'), join(mesh.dirOf('me'), 'dl.txt'));
    await expectCode(download({ name: 'dl.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me') }), 'ERR_EXISTS');
    expect(await readdir(outside)).to.deep.equal(['secret.txt']);
  });

  it('neither lists nor opens a FIFO named like a text file, and keeps answering', async function () {
    execFileSync('mkfifo', [join(mesh.dirOf('p1'), 'pipe.txt')]);
    const conn = await PeerConnection.connect(mesh.address('p1'));
    try {
      // More than the libuv thread pool (4): a blocking open would hang every later request.
      await Promise.all(Array.from({ length: 6 }, () => expectCode(fileInfo(conn, 'pipe.txt'), 'ERR_NOT_FOUND')));
      expect((await listFiles(conn)).map((f) => f.name)).to.deep.equal(['real.txt']);
    } finally {
      conn.close();
    }
  });

  it('refuses numbers with leading zeros in GET', async function () {
    const raw = await rawExchange(mesh.address('p1').port, 'GET 1 0 real.txt 00 4\n');
    expect(raw.text).to.match(/^ERR 1 0 ERR_BAD_REQUEST /);
  });
});

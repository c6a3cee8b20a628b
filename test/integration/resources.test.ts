/**
 * Issue 12, item 5: resource failures say what ran out. A full disk is a small tmpfs mounted
 * for the test (as root; where mounting is not allowed the tests are skipped, and say so); out
 * of file handles is a server process started under `ulimit -n`.
 *
 * - Disk full while downloading: ERR_NO_SPACE with how much is needed and what is free, the
 *   verified pieces kept in a part file the message names, and the name's lock let go.
 * - Disk full on the receiving server: the uploader gets ERR_NO_SPACE on the wire, whether the
 *   upload was announced too large or filled the disk on the way, and the server logs it.
 * - No room for the last step, the name a finished file gets (a tmpfs out of inodes): a
 *   download keeps the complete file for the same #DOWNLOAD, an upload and #SHARE keep nothing;
 *   each says ERR_NO_SPACE.
 * - Out of file handles: GETs are answered ERR_BUSY (try again), never ERR_NOT_FOUND for files
 *   that exist, and the server serves them all again once handles are free.
 */
import { expect } from 'chai';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { download } from '../../src/client/download.js';
import { putFile } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { share } from '../../src/client/share.js';
import { SYNC_READ_BYTES } from '../../src/server/range-reader.js';
import { VersionsArea } from '../../src/storage/versions-area.js';
import { type Mesh, fileInfoOf, freePort, makeText, startMesh, tempDir, waitFor } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';
import { serverJs, waitForOutput } from './cli-helpers.js';

/** Mounts a tmpfs of `size` (and other options) on `dir`; false where this process may not mount. */
function mountTmpfs(dir: string, size: string, more = ''): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${more}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
}

describe('resource failures say what ran out', function () {
  this.timeout(60_000);

  describe('a full disk (a 2 MiB tmpfs)', function () {
    let mesh: Mesh | undefined;
    const mounted: string[] = [];
    afterEach(async () => {
      for (const dir of mounted.splice(0)) unmount(dir); // first: the mesh removes its folders
      await mesh?.stop();
      mesh = undefined;
    });

    async function fullDisk(dir: string, ctx: Mocha.Context): Promise<void> {
      if (!mountTmpfs(dir, '2m')) ctx.skip(); // shown as pending: mounting needs root (CAP_SYS_ADMIN)
      mounted.push(dir);
    }

    it('while downloading: ERR_NO_SPACE, how much is needed, the verified pieces kept where it says', async function () {
      const text = makeText(5 * 1024 * 1024);
      mesh = await startMesh({ p1: { files: { 'big.txt': text } } }, ['me']);
      await fullDisk(mesh.dirOf('me'), this);
      const folder = await mesh.folderOf('me');
      const err = await expectCode(download({ name: 'big.txt', peers: [mesh.address('p1')], folder }), 'ERR_NO_SPACE');
      expect(err.message).to.match(/no space left on the disk of .*: big\.txt needs .* more, and .* free; the \d+ verified pieces are kept in (.*txtmesh-part), so the same #DOWNLOAD resumes from them once there is room/);
      const kept = /kept in (\S+txtmesh-part),/.exec(err.message)?.[1] as string;
      expect(existsSync(kept), 'the part file named is there').to.equal(true);
      // The download let go of the name: the next attempt runs, and stops the same way, not ERR_BUSY.
      const again = await expectCode(download({ name: 'big.txt', peers: [mesh.address('p1')], folder }), 'ERR_NO_SPACE');
      expect(again.message).to.contain('kept in');
      expect((await readdir(mesh.dirOf('me'))).filter((n) => !n.startsWith('.'))).to.deep.equal([]);
    });

    /**
     * A disk with bytes free but room for only `files` files (tmpfs counts each inode, and each
     * hard link, against nr_inodes, the mount's root included): the last step, giving a finished
     * file its name with link(2), fails ENOSPC.
     */
    async function fewFiles(dir: string, files: number, ctx: Mocha.Context): Promise<void> {
      if (!mountTmpfs(dir, '16m', `,nr_inodes=${files}`)) ctx.skip();
      mounted.push(dir);
    }

    it('as a download gets its name: ERR_NO_SPACE, the complete file kept for the same #DOWNLOAD, which finishes it', async function () {
      const text = makeText(1024 * 1024);
      mesh = await startMesh({ p1: { files: { 'big.txt': text } } }, ['me']);
      // The root, the name's lock, the part file and its sidecar: no room for the name.
      await fewFiles(mesh.dirOf('me'), 4, this);
      const folder = await mesh.folderOf('me');
      const err = await expectCode(download({ name: 'big.txt', peers: [mesh.address('p1')], folder }), 'ERR_NO_SPACE');
      expect(err.message).to.match(/^no space left on the disk of .* to finish big\.txt: the file system had no room to store it or give it its name \(.* and 0 files free\); every piece is kept in (\S+txtmesh-part), so the same #DOWNLOAD finishes it once there is room$/);
      const kept = /kept in (\S+txtmesh-part),/.exec(err.message)?.[1] as string;
      expect(existsSync(kept), 'the part file named is there').to.equal(true);
      expect(existsSync(join(mesh.dirOf('me'), 'big.txt'))).to.equal(false);
      // Room again: the same download verifies the kept pieces, fetches nothing, and publishes.
      execFileSync('mount', ['-o', 'remount,nr_inodes=16', mesh.dirOf('me')]);
      let resumed = 0;
      const summary = await download({ name: 'big.txt', peers: [mesh.address('p1')], folder, onResume: (pieces) => (resumed = pieces) });
      expect(summary.status).to.equal('downloaded');
      expect(resumed).to.equal(4);
      expect((await readFile(join(mesh.dirOf('me'), 'big.txt'))).equals(Buffer.from(text))).to.equal(true);
      expect((await readdir(mesh.dirOf('me'))).sort()).to.deep.equal(['big.txt']);
    });

    it('as a received upload gets its name: the uploader gets ERR_NO_SPACE, the server logs it, nothing is kept', async function () {
      const m = await startMesh({ p1: {}, me: { files: { 'a.txt': makeText(300 * 1024) } } });
      mesh = m;
      await fewFiles(m.dirOf('p1'), 2, this); // the root and the upload's temp file
      const path = join(m.dirOf('me'), 'a.txt');
      const data = await readFile(path);
      const conn = await PeerConnection.connect(m.address('p1'), { as: m.credentialsOf('me') });
      const err = await expectCode(putFile(conn, 'a.txt', path, data.length, fileInfoOf('a.txt', data).identity).finally(() => conn.close()), 'ERR_NO_SPACE');
      expect(err.message).to.match(/^no space left on this peer's disk to finish a\.txt: .*; nothing was kept$/);
      expect(m.logs.get('p1')?.filter((e) => e.verb === 'PUT').map((e) => e.status)).to.deep.equal(['ERR_NO_SPACE']);
      expect(await readdir(m.dirOf('p1'))).to.deep.equal([]);
    });

    it('#SHARE into a full disk: ERR_NO_SPACE, nothing kept', async function () {
      mesh = await startMesh({}, ['me']);
      const source = join(await tempDir(), 'n.txt');
      await writeFile(source, makeText(100 * 1024));
      await fewFiles(mesh.dirOf('me'), 2, this); // the root and the copy's temp file
      const err = await expectCode(share({ source, folder: await mesh.folderOf('me') }), 'ERR_NO_SPACE');
      expect(err.message).to.match(/to finish n\.txt: .*; nothing was kept$/);
      expect(await readdir(mesh.dirOf('me'))).to.deep.equal([]);
    });

    it('#UNSHARE and #RESTORE with no room for the versions area or a link: ERR_NO_SPACE, the name keeps what it had', async function () {
      mesh = await startMesh({ me: { files: { 'n.txt': 'first\n' } } });
      await fewFiles(mesh.dirOf('me'), 2, this); // the root and n.txt: no room for the versions area
      const dir = mesh.dirOf('me');
      await writeFile(join(dir, 'n.txt'), 'first\n'); // on the tmpfs now
      const area = new VersionsArea(await mesh.folderOf('me'));
      const refused = await expectCode(area.unshare('n.txt'), 'ERR_NO_SPACE');
      expect(refused.message).to.match(/; nothing was changed: n\.txt keeps what it had$/);
      expect(await readFile(join(dir, 'n.txt'), 'utf8')).to.equal('first\n');
      // Room for the area (.txtmesh, versions, n.txt): unshared; then no room to link it back.
      execFileSync('mount', ['-o', 'remount,nr_inodes=6', dir]);
      const kept = await area.unshare('n.txt');
      await expectCode(area.restore('n.txt', kept.identity.slice(0, 8)), 'ERR_NO_SPACE');
      expect(existsSync(join(dir, 'n.txt'))).to.equal(false);
      expect((await area.versions('n.txt')).map((v) => v.identity)).to.deep.equal([kept.identity]);
      execFileSync('mount', ['-o', 'remount,nr_inodes=8', dir]);
      expect((await area.restore('n.txt', kept.identity.slice(0, 8))).status).to.equal('restored');
      expect(await readFile(join(dir, 'n.txt'), 'utf8')).to.equal('first\n');
    });

    it('on the receiving server: the uploader gets ERR_NO_SPACE, the server logs it, nothing is kept', async function () {
      const m = await startMesh({ p1: {}, me: { files: { 'big.txt': makeText(3 * 1024 * 1024), 'a.txt': makeText(1200 * 1024), 'b.txt': makeText(1200 * 1024, [7]) } } });
      mesh = m;
      await fullDisk(m.dirOf('p1'), this);
      const put = async (name: string) => {
        const path = join(m.dirOf('me'), name);
        const data = await readFile(path);
        const conn = await PeerConnection.connect(m.address('p1'), { as: m.credentialsOf('me') });
        try {
          return await putFile(conn, name, path, data.length, fileInfoOf(name, data).identity);
        } finally {
          conn.close();
        }
      };
      // Announced larger than the disk: refused (after the body, as every PUT answer comes).
      const announced = await expectCode(put('big.txt'), 'ERR_NO_SPACE');
      expect(announced.message).to.match(/^no space left on this peer's disk for big\.txt: it needs 3\.0 MiB \(3145728 bytes\) more, and .* free; nothing was kept$/);
      // Two that each fit, but not both: the disk fills on the way.
      const results = await Promise.allSettled([put('a.txt'), put('b.txt')]);
      const codes = results.map((r) => (r.status === 'fulfilled' ? r.value.result : (r.reason as { code: string }).code));
      expect(codes).to.include('ERR_NO_SPACE');
      const logged = m.logs.get('p1')?.filter((e) => e.verb === 'PUT').map((e) => e.status);
      expect(logged).to.include('ERR_NO_SPACE');
      // big.txt's refusal, and every one of the two the disk could not hold.
      expect(logged?.filter((s) => s === 'ERR_NO_SPACE').length).to.equal(1 + codes.filter((c) => c === 'ERR_NO_SPACE').length);
      // Nothing half-written: only what was stored, and no temp file.
      const left = await readdir(m.dirOf('p1'));
      expect(left.filter((n) => n.endsWith('.txtmesh-part'))).to.deep.equal([]);
      expect(left.sort(), `the uploads ended ${codes.join(", ")}; the server logged ${logged?.join(", ")}`).to.deep.equal(codes.flatMap((c, i) => (c === 'stored' ? [['a.txt', 'b.txt'][i] as string] : [])).sort());
    });
  });

  describe('out of file handles (a server under ulimit -n 64)', function () {
    let root: string;
    let child: ChildProcess;
    let port: number;
    const files = Array.from({ length: 20 }, (_, i) => `f${i}.txt`);

    before(async function () {
      root = await tempDir();
      port = await freePort();
      await mkdir(join(root, 'p1', 'served_files'), { recursive: true });
      // Larger than the files the server opens, reads and closes at once (range-reader.ts): these are kept open.
      for (const name of files) await writeFile(join(root, 'p1', 'served_files', name), `${name}\n`.repeat(Math.ceil(SYNC_READ_BYTES / 4)));
      await writeFile(join(root, 'peer_settings.txt'), `p1 127.0.0.1 ${port}\n`);
      child = spawn('bash', ['-c', `ulimit -n 64 && exec "${process.execPath}" "${serverJs}" --quiet`], { cwd: join(root, 'p1'), stdio: ['ignore', 'pipe', 'inherit'] });
      await waitForOutput(child, /serving/);
    });

    after(async () => {
      child.kill('SIGKILL');
      await rm(root, { recursive: true, force: true });
    });

    /** Opens a connection, asks a GET for each of `names`, and collects each answer's status. */
    function getAll(names: string[]): Promise<{ statuses: string[]; socket: ReturnType<typeof connect> }> {
      return new Promise((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let text = '';
        const done = () => {
          const statuses = text.split('\n').filter((l) => /^(OK|ERR) /.test(l)).map((l) => (l.startsWith('OK') ? 'OK' : (l.split(' ')[3] as string)));
          resolve({ statuses, socket });
        };
        const timer = setTimeout(done, 1500);
        socket.on('error', () => undefined);
        socket.on('close', () => (clearTimeout(timer), done()));
        socket.on('data', (d: Buffer) => {
          text += d.toString('latin1');
          if ((text.match(/^(OK|ERR) /gm) ?? []).length >= names.length) (clearTimeout(timer), done());
        });
        socket.once('connect', () => socket.write(names.map((n, i) => `GET ${i + 1} 0 ${n} 0 1\n`).join('')));
      });
    }

    it('answers ERR_BUSY when it cannot open a file, never ERR_NOT_FOUND, and serves them all once handles are free', async function () {
      // 30 connections × up to 8 open files each (the handle cache), with 64 handles in all.
      const crowd = await Promise.all(Array.from({ length: 30 }, (_, c) => getAll(files.slice(c % 10, (c % 10) + 10))));
      const statuses = crowd.flatMap((c) => c.statuses);
      expect(statuses.filter((s) => s === 'ERR_NOT_FOUND'), 'files that exist are never "not found"').to.deep.equal([]);
      expect(statuses, 'the limit was reached').to.include('ERR_BUSY');
      expect(new Set(statuses)).to.satisfy((set: Set<string>) => [...set].every((s) => s === 'OK' || s === 'ERR_BUSY'));
      for (const c of crowd) c.socket.destroy();
      await waitFor(async () => (await getAll(files)).statuses.every((s) => s === 'OK'), 5000, 'every file served again');
      expect(child.exitCode, 'the server is still running').to.equal(null);
    });
  });
});

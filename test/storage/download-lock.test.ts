/**
 * storage/download-lock: one download of a name into a folder at a time. Real lock files in a
 * temp folder; other processes are real ones (a child that is alive, one that has exited).
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DownloadLock, lockPathFor } from '../../src/storage/download-lock.js';
import { tempDir } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

describe('storage/download-lock', function () {
  let dir: string;
  let target: string;
  beforeEach(async () => {
    dir = await tempDir('txtmesh-lock-');
    target = join(dir, 'notes.txt');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is a hidden file beside the target holding this process\'s ID, gone once released', async function () {
    const lock = await DownloadLock.acquire(target, 'notes.txt');
    expect(lock.path).to.equal(lockPathFor(target)).and.to.equal(join(dir, '.notes.txt.txtmesh-lock'));
    expect(await readFile(lock.path, 'utf8')).to.match(new RegExp(`^${process.pid} [0-9a-f]{16}\\n$`));
    await lock.release();
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('refuses a second download of the name in this process with ERR_BUSY, and lets it in after release', async function () {
    const first = await DownloadLock.acquire(target, 'notes.txt');
    const err = await expectCode(DownloadLock.acquire(target, 'notes.txt'), 'ERR_BUSY');
    expect(err.message).to.contain('a download of notes.txt into this folder is already running').and.to.contain('this one');
    await first.release();
    const second = await DownloadLock.acquire(target, 'notes.txt');
    await second.release();
  });

  it('refuses while another process that holds the lock runs', async function () {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(lockPathFor(target), `${child.pid} 0123456789abcdef\n`);
      const err = await expectCode(DownloadLock.acquire(target, 'notes.txt'), 'ERR_BUSY');
      expect(err.message).to.contain(`process ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over a stale lock, whose process has gone (kill -9, a power loss)', async function () {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(lockPathFor(target), `${gone.stdout} 0123456789abcdef\n`);
    const lock = await DownloadLock.acquire(target, 'notes.txt');
    expect(await readFile(lock.path, 'utf8')).to.match(new RegExp(`^${process.pid} `));
    await lock.release();
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('takes over a lock of this process ID that no download here holds (left by an earlier process)', async function () {
    await writeFile(lockPathFor(target), `${process.pid} 0123456789abcdef\n`);
    const lock = await DownloadLock.acquire(target, 'notes.txt');
    await lock.release();
  });

  it('waits out an unreadable lock while it is young (being written), then takes it over', async function () {
    await writeFile(lockPathFor(target), '');
    await expectCode(DownloadLock.acquire(target, 'notes.txt'), 'ERR_BUSY');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPathFor(target), old, old);
    const lock = await DownloadLock.acquire(target, 'notes.txt');
    await lock.release();
  });

  it('does not remove a lock that is no longer its own', async function () {
    const lock = await DownloadLock.acquire(target, 'notes.txt');
    await writeFile(lock.path, `${process.pid} fedcba9876543210\n`); // taken over meanwhile
    await lock.release();
    expect(await readFile(lock.path, 'utf8')).to.equal(`${process.pid} fedcba9876543210\n`);
  });
});

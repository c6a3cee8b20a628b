/**
 * storage/versions-area: replacing, unsharing and restoring in a real served folder. Whatever
 * happens, and wherever a replacement stops (an error at each step, or the process killed
 * there), one version is under the name and the other in the versions area, never neither.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { lstat, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createTempFile } from '../../src/storage/atomic-file.js';
import { PieceHasher } from '../../src/storage/piece-hasher.js';
import type { ServedFolder } from '../../src/storage/served-folder.js';
import { VERSIONS_DIR, VersionsArea, type VersionsAreaOptions } from '../../src/storage/versions-area.js';
import { servedFolder, tempDir } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

function identityOf(text: string): string {
  const hasher = new PieceHasher();
  hasher.update(Buffer.from(text));
  return hasher.digest().identity;
}

describe('storage/versions-area', function () {
  let root: string;
  let folder: ServedFolder;
  let area: VersionsArea;
  beforeEach(async () => {
    root = await tempDir('txtmesh-versions-');
    folder = await servedFolder(join(root, 'served_files'));
    area = new VersionsArea(folder, { keep: 5 });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const read = (name: string) => readFile(join(folder.root, ...name.split('/')), 'utf8');
  /** A finished temp file holding `text`, beside `name`. */
  async function temp(name: string, text: string): Promise<string> {
    const { path, handle } = await createTempFile(await folder.prepareDir(name));
    await handle.write(text);
    await handle.sync();
    await handle.close();
    return path;
  }
  /** Publishes `text` as `name` through the area. */
  const put = async (name: string, text: string, a = area) => a.publish(await temp(name, text), name, identityOf(text));
  /** Files beside the served files that are not served names (temp files), recursively, outside the area. */
  const strays = async () => (await readdir(folder.root, { recursive: true })).filter((f) => f.includes('txtmesh-part'));

  it('a free name is stored; the same bytes again are "same"; other bytes replace it, and the old version is kept with its identity and time', async function () {
    expect(await put('a.txt', 'one\n')).to.deep.equal({ result: 'stored' });
    const sameTemp = await temp('a.txt', 'one\n');
    expect(await area.publish(sameTemp, 'a.txt', identityOf('one\n'))).to.deep.equal({ result: 'same' });
    const before = Date.now();
    const replaced = await put('a.txt', 'two\n');
    expect(replaced.result).to.equal('replaced');
    expect(replaced.kept).to.include({ name: 'a.txt', identity: identityOf('one\n'), size: 4, why: 'replaced' });
    expect(replaced.kept?.at).to.be.within(before, Date.now());
    expect(await read('a.txt')).to.equal('two\n');
    expect(await area.kept('a.txt')).to.deep.equal([replaced.kept]);
    expect(await folder.names()).to.deep.equal(['a.txt']); // the area is not served
    expect((await folder.list()).map((f) => f.name)).to.deep.equal(['a.txt']);
    const [entry] = await readdir(join(folder.root, VERSIONS_DIR, 'a.txt'));
    expect(await readFile(join(folder.root, VERSIONS_DIR, 'a.txt', entry as string), 'utf8')).to.equal('one\n');
  });

  it('keeps the newest N versions per name (every link of an older one is deleted), names in subfolders apart', async function () {
    area = new VersionsArea(folder, { keep: 2 });
    for (const text of ['v1', 'v2', 'v3', 'v4']) await put('notes/n.txt', text);
    await put('m.txt', 'm1');
    await put('m.txt', 'm2');
    expect((await area.kept('notes/n.txt')).map((k) => k.identity)).to.deep.equal([identityOf('v3'), identityOf('v2')]);
    expect(await readdir(join(folder.root, VERSIONS_DIR, 'notes', 'n.txt'))).to.have.length(2);
    expect((await area.keptAll()).map((k) => `${k.name} ${k.identity.slice(0, 6)}`)).to.deep.equal([
      `m.txt ${identityOf('m1').slice(0, 6)}`,
      `notes/n.txt ${identityOf('v3').slice(0, 6)}`,
      `notes/n.txt ${identityOf('v2').slice(0, 6)}`,
    ]);
    expectCode(() => new VersionsArea(folder, { keep: 0 }), 'ERR_USAGE');
    // Without a limit nothing is ever deleted.
    const unlimited = new VersionsArea(folder);
    for (const text of ['v5', 'v6', 'v7']) await put('notes/n.txt', text, unlimited);
    expect(await unlimited.kept('notes/n.txt')).to.have.length(5);
  });

  it('#UNSHARE moves the file into the area: no longer served, nothing deleted; a name not served is ERR_NOT_FOUND', async function () {
    await put('a.txt', 'one\n');
    const kept = await area.unshare('a.txt');
    expect(kept).to.include({ name: 'a.txt', identity: identityOf('one\n'), why: 'unshared' });
    expect(await folder.names()).to.deep.equal([]);
    expect(await area.kept('a.txt')).to.deep.equal([kept]);
    await expectCode(area.unshare('a.txt'), 'ERR_NOT_FOUND');
    await expectCode(area.unshare('../x.txt'), 'ERR_BAD_NAME');
  });

  it('#RESTORE brings a kept version back by identity prefix and keeps the current one in turn', async function () {
    await put('a.txt', 'one\n');
    await put('a.txt', 'two\n');
    const before = Date.now();
    const restored = await area.restore('a.txt', identityOf('one\n').slice(0, 6));
    expect(restored).to.include({ status: 'restored', identity: identityOf('one\n'), size: 4 });
    expect(restored.kept).to.include({ identity: identityOf('two\n'), why: 'replaced' });
    expect(await read('a.txt')).to.equal('one\n');
    expect((await area.kept('a.txt')).map((k) => k.identity)).to.deep.equal([identityOf('two\n')]);
    // Restoring is a change now: the file's time is the restore's, not the old version's.
    expect((await stat(join(folder.root, 'a.txt'))).mtimeMs).to.be.at.least(before);
    expect(await area.restore('a.txt', identityOf('one\n').slice(0, 3))).to.include({ status: 'current' });
    expect(await strays()).to.deep.equal([]);
  });

  it('#RESTORE of an unshared file puts it back under its free name', async function () {
    await put('a.txt', 'one\n');
    await area.unshare('a.txt');
    expect(await area.restore('a.txt', identityOf('one\n'))).to.deep.equal({ status: 'restored', name: 'a.txt', identity: identityOf('one\n'), size: 4 });
    expect(await read('a.txt')).to.equal('one\n');
    expect(await area.kept('a.txt')).to.deep.equal([]);
  });

  it('#RESTORE refuses a bad, unknown or ambiguous prefix, and a kept file changed on disk', async function () {
    await put('a.txt', 'one\n');
    await put('a.txt', 'two\n');
    await put('a.txt', 'three\n');
    await expectCode(area.restore('a.txt', 'xyz'), 'ERR_USAGE');
    await expectCode(area.restore('a.txt', identityOf('nothing').slice(0, 12)), 'ERR_NOT_FOUND');
    const dir = join(folder.root, VERSIONS_DIR, 'a.txt');
    const entry = (await readdir(dir)).find((f) => f.includes(identityOf('one\n'))) as string;
    await writeFile(join(dir, entry), 'tampered\n');
    await expectCode(area.restore('a.txt', identityOf('one\n')), 'ERR_CHANGED');
    expect(await read('a.txt')).to.equal('three\n');
  });

  it('never replaces what is not a served file (a symlink at the name)', async function () {
    const { symlink } = await import('node:fs/promises');
    await writeFile(join(root, 'outside.txt'), 'outside\n');
    await symlink(join(root, 'outside.txt'), join(folder.root, 'a.txt'));
    const path = await temp('a.txt', 'new\n');
    await expectCode(area.publish(path, 'a.txt', identityOf('new\n')), 'ERR_EXISTS');
    expect((await lstat(join(folder.root, 'a.txt'))).isSymbolicLink()).to.equal(true);
    expect(await readFile(join(root, 'outside.txt'), 'utf8')).to.equal('outside\n');
  });

  describe('a replacement stopped at each step', function () {
    const stoppedAt = (step: string): VersionsAreaOptions => ({
      onStep: (s) => {
        if (s === step) throw new Error(`stopped after ${s}`);
      },
    });

    it('after the old version is kept: the old one under the name, and not listed as kept; the next replacement keeps it once', async function () {
      await put('a.txt', 'one\n');
      const stopping = new VersionsArea(folder, stoppedAt('kept'));
      await put('a.txt', 'two\n', stopping).then(() => expect.fail('should stop'), () => undefined);
      expect(await read('a.txt')).to.equal('one\n');
      expect(await readdir(join(folder.root, VERSIONS_DIR, 'a.txt'))).to.have.length(1); // the second link
      expect(await area.kept('a.txt')).to.deep.equal([]);
      await put('a.txt', 'three\n');
      expect(await read('a.txt')).to.equal('three\n');
      expect((await area.kept('a.txt')).map((k) => k.identity)).to.deep.equal([identityOf('one\n')]);
    });

    it('after the swap: the new one under the name and the old one kept', async function () {
      await put('a.txt', 'one\n');
      const stopping = new VersionsArea(folder, stoppedAt('swapped'));
      await put('a.txt', 'two\n', stopping).then(() => expect.fail('should stop'), () => undefined);
      expect(await read('a.txt')).to.equal('two\n');
      expect((await area.kept('a.txt')).map((k) => k.identity)).to.deep.equal([identityOf('one\n')]);
    });

    for (const step of ['kept', 'swapped'] as const) {
      it(`a process killed (SIGKILL) after "${step}" leaves one version under the name and the other kept or still linked`, async function () {
        this.timeout(20_000);
        await put('a.txt', 'one\n');
        const moduleUrl = (file: string) => pathToFileURL(join(process.cwd(), 'build', 'src', 'storage', file)).href;
        const script = `
          const { ServedFolder } = await import(${JSON.stringify(moduleUrl('served-folder.js'))});
          const { VersionsArea } = await import(${JSON.stringify(moduleUrl('versions-area.js'))});
          const { createTempFile } = await import(${JSON.stringify(moduleUrl('atomic-file.js'))});
          const folder = new ServedFolder(${JSON.stringify(folder.root)});
          await folder.init();
          const area = new VersionsArea(folder, { onStep: (s) => { if (s === ${JSON.stringify(step)}) process.kill(process.pid, 'SIGKILL'); } });
          const { path, handle } = await createTempFile(await folder.prepareDir('a.txt'));
          await handle.write('two\\n'); await handle.sync(); await handle.close();
          await area.publish(path, 'a.txt', ${JSON.stringify(identityOf('two\n'))});`;
        const killed = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]).then(() => false, (err: { signal?: string }) => err.signal === 'SIGKILL');
        expect(killed).to.equal(true);
        const now = await read('a.txt');
        const kept = (await area.kept('a.txt')).map((k) => k.identity);
        if (step === 'kept') expect([now, kept]).to.deep.equal(['one\n', []]);
        else expect([now, kept]).to.deep.equal(['two\n', [identityOf('one\n')]]);
        // Either way the old bytes are on disk in the area (linked, or kept).
        const entries = await readdir(join(folder.root, VERSIONS_DIR, 'a.txt'));
        expect(entries).to.have.length(1);
        expect(await readFile(join(folder.root, VERSIONS_DIR, 'a.txt', entries[0] as string), 'utf8')).to.equal('one\n');
      });
    }
  });
});

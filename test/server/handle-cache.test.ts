import { expect } from 'chai';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HandleCache } from '../../src/server/handle-cache.js';
import { ServedFolder } from '../../src/storage/served-folder.js';
import { tempDir, writeFiles } from '../helpers.js';

async function textOf(handles: HandleCache, name: string): Promise<string> {
  const handle = await handles.get(name);
  const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
  return buffer.subarray(0, bytesRead).toString();
}

describe('server/handle-cache', () => {
  let dir: string;
  let handles: HandleCache;

  beforeEach(async () => {
    dir = await tempDir();
    await writeFiles(dir, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}.txt`, `file ${i}`])));
    const folder = new ServedFolder(dir);
    await folder.init();
    handles = new HandleCache(folder);
  });

  afterEach(async () => {
    await handles.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a file open between reads of the same name', async () => {
    expect(await handles.get('f0.txt')).to.equal(await handles.get('f0.txt'));
  });

  it('opens the new file when the name was replaced, and fails when it was deleted', async () => {
    const old = await handles.get('f1.txt');
    await writeFile(join(dir, 'new.tmp'), 'replaced');
    await rename(join(dir, 'new.tmp'), join(dir, 'f1.txt'));
    expect(await textOf(handles, 'f1.txt')).to.equal('replaced');
    expect(await handles.get('f1.txt')).to.not.equal(old);
    await rm(join(dir, 'f1.txt'));
    const err = await handles.get('f1.txt').then(() => undefined, (e: { code?: string }) => e);
    expect(err?.code).to.equal('ERR_NOT_FOUND');
  });

  it('reads every file right after more were opened than it keeps (8)', async () => {
    for (let i = 0; i < 10; i++) expect(await textOf(handles, `f${i}.txt`)).to.equal(`file ${i}`);
    for (let i = 0; i < 10; i++) expect(await textOf(handles, `f${i}.txt`)).to.equal(`file ${i}`);
  });

  it('peek() gives the open file unchecked; stampOf() what the name leads to now', async () => {
    expect(handles.peek('f2.txt')).to.equal(undefined);
    const handle = await handles.get('f2.txt');
    const open = handles.peek('f2.txt');
    expect(open?.handle).to.equal(handle);
    expect(handles.stampOf('f2.txt')).to.deep.include({ ino: open?.ino, size: 'file 2'.length });
    await writeFile(join(dir, 'new.tmp'), 'replaced');
    await rename(join(dir, 'new.tmp'), join(dir, 'f2.txt'));
    expect(handles.peek('f2.txt')?.handle, 'unchecked').to.equal(handle);
    expect(handles.stampOf('f2.txt')?.ino).to.not.equal(open?.ino);
    await rm(join(dir, 'f2.txt'));
    expect(handles.stampOf('f2.txt')).to.equal(undefined);
  });
});

/**
 * The engine API as a program that embeds txtmesh would use it: only what src/index.ts exports,
 * real servers on 127.0.0.1 and real peer folders.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PeerServer, PeerServer as Server, ServedFolder, TxtmeshError, download, filesView, loadPeerContext } from '../src/index.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('index (the engine API)', function () {
  this.timeout(20_000);
  const servers: PeerServer[] = [];
  after(async () => Promise.all(servers.map((s) => s.close())));

  it('serves, views and downloads through the exported API alone', async () => {
    const root = await mkdtemp(join(tmpdir(), 'txtmesh-api-'));
    const text = 'hello from the engine API\n'.repeat(20_000);
    const ports: number[] = [];
    for (const id of ['a', 'b']) {
      await mkdir(join(root, id, 'served_files'), { recursive: true });
      await writeFile(join(root, id, 'served_files', 'notes.txt'), text);
      const server = new Server({ peerId: id, dir: join(root, id, 'served_files') });
      servers.push(server);
      ports.push((await server.listen(0, '127.0.0.1')).port);
    }
    await mkdir(join(root, 'me', 'served_files'), { recursive: true });
    await writeFile(join(root, 'peer_settings.txt'), `a 127.0.0.1 ${ports[0]}\nb 127.0.0.1 ${ports[1]}\nme 127.0.0.1 1\n`);

    const me = await loadPeerContext({ dir: join(root, 'me', 'served_files'), settings: join(root, 'peer_settings.txt'), id: 'me' });
    const files = await filesView(me.others, { as: me.credentials });
    expect(files.files.map((f) => [f.name, f.versions[0]?.peers])).to.deep.equal([['notes.txt', ['a', 'b']]]);

    const folder = new ServedFolder(me.dir);
    await folder.init();
    const seen: number[] = [];
    const result = await download({ name: 'notes.txt', peers: me.others, folder, as: me.credentials, onProgress: (p) => seen.push(p.received) });
    expect(result.status).to.equal('downloaded');
    expect(await readFile(join(me.dir, 'notes.txt'), 'utf8')).to.equal(text);
    expect(seen.length).to.be.greaterThan(0);
    expect(seen.every((bytes, i) => bytes > 0 && bytes <= text.length && (i === 0 || bytes >= (seen[i - 1] as number)))).to.equal(true);

    const missing = await download({ name: 'nothere.txt', peers: me.others, folder, as: me.credentials }).catch((err: unknown) => err);
    expect(missing).to.be.instanceOf(TxtmeshError);
    expect((missing as TxtmeshError).code).to.equal('ERR_NOT_FOUND');
  });

  it('has no process-wide effects when imported: no signal handlers, no exit code', () => {
    const probe = `const m = await import(${JSON.stringify(join(repo, 'dist', 'index.js'))});
      console.log(JSON.stringify({ sigint: process.listenerCount('SIGINT'), exports: Object.keys(m).length, exitCode: process.exitCode ?? null }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' })) as { sigint: number; exports: number; exitCode: number | null };
    expect(out).to.deep.include({ sigint: 0, exitCode: null });
    expect(out.exports).to.be.greaterThan(10);
  });
});

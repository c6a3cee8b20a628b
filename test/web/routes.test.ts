import { expect } from 'chai';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Mesh, startMesh } from '../helpers.js';
import type { RunningUi } from '../../src/web/ui-server.js';
import { EventReader, postJson, request, startMeshPage } from './ui-helpers.js';

describe('web/routes (views and actions over HTTP)', () => {
  let mesh: Mesh;
  let ui: RunningUi;
  let serverLog: string;
  before(async () => {
    mesh = await startMesh(
      { me: { files: { 'mine.txt': 'from me\n' } }, bob: { files: { 'a.txt': 'one' } }, carol: { files: { 'a.txt': 'two' } }, dave: { state: 'down' } },
      [],
    );
    serverLog = join(mesh.root, 'me', 'server.log');
    ui = await startMeshPage(mesh, 'me', { serverLog });
  });
  after(async () => {
    await ui.close();
    await mesh.stop();
  });
  const get = (path: string) => request(ui.port, `/${ui.token}${path}`);

  it('GET /api/peers is #PEERS: online and offline peers with their codes, and the console\'s lines', async () => {
    const body = (await get('/api/peers')).json();
    const byId = Object.fromEntries(body.result.peers.map((p: { peer: string }) => [p.peer, p]));
    expect(byId.me).to.include({ self: true, online: true, files: 1 });
    expect(byId.bob).to.include({ online: true, version: 'txtmesh/1' });
    expect(byId.dave).to.include({ online: false, rttMs: null });
    expect(byId.dave.error.code).to.equal('ERR_PEER_UNREACHABLE');
    expect(body.lines[0]).to.match(/^mesh: open /);
    expect(body.lines.at(-1)).to.equal('3 of 4 peers online');
  });

  it('GET /api/files is #FILES: a name held in two versions is a conflict, the down peer is named', async () => {
    const body = (await get('/api/files')).json();
    const a = body.result.files.find((f: { name: string }) => f.name === 'a.txt');
    expect(a.conflict).to.equal(true);
    expect(a.versions.map((v: { peers: string[] }) => v.peers).flat().sort()).to.deep.equal(['bob', 'carol']);
    expect(body.result.peers.find((p: { peer: string }) => p.peer === 'dave')).to.deep.include({ ok: false });
    expect(body.lines[0]).to.equal('2 files on the mesh (3 of 4 peers listed; 1 name held in different versions)');
    expect(body.lines.some((l: string) => /^dave: unreachable: .*/.test(l))).to.equal(true);
  });

  it('GET /api/served lists this peer\'s own folder', async () => {
    const body = (await get('/api/served')).json();
    expect(body.dir).to.equal(mesh.dirOf('me'));
    expect(body.files.map((f: { name: string }) => f.name)).to.deep.equal(['mine.txt']);
  });

  it('POST /api/upload sends a served file to the picked peers, one result each (a peer down fails alone)', async () => {
    const answer = await postJson(ui, '/api/upload', { name: 'mine.txt', to: ['bob', 'carol', 'dave'] });
    expect(answer.status).to.equal(200);
    const { result, lines } = answer.json();
    expect(result.peers.map((p: { peer: string; status: string }) => [p.peer, p.status])).to.deep.equal([['bob', 'stored'], ['carol', 'stored'], ['dave', 'failed']]);
    expect(result.peers[2].error.code).to.equal('ERR_PEER_UNREACHABLE');
    expect(lines[0]).to.match(/^bob: stored mine\.txt \(8 bytes in /);
    for (const id of ['bob', 'carol']) expect(await readFile(join(mesh.dirOf(id), 'mine.txt'), 'utf8')).to.equal('from me\n');
    const again = (await postJson(ui, '/api/upload', { name: 'mine.txt', to: ['bob'] })).json();
    expect(again.result.peers[0].status).to.equal('same');
  });

  it('POST /api/upload refuses no targets (ERR_UI_BAD_REQUEST), unknown peers (ERR_UNKNOWN_PEER) and files not served (ERR_NOT_FOUND)', async () => {
    const none = await postJson(ui, '/api/upload', { name: 'mine.txt', to: [] });
    expect([none.status, none.json().error.code]).to.deep.equal([400, 'ERR_UI_BAD_REQUEST']);
    const unknown = await postJson(ui, '/api/upload', { name: 'mine.txt', to: ['zed'] });
    expect([unknown.status, unknown.json().error.code]).to.deep.equal([400, 'ERR_UNKNOWN_PEER']);
    const missing = await postJson(ui, '/api/upload', { name: 'absent.txt', to: ['bob'] });
    expect([missing.status, missing.json().error.code]).to.deep.equal([404, 'ERR_NOT_FOUND']);
    expect(missing.json().error.text).to.match(/^absent\.txt is not in this peer's served files .*\(ERR_NOT_FOUND\)$/);
  });

  it('follows the server log file into the log panel, live', async () => {
    const events = await EventReader.open(ui.port, `/${ui.token}/api/events`);
    await events.waitFor((e) => e.event === 'hello');
    await writeFile(serverLog, 'txtmesh-server: peer me serving x on 127.0.0.1:1\n');
    await events.waitFor((e) => e.event === 'serverLog' && JSON.parse(e.data).found === true, 5000);
    await appendFile(serverLog, '2026-11-25T19:08:33.322Z 127.0.0.1:58364 GET "a.txt" 262144B 1.6ms OK\n');
    const line = await events.waitFor((e) => e.event === 'log' && JSON.parse(e.data).text.includes('GET "a.txt"'), 5000);
    expect(JSON.parse(line.data)).to.include({ source: 'server', text: '2026-11-25T19:08:33.322Z 127.0.0.1:58364 GET "a.txt" 262144B 1.6ms OK' });
    events.close();
  });
});

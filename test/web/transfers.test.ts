import { expect } from 'chai';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Mesh, makeText, startMesh } from '../helpers.js';
import { download } from '../../src/client/download.js';
import type { TransferSnapshot } from '../../src/web/transfers.js';
import type { RunningUi } from '../../src/web/ui-server.js';
import { EventReader, postJson, startMeshPage, throttledPeers } from './ui-helpers.js';

const BIG = makeText(3 * 1024 * 1024 + 777);

function snapshot(e: { data: string }): TransferSnapshot {
  return JSON.parse(e.data) as TransferSnapshot;
}

describe('web/transfers (downloads from the page, live)', () => {
  let mesh: Mesh;
  let ui: RunningUi | undefined;
  let events: EventReader | undefined;
  let proxies: { close(): Promise<void> } | undefined;
  beforeEach(async () => {
    mesh = await startMesh({ bob: { files: { 'big.txt': BIG } }, carol: { files: { 'big.txt': BIG } }, dave: { files: {} } }, ['me']);
  });
  afterEach(async () => {
    events?.close();
    await ui?.close();
    await proxies?.close();
    await mesh.stop();
  });

  async function open(rates: Record<string, number> = {}): Promise<RunningUi> {
    const throttled = await throttledPeers(mesh.peers, rates);
    proxies = throttled;
    const ctx = mesh.contextOf('me');
    const peers = throttled.peers;
    ui = await startMeshPage(mesh, 'me', { ctx: { ...ctx, peers, others: peers.filter((p) => p.id !== 'me') } });
    events = await EventReader.open(ui.port, `/${ui.token}/api/events`);
    await events.waitFor((e) => e.event === 'hello');
    return ui;
  }

  it('downloads from every holder, sends per-peer bytes and speeds as it goes, and ends done with the console\'s summary', async () => {
    const page = await open({ bob: 1e6, carol: 1e6 });
    const started = await postJson(page, '/api/download', { name: 'big.txt', from: [] });
    expect(started.status).to.equal(202);
    const id = started.json().transfer.id as string;
    const done = snapshot(await events!.waitFor((e) => e.event === 'transfer' && snapshot(e).id === id && snapshot(e).state === 'done', 20_000));
    const updates = events!.events.filter((e) => e.event === 'transfer').map(snapshot).filter((t) => t.id === id);
    // Live: updates while running carried growing byte counts and a current speed for each peer.
    const running = updates.filter((t) => t.state === 'running' && t.received > 0 && t.received < BIG.length);
    expect(running.length).to.be.greaterThan(2);
    expect(running.some((t) => t.peers.some((p) => p.rate > 0))).to.equal(true);
    expect(running.some((t) => t.etaSeconds !== null && t.etaSeconds > 0)).to.equal(true);
    expect(new Set(running.map((t) => t.received)).size).to.be.greaterThan(2);
    expect(done.size).to.equal(BIG.length);
    expect(done.received).to.equal(BIG.length);
    expect(done.pieces).to.deep.equal({ done: 13, total: 13 });
    expect(done.peers.map((p) => p.peer).sort()).to.deep.equal(['bob', 'carol']);
    expect(done.peers.reduce((sum, p) => sum + p.bytes, 0)).to.equal(BIG.length);
    expect(done.peers.every((p) => p.bytes > 0)).to.equal(true);
    expect(done.history.t.length).to.equal(done.history.total.length);
    expect(done.history.peers.bob).to.have.length(done.history.t.length);
    expect(done.lines[0]).to.match(/^Downloaded big\.txt: 3146505 bytes in .*bytes per peer: /);
    expect(await readFile(join(mesh.dirOf('me'), 'big.txt'))).to.deep.equal(BIG);
    const served = JSON.parse((await events!.waitFor((e) => e.event === 'served')).data) as { name: string }[];
    expect(served.map((f) => f.name)).to.deep.equal(['big.txt']);
    const log = events!.events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data).text as string);
    expect(log).to.include('Found big.txt at bob, carol');
  });

  it('cancels a running download through its AbortSignal: cancelled, ERR_DOWNLOAD_INCOMPLETE, nothing under the real name', async () => {
    const page = await open({ bob: 1e6 });
    const started = await postJson(page, '/api/download', { name: 'big.txt', from: ['bob'] });
    const id = started.json().transfer.id as string;
    await events!.waitFor((e) => e.event === 'transfer' && snapshot(e).id === id && snapshot(e).received > 0);
    const cancel = await postJson(page, `/api/transfers/${id}/cancel`, {});
    expect(cancel.status).to.equal(200);
    const end = snapshot(await events!.waitFor((e) => e.event === 'transfer' && snapshot(e).id === id && snapshot(e).state !== 'running' && snapshot(e).state !== 'starting'));
    expect(end.state).to.equal('cancelled');
    expect(end.error?.code).to.equal('ERR_DOWNLOAD_INCOMPLETE');
    expect(end.error?.text).to.match(/^download of big\.txt was interrupted/);
    expect(end.received).to.be.lessThan(BIG.length);
    expect(await readdir(mesh.dirOf('me'))).to.not.include('big.txt');
  });

  it('refuses a second download of a file already coming (ERR_UI_BUSY), an unknown peer (ERR_UNKNOWN_PEER) and an unknown transfer', async () => {
    const page = await open({ bob: 1e6 });
    const first = await postJson(page, '/api/download', { name: 'big.txt', from: ['bob'] });
    const again = await postJson(page, '/api/download', { name: 'big.txt', from: [] });
    expect(again.status).to.equal(409);
    expect(again.json().error.code).to.equal('ERR_UI_BUSY');
    await postJson(page, `/api/transfers/${first.json().transfer.id}/cancel`, {});
    const unknown = await postJson(page, '/api/download', { name: 'big.txt', from: ['zed'] });
    expect(unknown.status).to.equal(400);
    expect(unknown.json().error.code).to.equal('ERR_UNKNOWN_PEER');
    const none = await postJson(page, '/api/transfers/00aa11/cancel', {});
    expect(none.status).to.equal(404);
    expect(none.json().error.code).to.equal('ERR_UI_NOT_FOUND');
  });

  it('marks a peer still downloading the file, serving the pieces it has, as a partial holder', async () => {
    // dave fetches big.txt slowly from bob (500 kB/s) while the page fetches it from everyone.
    const slow = await throttledPeers(mesh.peers, { bob: 5e5 });
    const stop = new AbortController();
    const daves = download({ name: 'big.txt', peers: slow.peers.filter((p) => p.id === 'bob'), folder: await mesh.folderOf('dave'), signal: stop.signal });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const page = await open({ bob: 1e6, carol: 1e6 });
      const id = (await postJson(page, '/api/download', { name: 'big.txt', from: [] })).json().transfer.id as string;
      const done = snapshot(await events!.waitFor((e) => e.event === 'transfer' && snapshot(e).id === id && snapshot(e).state === 'done', 20_000));
      expect(done.peers.find((p) => p.peer === 'dave')?.partial).to.equal(true);
      expect(done.peers.filter((p) => p.peer !== 'dave').map((p) => [p.peer, p.partial]).sort()).to.deep.equal([['bob', false], ['carol', false]]);
      expect(await readFile(join(mesh.dirOf('me'), 'big.txt'))).to.deep.equal(BIG);
    } finally {
      stop.abort();
      await daves.catch(() => undefined);
      await slow.close();
    }
  });

  it('reports a file no peer has as failed with ERR_NOT_FOUND, in the console\'s words', async () => {
    const page = await open();
    const id = (await postJson(page, '/api/download', { name: 'nobody.txt', from: [] })).json().transfer.id as string;
    const end = snapshot(await events!.waitFor((e) => e.event === 'transfer' && snapshot(e).id === id && snapshot(e).state === 'failed'));
    expect(end.error?.code).to.equal('ERR_NOT_FOUND');
    expect(end.lines[0]).to.match(/^error: no peer has nobody\.txt .*\(ERR_NOT_FOUND\)$/);
  });
});

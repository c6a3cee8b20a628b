/**
 * The page's rate limits: the console's own (#LIMIT), shown, set and refused over HTTP, and a
 * download from the page paced by them, its live view saying the limit is what holds it back.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RateLimit } from '../../src/transport/rate-limit.js';
import type { RunningUi } from '../../src/web/ui-server.js';
import type { TransferSnapshot } from '../../src/web/transfers.js';
import { type Mesh, makeText, startMesh } from '../helpers.js';
import { EventReader, postJson, request, startMeshPage } from './ui-helpers.js';

const FILE = makeText(1024 * 1024);

describe('web/limits (the console\'s rate limits on the page)', () => {
  let mesh: Mesh;
  let ui: RunningUi;
  let events: EventReader;
  const limits = { up: new RateLimit(0), down: new RateLimit(0) };
  before(async () => {
    mesh = await startMesh({ bob: { files: { 'big.txt': FILE } }, carol: { files: { 'big.txt': FILE } } }, ['me']);
    ui = await startMeshPage(mesh, 'me', { limits });
    events = await EventReader.open(ui.port, `/${ui.token}/api/events`);
  });
  after(async () => {
    events.close();
    await ui.close();
    await mesh.stop();
  });

  it('hello and GET /api/limits carry the limits, with the console\'s #LIMIT lines', async () => {
    const hello = JSON.parse((await events.waitFor((e) => e.event === 'hello')).data);
    expect(hello.limits).to.include({ command: 'limit', up: 0, down: 0 });
    const body = (await request(ui.port, `/${ui.token}/api/limits`)).json();
    expect(body.limits.lines[0]).to.equal('Rate limits of this peer\'s console (1024-based; 0 or none: no limit):');
    expect(body.limits.lines[1]).to.match(/^ {2}down +none +downloads, all sources together$/);
  });

  it('POST /api/limits sets them (the console sees the same limits) and tells every page', async () => {
    const answer = await postJson(ui, '/api/limits', { up: '2M', down: 0 });
    expect(answer.status).to.equal(200);
    expect(answer.json().limits).to.include({ up: 2 * 1024 * 1024, down: 0 });
    expect(answer.json().limits.changed).to.deep.equal(['up', 'down']);
    expect(limits.up.rate).to.equal(2 * 1024 * 1024);
    const pushed = JSON.parse((await events.waitFor((e) => e.event === 'limits')).data);
    expect(pushed.up).to.equal(2 * 1024 * 1024);
    await postJson(ui, '/api/limits', { up: 'none' }).catch(() => undefined);
  });

  it('refuses a rate that does not read with ERR_USAGE in the console\'s words, and changes nothing', async () => {
    const before = limits.down.rate;
    const answer = await postJson(ui, '/api/limits', { down: '5 parsecs', up: '1M' });
    expect(answer.status).to.be.within(400, 499);
    const { error } = answer.json();
    expect(error.code).to.equal('ERR_USAGE');
    expect(error.text).to.match(/^the download limit must be a rate like 2M.*\(ERR_USAGE\)$/);
    expect(limits.down.rate).to.equal(before);
    expect((await postJson(ui, '/api/limits', {})).json().error.code).to.equal('ERR_UI_BAD_REQUEST');
    expect((await postJson(ui, '/api/limits', { down: true })).json().error.code).to.equal('ERR_UI_BAD_REQUEST');
  });

  it('a download from the page is paced by the download limit, and its live view says the limit holds it back', async () => {
    await postJson(ui, '/api/limits', { down: '512k' });
    const started = Date.now();
    const id = (await postJson(ui, '/api/download', { name: 'big.txt', from: [] })).json().transfer.id as string;
    const snap = (e: { data: string }) => JSON.parse(e.data) as TransferSnapshot;
    const held = snap(await events.waitFor((e) => e.event === 'transfer' && snap(e).id === id && snap(e).limited, 10_000));
    expect(held.limit).to.equal(512 * 1024);
    expect(held.state).to.equal('running');
    // Lifted live: the rest comes as fast as the peers send it, and the view no longer says so.
    await postJson(ui, '/api/limits', { down: '0' });
    const done = snap(await events.waitFor((e) => e.event === 'transfer' && snap(e).id === id && snap(e).state === 'done', 20_000));
    expect(done.limited).to.equal(false);
    expect(done.limit).to.equal(0);
    // A lower bound only: at 512 KiB/s the limit held for the first event at least.
    expect(Date.now() - started).to.be.at.least(200);
    expect(await readFile(join(mesh.dirOf('me'), 'big.txt'))).to.deep.equal(FILE);
  });
});

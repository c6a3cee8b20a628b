import { expect } from 'chai';
import { readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Mesh, startMesh } from '../helpers.js';
import type { RunningUi } from '../../src/web/ui-server.js';
import { type Answer, EventReader, request, startMeshPage } from './ui-helpers.js';

/** The page's temp folders left in the system's temp dir. */
async function leftovers(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((n) => n.startsWith('txtmesh-ui-'));
}

describe('web/share-upload (the page sends a file, this peer serves it)', () => {
  let mesh: Mesh;
  let ui: RunningUi;
  let before: string[];
  const send = (name: string, body: Buffer | Buffer[], headers: Record<string, string> = {}): Promise<Answer> =>
    request(ui.port, `/${ui.token}/api/share?${new URLSearchParams({ name, file: 'picked.txt' })}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', origin: `http://127.0.0.1:${ui.port}`, ...headers },
      body,
    });

  beforeEach(async () => {
    before = await leftovers();
    mesh = await startMesh({}, ['me']);
    ui = await startMeshPage(mesh, 'me', { maxShareBytes: 1000 });
  });
  afterEach(async () => {
    await ui.close();
    await mesh.stop();
  });

  it('writes the bytes into served_files under the name, as #SHARE would, and says so in its words', async () => {
    const bytes = Buffer.from('line one\r\nünïcödé line\n');
    const answer = await send('notes/today.txt', bytes);
    expect(answer.status).to.equal(200);
    const body = answer.json();
    expect(body.result).to.include({ command: 'share', name: 'notes/today.txt', size: bytes.length, status: 'shared', source: 'picked.txt (sent by the page)' });
    expect(body.lines[0]).to.match(/^Shared picked\.txt \(sent by the page\) as notes\/today\.txt \(\d+ bytes, identity [0-9a-f]{12}\); this peer now serves it$/);
    expect(await readFile(join(mesh.dirOf('me'), 'notes', 'today.txt'))).to.deep.equal(bytes);
    expect(await leftovers()).to.deep.equal(before);
  });

  it('says "already" for the same bytes again, and refuses different bytes under a served name (ERR_EXISTS), keeping the file', async () => {
    expect((await send('a.txt', Buffer.from('one'))).status).to.equal(200);
    const again = await send('a.txt', Buffer.from('one'));
    expect(again.json().result.status).to.equal('already');
    const other = await send('a.txt', Buffer.from('two'));
    expect(other.status).to.equal(409);
    expect(other.json().error.code).to.equal('ERR_EXISTS');
    expect(await readFile(join(mesh.dirOf('me'), 'a.txt'), 'utf8')).to.equal('one');
  });

  it('refuses names that are not served names (ERR_BAD_NAME) before reading, and writes nothing', async () => {
    for (const name of ['../escape.txt', '/abs.txt', 'x.md', '.hidden.txt', 'a/../b.txt', '', 'dir/.txt']) {
      const answer = await send(name, Buffer.from('x'));
      expect(answer.status, name).to.equal(400);
      expect(answer.json().error.code, name).to.equal('ERR_BAD_NAME');
    }
    expect(await readdir(mesh.dirOf('me'))).to.deep.equal([]);
    expect(await readdir(join(mesh.root, 'me'))).to.deep.equal(['served_files']);
  });

  it('takes a file of exactly the cap, and refuses a larger one by its Content-Length (ERR_UI_TOO_LARGE)', async () => {
    expect((await send('max.txt', Buffer.alloc(1000, 0x61))).status).to.equal(200);
    const big = await send('big.txt', Buffer.alloc(1001, 0x61));
    expect(big.status).to.equal(413);
    expect(big.json().error).to.include({ code: 'ERR_UI_TOO_LARGE' });
    expect(await readdir(mesh.dirOf('me'))).to.deep.equal(['max.txt']);
  });

  it('counts a body sent without a length as it arrives, and stops at the cap (ERR_UI_TOO_LARGE), leaving no temp file', async () => {
    const chunks = Array.from({ length: 20 }, () => Buffer.alloc(100, 0x62));
    const answer = await send('chunked.txt', chunks);
    expect(answer.status).to.equal(413);
    expect(answer.json().error.code).to.equal('ERR_UI_TOO_LARGE');
    expect(await readdir(mesh.dirOf('me'))).to.deep.equal([]);
    expect(await leftovers()).to.deep.equal(before);
  });

  it('puts each refusal in the log with its code', async () => {
    await send('x.md', Buffer.from('x'));
    // The log is part of the hello event a page gets on connecting.
    const reader = await EventReader.open(ui.port, `/${ui.token}/api/events`);
    const hello = JSON.parse((await reader.waitFor((e) => e.event === 'hello')).data);
    reader.close();
    expect(hello.log.at(-1)).to.include({ source: 'page', code: 'ERR_BAD_NAME' });
    expect(hello.log.at(-1).text).to.match(/^error: bad file name "x\.md": only \.txt files are served \(ERR_BAD_NAME\)$/);
  });
});

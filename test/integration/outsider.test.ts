/**
 * Issue 12, item 8: an outsider reads from an open server with the shipped client. The real
 * txtmesh-client runs from a peer folder `x` whose ID the servers' settings do not list (x's
 * own settings list x and the servers). Under --serve-to any (the default) x lists and
 * downloads as an anonymous reader and may not upload; under --serve-to mesh it is refused; a
 * listed ID claimed from another address is an impostor and stays refused.
 */
import { expect } from 'chai';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Mesh, freePort, rawExchange, startMesh, tempDir } from '../helpers.js';
import { clientJs, run } from './cli-helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

describe('an outsider reads from an open server with the shipped client (issue 12, item 8)', function () {
  this.timeout(30_000);
  let open: Mesh;
  let closed: Mesh;
  let root: string;

  /** A peer folder root/<id> whose own settings list it at `host` and the servers as given. */
  const folderOf = async (id: string, host: string): Promise<string> => {
    const folder = join(root, id);
    await mkdir(join(folder, 'served_files'), { recursive: true });
    const servers = [['p1', open], ['p2', open], ['q1', closed]] as const;
    const lines = [`${id} ${host} ${await freePort()}`, ...servers.filter(([peer]) => peer !== id).map(([peer, mesh]) => `${peer} 127.0.0.1 ${mesh.address(peer === 'q1' ? 'p1' : peer).port}`)];
    await writeFile(join(folder, 'settings.txt'), lines.join('\n') + '\n');
    return folder;
  };
  const client = (folder: string, ...args: string[]) => run(clientJs, [...args, '--settings', 'settings.txt'], folder);

  before(async function () {
    open = await startMesh({ p1: { files: { 'hello.txt': 'Hello, outsider\n' } }, p2: {} });
    closed = await startMesh({ p1: { files: { 'hello.txt': 'Hello, outsider\n' } } }, [], { serveTo: 'mesh' });
    root = await tempDir();
  });
  after(async function () {
    await Promise.all([open.stop(), closed.stop()]);
    await rm(root, { recursive: true, force: true });
  });

  it('lists and downloads under --serve-to any; its upload is refused (ERR_NOT_A_MEMBER, exit 7)', async function () {
    const x = await folderOf('x', '127.0.0.1');
    const list = await client(x, 'filelist', 'p1');
    expect(list.code, list.stdout + list.stderr).to.equal(0);
    expect(list.stdout).to.match(/^p1: 1 file\n {2}hello\.txt /);

    const got = await client(x, 'download', 'hello.txt', 'p1');
    expect(got.code, got.stdout + got.stderr).to.equal(0);
    expect(await readFile(join(x, 'served_files', 'hello.txt'), 'utf8')).to.equal('Hello, outsider\n');

    await writeFile(join(x, 'served_files', 'mine.txt'), 'not for p1\n');
    const put = await client(x, 'upload', 'mine.txt', 'p1', '--json');
    expect(put.code).to.equal(7);
    const doc = JSON.parse(put.stdout) as Doc;
    expect(doc.peers[0].error.code).to.equal('ERR_NOT_A_MEMBER');
    expect(doc.peers[0].error.message).to.contain('x is not one');
    expect(await readdir(open.dirOf('p1'))).to.deep.equal(['hello.txt']);
  });

  it('peers and ping say that the server serves it as anonymous; a member is not told so', async function () {
    const x = await folderOf('x', '127.0.0.1');
    const peers = await client(x, 'peers');
    expect(peers.code).to.equal(0);
    expect(peers.stdout).to.match(/^p1 .* online .*serves us as anonymous: our ID is not in its settings/m);
    const doc = JSON.parse((await client(x, 'peers', '--json')).stdout) as Doc;
    expect(doc.peers.map((p: Doc) => [p.peer, p.anonymous])).to.deep.equal([['x', false], ['p1', true], ['p2', true], ['q1', false]]);
    const ping = await client(x, 'ping', 'p1');
    expect(ping.code).to.equal(0);
    expect(ping.stdout).to.contain('txtmesh/1, serves us as anonymous');
    expect((JSON.parse((await client(x, 'ping', 'p1', '--json')).stdout) as Doc).peers[0].anonymous).to.equal(true);

    // p2 is listed at 127.0.0.1, where this client connects from: a member.
    const p2 = await folderOf('p2', '127.0.0.1');
    const member = JSON.parse((await client(p2, 'ping', 'p1', '--json')).stdout) as Doc;
    expect(member.peers[0].reachable).to.equal(true);
    expect(member.peers[0].anonymous).to.equal(false);
  });

  it('on the wire: the claim is answered with as=anonymous, a member\'s without it, and a PUT after it is refused', async function () {
    const port = open.address('p1').port;
    expect((await rawExchange(port, 'HELLO 1 0 txtmesh/1 p2\n')).text).to.equal('OK 1 0 txtmesh/1 peer=p1\n');
    const outsider = await rawExchange(port, 'HELLO 1 0 txtmesh/1 x\nHELLO 2 0 txtmesh/1 x\nLIST 3 0\nPUT 4 0 y.txt e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n');
    const lines = outsider.text.split('\n');
    expect(lines.slice(0, 2)).to.deep.equal(['OK 1 0 txtmesh/1 peer=p1 as=anonymous', 'OK 2 0 txtmesh/1 peer=p1 as=anonymous']);
    expect(lines[2]).to.match(/^OK 3 \d+ files=1$/);
    expect(lines[4]).to.match(/^ERR 4 0 ERR_NOT_A_MEMBER /);
    expect(outsider.closed).to.equal(true);
    // Once an outsider, always: it cannot become p2 on the same connection.
    expect((await rawExchange(port, 'HELLO 1 0 txtmesh/1 x\nHELLO 2 0 txtmesh/1 p2\n')).text).to.match(/as=anonymous\nERR 2 0 ERR_BAD_IDENTITY /);
  });

  it('under --serve-to mesh it stays refused (ERR_NOT_A_MEMBER, exit 7)', async function () {
    const x = await folderOf('x', '127.0.0.1');
    const list = await client(x, 'filelist', 'q1', '--json');
    expect(list.code).to.equal(7);
    expect((JSON.parse(list.stdout) as Doc).peers[0].error.code).to.equal('ERR_NOT_A_MEMBER');
  });

  it('a listed ID claimed from another address is an impostor, not an outsider: ERR_BAD_IDENTITY, exit 7', async function () {
    // This p2 is at 127.0.0.2 by its own settings; p1's settings list p2 at 127.0.0.1.
    const impostor = await folderOf('p2', '127.0.0.2');
    const list = await client(impostor, 'filelist', 'p1', '--json');
    expect(list.code).to.equal(7);
    expect((JSON.parse(list.stdout) as Doc).peers[0].error.code).to.equal('ERR_BAD_IDENTITY');
  });
});

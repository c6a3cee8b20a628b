/**
 * Editing a file on a mesh of real servers (issue 14, section 1): a replacing upload and a
 * replacing download keep the old version, a peer can refuse replacing uploads, only members
 * replace, a download where this peer holds a version keeps it unless told otherwise, and
 * --version picks any version, even one without a majority.
 */
import { expect } from 'chai';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { download } from '../../src/client/download.js';
import { upload } from '../../src/client/upload.js';
import { VERSIONS_DIR, VersionsArea } from '../../src/storage/versions-area.js';
import { type Mesh, fileInfoOf, rawExchange, startMesh } from '../helpers.js';
import { clientJs, run } from './cli-helpers.js';
import { expectCode } from '../helpers/expect-code.js';

const identityOf = (text: string): string => fileInfoOf('x.txt', Buffer.from(text)).identity;

describe('versions: replacing uploads and downloads keep the old version', function () {
  this.timeout(30_000);
  let mesh: Mesh | undefined;
  afterEach(async () => {
    await mesh?.stop();
    mesh = undefined;
  });

  it('#UPLOAD --replace: each peer takes the new version and keeps the old; a peer with --refuse-replace keeps its own (ERR_EXISTS)', async function () {
    mesh = await startMesh(
      { bob: { files: { 'n.txt': 'draft 1\n' } }, carol: { files: { 'n.txt': 'draft 1\n' }, server: { refuseReplace: true } }, dave: {} },
      ['alice'],
    );
    const folder = await mesh.folderOf('alice');
    await writeFile(join(folder.root, 'n.txt'), 'draft 2\n');
    const peers = ['bob', 'carol', 'dave'].map((p) => (mesh as Mesh).address(p));
    const without = await upload({ name: 'n.txt', peers, folder, as: mesh.credentialsOf('alice') });
    expect(without.outcomes.map((o) => [o.peer, o.status, o.error?.code])).to.deep.equal([['bob', 'failed', 'ERR_EXISTS'], ['carol', 'failed', 'ERR_EXISTS'], ['dave', 'stored', undefined]]);
    const sent = await upload({ name: 'n.txt', peers, folder, as: mesh.credentialsOf('alice'), replace: true });
    expect(sent.outcomes.map((o) => [o.peer, o.status, o.kept, o.error?.code])).to.deep.equal([
      ['bob', 'replaced', identityOf('draft 1\n'), undefined],
      ['carol', 'failed', undefined, 'ERR_EXISTS'],
      ['dave', 'same', undefined, undefined],
    ]);
    expect(await readFile(join(mesh.dirOf('bob'), 'n.txt'), 'utf8')).to.equal('draft 2\n');
    expect(await readFile(join(mesh.dirOf('carol'), 'n.txt'), 'utf8')).to.equal('draft 1\n');
    const bobKept = await new VersionsArea(await mesh.folderOf('bob')).kept('n.txt');
    expect(bobKept.map((k) => [k.identity, k.why])).to.deep.equal([[identityOf('draft 1\n'), 'replaced']]);
  });

  it('a replacing PUT from a connection that is not a member is refused before its body is read', async function () {
    mesh = await startMesh({ bob: { files: { 'n.txt': 'draft 1\n' } } });
    const text = 'evil\n';
    const raw = await rawExchange(mesh.address('bob').port, `PUT 1 ${text.length} n.txt ${identityOf(text)} replace\n${text}`);
    expect(raw.text).to.match(/^ERR 1 0 ERR_NOT_A_MEMBER /);
    expect(await readFile(join(mesh.dirOf('bob'), 'n.txt'), 'utf8')).to.equal('draft 1\n');
    const claimed = await rawExchange(mesh.address('bob').port, `PUT 2 ${text.length} n.txt ${identityOf(text)} replace\n${text}`, 300, { claimAs: 'bob' });
    expect(claimed.text).to.equal(`OK 2 0 replaced ${identityOf('draft 1\n')}\n`);
  });

  it('the server keeps --keep-versions versions per name, deleting the oldest', async function () {
    mesh = await startMesh({ bob: { server: { keepVersions: 2 } } }, ['alice']);
    const folder = await mesh.folderOf('alice');
    for (const text of ['v1\n', 'v2\n', 'v3\n', 'v4\n']) {
      await writeFile(join(folder.root, 'k.txt'), text);
      await upload({ name: 'k.txt', peers: [mesh.address('bob')], folder, as: mesh.credentialsOf('alice'), replace: true });
    }
    const kept = await new VersionsArea(await mesh.folderOf('bob')).kept('k.txt');
    expect(kept.map((k) => k.identity)).to.deep.equal([identityOf('v3\n'), identityOf('v2\n')]);
    expect(await readdir(join(mesh.dirOf('bob'), VERSIONS_DIR, 'k.txt'))).to.have.length(2);
  });

  it('#DOWNLOAD where this peer holds a version keeps it; --replace fetches the majority and keeps this one; --version picks a minority', async function () {
    mesh = await startMesh({ p1: { files: { 'n.txt': 'new\n' } }, p2: { files: { 'n.txt': 'new\n' } }, p3: { files: { 'n.txt': 'other\n' } } }, ['me']);
    const folder = await mesh.folderOf('me');
    await writeFile(join(folder.root, 'n.txt'), 'old\n');
    const peers = mesh.contextOf('me').others;
    const kept = await download({ name: 'n.txt', peers, folder });
    expect(kept.status).to.equal('already');
    expect(kept.identity).to.equal(identityOf('old\n'));
    expect(kept.others?.map((v) => [v.identity, v.peers])).to.deep.equal([[identityOf('new\n'), ['p1', 'p2']], [identityOf('other\n'), ['p3']]]);

    const replaced = await download({ name: 'n.txt', peers, folder, replace: true });
    expect(replaced).to.deep.include({ status: 'replaced', identity: identityOf('new\n') });
    expect(replaced.kept).to.include({ identity: identityOf('old\n'), why: 'replaced' });
    expect(await readFile(join(folder.root, 'n.txt'), 'utf8')).to.equal('new\n');

    const picked = await download({ name: 'n.txt', peers, folder, version: identityOf('other\n').slice(0, 5) });
    expect(picked).to.deep.include({ status: 'replaced', identity: identityOf('other\n') });
    expect(picked.peers.filter((p) => p.bytes > 0).map((p) => p.peer)).to.deep.equal(['p3']);
    const versions = await new VersionsArea(folder).kept('n.txt');
    expect(versions.map((v) => v.identity)).to.deep.equal([identityOf('new\n'), identityOf('old\n')]);
    expect(await readdir(folder.root)).to.deep.equal(['.txtmesh', 'n.txt']); // no part file left
  });

  it('--version resolves a conflict with no majority, and a prefix of several versions is refused', async function () {
    // Two contents whose identities start with the same hex digit, found by trying.
    const first = identityOf('one\n');
    let n = 0;
    while (identityOf(`two ${n}\n`)[0] !== first[0]) n++;
    const two = `two ${n}\n`;
    mesh = await startMesh({ p1: { files: { 'v.txt': 'one\n' } }, p2: { files: { 'v.txt': two } } }, ['me']);
    const folder = await mesh.folderOf('me');
    const peers = mesh.contextOf('me').others;
    await expectCode(download({ name: 'v.txt', peers, folder }), 'ERR_VERSION_CONFLICT');
    await expectCode(download({ name: 'v.txt', peers, folder, version: first[0] }), 'ERR_USAGE');
    await expectCode(download({ name: 'v.txt', peers, folder, version: identityOf('nobody').slice(0, 12) }), 'ERR_NOT_FOUND');
    const got = await download({ name: 'v.txt', peers, folder, version: identityOf(two).slice(0, 12) });
    expect(got).to.deep.include({ status: 'downloaded', identity: identityOf(two) });
    expect(await readFile(join(folder.root, 'v.txt'), 'utf8')).to.equal(two);
  });

  it('txtmesh-client download of several names and a glob: one JSON document, one entry per file, the worst exit status', async function () {
    mesh = await startMesh({ p1: { files: { 'notes/a.txt': 'A\n', 'notes/b.txt': 'B\n', 'top.txt': 'T\n' } } }, ['me']);
    await mesh.writeSettings();
    const r = await run(clientJs, ['download', 'notes/*.txt', 'top.txt', 'gone.txt', '--from', 'p1', '--json'], join(mesh.root, 'me'));
    const doc = JSON.parse(r.stdout) as { command: string; ok: boolean; exitCode: number; files: { name: string; ok: boolean; exitCode: number; status?: string; error?: { code: string } }[] };
    expect(r.code).to.equal(4);
    expect(doc).to.deep.include({ command: 'download', ok: false, exitCode: 4 });
    expect(doc.files.map((f) => [f.name, f.ok, f.status ?? f.error?.code])).to.deep.equal([
      ['notes/a.txt', true, 'downloaded'],
      ['notes/b.txt', true, 'downloaded'],
      ['top.txt', true, 'downloaded'],
      ['gone.txt', false, 'ERR_NOT_FOUND'],
    ]);
    const human = await run(clientJs, ['download', 'notes/*.txt', 'p1'], join(mesh.root, 'me'));
    expect(human.code).to.equal(0);
    expect(human.stdout).to.match(/^Already have notes\/a\.txt .*\nAlready have notes\/b\.txt .*\n2 files: 0 downloaded, 2 already here; 0 bytes in /);
  });
});

/**
 * cli/version-commands: #VERSIONS, #RESTORE and #UNSHARE run on a session over a real folder and
 * real servers: the edit workflow of the README (replace, see the old version kept, restore).
 */
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Session } from '../../src/cli/session.js';
import { restoreCommand, unshareCommand, versionsCommand } from '../../src/cli/version-commands.js';
import { VersionsArea } from '../../src/storage/versions-area.js';
import { type Mesh, startMesh } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

describe('cli/version-commands', function () {
  let mesh: Mesh;
  let session: Session;
  before(async () => {
    mesh = await startMesh({ p1: { files: { 'a.txt': 'theirs\n' } } }, ['me']);
    const folder = await mesh.folderOf('me');
    const quiet = { print: () => undefined, note: () => undefined, progress: () => undefined };
    session = { ctx: mesh.contextOf('me'), folder, versions: new VersionsArea(folder), out: quiet, timeoutMs: 5000 };
  });
  after(() => mesh.stop());

  const mine = (name: string) => readFile(join(session.folder.root, name), 'utf8');

  it('#VERSIONS of this peer reads its own folder; #UNSHARE keeps the file; #RESTORE brings it back', async () => {
    await writeFile(join(session.folder.root, 'n.txt'), 'draft 1\n');
    const listed = await versionsCommand(session, ['n.txt']);
    expect(listed.peers).to.have.length(1);
    expect(listed.peers[0]).to.include({ peer: 'me', self: true, ok: true });
    const [current] = listed.peers[0]?.ok ? listed.peers[0].versions : [];
    expect(current).to.include({ state: 'current', size: 8 });

    const unshared = await unshareCommand(session, ['n.txt']);
    expect(unshared).to.include({ command: 'unshare', name: 'n.txt', identity: current?.identity, size: 8 });
    expect(await session.folder.names()).to.not.include('n.txt');
    const after = await versionsCommand(session, ['n.txt']);
    expect(after.peers[0]?.ok && after.peers[0].versions.map((v) => v.state)).to.deep.equal(['unshared']);

    const restored = await restoreCommand(session, ['n.txt', (current?.identity ?? '').slice(0, 8).toUpperCase()]);
    expect(restored).to.deep.equal({ command: 'restore', name: 'n.txt', status: 'restored', identity: current?.identity, size: 8, kept: null });
    expect(await mine('n.txt')).to.equal('draft 1\n');
  });

  it('#RESTORE over a current version keeps that one; #VERSIONS with peer IDs asks them', async () => {
    await writeFile(join(session.folder.root, 'm.txt'), 'one\n');
    const first = (await versionsCommand(session, ['m.txt'])).peers[0];
    const one = first?.ok ? first.versions[0]?.identity ?? '' : '';
    await unshareCommand(session, ['m.txt']);
    await writeFile(join(session.folder.root, 'm.txt'), 'two\n');
    const restored = await restoreCommand(session, ['m.txt', one]);
    expect(restored.status).to.equal('restored');
    expect(restored.kept).to.include({ size: 4 });
    expect(await mine('m.txt')).to.equal('one\n');
    expect((await restoreCommand(session, ['m.txt', one])).status).to.equal('current');

    const remote = await versionsCommand(session, ['a.txt', 'p1']);
    expect(remote.peers.map((p) => [p.peer, p.self, p.ok && p.versions.map((v) => v.state)])).to.deep.equal([['p1', false, ['current']]]);
  });

  it('refuses a missing name or identity, extra words, and a bad name', async () => {
    await expectCode(versionsCommand(session, []), 'ERR_USAGE');
    await expectCode(versionsCommand(session, ['../x.txt']), 'ERR_BAD_NAME');
    await expectCode(restoreCommand(session, ['m.txt']), 'ERR_USAGE');
    await expectCode(restoreCommand(session, ['m.txt', 'abc', 'more']), 'ERR_USAGE');
    await expectCode(unshareCommand(session, []), 'ERR_USAGE');
    await expectCode(unshareCommand(session, ['gone.txt']), 'ERR_NOT_FOUND');
    await expectCode(versionsCommand(session, ['a.txt', 'nobody']), 'ERR_UNKNOWN_PEER');
  });
});

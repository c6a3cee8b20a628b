/**
 * client/peer-versions: the versions of a name at several real servers, in parallel; a peer
 * that is down is an answer, not a failure of the others.
 */
import { expect } from 'chai';
import { peerVersions } from '../../src/client/peer-versions.js';
import { upload } from '../../src/client/upload.js';
import { type Mesh, startMesh } from '../helpers.js';

describe('client/peer-versions', function () {
  let mesh: Mesh;
  before(async () => {
    mesh = await startMesh({ p1: { files: { 'a.txt': 'one\n' } }, p2: { files: { 'a.txt': 'old\n' } }, p3: { state: 'down' } }, ['me']);
  });
  after(() => mesh.stop());

  it('lists each peer\'s current and kept versions; an unreachable peer is named with its code', async () => {
    const folder = await mesh.folderOf('me');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${folder.root}/a.txt`, 'new\n');
    const sent = await upload({ name: 'a.txt', peers: [mesh.address('p2')], folder, as: mesh.credentialsOf('me'), replace: true });
    expect(sent.outcomes.map((o) => o.status)).to.deep.equal(['replaced']);
    const answers = await peerVersions([mesh.address('p1'), mesh.address('p2'), mesh.address('p3')], 'a.txt', { as: mesh.credentialsOf('me'), timeoutMs: 5000 });
    expect(answers.map((a) => (a.ok ? `${a.peer}: ${a.versions.map((v) => v.state).join(' ')}` : `${a.peer}: ${a.error.code}`))).to.deep.equal([
      'p1: current',
      'p2: current replaced',
      'p3: ERR_PEER_UNREACHABLE',
    ]);
    const p2 = answers[1];
    expect(p2?.ok && p2.versions[0]?.identity).to.equal(sent.identity);
  });
});

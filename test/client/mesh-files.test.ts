import { expect } from 'chai';
import type { PeerListing } from '../../src/client/filelist.js';
import { groupFiles, unlisted } from '../../src/client/mesh-files.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

const listings: PeerListing[] = [
  { peer: 'p1', ok: true, files: [{ name: 'x.txt', size: 3, identity: B }, { name: 'same.txt', size: 9, identity: C }] },
  { peer: 'p2', ok: true, files: [{ name: 'x.txt', size: 5, identity: A }] },
  { peer: 'p3', ok: false, error: { code: 'ERR_PEER_UNREACHABLE', message: 'p3 is unreachable (ERR_PEER_UNREACHABLE)' } },
  { peer: 'p4', ok: true, files: [{ name: 'x.txt', size: 3, identity: B }, { name: 'same.txt', size: 9, identity: C }, { name: 'a/only.txt', size: 0, identity: A }] },
  { peer: 'p5', ok: true, files: [] },
];

describe('client/mesh-files', () => {
  it('groups by name (sorted), then by identity, most widely held version first', () => {
    expect(groupFiles(listings)).to.deep.equal([
      { name: 'a/only.txt', conflict: false, versions: [{ identity: A, size: 0, peers: ['p4'] }] },
      { name: 'same.txt', conflict: false, versions: [{ identity: C, size: 9, peers: ['p1', 'p4'] }] },
      {
        name: 'x.txt',
        conflict: true,
        versions: [
          { identity: B, size: 3, peers: ['p1', 'p4'] },
          { identity: A, size: 5, peers: ['p2'] },
        ],
      },
    ]);
  });

  it('breaks a tie between versions by identity, so the order does not depend on who answered first', () => {
    const tie: PeerListing[] = [
      { peer: 'p1', ok: true, files: [{ name: 'x.txt', size: 1, identity: B }] },
      { peer: 'p2', ok: true, files: [{ name: 'x.txt', size: 1, identity: A }] },
    ];
    const [file] = groupFiles(tie);
    expect(file?.conflict).to.equal(true);
    expect(file?.versions.map((v) => v.identity)).to.deep.equal([A, B]);
  });

  it('has no files for no answers', () => {
    expect(groupFiles([])).to.deep.equal([]);
    expect(groupFiles([listings[2] as PeerListing])).to.deep.equal([]);
  });

  it('names the peers that could not be listed, with code and message', () => {
    expect(unlisted(listings)).to.deep.equal([{ peer: 'p3', error: { code: 'ERR_PEER_UNREACHABLE', message: 'p3 is unreachable (ERR_PEER_UNREACHABLE)' } }]);
  });

});

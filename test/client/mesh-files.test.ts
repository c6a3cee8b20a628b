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
    const plain = { changed: null, here: false, newer: false };
    expect(groupFiles(listings)).to.deep.equal([
      { name: 'a/only.txt', conflict: false, here: null, versions: [{ identity: A, size: 0, peers: ['p4'], ...plain }] },
      { name: 'same.txt', conflict: false, here: null, versions: [{ identity: C, size: 9, peers: ['p1', 'p4'], ...plain }] },
      {
        name: 'x.txt',
        conflict: true,
        here: null,
        versions: [
          { identity: B, size: 3, peers: ['p1', 'p4'], ...plain },
          { identity: A, size: 5, peers: ['p2'], ...plain },
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

  it('marks the version held here, and the versions changed later than it (the earliest time of each version\'s holders)', () => {
    const timed: PeerListing[] = [
      { peer: 'p1', ok: true, files: [{ name: 'n.txt', size: 1, identity: A, time: 5000 }, { name: 'old.txt', size: 1, identity: C, time: 100 }] },
      { peer: 'p2', ok: true, files: [{ name: 'n.txt', size: 1, identity: A, time: 9000 }] },
      { peer: 'p3', ok: true, files: [{ name: 'n.txt', size: 2, identity: B, time: 2000 }, { name: 'old.txt', size: 1, identity: A }] },
    ];
    const here = new Map([['n.txt', { identity: B, size: 2, time: 3000 }], ['old.txt', { identity: C, size: 1, time: 100 }]]);
    const [n, old] = groupFiles(timed, here);
    expect(n?.here).to.equal(B);
    expect(n?.versions.map((v) => [v.identity, v.changed, v.here, v.newer])).to.deep.equal([
      [A, 5000, false, true],
      [B, 2000, true, false],
    ]);
    // A version no holder gave a time for (an older server) is never called newer.
    expect(old?.versions.map((v) => [v.identity, v.changed, v.newer])).to.deep.equal([[A, null, false], [C, 100, false]]);
    // Without `here` nothing is marked.
    expect(groupFiles(timed)[0]?.versions.every((v) => !v.here && !v.newer)).to.equal(true);
  });

  it('has no files for no answers', () => {
    expect(groupFiles([])).to.deep.equal([]);
    expect(groupFiles([listings[2] as PeerListing])).to.deep.equal([]);
  });

  it('names the peers that could not be listed, with code and message', () => {
    expect(unlisted(listings)).to.deep.equal([{ peer: 'p3', error: { code: 'ERR_PEER_UNREACHABLE', message: 'p3 is unreachable (ERR_PEER_UNREACHABLE)' } }]);
  });

});

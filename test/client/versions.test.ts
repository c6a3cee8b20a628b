import { expect } from 'chai';
import { chooseVersion, fileVersions, groupByIdentity } from '../../src/client/versions.js';
import { expectCode } from '../helpers/expect-code.js';

interface Holder {
  peer: string;
  identity: string;
}

const X = 'a'.repeat(64);
const Y = 'b'.repeat(64);
const Z = 'c'.repeat(64);

function choose(holders: Holder[]) {
  return chooseVersion('a.txt', holders, (h) => h.identity, (h) => h.peer);
}

describe('client/versions', () => {
  it('the majority wins and the outvoted holders are listed with their identity', () => {
    const p1 = { peer: 'p1', identity: Y };
    const p2 = { peer: 'p2', identity: X };
    const p3 = { peer: 'p3', identity: X };
    const p4 = { peer: 'p4', identity: Z };
    const p5 = { peer: 'p5', identity: X };
    const choice = choose([p1, p2, p3, p4, p5]);
    expect(choice.identity).to.equal(X);
    expect(choice.chosen).to.deep.equal([p2, p3, p5]);
    expect(choice.chosen[0]).to.equal(p2);
    expect(choice.outvoted).to.have.deep.members([
      { holder: p1, identity: Y },
      { holder: p4, identity: Z },
    ]);
    expect(choice.outvoted).to.have.length(2);
  });

  it('a single group wins with nobody outvoted', () => {
    const holders = [
      { peer: 'p1', identity: X },
      { peer: 'p2', identity: X },
    ];
    expect(choose(holders)).to.deep.equal({ identity: X, chosen: holders, outvoted: [] });
    expect(choose([{ peer: 'solo', identity: Z }])).to.deep.equal({ identity: Z, chosen: [{ peer: 'solo', identity: Z }], outvoted: [] });
  });

  it('two against one wins even when the lone holder comes first', () => {
    const choice = choose([
      { peer: 'p1', identity: Z },
      { peer: 'p2', identity: Y },
      { peer: 'p3', identity: Y },
    ]);
    expect(choice.identity).to.equal(Y);
    expect(choice.chosen.map((h) => h.peer)).to.deep.equal(['p2', 'p3']);
    expect(choice.outvoted).to.deep.equal([{ holder: { peer: 'p1', identity: Z }, identity: Z }]);
  });

  it('a tie for largest group is ERR_VERSION_CONFLICT', () => {
    const twoTied = [
      { peer: 'p1', identity: X },
      { peer: 'p2', identity: Y },
    ];
    expectCode(() => choose(twoTied), 'ERR_VERSION_CONFLICT');
    const twoPairs = [...twoTied, { peer: 'p3', identity: X }, { peer: 'p4', identity: Y }, { peer: 'p5', identity: Z }];
    expectCode(() => choose(twoPairs), 'ERR_VERSION_CONFLICT');
  });

  it('no holders is ERR_NO_PEERS', () => {
    expectCode(() => choose([]), 'ERR_NO_PEERS');
  });

  it('groupByIdentity: most widely held first, ties by identity whoever came first, holders in their order', () => {
    const holders = [
      { peer: 'p1', identity: Z },
      { peer: 'p2', identity: Y },
      { peer: 'p3', identity: X },
      { peer: 'p4', identity: Y },
      { peer: 'p5', identity: Z },
      { peer: 'p6', identity: Z },
    ];
    const groups = groupByIdentity(holders, (h) => h.identity);
    expect(groups.map((g) => [g.identity, g.holders.map((h) => h.peer)])).to.deep.equal([
      [Z, ['p1', 'p5', 'p6']],
      [Y, ['p2', 'p4']],
      [X, ['p3']],
    ]);
    const tie = groupByIdentity([{ peer: 'p1', identity: Y }, { peer: 'p2', identity: X }], (h) => h.identity);
    expect(tie.map((g) => g.identity)).to.deep.equal([X, Y]);
    expect(groupByIdentity([], (h: Holder) => h.identity)).to.deep.equal([]);
  });

  it('fileVersions: each version with its size and peers', () => {
    expect(
      fileVersions([
        { peer: 'p1', identity: Y, size: 3 },
        { peer: 'p2', identity: X, size: 5 },
        { peer: 'p3', identity: Y, size: 3 },
      ]),
    ).to.deep.equal([
      { identity: Y, size: 3, peers: ['p1', 'p3'] },
      { identity: X, size: 5, peers: ['p2'] },
    ]);
  });
});

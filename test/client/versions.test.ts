import { expect } from 'chai';
import { chooseVersion } from '../../src/client/versions.js';
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
});

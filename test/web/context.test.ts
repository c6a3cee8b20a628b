import { expect } from 'chai';
import type { PeerAddress } from '../../src/settings.js';
import { type UiPeer, pickPeers } from '../../src/web/context.js';
import { expectCode } from '../helpers/expect-code.js';

const peer = (id: string, port: number): PeerAddress => ({ id, host: '127.0.0.1', port, line: port });

function ctx(ids: string[]): UiPeer {
  const peers = ids.map((id, i) => peer(id, i + 1));
  return { id: 'me', settingsPath: '/x/peer_settings.txt', dir: '/x/me/served_files', peers, others: peers.filter((p) => p.id !== 'me'), mode: 'open', credentials: { id: 'me' } };
}

describe('web/context', () => {
  it('picks every other peer when none is named', () => {
    expect(pickPeers(ctx(['me', 'bob', 'carol']), []).map((p) => p.id)).to.deep.equal(['bob', 'carol']);
  });

  it('picks the peers named, in the order named', () => {
    expect(pickPeers(ctx(['me', 'bob', 'carol']), ['carol', 'bob']).map((p) => p.id)).to.deep.equal(['carol', 'bob']);
  });

  it('refuses an unknown peer (ERR_UNKNOWN_PEER, naming the known ones) and a mesh of one (ERR_NO_PEERS)', () => {
    const err = expectCode(() => pickPeers(ctx(['me', 'bob']), ['bob', 'zed']), 'ERR_UNKNOWN_PEER');
    expect(err.message).to.equal('unknown peer zed; known peers: me, bob');
    expectCode(() => pickPeers(ctx(['me']), []), 'ERR_NO_PEERS');
  });
});

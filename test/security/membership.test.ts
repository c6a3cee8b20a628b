import { expect } from 'chai';
import { bindAddress, localAddressOf } from '../../src/security/credentials.js';
import { Membership, normalizeAddress } from '../../src/security/membership.js';
import type { PeerAddress } from '../../src/settings.js';
import { expectCode } from '../helpers/expect-code.js';

const peer = (id: string, host: string, fingerprint?: string): PeerAddress => ({ id, host, port: 5000, line: 1, ...(fingerprint ? { fingerprint } : {}) });

describe('security/membership', function () {
  it('normalises addresses as the kernel reports them', function () {
    expect(normalizeAddress('::ffff:127.0.0.1')).to.equal('127.0.0.1');
    expect(normalizeAddress('2001:0DB8:0:0::11')).to.equal('2001:db8::11');
    expect(normalizeAddress('fe80::1%eth0')).to.equal('fe80::1');
    expect(normalizeAddress('10.0.0.1')).to.equal('10.0.0.1');
  });

  it('knows peers by literal address at once, and by host name once resolved', async function () {
    const lookups: string[] = [];
    const m = new Membership([peer('p1', '10.0.0.1'), peer('p2', 'two.lan'), peer('p3', '::ffff:10.0.0.3')], {
      lookup: async (host) => (lookups.push(host), ['10.0.0.2', '2001:db8::2']),
    });
    expect(m.peersAtNow('10.0.0.1').map((p) => p.id)).to.deep.equal(['p1']);
    expect(m.peersAtNow('::ffff:10.0.0.1').map((p) => p.id)).to.deep.equal(['p1']);
    expect(m.peersAtNow('10.0.0.2')).to.deep.equal([]);
    await m.start();
    m.stop();
    expect(lookups).to.deep.equal(['two.lan']);
    expect(m.peersAtNow('2001:0db8::2').map((p) => p.id)).to.deep.equal(['p2']);
    expect(m.peersAtNow('10.0.0.3').map((p) => p.id)).to.deep.equal(['p3']);
    expect(m.mode).to.equal('open');
  });

  it('resolves again when a connection comes from an unknown address, at most so often', async function () {
    let address = '10.0.0.2';
    let lookups = 0;
    const m = new Membership([peer('p2', 'two.lan')], { lookup: async () => (lookups++, [address]), missRefreshMs: 200 });
    await m.refresh();
    address = '10.0.0.9'; // the host moved
    expect((await m.peersAt('10.0.0.9')).map((p) => p.id)).to.deep.equal([], 'too soon to ask again');
    await new Promise((r) => setTimeout(r, 250));
    expect((await m.peersAt('10.0.0.9')).map((p) => p.id)).to.deep.equal(['p2']);
    expect(lookups).to.equal(2);
    // A host that stops resolving keeps its last addresses.
    let up = true;
    const flaky = new Membership([peer('p2', 'two.lan')], {
      lookup: async () => {
        if (!up) throw new Error('ENOTFOUND');
        return ['10.0.0.2'];
      },
    });
    await flaky.refresh();
    up = false;
    await flaky.refresh();
    expect(flaky.peersAtNow('10.0.0.2')).to.have.length(1);
  });

  it('takes new settings within a mode, and refuses a switch between open and secure', async function () {
    const m = new Membership([peer('p1', '10.0.0.1')]);
    await m.update([peer('p1', '10.0.0.1'), peer('p4', '10.0.0.4')]);
    expect(m.peersAtNow('10.0.0.4').map((p) => p.id)).to.deep.equal(['p4']);
    await m.update([peer('p4', '10.0.0.4')]);
    expect(m.byId('p1')).to.equal(undefined);
    expect(m.peersAtNow('10.0.0.1')).to.deep.equal([]);
    await expectCode(m.update([peer('p1', '10.0.0.1', 'a'.repeat(64))]), 'ERR_SETTINGS_MIXED');
    const secure = new Membership([peer('p1', '10.0.0.1', 'a'.repeat(64))]);
    expect(secure.mode).to.equal('secure');
    expect(secure.byFingerprint('a'.repeat(64))?.id).to.equal('p1');
  });

  it('binds connections to this peer\'s own address only where the kernel can route them', function () {
    expect(localAddressOf('127.0.0.1')).to.equal('127.0.0.1');
    expect(localAddressOf('192.0.2.77')).to.equal(undefined); // TEST-NET: not this machine's
    expect(localAddressOf('peer.lan')).to.equal(undefined);
    expect(bindAddress('127.0.0.2', '127.0.0.1')).to.equal('127.0.0.2');
    expect(bindAddress('127.0.0.2', '10.0.0.1')).to.equal(undefined);
    expect(bindAddress('10.0.0.5', '127.0.0.1')).to.equal(undefined);
    expect(bindAddress('10.0.0.5', '::1')).to.equal(undefined);
    expect(bindAddress('10.0.0.5', 'peer.lan')).to.equal('10.0.0.5');
    expect(bindAddress(undefined, '10.0.0.1')).to.equal(undefined);
  });
});

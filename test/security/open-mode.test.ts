/**
 * Open mode: uploads only from members, a member being a connection that claimed a listed ID
 * from that peer's address. Every peer of these meshes is at 127.0.0.1; strangers connect from
 * 127.0.0.2 or 127.0.0.3 (Linux routes all of 127.0.0.0/8 to the loopback interface).
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { listFiles } from '../../src/client/peer-client.js';
import { PeerConnection } from '../../src/client/peer-connection.js';
import { upload } from '../../src/client/upload.js';
import { REQUESTS } from '../../src/protocol/requests.js';
import { localAddressOf } from '../../src/security/credentials.js';
import { type Mesh, rawExchange, startMesh, writeFiles } from '../helpers.js';
import { expectCode } from '../helpers/expect-code.js';

const identityOf = (data: Buffer) => createHash('sha256').update(createHash('sha256').update(data).digest()).digest('hex');
const body = Buffer.from('planted words');
const put = (id: number, name = 'planted.txt') => Buffer.concat([REQUESTS.PUT.encode({ verb: 'PUT', id: id, name: name, size: body.length, identity: identityOf(body) }), body]);

describe('open mode: membership by address and claim', function () {
  this.timeout(20_000);
  let mesh: Mesh;

  beforeEach(async function () {
    mesh = await startMesh({ p1: { files: { 'a.txt': 'mine' } }, p2: {} }, ['me']);
    await writeFiles(mesh.dirOf('me'), { 'up.txt': 'an upload' });
  });
  afterEach(() => mesh.stop());

  const served = () => readdir(mesh.dirOf('p1'));
  const refusals = (code: string) => (mesh.logs.get('p1') ?? []).filter((e) => e.status === code).length;

  it('refuses an upload from an address outside the settings, writes nothing, and logs the code', async function () {
    const port = mesh.address('p1').port;
    // No claim: an anonymous reader may not upload. The body is never read: the connection closes.
    const raw = await rawExchange(port, put(1), 300, { localAddress: '127.0.0.2' });
    expect(raw.text).to.match(/^ERR 1 0 ERR_NOT_A_MEMBER [^\n]*\n$/);
    expect(raw.closed).to.equal(true);
    // The shipped client, claiming an ID the settings do not have.
    const stranger = { id: 'stranger', localAddress: '127.0.0.2' };
    const { outcomes } = await upload({ name: 'up.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me'), as: stranger });
    expect(outcomes.map((o) => [o.status, o.error?.code])).to.deep.equal([['failed', 'ERR_NOT_A_MEMBER']]);
    expect(await served()).to.deep.equal(['a.txt']);
    expect(refusals('ERR_NOT_A_MEMBER')).to.equal(2);
    expect(mesh.logs.get('p1')?.some((e) => e.verb === 'PUT' && e.status === 'OK')).to.equal(false);
  });

  it('refuses a claim that does not match the source address (a replayed HELLO), reading nothing after it', async function () {
    const port = mesh.address('p1').port;
    // "me" is listed at 127.0.0.1; this HELLO comes from 127.0.0.2, with a PUT pipelined behind it.
    const raw = await rawExchange(port, Buffer.concat([Buffer.from('HELLO 1 0 txtmesh/1 me\n'), put(2)]), 300, { localAddress: '127.0.0.2' });
    expect(raw.text).to.match(/^ERR 1 0 ERR_BAD_IDENTITY [^\n]*127\.0\.0\.2\n$/);
    expect(raw.closed).to.equal(true);
    const { outcomes } = await upload({ name: 'up.txt', peers: [mesh.address('p1')], folder: await mesh.folderOf('me'), as: { id: 'me', localAddress: '127.0.0.2' } });
    expect(outcomes[0]?.error?.code).to.equal('ERR_BAD_IDENTITY');
    expect(await served()).to.deep.equal(['a.txt']);
    expect(refusals('ERR_BAD_IDENTITY')).to.equal(2);
    expect(mesh.logs.get('p1')?.filter((e) => e.verb === 'PUT')).to.deep.equal([]);
  });

  it('refuses a second claim of another ID on one connection', async function () {
    const raw = await rawExchange(mesh.address('p1').port, Buffer.concat([Buffer.from('HELLO 1 0 txtmesh/1 me\nHELLO 2 0 txtmesh/1 me\nHELLO 3 0 txtmesh/1 p2\n'), put(4)]));
    const lines = raw.text.trimEnd().split('\n');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.equal('OK 1 0 txtmesh/1 peer=p1');
    expect(lines[1]).to.equal('OK 2 0 txtmesh/1 peer=p1');
    expect(lines[2]).to.match(/^ERR 3 0 ERR_BAD_IDENTITY /);
    expect(await served()).to.deep.equal(['a.txt']);
  });

  it('takes uploads from a member at its own address, which the client connects from', async function () {
    await mesh.membership.update([...mesh.peers, { id: 'far', host: '127.0.0.2', port: 1, line: 9 }]);
    const folder = await mesh.folderOf('me');
    // Connecting from the default address (127.0.0.1), the claim does not hold.
    const unbound = await upload({ name: 'up.txt', peers: [mesh.address('p1')], folder, as: { id: 'far' } });
    expect(unbound.outcomes[0]?.error?.code).to.equal('ERR_BAD_IDENTITY');
    const bound = await upload({ name: 'up.txt', peers: [mesh.address('p1')], folder, as: { id: 'far', localAddress: localAddressOf('127.0.0.2') } });
    expect(bound.outcomes[0]?.status).to.equal('stored');
    expect(await served()).to.deep.equal(['a.txt', 'up.txt']);
  });

  it('serves anyone by default, and with --serve-to mesh only members, refusing strangers before a request', async function () {
    const open = await rawExchange(mesh.address('p1').port, 'LIST 1 0\n', 300, { localAddress: '127.0.0.3' });
    expect(open.text).to.match(/^OK 1 \d+ files=1\n/);

    const closed = await startMesh({ p1: { files: { 'a.txt': 'mine' } } }, ['me'], { serveTo: 'mesh' });
    try {
      const port = closed.address('p1').port;
      const stranger = await rawExchange(port, 'LIST 1 0\n', 300, { localAddress: '127.0.0.3' });
      expect(stranger.text).to.match(/^ERR 0 0 ERR_NOT_A_MEMBER [^\n]*127\.0\.0\.3[^\n]*\n$/);
      expect(stranger.closed).to.equal(true);
      // From a member's address, but without saying who: refused too.
      const unclaimed = await rawExchange(port, 'HELLO 1 0 txtmesh/1\nLIST 2 0\n');
      expect(unclaimed.text).to.match(/^OK 1 0 txtmesh\/1 peer=p1\nERR 2 0 ERR_NOT_A_MEMBER [^\n]*\n$/);
      const claimed = await rawExchange(port, 'LIST 1 0\n', 300, { claimAs: 'me' });
      expect(claimed.text).to.match(/^OK 1 \d+ files=1\n/);
      // The shipped client claims on every connection.
      const conn = await PeerConnection.connect(closed.address('p1'), { as: closed.credentialsOf('me') });
      try {
        expect((await listFiles(conn)).map((f) => f.name)).to.deep.equal(['a.txt']);
      } finally {
        conn.close();
      }
      expect(closed.logs.get('p1')?.filter((e) => e.verb === 'LIST' && e.status === 'OK')).to.have.length(2);
    } finally {
      await closed.stop();
    }
  });

  it('fails every request pipelined behind a refused claim with the refusal code', async function () {
    const conn = await PeerConnection.connect(mesh.address('p1'), { as: { id: 'me', localAddress: '127.0.0.2' } });
    try {
      await expectCode(listFiles(conn), 'ERR_BAD_IDENTITY');
    } finally {
      conn.close();
    }
  });
});

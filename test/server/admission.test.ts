/**
 * Who may do what on a connection (admission.ts), without sockets: open-mode gates checking
 * claims, uploads and reads. Secure mode (admitTls) needs a TLS socket: test/security/secure-mode.
 */
import { expect } from 'chai';
import { TxtmeshError } from '../../src/errors.js';
import type { Header } from '../../src/protocol/header.js';
import { Membership } from '../../src/security/membership.js';
import { ConnectionGate, admitOpen } from '../../src/server/admission.js';

const header = (line: string): Header => {
  const [verb = '', id = '0', length = '0', ...args] = line.split(' ');
  return { verb, id: Number(id), length: Number(length), args };
};

describe('server/admission', () => {
  const membership = new Membership([
    { id: 'p1', host: '10.0.0.1', port: 1, line: 1 },
    { id: 'p2', host: '10.0.0.2', port: 1, line: 2 },
  ]);
  const codeOf = (refusal: TxtmeshError | undefined) => refusal?.code;

  it('lets anyone read, and only a member upload', async () => {
    const gate = new ConnectionGate(membership, 'any', '10.9.9.9');
    expect(await gate.check(header('LIST 1 0'))).to.equal(undefined);
    expect(await gate.check(header('HELLO 2 0 txtmesh/1'))).to.equal(undefined);
    expect(codeOf(await gate.check(header('PUT 3 5 a.txt x')))).to.equal('ERR_NOT_A_MEMBER');
  });

  it('makes a connection a member once it claims the ID listed at its address', async () => {
    const gate = new ConnectionGate(membership, 'any', '10.0.0.2');
    expect(await gate.check(header('HELLO 1 0 txtmesh/1 p2'))).to.equal(undefined);
    expect(gate.member).to.equal('p2');
    expect(await gate.check(header('PUT 2 5 a.txt x'))).to.equal(undefined);
    expect(await gate.check(header('HELLO 3 0 txtmesh/1 p2'))).to.equal(undefined);
    expect(codeOf(await gate.check(header('HELLO 4 0 txtmesh/1 p1')))).to.equal('ERR_BAD_IDENTITY');
  });

  it('refuses a claim of an ID listed elsewhere (an impostor)', async () => {
    const gate = new ConnectionGate(membership, 'any', '10.0.0.2');
    expect(codeOf(await gate.check(header('HELLO 1 0 txtmesh/1 p1')))).to.equal('ERR_BAD_IDENTITY');
    expect(gate.member).to.equal(undefined);
  });

  it('serves an outsider (a claim of an unlisted ID) as anonymous: reads yes, uploads and other IDs no', async () => {
    const gate = new ConnectionGate(membership, 'any', '10.0.0.2');
    expect(await gate.check(header('HELLO 1 0 txtmesh/1 p9'))).to.equal(undefined);
    expect([gate.member, gate.outsider]).to.deep.equal([undefined, 'p9']);
    expect(await gate.check(header('LIST 2 0'))).to.equal(undefined);
    expect(await gate.check(header('HELLO 3 0 txtmesh/1 p9'))).to.equal(undefined);
    expect(codeOf(await gate.check(header('PUT 4 5 a.txt x')))).to.equal('ERR_NOT_A_MEMBER');
    // Not even p2, whose address this is: an outsider stays one.
    expect(codeOf(await gate.check(header('HELLO 5 0 txtmesh/1 p2')))).to.equal('ERR_BAD_IDENTITY');
    expect(gate.member).to.equal(undefined);
  });

  it('serving the mesh only: refuses strangers at once, and reads before a claim', async () => {
    expect(await admitOpen({ membership, serveTo: 'mesh' }, '10.9.9.9')).to.be.instanceOf(TxtmeshError).with.property('code', 'ERR_NOT_A_MEMBER');
    const gate = await admitOpen({ membership, serveTo: 'mesh' }, '10.0.0.1');
    expect(gate).to.be.instanceOf(ConnectionGate);
    if (!(gate instanceof ConnectionGate)) return;
    expect(codeOf(await gate.check(header('LIST 1 0')))).to.equal('ERR_NOT_A_MEMBER');
    // An outsider is refused too, even from a member's address.
    expect(codeOf(await gate.check(header('HELLO 2 0 txtmesh/1 p9')))).to.equal('ERR_NOT_A_MEMBER');
    expect(gate.outsider).to.equal(undefined);
    expect(await gate.check(header('HELLO 3 0 txtmesh/1 p1'))).to.equal(undefined);
    expect(await gate.check(header('LIST 4 0'))).to.equal(undefined);
  });
});

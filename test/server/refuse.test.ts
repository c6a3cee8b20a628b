/**
 * A refusal over an in-memory duplex pair: the answer arrives, whatever the client still sends
 * is read and thrown away (so no reset destroys the answer), and the connection is destroyed
 * after the linger time at the latest.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { refuseAndClose } from '../../src/server/refuse.js';
import { duplexPair } from '../duplex-pair.js';

describe('server/refuse', () => {
  it('sends the answer with a FIN, discards what follows, and destroys after the linger time', async () => {
    const [client, server] = duplexPair({ highWaterMark: 16 });
    const got: Buffer[] = [];
    client.on('data', (chunk: Buffer) => got.push(chunk));
    // More than the pair holds unread: it is only taken if the server keeps reading.
    const flood = Buffer.alloc(64 * 1024, 'x');
    const written = new Promise<void>((resolve) => client.write(flood, () => resolve()));
    refuseAndClose(server, Buffer.from('ERR 0 0 ERR_NOT_A_MEMBER go away\n'), 100);
    await once(client, 'end');
    await written;
    expect(Buffer.concat(got).toString()).to.equal('ERR 0 0 ERR_NOT_A_MEMBER go away\n');
    expect(server.destroyed).to.equal(false);
    await once(server, 'close');
    expect(client.destroyed).to.equal(true);
  });

  it('does nothing to a connection already destroyed', () => {
    const [, server] = duplexPair();
    server.destroy();
    expect(() => refuseAndClose(server, Buffer.from('ERR 0 0 ERR_BUSY x\n'), 10)).to.not.throw();
  });
});

import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeerServer } from '../../src/server/peer-server.js';
import { SERVER_DEFAULTS, serverLimits } from '../../src/server/options.js';
import { TxtmeshError } from '../../src/errors.js';

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).to.be.instanceOf(TxtmeshError);
    expect((err as TxtmeshError).code).to.equal('ERR_USAGE');
    return (err as Error).message;
  }
  throw new Error('expected ERR_USAGE');
}

describe('server/options', () => {
  it('fills in the defaults and keeps what is given', () => {
    expect(serverLimits({})).to.deep.equal(SERVER_DEFAULTS);
    expect(serverLimits({ maxConnections: 3, idleTimeoutMs: 0 })).to.include({ maxConnections: 3, idleTimeoutMs: 0, maxHeaderBytes: SERVER_DEFAULTS.maxHeaderBytes });
  });

  it('names the option that breaks its rule', () => {
    expect(usageMessage(() => serverLimits({ maxConnections: 0 }))).to.match(/^maxConnections must be a whole number at least 1/);
    expect(usageMessage(() => serverLimits({ maxConnections: 2.5 }))).to.match(/^maxConnections /);
    expect(usageMessage(() => serverLimits({ maxHeaderBytes: 10 }))).to.match(/^maxHeaderBytes must be a whole number at least 64/);
    expect(usageMessage(() => serverLimits({ headerTimeoutMs: 0 }))).to.match(/^headerTimeoutMs must be a number greater than 0/);
    expect(usageMessage(() => serverLimits({ idleTimeoutMs: Number.NaN }))).to.match(/^idleTimeoutMs /);
    expect(usageMessage(() => serverLimits({ keepVersions: 0.5 }))).to.match(/^keepVersions must be a whole number from 1 to 10000/);
  });

  it('is what PeerServer checks before it starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'txtmesh-options-'));
    expect(usageMessage(() => new PeerServer({ peerId: 'p1', dir, maxUploadBytes: -1 }))).to.match(/^maxUploadBytes /);
  });
});

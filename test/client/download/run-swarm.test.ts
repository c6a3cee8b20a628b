/**
 * The swarm phase against real servers: the chosen holders, and holders the search finds
 * later, which join if they hold the same version and are set aside if not.
 */
import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chooseHolders } from '../../../src/client/download/choose-holders.js';
import { HolderSearch } from '../../../src/client/download/find-holders.js';
import { type DownloadOptions, downloadSettings } from '../../../src/client/download/options.js';
import { PeerLedger } from '../../../src/client/download/peer-ledger.js';
import { type DownloadRun, startSwarm, swarmStopped } from '../../../src/client/download/run-swarm.js';
import { type Target, prepareTarget, publishTarget } from '../../../src/client/download/target.js';
import type { Swarm } from '../../../src/client/swarm.js';
import { PIECE_SIZE } from '../../../src/constants.js';
import { PeerServer } from '../../../src/server/peer-server.js';
import type { PeerAddress } from '../../../src/settings.js';
import { type Mesh, freePort, makeText, startMesh } from '../../helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('client/download/run-swarm', function () {
  const text = makeText(6 * PIECE_SIZE + 7);
  let mesh: Mesh;
  let late: PeerServer[];
  let cleanup: (() => void)[];

  /** A server for `dir` that starts listening after `ms`, as a peer coming up late. */
  async function lateServer(id: string, dir: string, ms: number): Promise<PeerAddress> {
    const port = await freePort();
    const server = new PeerServer({ peerId: id, dir });
    late.push(server);
    void sleep(ms).then(() => server.listen(port, '127.0.0.1'));
    return { id, host: '127.0.0.1', port, line: 9 };
  }

  /** The phases before the swarm, with the search already settled (late holders queued). */
  async function beforeSwarm(peers: PeerAddress[], extra: Partial<DownloadOptions> = {}): Promise<{ run: DownloadRun; target: Target; chosen: ReturnType<typeof chooseHolders>['chosen'] }> {
    const over = new AbortController();
    const options = downloadSettings({ name: 'f.txt', peers, folder: await mesh.folderOf('me'), graceMs: 100, retry: { attempts: 30, baseDelayMs: 100, maxDelayMs: 100 }, ...extra });
    const ledger = new PeerLedger();
    const search = new HolderSearch(options, over.signal, ledger);
    cleanup.push(() => over.abort(), () => search.close());
    const { chosen, info } = chooseHolders('f.txt', await search.decided, ledger);
    const target = await prepareTarget(options.folder, info, undefined);
    if (target === 'already') throw new Error('expected a part file');
    return { run: { options, search, ledger, signal: over.signal, started: performance.now() }, target, chosen };
  }

  beforeEach(async function () {
    late = [];
    cleanup = [];
    mesh = await startMesh({ h1: { files: { 'f.txt': text } }, other: { files: { 'f.txt': 'another version' } } }, ['me']);
  });
  afterEach(async function () {
    for (const fn of cleanup) fn();
    await Promise.all(late.map((s) => s.close().catch(() => undefined)));
    await mesh.stop();
  });

  it('fetches from the chosen holders; a late holder of the same version joins, one of another is set aside', async function () {
    const same = await lateServer('same', mesh.dirOf('h1'), 400);
    const other = await lateServer('late-other', mesh.dirOf('other'), 400);
    const pieces: [string, number][] = [];
    const { run, target, chosen } = await beforeSwarm([mesh.address('h1'), same, other], { onPiece: (peer, bytes) => pieces.push([peer, bytes]) });
    expect(chosen.map((h) => h.peer.id)).to.deep.equal(['h1']);
    await run.search.settled; // both late peers have answered by now, queued for the swarm
    const swarm: Swarm = startSwarm(run, target, chosen);
    cleanup.push(() => swarm.close());
    expect([...swarm.sources.keys()]).to.deep.equal(['h1', 'same']);
    const setAside = run.ledger.outcomes(swarm.sources.values()).find((o) => o.peer === 'late-other');
    expect(setAside?.problem?.code).to.equal('ERR_VERSION_CONFLICT');
    expect(setAside?.problem?.message).to.match(/^answered late with another version/);

    await swarmStopped(swarm, run);
    expect(swarm.scheduler.complete).to.equal(true);
    expect(pieces.reduce((sum, [, bytes]) => sum + bytes, 0)).to.equal(text.length);
    expect(await publishTarget(target, swarm, run.ledger, false)).to.deep.equal({ status: 'downloaded' });
    expect((await readFile(join(mesh.dirOf('me'), 'f.txt'))).equals(text)).to.equal(true);
  });

  it('with no source left, waits for the peers still being asked: one that comes up late joins and the file is finished', async function () {
    const same = await lateServer('same', mesh.dirOf('h1'), 700);
    const { run, target, chosen } = await beforeSwarm([mesh.address('h1'), same]);
    // The chosen holders are gone before the swarm starts.
    for (const h of chosen) h.conn.close();
    const swarm = startSwarm(run, target, []);
    cleanup.push(() => swarm.close());
    await swarmStopped(swarm, run);
    expect(swarm.scheduler.complete).to.equal(true);
    // The late peer joined; h1, still up, may be found again by the holder search's re-ask on a
    // loaded machine and share the work: every byte came from the sources, none twice.
    expect(swarm.sources.has('same')).to.equal(true);
    const delivered = [...swarm.sources.values()].reduce((sum, s) => sum + s.bytes, 0);
    expect(delivered).to.equal(text.length);
    expect(await publishTarget(target, swarm, run.ledger, false)).to.deep.equal({ status: 'downloaded' });
  });
});

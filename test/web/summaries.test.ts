import { expect } from 'chai';
import { renderResult } from '../../src/cli/render.js';
import type { DownloadResult } from '../../src/client/download.js';
import { summaryOf, uploadSummaryOf } from '../../src/web/summaries.js';

const result: DownloadResult = {
  name: 'a.txt',
  size: 300,
  identity: 'ab'.repeat(32),
  status: 'downloaded',
  seconds: 0.5,
  resumedBytes: 0,
  peers: [
    { peer: 'bob', bytes: 200, identity: 'ab'.repeat(32), size: 300 },
    { peer: 'carol', bytes: 100, identity: 'ab'.repeat(32), size: 300 },
    { peer: 'dave', bytes: 0, problem: { code: 'ERR_PEER_UNREACHABLE', message: 'could not connect' } },
    { peer: 'erin', bytes: 0, problem: { code: 'ERR_NOT_FOUND', message: 'does not have it' } },
  ],
};

describe('web/summaries (engine results as the console\'s)', () => {
  it('sorts a download\'s peers into found, missing and unreachable, as #DOWNLOAD does', () => {
    const s = summaryOf(result, true);
    expect(s).to.include({ command: 'download', name: 'a.txt', status: 'downloaded', searched: true });
    expect(s.found).to.deep.equal(['bob', 'carol']);
    expect(s.missing).to.deep.equal(['erin']);
    expect(s.unreachable).to.deep.equal([{ peer: 'dave', error: { code: 'ERR_PEER_UNREACHABLE', message: 'could not connect' } }]);
  });

  it('renders as the console renders: a searched download leaves out who lacked the file, names who failed', () => {
    const lines = renderResult(summaryOf(result, true));
    expect(lines[0]).to.equal(`Downloaded a.txt: 300 bytes in 0.50 s (600 B/s), identity ${'ab'.repeat(6)}; bytes per peer: bob 200, carol 100`);
    expect(lines.slice(1)).to.deep.equal(['  dave: could not connect']);
    expect(renderResult(summaryOf(result, false)).slice(1)).to.deep.equal(['  dave: could not connect', '  erin: does not have it']);
  });

  it('keeps an upload\'s targets in order, each failure with its code', () => {
    const s = uploadSummaryOf('a.txt', {
      size: 3,
      identity: 'cd'.repeat(32),
      outcomes: [
        { peer: 'bob', status: 'stored', bytes: 3, seconds: 0.1 },
        { peer: 'carol', status: 'same', bytes: 0, seconds: 0.1 },
        { peer: 'dave', status: 'failed', bytes: 0, seconds: 0.2, error: { code: 'ERR_PEER_UNREACHABLE', message: 'could not connect' } },
      ],
    });
    expect(s.peers.map((p) => [p.peer, p.status, p.error?.code ?? null])).to.deep.equal([['bob', 'stored', null], ['carol', 'same', null], ['dave', 'failed', 'ERR_PEER_UNREACHABLE']]);
    expect(renderResult(s)).to.deep.equal(['bob: stored a.txt (3 bytes in 0.10 s)', 'carol: already has a.txt (same content)', 'dave: failed: could not connect']);
  });
});

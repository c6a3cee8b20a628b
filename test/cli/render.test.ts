import { expect } from 'chai';
import { MODE_NOTES, formatMs, renderResult } from '../../src/cli/render.js';
import type { DownloadSummary, FilesResult, PeersResult, PingResult } from '../../src/client/results.js';

const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);
const down = { code: 'ERR_PEER_UNREACHABLE' as const, message: 'nothing listens at 127.0.0.1:9 (ECONNREFUSED): is p3\'s server running? (ERR_PEER_UNREACHABLE)' };

describe('client/render', () => {
  it('formats durations in ms with sensible precision', () => {
    expect(formatMs(0.4213)).to.equal('0.42 ms');
    expect(formatMs(12.46)).to.equal('12.5 ms');
    expect(formatMs(250.4)).to.equal('250 ms');
  });

  it('#PEERS: the mode, a row per peer under a header, offline peers with their error, a count', () => {
    const result: PeersResult = {
      command: 'peers',
      mode: 'open',
      peers: [
        { peer: 'p1', address: '127.0.0.1:1', self: false, online: true, rttMs: 0.25, version: 'txtmesh/1', announced: 'p1', anonymous: false, files: 2, error: null, identity: null },
        { peer: 'p2', address: '127.0.0.1:2', self: false, online: true, rttMs: 1.5, version: 'txtmesh/1', announced: 'p7', anonymous: true, files: 0, error: null, identity: null },
        { peer: 'p3', address: '127.0.0.1:9', self: true, online: false, rttMs: null, version: null, announced: null, anonymous: false, files: null, error: down, identity: null },
      ],
    };
    expect(renderResult(result)).to.deep.equal([
      MODE_NOTES.open,
      'peer  address      status   rtt      files  version',
      'p1    127.0.0.1:1  online   0.25 ms  2      txtmesh/1',
      'p2    127.0.0.1:2  online   1.50 ms  0      txtmesh/1  answers as p7!; serves us as anonymous: our ID is not in its settings (reads only, no uploads)',
      `p3    127.0.0.1:9  offline  -        -      -          this peer; ${down.message}`,
      '2 of 3 peers online',
    ]);
  });

  it('#PEERS in a secure mesh: each verified identity, shortened', () => {
    const fp = 'ab'.repeat(32);
    const result: PeersResult = {
      command: 'peers',
      mode: 'secure',
      peers: [
        { peer: 'p1', address: '127.0.0.1:1', self: false, online: true, rttMs: 0.25, version: 'txtmesh/1', announced: 'p1', anonymous: false, files: 2, error: null, identity: fp },
        { peer: 'p3', address: '127.0.0.1:9', self: true, online: false, rttMs: null, version: null, announced: null, anonymous: false, files: null, error: down, identity: null },
      ],
    };
    expect(renderResult(result)).to.deep.equal([
      MODE_NOTES.secure,
      'peer  address      status   rtt      files  version    identity',
      'p1    127.0.0.1:1  online   0.25 ms  2      txtmesh/1  abababababababab… verified',
      `p3    127.0.0.1:9  offline  -        -      -          -                           this peer; ${down.message}`,
      '1 of 2 peers online',
    ]);
  });

  it('#PING: min/avg/max per reachable peer, the error for the others, a partial loss shown', () => {
    const result: PingResult = {
      command: 'ping',
      count: 3,
      peers: [
        { peer: 'p1', address: '127.0.0.1:1', reachable: true, sent: 3, received: 3, connectMs: 0.5, rttMs: { min: 0.1, avg: 0.2, max: 0.3 }, samples: [0.1, 0.2, 0.3], version: 'txtmesh/1', announced: 'p1', anonymous: false, error: null },
        { peer: 'p2', address: '127.0.0.1:2', reachable: true, sent: 2, received: 1, connectMs: 0.5, rttMs: { min: 0.1, avg: 0.1, max: 0.1 }, samples: [0.1], version: 'txtmesh/1', announced: 'p2', anonymous: true, error: { code: 'ERR_PEER_TIMEOUT', message: 'late (ERR_PEER_TIMEOUT)' } },
        { peer: 'p3', address: '127.0.0.1:9', reachable: false, sent: 0, received: 0, connectMs: null, rttMs: null, samples: [], version: null, announced: null, anonymous: false, error: down },
      ],
    };
    expect(renderResult(result)).to.deep.equal([
      'p1 (127.0.0.1:1): 3/3 answered, rtt min/avg/max 0.100/0.200/0.300 ms, connect 0.50 ms, txtmesh/1',
      'p2 (127.0.0.1:2): 1/2 answered, rtt min/avg/max 0.100/0.100/0.100 ms, connect 0.50 ms, txtmesh/1, serves us as anonymous: our ID is not in its settings (reads only, no uploads); then late (ERR_PEER_TIMEOUT)',
      `p3 (127.0.0.1:9): unreachable: ${down.message}`,
    ]);
  });

  it('#FILES: one row per version, conflicting versions flagged with their peers, unlisted peers named', () => {
    const result: FilesResult = {
      command: 'files',
      files: [
        { name: 'a.txt', conflict: false, here: null, versions: [{ identity: A, size: 14, peers: ['p1', 'p2'], changed: null, here: false, newer: false }] },
        {
          name: 'notes.txt',
          conflict: true,
          here: null,
          versions: [
            { identity: A, size: 2048, peers: ['p1', 'p2'], changed: null, here: false, newer: false },
            { identity: B, size: 12, peers: ['p4'], changed: null, here: false, newer: false },
          ],
        },
      ],
      peers: [
        { peer: 'p1', ok: true, files: 2 },
        { peer: 'p2', ok: true, files: 2 },
        { peer: 'p3', ok: false, error: down },
        { peer: 'p4', ok: true, files: 1 },
      ],
    };
    expect(renderResult(result)).to.deep.equal([
      '2 files on the mesh (3 of 4 peers listed; 1 name held in different versions)',
      '  a.txt      14 B     a1a1a1a1a1a1  p1, p2',
      '  notes.txt  2.0 KiB  a1a1a1a1a1a1  p1, p2  CONFLICT: version 1 of 2',
      '  notes.txt  12 B     b2b2b2b2b2b2  p4      CONFLICT: version 2 of 2',
      `p3: unreachable: ${down.message}`,
    ]);
    expect(renderResult({ command: 'files', files: [], peers: [] })).to.deep.equal(['no files on the mesh (0 of 0 peers listed)']);
  });

  it('#FILES: this peer\'s version is HERE, a version changed later is NEWER, with its time and what that means', () => {
    const at = new Date(2026, 10, 25, 19, 8, 33).getTime();
    const result: FilesResult = {
      command: 'files',
      files: [
        {
          name: 'n.txt',
          conflict: true,
          here: B,
          versions: [
            { identity: A, size: 9, peers: ['p1', 'p2'], changed: at, here: false, newer: true },
            { identity: B, size: 8, peers: ['me'], changed: at - 60_000, here: true, newer: false },
          ],
        },
      ],
      peers: [{ peer: 'p1', ok: true, files: 1 }, { peer: 'p2', ok: true, files: 1 }, { peer: 'me', ok: true, files: 1 }],
    };
    expect(renderResult(result)).to.deep.equal([
      '1 file on the mesh (3 of 3 peers listed; 1 name held in different versions)',
      '  n.txt  9 B  a1a1a1a1a1a1  p1, p2  NEWER (changed 2026-11-25 19:08:33); CONFLICT: version 1 of 2',
      '  n.txt  8 B  b2b2b2b2b2b2  me      HERE; CONFLICT: version 2 of 2',
      "HERE: the version this peer holds; NEWER: changed later than it, by the holders' own clocks (which may differ)",
    ]);
  });

  it('#DOWNLOAD: the summary line, then the peers that failed; "does not have it" only for named peers', () => {
    const base: DownloadSummary = {
      command: 'download',
      name: 'a.txt',
      status: 'downloaded',
      size: 100,
      identity: A,
      seconds: 0.5,
      resumedBytes: 0,
      searched: true,
      found: ['p1'],
      missing: ['p2'],
      unreachable: [{ peer: 'p3', error: down }],
      peers: [
        { peer: 'p1', bytes: 100, duplicateBytes: 0, abortedBytes: 0, badBytes: 0, partial: false, problem: null },
        { peer: 'p2', bytes: 0, duplicateBytes: 0, abortedBytes: 0, badBytes: 0, partial: false, problem: 'does not have it' },
        { peer: 'p3', bytes: 0, duplicateBytes: 0, abortedBytes: 0, badBytes: 0, partial: false, problem: down.message },
      ],
      wasted: { duplicate: 0, aborted: 0, bad: 0 },
      kept: null,
      others: [],
    };
    expect(renderResult(base)).to.deep.equal([
      'Downloaded a.txt: 100 bytes in 0.50 s (200 B/s), identity a1a1a1a1a1a1; bytes per peer: p1 100',
      `  p3: ${down.message}`,
    ]);
    expect(renderResult({ ...base, searched: false })).to.have.length(3);
    // No speed for bytes that did not come over the wire: a file resumed whole, an empty file.
    expect(renderResult({ ...base, resumedBytes: 100 })[0]).to.equal('Downloaded a.txt: 100 bytes (all resumed: nothing fetched) in 0.50 s, identity a1a1a1a1a1a1; bytes per peer: p1 100');
    expect(renderResult({ ...base, resumedBytes: 40 })[0]).to.match(/^Downloaded a\.txt: 100 bytes \(40 resumed\) in 0\.50 s \(120 B\/s\), /);
    expect(renderResult({ ...base, size: 0 })[0]).to.match(/^Downloaded a\.txt: 0 bytes in 0\.50 s, identity /);
    expect(renderResult({ ...base, status: 'already' })[0]).to.equal('Already have a.txt (100 bytes, identity a1a1a1a1a1a1); nothing to do');
    const others = [{ identity: B, size: 7, peers: ['p2', 'p4'] }, { identity: 'c3'.repeat(32), size: 8, peers: ['p5'] }];
    expect(renderResult({ ...base, status: 'already', others })[0]).to.equal(
      "Already have version a1a1a1a1a1a1 of a.txt; p2, p4 hold b2b2b2b2b2b2; p5 holds c3c3c3c3c3c3. Kept this peer's: --replace fetches theirs (this one is kept in the versions area), --version ID picks one",
    );
    const replaced = { ...base, status: 'replaced' as const, kept: { identity: B, size: 7, at: 1 }, peers: [{ peer: 'p1', bytes: 100, duplicateBytes: 262144, abortedBytes: 0, badBytes: 0, partial: false, problem: null }], wasted: { duplicate: 262144, aborted: 0, bad: 0 } };
    expect(renderResult(replaced)).to.deep.equal([
      'Downloaded a.txt: 100 bytes in 0.50 s (200 B/s), identity a1a1a1a1a1a1; bytes per peer: p1 100 (+262144 duplicate); wasted 262144 bytes (262144 duplicate, 0 aborted, 0 bad); replaced version b2b2b2b2b2b2, kept in the versions area',
    ]);
    // Partial holders are marked; what each peer wasted is said after its bytes, and summed by why.
    const crowd = {
      ...base,
      peers: [
        { peer: 'p1', bytes: 60, duplicateBytes: 0, abortedBytes: 7, badBytes: 0, partial: false, problem: null },
        { peer: 'p4', bytes: 40, duplicateBytes: 5, abortedBytes: 0, badBytes: 9, partial: true, problem: null },
      ],
      wasted: { duplicate: 5, aborted: 7, bad: 9 },
    };
    expect(renderResult(crowd)[0]).to.equal(
      'Downloaded a.txt: 100 bytes in 0.50 s (200 B/s), identity a1a1a1a1a1a1; bytes per peer: p1 60 (+7 aborted), p4 40 (partial holder; +5 duplicate; +9 bad); wasted 21 bytes (5 duplicate, 7 aborted, 9 bad)',
    );
  });

  it('#DOWNLOAD of several files: each file, then one line for all', () => {
    const one: DownloadSummary = {
      command: 'download', name: 'a.txt', status: 'downloaded', size: 1000, identity: A, seconds: 0.5, resumedBytes: 0, searched: true,
      found: ['p1'], missing: [], unreachable: [], peers: [{ peer: 'p1', bytes: 1000, duplicateBytes: 0, abortedBytes: 0, badBytes: 0, partial: false, problem: null }],
      wasted: { duplicate: 0, aborted: 0, bad: 0 }, kept: null, others: [],
    };
    const { command: _, ...fields } = one;
    const lines = renderResult({
      command: 'downloads',
      seconds: 1,
      files: [
        { ok: true, exitCode: 0, ...fields },
        { ok: true, exitCode: 0, ...fields, name: 'b.txt', status: 'already' },
        { ok: false, exitCode: 4, name: 'c.txt', error: { code: 'ERR_NOT_FOUND', message: 'no peer has c.txt (ERR_NOT_FOUND)' } },
      ],
    });
    expect(lines).to.deep.equal([
      'Downloaded a.txt: 1000 bytes in 0.50 s (2.00 kB/s), identity a1a1a1a1a1a1; bytes per peer: p1 1000',
      'Already have b.txt (1000 bytes, identity a1a1a1a1a1a1); nothing to do',
      'c.txt: failed: no peer has c.txt (ERR_NOT_FOUND)',
      '3 files: 1 downloaded, 1 already here, 1 failed; 1000 bytes in 1.00 s (1.00 kB/s)',
    ]);
  });

  it('#UPLOAD and #SHARE: one line per outcome', () => {
    expect(
      renderResult({
        command: 'upload',
        name: 'a.txt',
        size: 7,
        identity: A,
        peers: [
          { peer: 'p1', status: 'stored', bytes: 7, seconds: 0.01, kept: null, error: null },
          { peer: 'p2', status: 'same', bytes: 0, seconds: 0.01, kept: null, error: null },
          { peer: 'p3', status: 'failed', bytes: 0, seconds: 0, kept: null, error: down },
          { peer: 'p4', status: 'replaced', bytes: 7, seconds: 0.02, kept: B, error: null },
        ],
      }),
    ).to.deep.equal([
      'p1: stored a.txt (7 bytes in 0.01 s)',
      'p2: already has a.txt (same content)',
      `p3: failed: ${down.message}`,
      `p4: replaced a.txt (7 bytes in 0.02 s); it keeps the old version ${B.slice(0, 12)} in its versions area`,
    ]);
    expect(renderResult({ command: 'share', name: 'b.txt', source: '/x/a.txt', size: 7, identity: A, status: 'shared' })).to.deep.equal([
      'Shared /x/a.txt as b.txt (7 bytes, identity a1a1a1a1a1a1); this peer now serves it',
    ]);
  });
});

import { expect } from 'chai';
import { EXIT, exitCodeFor, exitCodeOf, exitCodeOfError, worstExitCode } from '../../src/cli/exit-codes.js';
import type { Result } from '../../src/client/results.js';
import { ERROR_CODES, TxtmeshError } from '../../src/errors.js';

const down = { code: 'ERR_PEER_UNREACHABLE' as const, message: 'down' };

describe('cli/exit-codes', () => {
  it('gives each failure class its own status', () => {
    expect([EXIT.OK, EXIT.OTHER, EXIT.USAGE, EXIT.UNREACHABLE, EXIT.NOT_FOUND, EXIT.CONFLICT, EXIT.INTEGRITY]).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    expect(exitCodeFor('ERR_USAGE')).to.equal(2);
    expect(exitCodeFor('ERR_UNKNOWN_PEER')).to.equal(2);
    expect(exitCodeFor('ERR_BAD_NAME')).to.equal(2);
    expect(exitCodeFor('ERR_SETTINGS_LINE')).to.equal(2);
    expect(exitCodeFor('ERR_PEER_UNREACHABLE')).to.equal(3);
    expect(exitCodeFor('ERR_PEER_TIMEOUT')).to.equal(3);
    expect(exitCodeFor('ERR_PEER_CLOSED')).to.equal(3);
    expect(exitCodeFor('ERR_NOT_FOUND')).to.equal(4);
    expect(exitCodeFor('ERR_VERSION_CONFLICT')).to.equal(5);
    expect(exitCodeFor('ERR_EXISTS')).to.equal(5);
    expect(exitCodeFor('ERR_HASH_MISMATCH')).to.equal(6);
    expect(exitCodeFor('ERR_PEER_PROTOCOL')).to.equal(1);
    expect(exitCodeFor('ERR_INTERNAL')).to.equal(1);
  });

  it('maps every error code to a status from 1 to 7, but an interruption, which is 130 as after Ctrl-C', () => {
    for (const code of ERROR_CODES) if (code !== 'ERR_INTERRUPTED') expect(exitCodeFor(code), code).to.be.within(1, 7);
    expect(exitCodeFor('ERR_INTERRUPTED')).to.equal(EXIT.INTERRUPTED);
  });

  it('gives an incomplete download the status of why it stopped', () => {
    const stopped = (reasons: ConstructorParameters<typeof TxtmeshError>[2]) => new TxtmeshError('ERR_DOWNLOAD_INCOMPLETE', 'stopped', reasons);
    expect(exitCodeOfError(stopped({ reasons: ['ERR_PEER_CLOSED', 'ERR_PEER_TIMEOUT'] }))).to.equal(EXIT.UNREACHABLE);
    expect(exitCodeOfError(stopped({ reasons: ['ERR_PEER_CLOSED', 'ERR_HASH_MISMATCH'] }))).to.equal(EXIT.INTEGRITY);
    expect(exitCodeOfError(stopped({ reasons: ['ERR_NOT_A_MEMBER'] }))).to.equal(EXIT.REFUSED);
    expect(exitCodeOfError(stopped({}))).to.equal(EXIT.UNREACHABLE);
    expect(exitCodeOfError(new Error('not ours'))).to.equal(EXIT.OTHER);
  });

  it('maps refusals for who we are to 7', () => {
    for (const code of ['ERR_NOT_A_MEMBER', 'ERR_BAD_IDENTITY', 'ERR_TLS_REQUIRED', 'ERR_TLS_HANDSHAKE', 'ERR_CERT_EXPIRED'] as const) expect(exitCodeFor(code), code).to.equal(7);
    expect(exitCodeFor('ERR_IDENTITY_FILE')).to.equal(2);
    expect(exitCodeFor('ERR_SETTINGS_MIXED')).to.equal(2);
  });

  it('lets the class that most needs a person win when peers fail differently', () => {
    expect(worstExitCode([])).to.equal(0);
    expect(worstExitCode(['ERR_PEER_UNREACHABLE', 'ERR_EXISTS'])).to.equal(5);
    expect(worstExitCode(['ERR_PEER_TIMEOUT', 'ERR_NOT_FOUND'])).to.equal(4);
    expect(worstExitCode(['ERR_EXISTS', 'ERR_HASH_MISMATCH'])).to.equal(6);
    expect(worstExitCode(['ERR_INTERNAL', 'ERR_PEER_CLOSED'])).to.equal(3);
    expect(worstExitCode(['ERR_INTERNAL'])).to.equal(1);
  });

  it('fails targeted commands when a peer did not answer, but not the mesh-wide views', () => {
    const peerRow = { address: 'a:1', self: false, online: false, rttMs: null, version: null, announced: null, anonymous: false, files: null, error: down, identity: null };
    const results: [Result, number][] = [
      [{ command: 'peers', mode: 'open', peers: [{ peer: 'p1', ...peerRow }] }, 0],
      [{ command: 'files', files: [], peers: [{ peer: 'p1', ok: false, error: down }] }, 0],
      [{ command: 'filelist', peers: [{ peer: 'p1', ok: true, files: [] }] }, 0],
      [{ command: 'filelist', peers: [{ peer: 'p1', ok: true, files: [] }, { peer: 'p2', ok: false, error: down }] }, 3],
      [
        {
          command: 'ping',
          count: 3,
          peers: [{ peer: 'p1', address: 'a:1', reachable: false, sent: 0, received: 0, connectMs: null, rttMs: null, samples: [], version: null, announced: null, anonymous: false, error: down }],
        },
        3,
      ],
      [
        {
          command: 'upload',
          name: 'a.txt',
          size: 1,
          identity: 'f'.repeat(64),
          peers: [
            { peer: 'p1', status: 'stored', bytes: 1, seconds: 0, kept: null, error: null },
            { peer: 'p2', status: 'failed', bytes: 0, seconds: 0, kept: null, error: { code: 'ERR_EXISTS', message: 'taken' } },
            { peer: 'p3', status: 'failed', bytes: 0, seconds: 0, kept: null, error: down },
          ],
        },
        5,
      ],
      [{ command: 'share', name: 'a.txt', source: '/a.txt', size: 1, identity: 'f'.repeat(64), status: 'already' }, 0],
    ];
    for (const [result, code] of results) expect(exitCodeOf(result), JSON.stringify(result)).to.equal(code);
  });
});

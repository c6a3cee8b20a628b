import { expect } from 'chai';
import { DOWNLOAD_DEFAULTS, type DownloadOptions, downloadSettings } from '../../../src/client/download/options.js';
import { DEFAULT_RETRY } from '../../../src/client/retry.js';
import { CONNECT_TIMEOUT_MS, PIPELINE_DEPTH, REQUEST_TIMEOUT_MS } from '../../../src/constants.js';
import type { ServedFolder } from '../../../src/storage/served-folder.js';
import { expectCode } from '../../helpers/expect-code.js';

// The folder is only carried along; no file is touched.
const base: DownloadOptions = { name: 'f.txt', peers: [], folder: { root: '/nowhere' } as ServedFolder };

describe('client/download/options', () => {
  it('fills in every default where the options say nothing (an undefined value included)', () => {
    const settings = downloadSettings({ ...base, requestTimeoutMs: undefined });
    expect(settings).to.deep.include({
      pipelineDepth: PIPELINE_DEPTH,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      stallTimeoutMs: 5000,
      graceMs: 500,
      retry: DEFAULT_RETRY,
    });
    expect(settings.name).to.equal('f.txt');
    expect(DOWNLOAD_DEFAULTS.stallTimeoutMs).to.equal(5000);
  });

  it('keeps what the options give, 0 included where 0 means something', () => {
    const retry = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
    const settings = downloadSettings({ ...base, pipelineDepth: 2, connectTimeoutMs: 1, requestTimeoutMs: 2.5, stallTimeoutMs: 0, graceMs: 0, retry });
    expect(settings).to.deep.include({ pipelineDepth: 2, connectTimeoutMs: 1, requestTimeoutMs: 2.5, stallTimeoutMs: 0, graceMs: 0, retry });
  });

  const bad: [string, Partial<DownloadOptions>][] = [
    ['pipelineDepth', { pipelineDepth: 0 }],
    ['pipelineDepth', { pipelineDepth: 1.5 }],
    ['connectTimeoutMs', { connectTimeoutMs: 0 }],
    ['requestTimeoutMs', { requestTimeoutMs: Number.NaN }],
    ['stallTimeoutMs', { stallTimeoutMs: -1 }],
    ['graceMs', { graceMs: Number.POSITIVE_INFINITY }],
    ['retry.attempts', { retry: { attempts: 0, baseDelayMs: 1, maxDelayMs: 1 } }],
    ['retry.baseDelayMs', { retry: { attempts: 2, baseDelayMs: -5, maxDelayMs: 1 } }],
    ['retry.maxDelayMs', { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: Number.NaN } }],
  ];
  for (const [name, options] of bad) {
    it(`refuses ${JSON.stringify(options, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))} with ERR_USAGE naming ${name}`, () => {
      const err = expectCode(() => downloadSettings({ ...base, ...options }), 'ERR_USAGE');
      expect(err.message.startsWith(`${name} must be`)).to.equal(true);
    });
  }
});

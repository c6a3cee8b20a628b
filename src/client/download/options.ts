/**
 * What a download is told (DownloadOptions), its defaults in one place (DOWNLOAD_DEFAULTS), and
 * what it reports while it runs (DownloadProgress). download() checks the options and fills in
 * the defaults once (downloadSettings); the phases in this folder read the result.
 */
import { CONNECT_TIMEOUT_MS, PIPELINE_DEPTH, REQUEST_TIMEOUT_MS } from '../../constants.js';
import { type NumberRule, checkNumber } from '../../options.js';
import type { ServedFolder } from '../../storage/served-folder.js';
import type { VersionsArea } from '../../storage/versions-area.js';
import type { Credentials } from '../../security/credentials.js';
import type { PeerAddress } from '../../settings.js';
import type { RateLimit } from '../../transport/rate-limit.js';
import type { ConnectionPool } from '../connection-pool.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry.js';

export interface DownloadProgress {
  readonly name: string;
  readonly size: number;
  /** Verified bytes on disk, resumed pieces included. */
  readonly received: number;
  readonly activePeers: number;
  /** Of activePeers, those still downloading the file themselves (partial holders, or a seed offering a few pieces at a time). */
  readonly partialPeers?: number;
  readonly elapsedMs: number;
}

export interface DownloadOptions {
  readonly name: string;
  /** Peers to ask (the caller leaves out itself). */
  readonly peers: readonly PeerAddress[];
  /** This peer's own served folder: the file lands there. */
  readonly folder: ServedFolder;
  readonly pipelineDepth?: number;
  readonly connectTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** A connection with requests waiting and nothing received this long is dropped. */
  readonly stallTimeoutMs?: number;
  /** How long to wait for other peers' answers after the first one (at least). */
  readonly graceMs?: number;
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
  /** Who we are to the peers (claimed ID, certificate in secure mode). */
  readonly as?: Credentials;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Called after each verified piece is written: which peer delivered how many bytes. */
  readonly onPiece?: (peer: string, bytes: number, elapsedMs: number) => void;
  /** Called as each source joins the download: `partial` if it is a peer still downloading the file itself. */
  readonly onSource?: (peer: string, partial: boolean) => void;
  /** Called once the peers holding the chosen version are known. */
  readonly onPeers?: (used: readonly string[]) => void;
  /** Called when verified pieces of an earlier attempt are found and kept. */
  readonly onResume?: (pieces: number, ofPieces: number, bytes: number) => void;
  /**
   * If this peer holds another version of the name, replace it with the peers' (it is kept in
   * the versions area). Without it (or `version`), the version here is kept and nothing fetched.
   */
  readonly replace?: boolean;
  /** Fetch the version whose identity starts with these hex digits (replacing another one here). */
  readonly version?: string;
  /** Where replaced versions go (default: a VersionsArea of `folder` that deletes none). */
  readonly versions?: VersionsArea;
  /** Paces what the download receives from all its sources together (--max-download-rate); shared by downloads that run at once. */
  readonly receiveLimit?: RateLimit;
  /** Idle connections to take (the console's), and to give the idle ones back to when the download is over. */
  readonly pool?: ConnectionPool;
}

export const DEFAULT_STALL_TIMEOUT_MS = 5000;

type Tunable = 'pipelineDepth' | 'connectTimeoutMs' | 'requestTimeoutMs' | 'stallTimeoutMs' | 'graceMs';

/** What a download uses where its options say nothing. */
export const DOWNLOAD_DEFAULTS: Readonly<Record<Tunable, number>> & { readonly retry: RetryPolicy } = {
  pipelineDepth: PIPELINE_DEPTH,
  connectTimeoutMs: CONNECT_TIMEOUT_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  stallTimeoutMs: DEFAULT_STALL_TIMEOUT_MS,
  graceMs: 500,
  retry: DEFAULT_RETRY,
};

const RULES: Readonly<Record<Tunable, NumberRule>> = {
  pipelineDepth: { min: 1, integer: true },
  connectTimeoutMs: { min: 0, exclusive: true },
  requestTimeoutMs: { min: 0, exclusive: true },
  // 0: no stall detection, only the per-request deadlines.
  stallTimeoutMs: { min: 0 },
  graceMs: { min: 0 },
};

/** A download's options with every default filled in: what the phases read. */
export type DownloadSettings = DownloadOptions & Required<Pick<DownloadOptions, Tunable | 'retry'>>;

/**
 * Checks the numbers among `options` and fills in the defaults.
 * @throws TxtmeshError ERR_USAGE naming the option, e.g. "pipelineDepth must be a whole number at least 1, not 0"
 */
export function downloadSettings(options: DownloadOptions): DownloadSettings {
  const tuned = Object.fromEntries(
    (Object.keys(RULES) as Tunable[]).map((key) => {
      const value = options[key];
      return [key, value === undefined ? DOWNLOAD_DEFAULTS[key] : checkNumber(key, value, RULES[key])];
    }),
  ) as Record<Tunable, number>;
  const retry = options.retry ?? DOWNLOAD_DEFAULTS.retry;
  checkNumber('retry.attempts', retry.attempts, { min: 1, integer: true });
  checkNumber('retry.baseDelayMs', retry.baseDelayMs, { min: 0 });
  checkNumber('retry.maxDelayMs', retry.maxDelayMs, { min: 0 });
  return { ...options, ...tuned, retry };
}

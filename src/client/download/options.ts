/**
 * What a download is told (DownloadOptions) and what it reports while it runs
 * (DownloadProgress). Shared by the phases in this folder; download.ts re-exports them.
 */
import type { ServedFolder } from '../../storage/served-folder.js';
import type { Credentials } from '../../security/credentials.js';
import type { PeerAddress } from '../../settings.js';
import type { RetryPolicy } from '../retry.js';

export interface DownloadProgress {
  readonly name: string;
  readonly size: number;
  /** Verified bytes on disk, resumed pieces included. */
  readonly received: number;
  readonly activePeers: number;
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
  /** Called once the peers holding the chosen version are known. */
  readonly onPeers?: (used: readonly string[]) => void;
  /** Called when verified pieces of an earlier attempt are found and kept. */
  readonly onResume?: (pieces: number, ofPieces: number, bytes: number) => void;
}

export const DEFAULT_STALL_TIMEOUT_MS = 5000;

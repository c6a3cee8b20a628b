/**
 * What each command produces: one typed result per command. The console and the subcommands
 * run the same code and get these; render.ts turns them into lines for people, and
 * `--json` prints them as they are (docs/cli.md, "JSON output"). Pure types.
 */
import type { MeshMode } from '../settings.js';
import type { PeerListing } from './filelist.js';
import type { FileVersion, MeshFile, UnlistedPeer } from './mesh-files.js';
import type { Problem } from './problem.js';

export type { FileVersion, MeshFile, Problem, UnlistedPeer };

/** One row of #PEERS. */
export interface PeerStatus {
  readonly peer: string;
  readonly address: string;
  /** This peer (asked over the network like the rest: its own server answers). */
  readonly self: boolean;
  readonly online: boolean;
  /** Round-trip time of a HELLO exchange (the faster of two). */
  readonly rttMs: number | null;
  readonly version: string | null;
  /** The ID the peer announced; differs from `peer` if the settings point at another peer. */
  readonly announced: string | null;
  /** The peer serves this one as an anonymous reader: this peer's ID is not in its settings. */
  readonly anonymous: boolean;
  readonly files: number | null;
  readonly error: Problem | null;
  /**
   * Secure mode: the SHA-256 fingerprint of the certificate the peer proved it holds, checked
   * against the settings. Open mode: null (a peer is known by its address only).
   */
  readonly identity: string | null;
}

export interface PeersResult {
  readonly command: 'peers';
  /** open (plain TCP, members known by address) or secure (mutual TLS, by certificate). */
  readonly mode: MeshMode;
  readonly peers: PeerStatus[];
}

/** One row of #PING. */
export interface PingStatus {
  readonly peer: string;
  readonly address: string;
  readonly reachable: boolean;
  readonly sent: number;
  readonly received: number;
  readonly connectMs: number | null;
  readonly rttMs: { readonly min: number; readonly avg: number; readonly max: number } | null;
  readonly samples: number[];
  readonly version: string | null;
  readonly announced: string | null;
  /** As in PeerStatus. */
  readonly anonymous: boolean;
  readonly error: Problem | null;
}

export interface PingResult {
  readonly command: 'ping';
  readonly count: number;
  readonly peers: PingStatus[];
}

export type ListedPeer =
  | { readonly peer: string; readonly ok: true; readonly files: number }
  | { readonly peer: string; readonly ok: false; readonly error: Problem };

export interface FilesResult {
  readonly command: 'files';
  readonly files: MeshFile[];
  /** Every peer asked, with its file count or why it could not be listed. */
  readonly peers: ListedPeer[];
}

/** One row of #FILELIST: a peer's files, or why it could not be listed. */
export type PeerFileList = PeerListing;

export interface FileListResult {
  readonly command: 'filelist';
  readonly peers: PeerFileList[];
}

export interface DownloadPeer {
  readonly peer: string;
  /** Verified bytes of pieces this peer delivered first (the ones written). */
  readonly bytes: number;
  /** Verified bytes it sent of pieces another peer had delivered first (the endgame's duplicates). */
  readonly duplicateBytes: number;
  /** Bytes it sent for requests that failed or were cancelled before they were whole (a link that failed, the file complete meanwhile). */
  readonly abortedBytes: number;
  /** Bytes it sent that failed verification (a request with a bad piece is thrown away whole). */
  readonly badBytes: number;
  /** It served as a partial holder: a peer still downloading the file (a super-seeding seed is not one). */
  readonly partial: boolean;
  readonly problem: string | null;
}

/** Bytes a download received and did not keep, all peers together (DownloadPeer's, summed). */
export interface Wasted {
  readonly duplicate: number;
  readonly aborted: number;
  readonly bad: number;
}

export interface DownloadSummary {
  readonly command: 'download';
  readonly name: string;
  /**
   * downloaded: fetched under a free name; replaced: fetched, and the version here before is
   * `kept` in the versions area; already: this peer holds a version of the name (`identity`)
   * and kept it, `others` the versions the peers hold that differ.
   */
  readonly status: 'downloaded' | 'already' | 'replaced';
  readonly size: number;
  readonly identity: string;
  readonly seconds: number;
  /** Bytes of verified pieces kept from an interrupted earlier attempt. */
  readonly resumedBytes: number;
  /** True when no peers were named: every peer was asked. */
  readonly searched: boolean;
  /** Peers whose listing had the name (any version), in the order asked. */
  readonly found: string[];
  /** Peers that answered without the name. */
  readonly missing: string[];
  readonly unreachable: UnlistedPeer[];
  /** The peers the download used or dropped, with the verified bytes each delivered. */
  readonly peers: DownloadPeer[];
  /** Bytes received and not kept. */
  readonly wasted: Wasted;
  /** replaced: the version that was here before, now in the versions area; else null. */
  readonly kept: KeptRow | null;
  /** The versions the peers hold that differ from the one here now (already), else empty. */
  readonly others: FileVersion[];
}

/** One file of a download of several: its summary, or why it failed (with what was learned). */
export type DownloadOfMany =
  | ({ readonly ok: true; readonly exitCode: number } & Omit<DownloadSummary, 'command'>)
  | { readonly ok: false; readonly exitCode: number; readonly name: string; readonly error: Problem; readonly [detail: string]: unknown };

/** #DOWNLOAD of several names or a glob: one entry per file, in the order given (globs sorted). */
export interface DownloadsSummary {
  readonly command: 'downloads';
  readonly files: DownloadOfMany[];
  readonly seconds: number;
}

export interface UploadPeer {
  readonly peer: string;
  readonly status: 'stored' | 'same' | 'replaced' | 'failed';
  readonly bytes: number;
  readonly seconds: number;
  /** replaced: the identity of the version the peer kept in its versions area; else null. */
  readonly kept: string | null;
  readonly error: Problem | null;
}

export interface UploadSummary {
  readonly command: 'upload';
  readonly name: string;
  readonly size: number;
  readonly identity: string;
  readonly peers: UploadPeer[];
}

export interface ShareSummary {
  readonly command: 'share';
  readonly name: string;
  /** Absolute path of the file copied. */
  readonly source: string;
  readonly size: number;
  readonly identity: string;
  /** shared: copied in now; already: the same file was already served under that name. */
  readonly status: 'shared' | 'already';
  /** Whether this peer's own server answered just now (null: not asked), so "now serves it" is true. */
  readonly serving?: boolean | null;
}

/** One version of a name at a peer: under the name now (current), or kept. */
export interface VersionRow {
  readonly identity: string;
  readonly size: number;
  /** ms since 1970 by that peer's clock: when its file last changed (current), or left the name (kept). */
  readonly time: number;
  readonly state: 'current' | 'replaced' | 'unshared';
}

export type PeerVersions =
  | { readonly peer: string; readonly self: boolean; readonly ok: true; readonly versions: VersionRow[] }
  | { readonly peer: string; readonly self: boolean; readonly ok: false; readonly error: Problem };

export interface VersionsResult {
  readonly command: 'versions';
  readonly name: string;
  readonly peers: PeerVersions[];
}

/** A version that left a name, with when. */
export interface KeptRow {
  readonly identity: string;
  readonly size: number;
  readonly at: number;
}

export interface RestoreSummary {
  readonly command: 'restore';
  readonly name: string;
  /** restored: the kept version took the name; current: it was under the name already. */
  readonly status: 'restored' | 'current';
  readonly identity: string;
  readonly size: number;
  /** The version the restore replaced, now kept; null if the name was free (or nothing changed). */
  readonly kept: KeptRow | null;
}

export interface UnshareSummary {
  readonly command: 'unshare';
  readonly name: string;
  readonly identity: string;
  readonly size: number;
  /** When it was moved into the versions area. */
  readonly at: number;
}

export interface LimitResult {
  readonly command: 'limit';
  /** Bytes a second sent by this console's uploads, all peers together; 0: no limit. */
  readonly up: number;
  /** Bytes a second received by its downloads, all sources together; 0: no limit. */
  readonly down: number;
  /** The limits that held a transfer back within the last second. */
  readonly holding: readonly ('up' | 'down')[];
  /** The limits this command set. */
  readonly changed: readonly ('up' | 'down')[];
}

export interface HelpResult {
  readonly command: 'help';
  readonly lines: string[];
}

export type Result =
  | PeersResult
  | PingResult
  | FilesResult
  | FileListResult
  | DownloadSummary
  | DownloadsSummary
  | UploadSummary
  | ShareSummary
  | VersionsResult
  | RestoreSummary
  | UnshareSummary
  | LimitResult
  | HelpResult;

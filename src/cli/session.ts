/**
 * What a console or subcommand run carries between commands: this peer, its served folder,
 * where output goes, and per-run options. Types only.
 */
import type { ConnectionPool } from '../client/connection-pool.js';
import type { ServedFolder } from '../storage/served-folder.js';
import type { VersionsArea } from '../storage/versions-area.js';
import type { RateLimits } from '../transport/rate-limit.js';
import type { PeerContext } from './peer-context.js';

/** Where command output goes. */
export interface Output {
  /** A result line (stdout). */
  print(line: string): void;
  /** What is happening while a command runs, e.g. "Downloading a.txt from p1, p2" (stdout, or stderr under --json). */
  note(line: string): void;
  /** Replaces the live progress line; undefined clears it. No-op when not on a TTY. */
  progress(line: string | undefined): void;
}

export interface Session {
  readonly ctx: PeerContext;
  readonly folder: ServedFolder;
  /** Where replaced and unshared versions are kept (served_files/.txtmesh/versions/). */
  readonly versions?: VersionsArea;
  readonly out: Output;
  readonly timeoutMs?: number;
  /** The console's idle connections, reused by the next command to the same peer. */
  readonly pool?: ConnectionPool;
  /** HELLOs per peer for #PING. */
  readonly pingCount?: number;
  /** How commands are typed here, for hints that name a command: `#SHARE …` or `txtmesh-client share …` (default: console). */
  readonly syntax?: 'console' | 'subcommand';
  /** Where relative #SHARE paths start (default: the working directory). */
  readonly cwd?: string;
  /** File names seen in answers, for tab completion. */
  readonly names?: Set<string>;
  /** What downloads receive and uploads send (--max-download-rate, --max-upload-rate, #LIMIT); none: no limits. */
  readonly limits?: RateLimits;
  /** If set, every verified piece of a download is reported here (see --trace). */
  readonly trace?: (event: { name: string; peer: string; bytes: number; ms: number }) => void;
}

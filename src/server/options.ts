/**
 * A server's options, their defaults, and the rules they must follow: the one place where
 * both PeerServer and txtmesh-server's command line (cli/server-options.ts) learn them.
 */
import { DEFAULT_MAX_UPLOAD_BYTES, MAX_HEADER_BYTES } from '../constants.js';
import { type NumberRule, checkNumber } from '../options.js';
import { DEFAULT_KEEP_VERSIONS, KEEP_VERSIONS_RULE } from '../storage/versions-area.js';
import type { MeshOptions } from './admission.js';
import type { RequestLog } from './connection.js';

export interface PeerServerOptions {
  /** This peer's ID, announced in HELLO answers. */
  readonly peerId: string;
  /** The served_files folder. */
  readonly dir: string;
  /** Largest file accepted by PUT, in bytes. */
  readonly maxUploadBytes?: number;
  /** Connections served at once; when full the longest-idle one, or else the slowest answer, gives way (slots.ts), or a newcomer gets ERR_BUSY. */
  readonly maxConnections?: number;
  /** Longest request header line, in bytes. */
  readonly maxHeaderBytes?: number;
  /** Close a connection that sends nothing for this long (ms); 0 turns it off. */
  readonly idleTimeoutMs?: number;
  /** A header must be complete within this long of its first byte (ms). */
  readonly headerTimeoutMs?: number;
  /**
   * An answer whose client takes fewer than minSendRate bytes a second over this long (ms), while
   * bytes wait for it the whole time, closes the connection; 0 turns it off (nginx's send_timeout).
   */
  readonly sendTimeoutMs?: number;
  /** Bytes a second a client must take of an answer, measured over sendTimeoutMs (0: any byte at all). */
  readonly minSendRate?: number;
  /** Connections kept for the peers in the settings: other addresses share the rest (at least one). */
  readonly memberSlots?: number;
  /** Connections one address that is no peer's in the settings may hold at once. */
  readonly maxPerAddress?: number;
  /**
   * Bytes of answers held in memory for clients that have not taken them yet, over all
   * connections (answer-memory.ts): answers are read in small chunks once more connections are
   * busy than it holds SEND_CHUNKs for, and past it the slowest are closed.
   */
  readonly maxBufferedBytes?: number;
  readonly log?: (entry: RequestLog) => void;
  /** The mesh this server belongs to: who may connect, upload and read (admission.ts). */
  readonly mesh?: MeshOptions;
  /** Versions kept per name in the versions area when uploads replace them. */
  readonly keepVersions?: number;
  /** Refuse every upload that asks to replace another version of a name. */
  readonly refuseReplace?: boolean;
  /** Bytes a second sent to all clients together (0: no limit); PeerServer.uploadLimit changes it live. */
  readonly maxUploadRate?: number;
}

export type ServerLimits = Required<
  Pick<
    PeerServerOptions,
    'maxUploadBytes' | 'maxConnections' | 'maxHeaderBytes' | 'idleTimeoutMs' | 'headerTimeoutMs' | 'sendTimeoutMs' | 'minSendRate' | 'memberSlots' | 'maxPerAddress' | 'maxBufferedBytes' | 'keepVersions' | 'maxUploadRate'
  >
>;

export const SERVER_DEFAULTS: ServerLimits = {
  maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
  maxConnections: 256,
  maxHeaderBytes: MAX_HEADER_BYTES,
  idleTimeoutMs: 60_000,
  headerTimeoutMs: 10_000,
  sendTimeoutMs: 30_000,
  minSendRate: 1024,
  memberSlots: 32,
  maxPerAddress: 16,
  maxBufferedBytes: 64 * 1024 * 1024,
  keepVersions: DEFAULT_KEEP_VERSIONS,
  maxUploadRate: 0,
};

/** What each limit must be. */
export const SERVER_RULES: { readonly [K in keyof ServerLimits]: NumberRule } = {
  maxUploadBytes: { min: 0, integer: true },
  maxConnections: { min: 1, integer: true },
  maxHeaderBytes: { min: 64, integer: true },
  idleTimeoutMs: { min: 0 },
  headerTimeoutMs: { min: 0, exclusive: true },
  sendTimeoutMs: { min: 0 },
  minSendRate: { min: 0 },
  memberSlots: { min: 0, integer: true },
  maxPerAddress: { min: 1, integer: true },
  maxBufferedBytes: { min: 1024 * 1024, integer: true },
  keepVersions: KEEP_VERSIONS_RULE,
  maxUploadRate: { min: 0 },
};

/**
 * The limits with defaults filled in.
 * @throws TxtmeshError ERR_USAGE naming the first option that breaks its rule
 */
export function serverLimits(options: Partial<ServerLimits>): ServerLimits {
  const limits = { ...SERVER_DEFAULTS };
  for (const key of Object.keys(SERVER_RULES) as (keyof ServerLimits)[]) {
    const value = options[key];
    if (value !== undefined) limits[key] = checkNumber(key, value, SERVER_RULES[key]);
  }
  return limits;
}


/**
 * Mesh-wide views without a tracker: #PEERS, #PING, #FILES and #FILELIST ask the peers in
 * the settings directly, all at once (p-limit caps how many), each with its own deadline, so
 * a peer that is down costs nothing and a silent one never holds up the others' answers: once
 * peers have answered, one that has said nothing for a while longer is listed as silent
 * (silence-watch.ts), and the view ends with the last answer plus that grace, not at --timeout.
 */
import { DEFAULT_PING_COUNT, VIEW_CONCURRENCY } from '../constants.js';
import type { Credentials } from '../security/credentials.js';
import { type PeerAddress, meshMode } from '../settings.js';
import type { ConnectionPool } from './connection-pool.js';
import { fileLists, timedFileLists } from './filelist.js';
import { type HeldHere, groupFiles } from './mesh-files.js';
import { type Probe, probePeers, roundMs } from './probe.js';
import type { FileListResult, FilesResult, PeersResult, PingResult, PingStatus } from './results.js';

export interface ViewOptions {
  /** Deadline for each exchange with a peer, in ms (--timeout): the most a view waits. */
  readonly timeoutMs?: number;
  /** Our own ID, announced in HELLO. */
  readonly myId?: string;
  /** Who we are (claimed on connect; our certificate in secure mode). */
  readonly as?: Credentials;
  readonly signal?: AbortSignal;
  /** Idle connections to reuse, and to give back (the console's). */
  readonly pool?: ConnectionPool;
}

/** HELLOs timed per peer by #PING unless told otherwise (in constants.ts, so the subcommands' option table need not load this module). */
export { DEFAULT_PING_COUNT };

/** #PEERS: every peer given (normally all in the settings), with `selfId` marked. */
export async function peersView(peers: readonly PeerAddress[], selfId: string, options: ViewOptions = {}): Promise<PeersResult> {
  // One round trip: HELLO (our claim, timed) with LIST pipelined behind it.
  const probes = await probePeers(peers, { ...options, samples: 1, list: true, limit: VIEW_CONCURRENCY, patience: true });
  return {
    command: 'peers',
    mode: meshMode(peers),
    peers: probes.map((p) => ({
      peer: p.peer,
      address: p.address,
      self: p.peer === selfId,
      online: p.reachable,
      rttMs: p.samples[0] ?? null,
      version: p.version,
      announced: p.announced,
      anonymous: p.anonymous,
      files: p.files,
      error: p.error,
      identity: p.identity,
    })),
  };
}

/** #PING: `count` HELLO round trips per peer over one connection each. */
export async function pingView(peers: readonly PeerAddress[], count = DEFAULT_PING_COUNT, options: ViewOptions = {}): Promise<PingResult> {
  const probes = await probePeers(peers, { ...options, samples: count, list: false, limit: VIEW_CONCURRENCY, patience: true });
  return { command: 'ping', count, peers: probes.map(pingStatus) };
}

function pingStatus(p: Probe): PingStatus {
  const n = p.samples.length;
  const rttMs = n === 0 ? null : { min: Math.min(...p.samples), avg: roundMs(p.samples.reduce((a, b) => a + b, 0) / n), max: Math.max(...p.samples) };
  return {
    peer: p.peer,
    address: p.address,
    reachable: p.reachable,
    sent: p.sent,
    received: n,
    connectMs: p.connectMs,
    rttMs,
    samples: p.samples,
    version: p.version,
    announced: p.announced,
    anonymous: p.anonymous,
    error: p.error,
  };
}

/** #FILELIST: each peer's files, in the order given. */
export async function fileListView(peers: readonly PeerAddress[], options: ViewOptions = {}): Promise<FileListResult> {
  const listings = await fileLists(peers, options);
  return {
    command: 'filelist',
    peers: listings,
  };
}

/**
 * #FILES: every file on the mesh, grouped by name and version; with `here` (what this peer
 * holds, from its own folder), its version of each name and the versions newer than it.
 */
export async function filesView(peers: readonly PeerAddress[], options: ViewOptions & { here?: ReadonlyMap<string, HeldHere> } = {}): Promise<FilesResult> {
  const listings = await timedFileLists(peers, options);
  // This peer's files are grouped as its folder has them, whether or not its server answered.
  const { here, myId } = options;
  const ours = here && myId !== undefined ? [...here].map(([name, h]) => ({ name, ...h })) : undefined;
  const mine = { peer: myId as string, ok: true as const, files: ours ?? [] };
  const grouped = !ours ? listings : listings.some((l) => l.peer === myId) ? listings.map((l) => (l.peer === myId ? mine : l)) : [...listings, mine];
  return {
    command: 'files',
    files: groupFiles(grouped, here),
    peers: listings.map((l) => (l.ok ? { peer: l.peer, ok: true, files: l.files.length } : l)),
  };
}

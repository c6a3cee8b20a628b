/**
 * What a download learned of each peer it asked: the version it holds, and why it was not used
 * or was dropped part-way. The swarm keeps its own sources' state; outcomes() joins the two
 * into one row per peer for the result, or for the error when the download fails.
 */
import type { Problem } from '../problem.js';
import type { DownloadPeer, Wasted } from '../results.js';
import type { SourceState } from '../swarm.js';

export interface PeerOutcome {
  readonly peer: string;
  /** Bytes of verified pieces this peer delivered that were written. */
  readonly bytes: number;
  /** Verified bytes it sent of pieces another peer had delivered first (the endgame's duplicates). */
  readonly duplicateBytes?: number;
  /** Bytes it sent for requests that failed or were cancelled before they were whole. */
  readonly abortedBytes?: number;
  /** Bytes it sent that failed verification. */
  readonly badBytes?: number;
  /** It served as a partial holder (a peer still downloading the file) during the download. */
  readonly partial?: boolean;
  /** Why the peer was not used, or dropped part-way (undefined: served to the end). */
  readonly problem?: Problem;
  /** The version the peer holds, when it answered with one. */
  readonly identity?: string;
  readonly size?: number;
}

/** The message recorded for a peer that answered that it does not have the file. */
export const NOT_HELD = 'does not have it';

/** Ends the message of a peer whose failure is being retried while the download runs. */
export const STILL_RETRYING = '; still retrying';

type Entry = Omit<PeerOutcome, 'peer' | 'bytes'>;

export class PeerLedger {
  readonly #entries = new Map<string, Entry>();

  /** Records what is now known of `peer`, replacing what was known before. */
  set(peer: string, entry: Entry): void {
    this.#entries.set(peer, entry);
  }

  /** The download is over: a peer that was still being retried is not any more. */
  stopRetrying(): void {
    for (const [peer, e] of this.#entries) {
      if (e.problem?.message.endsWith(STILL_RETRYING)) this.#entries.set(peer, { ...e, problem: { ...e.problem, message: e.problem.message.slice(0, -STILL_RETRYING.length) } });
    }
  }

  /** Every peer with a problem, in the order they were first recorded. */
  problems(): { peer: string; problem: Problem }[] {
    return [...this.#entries].flatMap(([peer, e]) => (e.problem ? [{ peer, problem: e.problem }] : []));
  }

  /** One row per peer: the swarm's sources first (with the bytes each delivered), then the rest. */
  outcomes(sources: Iterable<SourceState> = []): PeerOutcome[] {
    const used = [...sources].map((s): PeerOutcome => {
      const problem = s.problem ?? s.note;
      const known = this.#entries.get(s.peer.id);
      const wasted = { duplicateBytes: s.duplicateBytes, abortedBytes: s.abortedBytes, badBytes: s.badBytes };
      const counted = Object.fromEntries(Object.entries(wasted).filter(([, bytes]) => bytes > 0));
      const partial = s.partialHolder ? { partial: true } : {};
      return { peer: s.peer.id, bytes: s.bytes, ...counted, ...partial, ...(problem ? { problem } : {}), identity: known?.identity, size: known?.size };
    });
    const usedIds = new Set(used.map((u) => u.peer));
    const others = [...this.#entries].filter(([peer]) => !usedIds.has(peer)).map(([peer, e]): PeerOutcome => ({ peer, bytes: 0, ...e }));
    return [...used, ...others];
  }
}

/** A download's rows per peer, as its summary gives them (results.ts DownloadPeer). */
export function downloadPeers(outcomes: readonly PeerOutcome[]): DownloadPeer[] {
  return outcomes.map((o) => ({
    peer: o.peer,
    bytes: o.bytes,
    duplicateBytes: o.duplicateBytes ?? 0,
    abortedBytes: o.abortedBytes ?? 0,
    badBytes: o.badBytes ?? 0,
    partial: o.partial === true,
    problem: o.problem?.message ?? null,
  }));
}

/** Bytes received that were not kept, all peers together, by why (results.ts Wasted). */
export function wastedBytes(peers: readonly DownloadPeer[]): Wasted {
  const sum = (of: (p: DownloadPeer) => number) => peers.reduce((total, p) => total + of(p), 0);
  return { duplicate: sum((p) => p.duplicateBytes), aborted: sum((p) => p.abortedBytes), bad: sum((p) => p.badBytes) };
}

/** "p1: why; p2: why" for an error message. */
export function listProblems(rows: readonly { peer: string; problem?: Problem }[]): string {
  return rows.flatMap((r) => (r.problem ? [`${r.peer}: ${r.problem.message}`] : [])).join('; ');
}

/**
 * Phase 1 of a download: find the peers that hold the file. Every peer is asked for INFO in
 * parallel, with retries (fan-out.ts); each answer's piece-hash list must match the identity
 * it claims. Once one peer has answered, the others get a grace period (at least graceMs, and
 * three times the first answer's latency); the holders known by then, or once every peer has
 * answered or failed once (retries go on behind), are `decided`. A holder
 * found after that (a slow peer, or one that came back up) is handed to whoever follows the
 * search (onFound), so it can join the running swarm.
 *
 * The search outlives the decision: while the download runs, the peers that did not have the
 * file (or could not be reached) are asked again (recheckMs), one round at a time, so a
 * peer that starts or finishes a download of it later joins the swarm through the same onFound.
 * Peers still downloading the file answer too (INFO … partial): they are holders of the
 * pieces in their `have` (docs/PROTOCOL.md, "Partial holders").
 */
import { TxtmeshError } from '../../errors.js';
import type { FileInfo } from '../../protocol/messages.js';
import { identityOf } from '../../storage/piece-hasher.js';
import type { PeerAddress } from '../../settings.js';
import { type PeerResult, fanOut } from '../fan-out.js';
import { fileInfo } from '../peer-client.js';
import type { PeerConnection } from '../peer-connection.js';
import { problemOf } from '../problem.js';
import { sleep } from '../retry.js';
import type { DownloadSettings } from './options.js';
import { NOT_HELD, type PeerLedger, STILL_RETRYING } from './peer-ledger.js';

/**
 * How often peers without the file are asked again while a download runs: every second in a
 * small mesh (a crowd that starts together finds itself within a second), 50 ms per peer asked
 * in a larger one, at most every 5 s, so a 100-peer mesh costs each downloader about 20 small
 * INFOs a second (docs/design.md, "Partial holders").
 */
function recheckMs(peersAsked: number): number {
  return Math.min(5000, Math.max(1000, 50 * peersAsked));
}

/** A peer that holds the file, on an open connection that has confirmed which version. */
export interface Holder {
  readonly peer: PeerAddress;
  readonly conn: PeerConnection;
  /**
   * With `have`, a partial holder: the pieces it holds (one byte per piece); with `complete`
   * too, a full holder offering only those for now (super-seeding).
   */
  readonly info: FileInfo & { readonly have?: Uint8Array; readonly complete?: boolean };
  /** From the start of the search to its answer. */
  readonly latencyMs: number;
}

export class HolderSearch {
  /** The holders known when the choice is made, in the order the peers were given. */
  readonly decided: Promise<Holder[]>;
  /** Resolves when every peer has answered or failed for good (retries included). */
  readonly settled: Promise<void>;
  readonly #options: DownloadSettings;
  readonly #ledger: PeerLedger;
  readonly #signal: AbortSignal;
  readonly #started = performance.now();
  readonly #found: { holder: Holder; index: number }[] = [];
  readonly #waiting: Holder[] = [];
  readonly #conns = new Set<PeerConnection>();
  #follower: ((holder: Holder) => void) | undefined;
  #isDecided = false;
  /** Peers that answered with the file: not asked again. */
  readonly #holders = new Set<string>();
  /** Peers that have answered or failed at least once. */
  readonly #heard = new Set<string>();
  #decide: () => void = () => undefined;
  #graceTimer: NodeJS.Timeout | undefined;

  /** Starts asking `options.peers`; what each peer said goes into the ledger. */
  constructor(options: DownloadSettings, signal: AbortSignal, ledger: PeerLedger) {
    this.#options = options;
    this.#signal = signal;
    this.#ledger = ledger;
    this.decided = new Promise<void>((resolve) => (this.#decide = resolve)).then(() => this.#onDecided());
    this.settled = fanOut(options.peers, (conn, turn) => askInfo(conn, options.name, turn.signal), {
      signal,
      ...connectOptions(options),
      retry: options.retry,
      keepOpen: true, // a holder's connection goes on to the swarm
      // Known while it is still being retried, in case the download ends first.
      onRetry: (peer, err) => {
        const { code, message } = problemOf(err);
        ledger.set(peer.id, { problem: { code, message: `${message}${STILL_RETRYING}` } });
        this.#heardFrom(peer.id);
      },
      onResult: (result, index) => {
        this.#onResult(result, index);
        this.#heardFrom(result.peer.id);
      },
    }).then(() => this.#decide());
  }

  /**
   * Once every peer has answered or failed once, the choice does not wait for the retries: a
   * peer that is down (`--from dave`) or frozen costs one attempt, and one that comes back
   * joins through onFound (issue 13).
   */
  #heardFrom(peer: string): void {
    this.#heard.add(peer);
    if (this.#heard.size >= this.#options.peers.length) this.#decide();
  }

  /** Hands every holder found after the decision to `follower` (those found meanwhile at once). */
  onFound(follower: (holder: Holder) => void): void {
    this.#follower = follower;
    for (const holder of this.#waiting.splice(0)) follower(holder);
  }

  /** Ends the grace period; the idle connections go back to the pool, if there is one, else are closed. */
  close(): void {
    clearTimeout(this.#graceTimer);
    const { pool } = this.#options;
    for (const conn of this.#conns) if (!conn.closed && conn.waiting === 0) pool ? pool.give(conn) : conn.close();
  }

  #onResult(result: PeerResult<{ conn: PeerConnection; info: FileInfo }>, index: number): void {
    const { peer } = result;
    if (!result.ok) {
      if (this.#signal.aborted) return;
      const notHeld = result.problem.code === 'ERR_NOT_FOUND';
      this.#ledger.set(peer.id, { problem: notHeld ? { code: 'ERR_NOT_FOUND', message: NOT_HELD } : result.problem });
      return;
    }
    const { conn, info } = result.value;
    this.#holders.add(peer.id);
    this.#conns.add(conn);
    this.#ledger.set(peer.id, { identity: info.identity, size: info.size });
    const holder: Holder = { peer, conn, info, latencyMs: performance.now() - this.#started };
    if (!this.#isDecided) {
      this.#found.push({ holder, index });
      this.#graceTimer ??= setTimeout(this.#decide, Math.max(this.#options.graceMs, 3 * holder.latencyMs));
    } else if (this.#follower) this.#follower(holder);
    else this.#waiting.push(holder);
  }

  /** Asks the peers that are not holders again, a round every RECHECK_MS, until the download ends. */
  async #recheck(): Promise<void> {
    const options = this.#options;
    while (!this.#signal.aborted) {
      const others = options.peers.filter((p) => !this.#holders.has(p.id));
      await sleep(recheckMs(others.length), this.#signal).catch(() => undefined);
      if (this.#signal.aborted || others.length === 0) return;
      await fanOut(others, (conn, turn) => askInfo(conn, options.name, turn.signal), {
        signal: this.#signal,
        ...connectOptions(options),
        keepOpen: true,
        onResult: (result, index) => {
          // A peer that still has nothing keeps what was known of it (a refusal stays a refusal).
          if (!result.ok) return;
          if (this.#signal.aborted) result.value.conn.close();
          else this.#onResult(result, index);
        },
      });
    }
  }

  #onDecided(): Holder[] {
    this.#isDecided = true;
    clearTimeout(this.#graceTimer);
    void this.#recheck();
    // Keep the order the user gave.
    return this.#found.sort((a, b) => a.index - b.index).map((f) => f.holder);
  }
}

/**
 * How the search connects: within --timeout (requestTimeoutMs) for the connect and for each
 * answer, so a frozen peer costs one deadline, not the default one.
 */
function connectOptions(options: DownloadSettings) {
  const { as, stallTimeoutMs, requestTimeoutMs, pool } = options;
  return { as, stallTimeoutMs, requestTimeoutMs, pool, connectTimeoutMs: Math.min(options.connectTimeoutMs, requestTimeoutMs) };
}

/** INFO, checked: the piece hashes must add up to the identity the peer claims. */
async function askInfo(conn: PeerConnection, name: string, signal: AbortSignal | undefined): Promise<{ conn: PeerConnection; info: FileInfo & { have?: Uint8Array } }> {
  const info = await fileInfo(conn, name, signal, { partial: true });
  if (identityOf(info.pieceHashes) !== info.identity) {
    throw new TxtmeshError('ERR_HASH_MISMATCH', 'its piece-hash list does not match the identity it claims');
  }
  return { conn, info };
}

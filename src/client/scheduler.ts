/**
 * Which peer fetches which piece: a pure scheduler, driven by the downloader and by tests
 * without sockets.
 *
 * - A peer is only given pieces it holds. A peer is a full holder until told otherwise
 *   (setHolding); a partial holder (another downloader, docs/PROTOCOL.md "Partial holders")
 *   holds the pieces it has said it has, and more as it says so (addHolding).
 * - Rarest first: among the pieces a peer could fetch, the one the fewest known peers hold, so
 *   the pieces only one peer has are fetched while it is still there, and downloaders of one
 *   file end up holding different pieces they can trade.
 * - Equals in a download-specific order: pieces are visited from a `start` piece onwards and
 *   round (a random start per download, as BitTorrent picks its first pieces at random), so
 *   downloaders of one file that all see the same holders still ask for different pieces,
 *   while each one's requests stay runs of consecutive pieces.
 * - When every missing piece is already being fetched (the endgame), a peer with nothing in
 *   flight may fetch a piece a second time, so a slow or stalled peer cannot hold back the last
 *   pieces; the first copy to arrive wins. Only a request that is late pays for a duplicate
 *   (issue 11: early duplicates served small files 1.3-1.7 times over): the Pace says, from
 *   what the peers delivered so far, when each source's queue should be through and how long
 *   the idle peer would take; a duplicate must be expected to save MIN_GAIN_MS, and 1.5 times
 *   what the idle peer takes to send it (MIN_GAIN_SHARE). It takes the
 *   slowest source's last-queued piece (the one that would arrive last). A peer that has not
 *   delivered a piece yet has no pace, so nothing is duplicated before the first piece arrives.
 */
import { Holdings } from './holdings.js';

/** What the endgame needs to know of the sources' speeds (the swarm measures it: rate-meter.ts). */
export interface Pace {
  /** Ms until the last request queued on `peer` is expected to arrive (Infinity: it may never). */
  remainingMs(peer: string): number;
  /** Ms `peer`, idle, would take for one more piece; undefined until it has delivered a piece. */
  pieceMs(peer: string): number | undefined;
}

/** Every request counts as late: any idle peer may duplicate (tests of the mechanics). */
export const EAGER_PACE: Pace = { remainingMs: () => Infinity, pieceMs: () => 0 };

/** Least time an endgame duplicate must be expected to save, against the bytes it costs. */
export const MIN_GAIN_MS = 50;

/**
 * ...and at least this multiple of the time the idle peer takes to send it: a duplicate takes
 * that long of the idle peer's uplink, which in a crowd serves other downloaders too. With the
 * 50 ms floor alone, 16 downloaders on shared 40 mbit uplinks (each source sending a piece in
 * about 0.6 s, the estimates that noisy) fetched 5-9 % of their pieces twice (issue 10); with
 * 0.5 still 5-13 %; with 1.5, 2-2.5 %, and the crowd finished 0.4-0.6 s sooner (two pairs of
 * runs, bench/crowd-cpu.mjs). A straggler 20 times slower than the idle peer is still duplicated.
 */
export const MIN_GAIN_SHARE = 1.5;

export class PieceScheduler {
  readonly pieceCount: number;
  readonly #done: Uint8Array;
  /** piece → peers fetching it now */
  readonly #inFlight = new Map<number, Set<string>>();
  readonly #banned = new Set<string>();
  /** peer → pieces it is fetching now */
  readonly #load = new Map<string, number>();
  /** peer → the pieces it is fetching, in the order it asked for them */
  readonly #queues = new Map<string, Set<number>>();
  readonly #pace: Pace;
  readonly #maxDuplicates: number;
  readonly #holdings: Holdings;
  /** The piece the visiting order starts from. */
  readonly #start: number;
  #doneCount = 0;
  /** Position (in visiting order) of the first piece that may still be unrequested. */
  #cursor = 0;

  /**
   * @param options.done pieces already verified (a resumed download)
   * @param options.maxDuplicates most peers fetching one piece at once in the endgame
   * @param options.start the piece the visiting order starts from (default 0: lowest first)
   * @param options.pace when a request is late, for the endgame (default EAGER_PACE)
   */
  constructor(pieceCount: number, options: { maxDuplicates?: number; done?: Iterable<number>; start?: number; pace?: Pace } = {}) {
    this.pieceCount = pieceCount;
    this.#pace = options.pace ?? EAGER_PACE;
    this.#done = new Uint8Array(pieceCount);
    this.#maxDuplicates = options.maxDuplicates ?? 2;
    this.#holdings = new Holdings(pieceCount);
    this.#start = pieceCount > 0 ? Math.abs(Math.trunc(options.start ?? 0)) % pieceCount : 0;
    for (const piece of options.done ?? []) {
      if (piece >= 0 && piece < pieceCount && this.#done[piece] === 0) {
        this.#done[piece] = 1;
        this.#doneCount++;
      }
    }
  }

  get complete(): boolean {
    return this.#doneCount === this.pieceCount;
  }

  get doneCount(): number {
    return this.#doneCount;
  }

  /** Pieces neither done nor being fetched by anyone. */
  get openCount(): number {
    return this.pieceCount - this.#doneCount - this.#inFlight.size;
  }

  isDone(piece: number): boolean {
    return this.#done[piece] === 1;
  }

  /** Says which pieces a peer holds: 'all', or a flag per piece (1: held). */
  setHolding(peer: string, pieces: 'all' | Uint8Array): void {
    this.#holdings.set(peer, pieces);
    this.#cursor = 0; // pieces skipped before may be fetchable now
  }

  /** A partial holder now also holds `piece`. */
  addHolding(peer: string, piece: number): void {
    if (this.#holdings.add(peer, piece) && this.#position(piece) < this.#cursor) this.#cursor = this.#position(piece);
  }

  /** A peer said it does not hold `piece` after all (ERR_NOT_HELD): not asked for it, nor believed about it, for a while (holdings.ts). */
  forget(peer: string, piece: number): void {
    this.#holdings.drop(peer, piece);
  }

  /** True if the peer holds the piece (as far as the scheduler knows). */
  holds(peer: string, piece: number): boolean {
    return this.#holdings.holds(peer, piece);
  }

  /** How many peers (not banned) hold the piece. */
  availability(piece: number): number {
    return this.#holdings.count(piece);
  }

  /**
   * The next piece `peer` should fetch, or undefined if there is nothing for it right now
   * (everything is done, or being fetched by it or by enough others, or held by others only).
   */
  next(peer: string): number | undefined {
    if (this.#banned.has(peer)) return undefined;
    const fresh = this.#holdings.anyPartial ? this.#rarest(peer) : this.#firstFree(peer);
    if (fresh !== undefined) return this.#take(fresh, peer);
    return this.#duplicate(peer);
  }

  /**
   * Like next(), but outside the endgame also takes up to `max - 1` pieces right after the
   * first one that nobody is fetching and the peer holds, so one request can cover a run.
   * @returns the first piece and how many consecutive pieces were taken
   */
  nextRun(peer: string, max: number): { first: number; count: number } | undefined {
    const first = this.next(peer);
    if (first === undefined) return undefined;
    if ((this.#inFlight.get(first)?.size ?? 0) > 1) return { first, count: 1 }; // an endgame duplicate
    let count = 1;
    for (let piece = first + 1; count < max && piece < this.pieceCount; piece++, count++) {
      if (!this.#free(piece, peer)) break;
      this.#take(piece, peer);
    }
    return { first, count };
  }

  /** Marks a fetched and verified piece done. Returns false if another peer delivered it first. */
  markDone(piece: number, peer: string): boolean {
    this.#untake(piece, peer);
    if (this.#done[piece] === 1) {
      if (this.#inFlight.get(piece)?.size === 0) this.#inFlight.delete(piece);
      return false;
    }
    this.#done[piece] = 1;
    this.#doneCount++;
    // Peers still fetching a duplicate lost the race: they are free for other work now.
    for (const other of [...(this.#inFlight.get(piece) ?? [])]) this.#untake(piece, other);
    this.#inFlight.delete(piece);
    return true;
  }

  /** A fetch failed: the piece goes back to the pool (unless others are still fetching it). */
  release(piece: number, peer: string): void {
    const peers = this.#inFlight.get(piece);
    if (!peers) return;
    this.#untake(piece, peer);
    if (peers.size === 0) {
      this.#inFlight.delete(piece);
      this.#cursor = Math.min(this.#cursor, this.#position(piece));
    }
  }

  /** Takes a peer out of this download (it failed or lied): all its pieces are released. */
  ban(peer: string): void {
    this.#banned.add(peer);
    this.#holdings.remove(peer);
    for (const [piece, peers] of [...this.#inFlight]) if (peers.has(peer)) this.release(piece, peer);
  }

  /** Every source holds every piece: the first free piece in visiting order. */
  #firstFree(peer: string): number | undefined {
    const n = this.pieceCount;
    while (this.#cursor < n && !this.#open(this.#pieceAt(this.#cursor))) this.#cursor++;
    for (let k = this.#cursor; k < n; k++) {
      const piece = this.#pieceAt(k);
      if (this.#free(piece, peer)) return piece;
    }
    return undefined;
  }

  /** Some sources are partial: the free piece the fewest peers hold, first in visiting order. */
  #rarest(peer: string): number | undefined {
    let best: number | undefined;
    let bestCount = Infinity;
    for (let k = 0; k < this.pieceCount; k++) {
      const piece = this.#pieceAt(k);
      if (!this.#free(piece, peer)) continue;
      const count = this.#holdings.count(piece);
      if (count < bestCount) {
        best = piece;
        bestCount = count;
        if (count <= 1) break; // nothing is rarer than a piece only this peer has
      }
    }
    return best;
  }

  /**
   * Endgame: an idle peer duplicates a late request, the slowest source's last-queued piece it
   * holds (among equals: the piece with the fewest fetchers, then the lowest).
   */
  #duplicate(peer: string): number | undefined {
    const own = this.#pace.pieceMs(peer);
    if ((this.#load.get(peer) ?? 0) > 0 || own === undefined) return undefined;
    const least = Math.max(MIN_GAIN_MS, own * MIN_GAIN_SHARE);
    let best: { piece: number; arrival: number; fetchers: number; position: number } | undefined;
    for (const [source, queue] of this.#queues) {
      if (source === peer || this.#pace.remainingMs(source) - own <= least) continue;
      let position = 0;
      for (const piece of queue) {
        position++;
        const fetchers = this.#inFlight.get(piece) as Set<string>;
        if (fetchers.has(peer) || fetchers.size >= this.#maxDuplicates || !this.#holdings.holds(peer, piece)) continue;
        // The first copy wins: a piece arrives with its quickest fetcher.
        const arrival = Math.min(...[...fetchers].map((f) => this.#pace.remainingMs(f)));
        const c = { piece, arrival, fetchers: fetchers.size, position };
        if (arrival - own > least && (!best || better(c, best))) best = c;
      }
    }
    return best === undefined ? undefined : this.#take(best.piece, peer);
  }

  /** Not done and nobody fetches it. */
  #open(piece: number): boolean {
    return this.#done[piece] === 0 && !this.#inFlight.has(piece);
  }

  /** Open, and the peer holds it. */
  #free(piece: number, peer: string): boolean {
    return this.#open(piece) && this.#holdings.holds(peer, piece);
  }

  #pieceAt(position: number): number {
    const piece = this.#start + position;
    return piece < this.pieceCount ? piece : piece - this.pieceCount;
  }

  #position(piece: number): number {
    return piece >= this.#start ? piece - this.#start : piece + this.pieceCount - this.#start;
  }

  #take(piece: number, peer: string): number {
    let peers = this.#inFlight.get(piece);
    if (!peers) this.#inFlight.set(piece, (peers = new Set()));
    peers.add(peer);
    this.#load.set(peer, (this.#load.get(peer) ?? 0) + 1);
    let queue = this.#queues.get(peer);
    if (!queue) this.#queues.set(peer, (queue = new Set()));
    queue.add(piece);
    return piece;
  }

  #untake(piece: number, peer: string): void {
    if (!this.#inFlight.get(piece)?.delete(peer)) return;
    this.#load.set(peer, (this.#load.get(peer) ?? 1) - 1);
    this.#queues.get(peer)?.delete(piece);
  }
}

/** Endgame order: arrives later, has fewer fetchers, queued later on its source, lower piece. */
function better(a: { piece: number; arrival: number; fetchers: number; position: number }, b: typeof a): boolean {
  if (a.arrival !== b.arrival) return a.arrival > b.arrival;
  if (a.fetchers !== b.fetchers) return a.fetchers < b.fetchers;
  if (a.position !== b.position) return a.position > b.position;
  return a.piece < b.piece;
}

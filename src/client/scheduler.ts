/**
 * Which peer fetches which piece: a pure scheduler, driven by the downloader and by tests
 * without sockets. Each peer pulls the lowest missing piece nobody is fetching, so a fast peer
 * simply pulls more often and serves more. When every missing piece is already being fetched
 * (the endgame), a peer with nothing in flight may fetch a piece a second time, so a slow or
 * stalled peer cannot hold back the last pieces; the first copy to arrive wins. Only idle peers
 * duplicate, so a small file at the start of a download is not fetched twice.
 */
export class PieceScheduler {
  readonly pieceCount: number;
  readonly #done: Uint8Array;
  /** piece → peers fetching it now */
  readonly #inFlight = new Map<number, Set<string>>();
  readonly #banned = new Set<string>();
  /** peer → pieces it is fetching now */
  readonly #load = new Map<string, number>();
  readonly #maxDuplicates: number;
  #doneCount = 0;
  /** lowest piece that may still be unrequested */
  #cursor = 0;

  /**
   * @param options.done pieces already verified (a resumed download)
   * @param options.maxDuplicates most peers fetching one piece at once in the endgame
   */
  constructor(pieceCount: number, options: { maxDuplicates?: number; done?: Iterable<number> } = {}) {
    this.pieceCount = pieceCount;
    this.#done = new Uint8Array(pieceCount);
    this.#maxDuplicates = options.maxDuplicates ?? 2;
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

  isDone(piece: number): boolean {
    return this.#done[piece] === 1;
  }

  /**
   * The next piece `peer` should fetch, or undefined if there is nothing for it right now
   * (everything is done, or being fetched by it or by enough others).
   */
  next(peer: string): number | undefined {
    if (this.#banned.has(peer)) return undefined;
    while (this.#cursor < this.pieceCount && (this.#done[this.#cursor] === 1 || this.#inFlight.has(this.#cursor))) this.#cursor++;
    for (let piece = this.#cursor; piece < this.pieceCount; piece++) {
      if (this.#done[piece] === 0 && !this.#inFlight.has(piece)) return this.#take(piece, peer);
    }
    // Endgame: an idle peer duplicates the piece with the fewest fetchers.
    if ((this.#load.get(peer) ?? 0) > 0) return undefined;
    let best: number | undefined;
    let bestCount = Infinity;
    for (const [piece, peers] of this.#inFlight) {
      if (!peers.has(peer) && peers.size < this.#maxDuplicates && peers.size < bestCount) {
        best = piece;
        bestCount = peers.size;
      }
    }
    return best === undefined ? undefined : this.#take(best, peer);
  }

  /**
   * Like next(), but outside the endgame also takes up to `max - 1` pieces right after the
   * first one that nobody is fetching, so one request can cover a run of pieces.
   * @returns the first piece and how many consecutive pieces were taken
   */
  nextRun(peer: string, max: number): { first: number; count: number } | undefined {
    const first = this.next(peer);
    if (first === undefined) return undefined;
    if ((this.#inFlight.get(first)?.size ?? 0) > 1) return { first, count: 1 }; // an endgame duplicate
    let count = 1;
    for (let piece = first + 1; count < max && piece < this.pieceCount; piece++, count++) {
      if (this.#done[piece] === 1 || this.#inFlight.has(piece)) break;
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
    for (const other of this.#inFlight.get(piece) ?? []) this.#load.set(other, (this.#load.get(other) ?? 1) - 1);
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
      if (piece < this.#cursor) this.#cursor = piece;
    }
  }

  /** Takes a peer out of this download (it failed or lied): all its pieces are released. */
  ban(peer: string): void {
    this.#banned.add(peer);
    for (const [piece, peers] of [...this.#inFlight]) if (peers.has(peer)) this.release(piece, peer);
  }

  #take(piece: number, peer: string): number {
    let peers = this.#inFlight.get(piece);
    if (!peers) this.#inFlight.set(piece, (peers = new Set()));
    peers.add(peer);
    this.#load.set(peer, (this.#load.get(peer) ?? 0) + 1);
    return piece;
  }

  #untake(piece: number, peer: string): void {
    if (this.#inFlight.get(piece)?.delete(peer)) this.#load.set(peer, (this.#load.get(peer) ?? 1) - 1);
  }
}

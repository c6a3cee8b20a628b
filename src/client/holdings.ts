/**
 * Which peer holds which pieces of one version, and how many peers hold each piece. A peer is
 * a full holder until said otherwise; full holders are counted once for every piece (no per-
 * piece work), partial holders piece by piece. Pure (the clock is given).
 *
 * A peer that refused a piece it had claimed (ERR_NOT_HELD) is not believed about that piece for
 * a while, whatever its next HAVE says: REFUSED_MS the first time, twice as long at each
 * further refusal of it, at most REFUSED_MAX_MS (docs/PROTOCOL.md, "Partial holders"). An
 * honest holder whose download was discarded and started again gets the piece back in time; a
 * peer that keeps claiming what it does not have costs a request per piece at ever longer
 * intervals, not one after every HAVE.
 */

/** How long a peer's claim of a piece it refused is not believed, the first time. */
export const REFUSED_MS = 10_000;
/** The longest it is not believed, after repeated refusals. */
export const REFUSED_MAX_MS = 120_000;

interface Refusal {
  /** Until when (clock ms) the peer's claims of the piece are not believed. */
  until: number;
  /** Refusals of this piece by this peer so far. */
  count: number;
}

/** What every peer holds of one version (see above). */
export class Holdings {
  readonly #pieceCount: number;
  /** peer → a flag per piece; peers not here hold everything. */
  readonly #partial = new Map<string, Uint8Array>();
  /** Peers known to hold everything (counted in every piece's availability). */
  readonly #full = new Set<string>();
  /** Partial holders per piece. */
  readonly #counts: Uint16Array;
  /** peer → piece → its refusal: claims not believed until then. */
  readonly #refused = new Map<string, Map<number, Refusal>>();
  readonly #now: () => number;

  /** @param now the clock refusals are timed by (ms) */
  constructor(pieceCount: number, now: () => number = () => performance.now()) {
    this.#pieceCount = pieceCount;
    this.#counts = new Uint16Array(pieceCount);
    this.#now = now;
  }

  /** True when at least one peer holds only part of the file. */
  get anyPartial(): boolean {
    return this.#partial.size > 0;
  }

  /**
   * Says what a peer holds: 'all', or a flag per piece (a copy is kept). Pieces it refused
   * lately are left out, whatever it says.
   */
  set(peer: string, pieces: 'all' | Uint8Array): void {
    this.remove(peer);
    const refused = this.#refusedNow(peer);
    if (pieces === 'all' && refused.size === 0) {
      this.#full.add(peer);
      return;
    }
    const flags = new Uint8Array(this.#pieceCount);
    for (let piece = 0; piece < this.#pieceCount; piece++) {
      if (!refused.has(piece) && (pieces === 'all' || pieces[piece])) {
        flags[piece] = 1;
        this.#bump(piece, 1);
      }
    }
    this.#partial.set(peer, flags);
  }

  /** A partial holder gained a piece. Returns true if that is news (and believed). */
  add(peer: string, piece: number): boolean {
    const flags = this.#partial.get(peer);
    if (!flags || piece < 0 || piece >= this.#pieceCount || flags[piece] === 1) return false;
    if ((this.#refused.get(peer)?.get(piece)?.until ?? -Infinity) > this.#now()) return false;
    flags[piece] = 1;
    this.#bump(piece, 1);
    return true;
  }

  /**
   * A peer turned out not to hold a piece (it refused it): a full holder becomes a partial one,
   * and its claims of the piece are not believed for a while (see above).
   */
  drop(peer: string, piece: number): void {
    if (piece < 0 || piece >= this.#pieceCount) return;
    this.#refuse(peer, piece);
    if (this.#full.has(peer)) this.set(peer, new Uint8Array(this.#pieceCount).fill(1));
    const flags = this.#partial.get(peer);
    if (!flags || flags[piece] !== 1) return;
    flags[piece] = 0;
    this.#bump(piece, -1);
  }

  /** Forgets a peer (it left or was banned). */
  remove(peer: string): void {
    this.#full.delete(peer);
    const flags = this.#partial.get(peer);
    if (!flags) return;
    this.#partial.delete(peer);
    for (let piece = 0; piece < this.#pieceCount; piece++) if (flags[piece]) this.#bump(piece, -1);
  }

  holds(peer: string, piece: number): boolean {
    const flags = this.#partial.get(peer);
    return flags === undefined || flags[piece] === 1;
  }

  /** Peers that hold the piece: every known full holder plus the partial holders that have it. */
  count(piece: number): number {
    return this.#full.size + (this.#counts[piece] ?? 0);
  }

  #refuse(peer: string, piece: number): void {
    const refusals = this.#refused.get(peer) ?? new Map<number, Refusal>();
    this.#refused.set(peer, refusals);
    const count = (refusals.get(piece)?.count ?? 0) + 1;
    refusals.set(piece, { count, until: this.#now() + Math.min(REFUSED_MAX_MS, REFUSED_MS * 2 ** (count - 1)) });
  }

  /** Pieces the peer refused whose claims are not believed now. */
  #refusedNow(peer: string): Set<number> {
    const now = this.#now();
    return new Set([...(this.#refused.get(peer) ?? [])].flatMap(([piece, r]) => (r.until > now ? [piece] : [])));
  }

  #bump(piece: number, by: number): void {
    this.#counts[piece] = (this.#counts[piece] ?? 0) + by;
  }
}

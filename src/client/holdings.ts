/**
 * Which peer holds which pieces of one version, and how many peers hold each piece. A peer is
 * a full holder until said otherwise; full holders are counted once for every piece (no per-
 * piece work), partial holders piece by piece. Pure.
 */
export class Holdings {
  readonly #pieceCount: number;
  /** peer → a flag per piece; peers not here hold everything. */
  readonly #partial = new Map<string, Uint8Array>();
  /** Peers known to hold everything (counted in every piece's availability). */
  readonly #full = new Set<string>();
  /** Partial holders per piece. */
  readonly #counts: Uint16Array;

  constructor(pieceCount: number) {
    this.#pieceCount = pieceCount;
    this.#counts = new Uint16Array(pieceCount);
  }

  /** True when at least one peer holds only part of the file. */
  get anyPartial(): boolean {
    return this.#partial.size > 0;
  }

  /** Says what a peer holds: 'all', or a flag per piece (a copy is kept). */
  set(peer: string, pieces: 'all' | Uint8Array): void {
    this.remove(peer);
    if (pieces === 'all') {
      this.#full.add(peer);
      return;
    }
    const flags = new Uint8Array(this.#pieceCount);
    for (let piece = 0; piece < this.#pieceCount; piece++) {
      if (pieces[piece]) {
        flags[piece] = 1;
        this.#bump(piece, 1);
      }
    }
    this.#partial.set(peer, flags);
  }

  /** A partial holder gained a piece. Returns true if that is news. */
  add(peer: string, piece: number): boolean {
    const flags = this.#partial.get(peer);
    if (!flags || piece < 0 || piece >= this.#pieceCount || flags[piece] === 1) return false;
    flags[piece] = 1;
    this.#bump(piece, 1);
    return true;
  }

  /** A peer turned out not to hold a piece (it said so): a full holder becomes a partial one. */
  drop(peer: string, piece: number): void {
    if (piece < 0 || piece >= this.#pieceCount) return;
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

  #bump(piece: number, by: number): void {
    this.#counts[piece] = (this.#counts[piece] ?? 0) + by;
  }
}

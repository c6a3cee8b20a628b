/**
 * Super-seeding (issue 10, item 4): a peer holding a whole file that many peers download at
 * once tells each of them a different few pieces, so its uplink carries each piece once or
 * twice and the downloaders fill in the rest from each other, instead of every downloader
 * asking it for the same rare pieces. It uses the partial holders' bitfield (docs/PROTOCOL.md,
 * "Partial holders", "Super-seeding"): to a client that takes partial holders (INFO … partial,
 * HAVE), the seed answers as if it held only the pieces it offers that client. BitTorrent's
 * super-seeding (libtorrent `super_seeding`) reveals one piece per peer at a time and a new one
 * when the piece is seen at another peer; a txtmesh seed hears no HAVE from its clients, so it
 * counts what it sent instead:
 *
 * - A crowd is at least two client addresses asking about one version within CROWD_MS. With
 *   fewer, every piece is offered (a lone downloader is served as before).
 * - Each client is offered OFFER pieces it has not been sent: the pieces sent least often (and
 *   offered least to others), random among equals; a piece it was sent stays offered.
 * - An offer the client has not asked for within OFFER_MS is taken back and not made again to
 *   that client for a while (it has the piece from someone else).
 * - A piece the seed sent more than RELEASE_MS ago is offered to everyone: a client whose other
 *   sources failed still gets every piece from the seed.
 * GET is never refused for a piece not offered: the offers steer clients, they are not a lock.
 * Pure: the caller gives the times (performance.now() in ms).
 */

/** Two clients asking within this long make a crowd. */
export const CROWD_MS = 5000;
/** Pieces offered to one client beyond those it was sent. */
export const OFFER = 4;
/** An offer not taken up within this long is withdrawn. */
export const OFFER_MS = 3000;
/** A piece sent this long ago is offered to everyone. */
export const RELEASE_MS = 30_000;
/** Versions tracked at once (the least recently asked about is forgotten first). */
const MAX_FILES = 64;

interface Client {
  seen: number;
  /** Pieces sent to this client. */
  readonly sent: Set<number>;
  /** Pieces offered and not yet asked for → when offered. */
  readonly offered: Map<number, number>;
  /** Offers withdrawn → when (not offered again for RELEASE_MS). */
  readonly declined: Map<number, number>;
}

class Crowd {
  readonly clients = new Map<string, Client>();
  readonly sendCount: Uint32Array;
  readonly offerCount: Uint32Array;
  /** performance.now() of each piece's first send (-1: never sent). */
  readonly firstSent: Float64Array;
  seen = 0;

  constructor(readonly pieces: number) {
    this.sendCount = new Uint32Array(pieces);
    this.offerCount = new Uint32Array(pieces);
    this.firstSent = new Float64Array(pieces).fill(-1);
  }
}

export class SuperSeed {
  readonly #crowds = new Map<string, Crowd>();
  readonly #random: () => number;

  constructor(options: { random?: () => number } = {}) {
    this.#random = options.random ?? Math.random;
  }

  /**
   * The pieces of version `identity` to tell `client` of: one byte per piece (1: offered), or
   * undefined for every piece (no crowd).
   */
  offer(identity: string, pieces: number, client: string, now: number): Uint8Array | undefined {
    const crowd = this.#crowd(identity, pieces, now);
    const self = this.#client(crowd, client, now);
    let active = 0;
    for (const [key, c] of crowd.clients) {
      if (now - c.seen <= CROWD_MS) active++;
      else if (now - c.seen > RELEASE_MS) this.#forget(crowd, key, c);
    }
    if (active < 2) return undefined;
    this.#withdraw(crowd, self, now);
    this.#topUp(crowd, self, now);
    const flags = new Uint8Array(pieces);
    for (let p = 0; p < pieces; p++) {
      if (self.sent.has(p) || self.offered.has(p) || ((crowd.firstSent[p] as number) >= 0 && now - (crowd.firstSent[p] as number) >= RELEASE_MS)) flags[p] = 1;
    }
    return flags;
  }

  /**
   * Pieces [first, first + count) of version `identity` are being sent to `client`. Only
   * versions some client was offered are tracked.
   */
  sent(identity: string, client: string, first: number, count: number, now: number): void {
    const crowd = this.#crowds.get(identity);
    if (!crowd) return;
    crowd.seen = now;
    const self = this.#client(crowd, client, now);
    for (let p = Math.max(0, first); p < Math.min(crowd.pieces, first + count); p++) {
      if (self.offered.delete(p)) (crowd.offerCount[p] as number)--;
      if (!self.sent.has(p)) self.sent.add(p);
      crowd.sendCount[p] = (crowd.sendCount[p] as number) + 1;
      if ((crowd.firstSent[p] as number) < 0) crowd.firstSent[p] = now;
    }
  }

  #crowd(identity: string, pieces: number, now: number): Crowd {
    let crowd = this.#crowds.get(identity);
    if (!crowd || crowd.pieces !== pieces) {
      crowd = new Crowd(pieces);
      this.#crowds.set(identity, crowd);
      if (this.#crowds.size > MAX_FILES) {
        const oldest = [...this.#crowds].sort((a, b) => a[1].seen - b[1].seen)[0] as [string, Crowd];
        this.#crowds.delete(oldest[0]);
      }
    }
    crowd.seen = now;
    return crowd;
  }

  #client(crowd: Crowd, key: string, now: number): Client {
    let client = crowd.clients.get(key);
    if (!client) crowd.clients.set(key, (client = { seen: now, sent: new Set(), offered: new Map(), declined: new Map() }));
    client.seen = now;
    return client;
  }

  #forget(crowd: Crowd, key: string, client: Client): void {
    for (const p of client.offered.keys()) (crowd.offerCount[p] as number)--;
    crowd.clients.delete(key);
  }

  /** Offers not taken up within OFFER_MS go back; declines older than RELEASE_MS are forgotten. */
  #withdraw(crowd: Crowd, client: Client, now: number): void {
    for (const [p, at] of client.offered) {
      if (now - at < OFFER_MS) continue;
      client.offered.delete(p);
      (crowd.offerCount[p] as number)--;
      client.declined.set(p, now);
    }
    for (const [p, at] of client.declined) if (now - at >= RELEASE_MS) client.declined.delete(p);
  }

  /** Offers the client up to OFFER pieces: those sent and offered least, random among equals. */
  #topUp(crowd: Crowd, client: Client, now: number): void {
    const want = OFFER - client.offered.size;
    if (want <= 0) return;
    const candidates: { p: number; score: number; tie: number }[] = [];
    for (let p = 0; p < crowd.pieces; p++) {
      if (client.sent.has(p) || client.offered.has(p) || client.declined.has(p)) continue;
      candidates.push({ p, score: (crowd.sendCount[p] as number) + (crowd.offerCount[p] as number), tie: this.#random() });
    }
    candidates.sort((a, b) => a.score - b.score || a.tie - b.tie);
    for (const { p } of candidates.slice(0, want)) {
      client.offered.set(p, now);
      (crowd.offerCount[p] as number)++;
    }
  }
}

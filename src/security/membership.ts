/**
 * Who is in the mesh, as the settings say. Open mode knows members by source address: each
 * peer's host is resolved (every address of a host name) at start, every few minutes, and again
 * when a connection comes from an address no peer has (at most every few seconds, so a stream
 * of strangers cannot flood the resolver). Secure mode knows members by certificate
 * fingerprint. The settings may be replaced while the server runs (update), within one mode.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TxtmeshError } from '../errors.js';
import { type MeshMode, type PeerAddress, meshMode } from '../settings.js';

/** All addresses of a host name. */
export type Lookup = (host: string) => Promise<string[]>;

export interface MembershipOptions {
  readonly lookup?: Lookup;
  /** Resolve host names again this often (ms). */
  readonly refreshMs?: number;
  /** After a connection from an unknown address, resolve again if the last time is this old (ms). */
  readonly missRefreshMs?: number;
}

const defaultLookup: Lookup = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * One spelling per address, as the kernel reports it: no IPv6 zone, IPv4-mapped IPv6
 * (`::ffff:127.0.0.1`) as plain IPv4, IPv6 in its shortest lower-case form.
 */
export function normalizeAddress(address: string): string {
  const bare = address.replace(/%.*$/, '');
  if (/^::ffff:/i.test(bare) && isIP(bare.slice(7)) === 4) return bare.slice(7);
  if (isIP(bare) === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return bare;
}

export class Membership {
  readonly mode: MeshMode;
  #peers: readonly PeerAddress[];
  /** Peer ID → its addresses, normalised. A host that fails to resolve keeps its last ones. */
  readonly #addresses = new Map<string, string[]>();
  readonly #lookup: Lookup;
  readonly #refreshMs: number;
  readonly #missRefreshMs: number;
  #resolving: Promise<void> | undefined;
  #lastResolved = -Infinity;
  #timer: NodeJS.Timeout | undefined;

  constructor(peers: readonly PeerAddress[], options: MembershipOptions = {}) {
    this.mode = meshMode(peers);
    this.#peers = peers;
    this.#lookup = options.lookup ?? defaultLookup;
    this.#refreshMs = options.refreshMs ?? 5 * 60_000;
    this.#missRefreshMs = options.missRefreshMs ?? 5_000;
    this.#setLiterals();
  }

  get peers(): readonly PeerAddress[] {
    return this.#peers;
  }

  /** Resolves the host names, then keeps them fresh until stop(). */
  async start(): Promise<void> {
    await this.refresh();
    this.#timer ??= setInterval(() => void this.refresh(), this.#refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Takes a new peer list (the settings file changed) and resolves its host names.
   * @throws TxtmeshError ERR_SETTINGS_MIXED if the new list would switch between open and secure
   */
  async update(peers: readonly PeerAddress[]): Promise<void> {
    const mode = meshMode(peers);
    if (mode !== this.mode) {
      throw new TxtmeshError('ERR_SETTINGS_MIXED', `the settings now describe a ${mode} mesh, but this server runs in ${this.mode} mode; restart it to switch`);
    }
    this.#peers = peers;
    for (const id of [...this.#addresses.keys()]) if (!peers.some((p) => p.id === id)) this.#addresses.delete(id);
    this.#setLiterals();
    await this.refresh();
  }

  /** Resolves every host name again (one resolution at a time). */
  refresh(): Promise<void> {
    this.#resolving ??= (async () => {
      try {
        await Promise.all(
          this.#peers.filter((p) => isIP(p.host) === 0).map(async (p) => {
            const found = await this.#lookup(p.host).catch(() => undefined);
            if (found && found.length > 0) this.#addresses.set(p.id, found.map(normalizeAddress));
          }),
        );
        this.#lastResolved = performance.now();
      } finally {
        this.#resolving = undefined;
      }
    })();
    return this.#resolving;
  }

  byId(id: string): PeerAddress | undefined {
    return this.#peers.find((p) => p.id === id);
  }

  byFingerprint(fingerprint: string): PeerAddress | undefined {
    return this.#peers.find((p) => p.fingerprint === fingerprint);
  }

  /** The peers listed at this address, from what is known now. */
  peersAtNow(address: string): PeerAddress[] {
    const wanted = normalizeAddress(address);
    return this.#peers.filter((p) => this.#addresses.get(p.id)?.includes(wanted));
  }

  /** The peers listed at this address; resolves host names again first if none is and it may. */
  async peersAt(address: string): Promise<PeerAddress[]> {
    const found = this.peersAtNow(address);
    if (found.length > 0 || performance.now() - this.#lastResolved < this.#missRefreshMs) return found;
    await this.refresh();
    return this.peersAtNow(address);
  }

  #setLiterals(): void {
    for (const p of this.#peers) if (isIP(p.host) !== 0) this.#addresses.set(p.id, [normalizeAddress(p.host)]);
  }
}

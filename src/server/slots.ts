/**
 * Who gets a connection slot when a client connects (docs/reliability.md, "Server limits"):
 * a pure decision, driven by tests without sockets, as the scheduler's is.
 *
 * - At most `maxConnections` in all. `memberSlots` of them are kept for the peers in the
 *   settings: connections from any other address share the rest (at least one), and one such
 *   address may hold at most `maxPerAddress` (nginx's limit_conn per address).
 * - A newcomer that would break a limit takes the slot of a connection under the same limit
 *   that has been idle longest, or else of the slowest answer that has waited on its client
 *   for a while (a BitTorrent client choking its slowest peers). Outsiders give way first, then
 *   anonymous connections from a peer's address, and connections that proved who they are
 *   (a claim or a certificate) last. A crowd of idle, stalled or trickling connections can
 *   therefore never lock a peer out.
 * - If no connection may give way, the newcomer is refused (ERR_BUSY).
 */

/** What the decision needs to know of a connection. */
export interface Occupant {
  /** The client's address, normalised. */
  readonly address: string;
  /** The address is one a peer in the settings has. */
  readonly member: boolean;
  /** The connection proved which peer it is (a claim that held, or a certificate). */
  readonly proven: boolean;
  /** A request is being read or answered. */
  readonly busy: boolean;
  /** performance.now() of the last request finished (or of the connect). */
  readonly lastActive: number;
  /** For a slow answer (send-meter.ts), the bytes its client took lately; else undefined. */
  readonly slow: number | undefined;
}

export interface SlotLimits {
  readonly maxConnections: number;
  readonly memberSlots: number;
  readonly maxPerAddress: number;
}

/** Admitted, perhaps in place of `evict`; or refused, and why. */
export type Admission<T> = { readonly admit: true; readonly evict?: T } | { readonly admit: false; readonly reason: string };

/** Decides whether a client from `address` is served now, and whose slot it takes if one is needed. */
export function admitConnection<T extends Occupant>(occupants: readonly T[], newcomer: { address: string; member: boolean }, limits: SlotLimits, now: number): Admission<T> {
  const outsiders = occupants.filter((o) => !o.member);
  const groups: { within: T[]; cap: number; reason: string }[] = [
    { within: [...occupants], cap: limits.maxConnections, reason: `all ${limits.maxConnections} connections are in use` },
  ];
  if (!newcomer.member) {
    const cap = Math.max(1, limits.maxConnections - limits.memberSlots);
    groups.push({ within: outsiders, cap, reason: `all ${cap} connections open to addresses outside the mesh are in use` });
    const same = outsiders.filter((o) => o.address === newcomer.address);
    groups.push({ within: same, cap: limits.maxPerAddress, reason: `${newcomer.address} already has ${same.length} connections, the most one address outside the mesh may have` });
  }
  // The narrowest limit that is reached decides: a slot freed within it frees one in the wider ones.
  const full = groups.filter((g) => g.within.length >= g.cap).pop();
  if (!full) return { admit: true };
  const evict = giveWay(full.within, now);
  return evict ? { admit: true, evict } : { admit: false, reason: full.reason };
}

/** A connection idle for less than this may be a client about to ask: it never gives way. */
export const IDLE_GRACE_MS = 250;

/**
 * The connection that gives way: outsiders first, proven peers last; within each, the one idle
 * longest (if for at least IDLE_GRACE_MS), else the slowest answer.
 */
function giveWay<T extends Occupant>(within: readonly T[], now: number): T | undefined {
  const rank = (o: Occupant) => (o.proven ? 2 : o.member ? 1 : 0);
  const measure = (o: Occupant) => (o.busy ? (o.slow as number) : o.lastActive);
  const candidates = within.filter((o) => (o.busy ? o.slow !== undefined : now - o.lastActive >= IDLE_GRACE_MS));
  candidates.sort((a, b) => rank(a) - rank(b) || Number(a.busy) - Number(b.busy) || measure(a) - measure(b));
  return candidates[0];
}

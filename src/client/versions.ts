/**
 * Versions of one name: the holders of a name grouped by identity. Peers that report different
 * identities for one name are never mixed. The largest group of peers that agree wins; a tie
 * for largest is a conflict the user must settle.
 * (The original silently mixed bytes from different copies.)
 */
import { TxtmeshError } from '../errors.js';
import { shortIdentity } from '../storage/piece-hasher.js';

/** One version of a name: its identity and size, and the peers that hold it. */
export interface FileVersion {
  readonly identity: string;
  readonly size: number;
  readonly peers: string[];
}

/** The holders of one identity. */
export interface IdentityGroup<T> {
  readonly identity: string;
  readonly holders: T[];
}

export interface VersionChoice<T> {
  readonly identity: string;
  readonly chosen: T[];
  /** Peers left out because they hold another version, with that version. */
  readonly outvoted: { readonly holder: T; readonly identity: string }[];
}

/**
 * Groups holders by identity, the most widely held first; ties by identity, so the order does
 * not depend on who answered first. Holders keep their order within a group.
 */
export function groupByIdentity<T>(holders: Iterable<T>, identityOf: (holder: T) => string): IdentityGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const holder of holders) {
    const identity = identityOf(holder);
    const group = groups.get(identity);
    if (group) group.push(holder);
    else groups.set(identity, [holder]);
  }
  return [...groups]
    .map(([identity, group]) => ({ identity, holders: group }))
    .sort((a, b) => b.holders.length - a.holders.length || (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
}

/** The versions held by peers, grouped as groupByIdentity does; a version's size is its first holder's. */
export function fileVersions(held: Iterable<{ readonly peer: string; readonly identity: string; readonly size: number }>): FileVersion[] {
  return groupByIdentity(held, (h) => h.identity).map(({ identity, holders }) => ({ identity, size: (holders[0] as { size: number }).size, peers: holders.map((h) => h.peer) }));
}

/**
 * Picks the largest group of holders that agree on the identity.
 * @throws TxtmeshError ERR_NO_PEERS if there are no holders, ERR_VERSION_CONFLICT on a tie
 */
export function chooseVersion<T>(name: string, holders: readonly T[], identityOf: (h: T) => string, label: (h: T) => string): VersionChoice<T> {
  const ranked = groupByIdentity(holders, identityOf);
  const [first, second] = ranked;
  if (!first) throw new TxtmeshError('ERR_NO_PEERS', `no peer has ${name}`);
  if (second && second.holders.length === first.holders.length) {
    const versions = ranked.map((g) => `${shortIdentity(g.identity)} at ${g.holders.map(label).join(', ')}`).join('; ');
    throw new TxtmeshError('ERR_VERSION_CONFLICT', `peers disagree on ${name} and no version has a majority: ${versions}. Pick one with --version and the first digits of its identity, or name the peers to download from.`);
  }
  const outvoted = ranked.slice(1).flatMap((g) => g.holders.map((holder) => ({ holder, identity: g.identity })));
  return { identity: first.identity, chosen: first.holders, outvoted };
}

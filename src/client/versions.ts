/**
 * Peers that report different identities for one name are never mixed. The largest group of
 * peers that agree wins; a tie for largest is a conflict the user must settle.
 * (The original silently mixed bytes from different copies.)
 */
import { TxtmeshError } from '../errors.js';
import { shortIdentity } from '../storage/piece-hasher.js';

export interface VersionChoice<T> {
  readonly identity: string;
  readonly chosen: T[];
  /** Peers left out because they hold another version, with that version. */
  readonly outvoted: { readonly holder: T; readonly identity: string }[];
}

/**
 * Groups holders by identity and picks the largest group.
 * @throws TxtmeshError ERR_NO_PEERS if there are no holders, ERR_VERSION_CONFLICT on a tie
 */
export function chooseVersion<T>(name: string, holders: readonly T[], identityOf: (h: T) => string, label: (h: T) => string): VersionChoice<T> {
  const groups = new Map<string, T[]>();
  for (const holder of holders) {
    const identity = identityOf(holder);
    const group = groups.get(identity);
    if (group) group.push(holder);
    else groups.set(identity, [holder]);
  }
  const ranked = [...groups.entries()].sort((a, b) => b[1].length - a[1].length);
  const [first, second] = ranked;
  if (!first) throw new TxtmeshError('ERR_NO_PEERS', `no peer has ${name}`);
  if (second && second[1].length === first[1].length) {
    const versions = ranked.map(([id, group]) => `${shortIdentity(id)} at ${group.map(label).join(', ')}`).join('; ');
    throw new TxtmeshError('ERR_VERSION_CONFLICT', `peers disagree on ${name} and no version has a majority: ${versions}. Name the peers to download from.`);
  }
  const outvoted = ranked.slice(1).flatMap(([identity, group]) => group.map((holder) => ({ holder, identity })));
  return { identity: first[0], chosen: first[1], outvoted };
}

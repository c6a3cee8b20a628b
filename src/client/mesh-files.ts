/**
 * The mesh's files from the peers' listings: grouped by name, then by identity, so a name
 * held in different versions is seen as such. Pure: listings in, views out.
 */
import type { PeerListing } from './filelist.js';
import type { Problem } from './problem.js';
import { type FileVersion, fileVersions } from './versions.js';

export type { FileVersion };

export interface MeshFile {
  readonly name: string;
  /** True when peers hold different versions under this name. */
  readonly conflict: boolean;
  /** Most widely held first; ties by identity, so the order is stable. */
  readonly versions: FileVersion[];
}

/** A peer that could not be listed. */
export interface UnlistedPeer {
  readonly peer: string;
  readonly error: Problem;
}

/** Groups listings into files sorted by name. Peers in each version keep the listing order. */
export function groupFiles(listings: readonly PeerListing[]): MeshFile[] {
  const byName = new Map<string, { peer: string; identity: string; size: number }[]>();
  for (const listing of listings) {
    if (!listing.ok) continue;
    for (const file of listing.files) {
      const held = byName.get(file.name) ?? [];
      held.push({ peer: listing.peer, identity: file.identity, size: file.size });
      byName.set(file.name, held);
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, held]) => {
      const versions = fileVersions(held);
      return { name, conflict: versions.length > 1, versions };
    });
}

/** The peers that could not be listed. */
export function unlisted(listings: readonly PeerListing[]): UnlistedPeer[] {
  return listings.flatMap((l) => (l.ok ? [] : [{ peer: l.peer, error: l.error }]));
}

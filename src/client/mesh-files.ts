/**
 * The mesh's files from the peers' listings: grouped by name, then by identity, so a name
 * held in different versions is seen as such. Pure: listings in, views out.
 */
import type { PeerListing } from './filelist.js';
import type { Problem } from './probe.js';

/** One version of a name: its identity and size, and the peers that hold it. */
export interface FileVersion {
  readonly identity: string;
  readonly size: number;
  readonly peers: string[];
}

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
  const byName = new Map<string, Map<string, { size: number; peers: string[] }>>();
  for (const listing of listings) {
    if (!listing.ok) continue;
    for (const file of listing.files) {
      let versions = byName.get(file.name);
      if (!versions) byName.set(file.name, (versions = new Map()));
      const version = versions.get(file.identity);
      if (version) version.peers.push(listing.peer);
      else versions.set(file.identity, { size: file.size, peers: [listing.peer] });
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, versions]) => {
      const sorted = [...versions.entries()]
        .map(([identity, v]) => ({ identity, size: v.size, peers: v.peers }))
        .sort((a, b) => b.peers.length - a.peers.length || (a.identity < b.identity ? -1 : 1));
      return { name, conflict: sorted.length > 1, versions: sorted };
    });
}

/** The peers that could not be listed. */
export function unlisted(listings: readonly PeerListing[]): UnlistedPeer[] {
  return listings.flatMap((l) => (l.ok ? [] : [{ peer: l.peer, error: { code: l.code, message: l.error } }]));
}

/**
 * The mesh's files from the peers' listings: grouped by name, then by identity, so a name
 * held in different versions is seen as such, with the version this peer holds and the ones
 * newer than it. Pure: listings in, views out.
 *
 * When a version changed: each holder says when its copy last changed (VERSIONS' time, by its
 * own clock). A version's `changed` is the earliest of those, so roughly when that version
 * first appeared: a copy fetched later (download, upload) does not make an old version look
 * new. A version is `newer` than this peer's when its `changed` is later. Clocks of different
 * peers may differ, so this is a hint, not an order.
 */
import type { PeerListing } from './filelist.js';
import type { Problem } from './problem.js';
import { type FileVersion, fileVersions } from './versions.js';

export type { FileVersion };

/** A version of a name on the mesh, with what this peer can tell of it. */
export interface MeshVersion extends FileVersion {
  /** The earliest time a holder's copy last changed (ms since 1970, holders' clocks); null if no holder said. */
  readonly changed: number | null;
  /** This peer holds this version. */
  readonly here: boolean;
  /** Changed later than the version this peer holds (false when it holds none). */
  readonly newer: boolean;
}

export interface MeshFile {
  readonly name: string;
  /** True when peers hold different versions under this name. */
  readonly conflict: boolean;
  /** The identity of the version this peer holds, or null. */
  readonly here: string | null;
  /** Most widely held first; ties by identity, so the order is stable. */
  readonly versions: MeshVersion[];
}

/** What this peer holds of a name: the version, and when its file last changed. */
export interface HeldHere {
  readonly identity: string;
  readonly size: number;
  readonly time?: number;
}

/** A peer that could not be listed. */
export interface UnlistedPeer {
  readonly peer: string;
  readonly error: Problem;
}

/**
 * Groups listings into files sorted by name. Peers in each version keep the listing order.
 * `here`: what this peer holds, by name (read from its own folder, so known without its server).
 */
export function groupFiles(listings: readonly PeerListing[], here: ReadonlyMap<string, HeldHere> = new Map()): MeshFile[] {
  const byName = new Map<string, { peer: string; identity: string; size: number; time?: number }[]>();
  for (const listing of listings) {
    if (!listing.ok) continue;
    for (const file of listing.files) {
      const held = byName.get(file.name) ?? [];
      held.push({ peer: listing.peer, identity: file.identity, size: file.size, ...(file.time === undefined ? {} : { time: file.time }) });
      byName.set(file.name, held);
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, held]) => {
      const mine = here.get(name);
      const changed = (identity: string) => earliest([...held.filter((h) => h.identity === identity).map((h) => h.time), ...(mine?.identity === identity ? [mine.time] : [])]);
      const ours = mine ? changed(mine.identity) : null;
      const versions = fileVersions(held).map((v): MeshVersion => {
        const at = changed(v.identity);
        return { ...v, changed: at, here: v.identity === mine?.identity, newer: ours !== null && at !== null && v.identity !== mine?.identity && at > ours };
      });
      return { name, conflict: versions.length > 1, here: mine?.identity ?? null, versions };
    });
}

function earliest(times: readonly (number | undefined)[]): number | null {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length === 0 ? null : Math.min(...known);
}

/** The peers that could not be listed. */
export function unlisted(listings: readonly PeerListing[]): UnlistedPeer[] {
  return listings.flatMap((l) => (l.ok ? [] : [{ peer: l.peer, error: l.error }]));
}

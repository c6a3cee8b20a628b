/**
 * The downloads in progress of a served folder's files, kept between requests (issue 10). A
 * peer in a crowd answers a HAVE or a GET of a file it is still downloading many times a
 * second; finding the download each time (the folder's real path, a directory listing, opening,
 * reading and hashing its sidecar: have-file.ts) cost its server more than the bytes it sent.
 * So a listing is kept for LIST_TTL_MS with its sidecars open, and each request reads only the
 * sidecar's flags again (flagsNow): what it answers is as fresh as before. The bytes of a GET
 * are still read from the part file and hashed before any goes out (partial-range.ts).
 *
 * The folder lists again when the listing is older than LIST_TTL_MS, when a request names a
 * version it does not hold, or when a sidecar can no longer be read whole.
 */
import type { OpenPartial, PartialCopy } from './have-file.js';
import { flagsNow } from './have-file.js';

/** How long a listing of a file's downloads in progress is kept. */
export const LIST_TTL_MS = 1000;
/** Files whose listings are kept at once (the least recently listed is dropped first). */
export const MAX_LISTINGS = 32;

interface Listing {
  readonly at: number;
  readonly copies: readonly OpenPartial[];
}

export class PartialCopies {
  readonly #listings = new Map<string, Listing>();
  /** Closes the sidecars of stale listings, so none stays open long after its requests. */
  #sweeper: NodeJS.Timeout | undefined;

  /**
   * The downloads in progress of `name` from a fresh listing, most pieces first, with their
   * flags as they are now; undefined if there is no fresh listing, or it lacks `identity`, or
   * a sidecar cannot be read (the caller lists again: list()).
   */
  kept(name: string, identity: string | undefined, now = performance.now()): PartialCopy[] | undefined {
    const listing = this.#listings.get(name);
    if (!listing || now - listing.at >= LIST_TTL_MS || listing.copies.length === 0) return undefined;
    if (identity !== undefined && !listing.copies.some((c) => c.copy.info.identity === identity)) return undefined;
    const copies: PartialCopy[] = [];
    for (const opened of listing.copies) {
      const copy = flagsNow(opened);
      if (!copy) return undefined;
      copies.push(copy);
    }
    return copies.sort((a, b) => b.heldCount - a.heldCount);
  }

  /** Keeps a fresh listing of `name` (closing the sidecars of the one it replaces); returns its copies. */
  keep(name: string, copies: readonly OpenPartial[], now = performance.now()): PartialCopy[] {
    this.#forget(name);
    this.#listings.set(name, { at: now, copies });
    if (this.#listings.size > MAX_LISTINGS) this.#forget(this.#listings.keys().next().value as string);
    this.#sweepLater();
    return copies.map((c) => c.copy);
  }

  /** Closes every kept sidecar. */
  close(): void {
    clearTimeout(this.#sweeper);
    this.#sweeper = undefined;
    for (const name of [...this.#listings.keys()]) this.#forget(name);
  }

  #sweepLater(): void {
    // Unref'd: a kept listing never keeps the process alive.
    this.#sweeper ??= setTimeout(() => {
      this.#sweeper = undefined;
      const now = performance.now();
      for (const [name, listing] of [...this.#listings]) if (now - listing.at >= LIST_TTL_MS) this.#forget(name);
      if (this.#listings.size > 0) this.#sweepLater();
    }, LIST_TTL_MS).unref();
  }

  #forget(name: string): void {
    const listing = this.#listings.get(name);
    if (!listing) return;
    this.#listings.delete(name);
    // Reads of these sidecars are synchronous (flagsNow): none is under way.
    for (const c of listing.copies) void c.handle.close().catch(() => undefined);
  }
}

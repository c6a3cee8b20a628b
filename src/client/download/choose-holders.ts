/**
 * Phase 2 of a download: choose the version. Holders of different versions are never mixed:
 * the largest group that agrees wins (versions.ts), or the one the user picked (--version);
 * the others are set aside, with why. When this peer already holds a version of the name it
 * keeps it, and says what the peers hold, unless told to replace it (chooseTarget).
 * No holder at all is an error that says whose fault it is: the file's, ours, or the network's.
 */
import { TxtmeshError, isRefusal } from '../../errors.js';
import type { FileInfo } from '../../protocol/messages.js';
import { shortIdentity } from '../../storage/piece-hasher.js';
import { type FileVersion, chooseVersion, fileVersions } from '../versions.js';
import type { Holder } from './find-holders.js';
import { type PeerLedger, listProblems } from './peer-ledger.js';

/**
 * The version to download and the holders to fetch it from.
 * @throws TxtmeshError ERR_NOT_FOUND (some peer answered that it lacks the file), a refusal
 *   code (every peer refused us for who we are), ERR_PEER_UNREACHABLE (no peer could be
 *   asked), ERR_VERSION_CONFLICT (no version has a majority)
 */
export function chooseHolders(name: string, holders: readonly Holder[], ledger: PeerLedger): { info: FileInfo; chosen: Holder[] } {
  if (holders.length === 0) throw noHolder(name, ledger);
  const choice = chooseVersion(name, holders, (h) => h.info.identity, (h) => h.peer.id);
  for (const { holder } of choice.outvoted) setAside(holder, ledger, 'holds another version');
  return { info: (choice.chosen[0] as Holder).info, chosen: choice.chosen };
}

/** What the user asked for, and what this peer holds already. */
export interface Wanted {
  /** The version under the name here now, if any. */
  readonly local?: { readonly identity: string; readonly size: number };
  /** Replace a different version here with the peers' (it is kept in the versions area). */
  readonly replace?: boolean;
  /** Fetch the version whose identity starts with these hex digits. */
  readonly version?: string;
}

/** Fetch `info` from `chosen`, or keep this peer's version (`others`: the versions the peers hold that differ). */
export type Choice =
  | { readonly kind: 'fetch'; readonly info: FileInfo; readonly chosen: Holder[] }
  | { readonly kind: 'keep'; readonly local: { readonly identity: string; readonly size: number }; readonly others: FileVersion[] };

/**
 * chooseHolders, knowing what this peer holds and what the user asked for: a version here is
 * kept unless `replace` or `version` says otherwise; `version` picks the holders of that one.
 * @throws TxtmeshError as chooseHolders; ERR_USAGE (a bad or ambiguous --version), ERR_NOT_FOUND
 *   (no holder of the version asked for)
 */
export function chooseTarget(name: string, holders: readonly Holder[], ledger: PeerLedger, wanted: Wanted): Choice {
  if (holders.length === 0) throw noHolder(name, ledger);
  const { local } = wanted;
  const prefix = wanted.version?.toLowerCase();
  if (prefix !== undefined && !/^[0-9a-f]{1,64}$/.test(prefix)) throw new TxtmeshError('ERR_USAGE', `--version takes the first hex digits of an identity, not ${JSON.stringify(wanted.version?.slice(0, 80))}`);
  if (local && (prefix === undefined ? !wanted.replace : local.identity.startsWith(prefix))) {
    const others = holders.filter((h) => h.info.identity !== local.identity);
    // Their connections stay open: the search gives them back to the pool, if any, or closes them.
    for (const h of holders) ledger.set(h.peer.id, { identity: h.info.identity, size: h.info.size });
    return { kind: 'keep', local, others: fileVersions(others.map((h) => ({ peer: h.peer.id, identity: h.info.identity, size: h.info.size }))) };
  }
  if (prefix === undefined) return { kind: 'fetch', ...chooseHolders(name, holders, ledger) };
  const chosen = holders.filter((h) => h.info.identity.startsWith(prefix));
  const held = fileVersions(holders.map((h) => ({ peer: h.peer.id, identity: h.info.identity, size: h.info.size })));
  const list = held.map((v) => `${shortIdentity(v.identity)} at ${v.peers.join(', ')}`).join('; ');
  const matching = new Set(chosen.map((h) => h.info.identity));
  if (matching.size > 1) throw new TxtmeshError('ERR_USAGE', `${prefix} is the start of ${matching.size} versions of ${name} (${list}); give more digits`);
  const [first] = chosen;
  if (!first) throw new TxtmeshError('ERR_NOT_FOUND', `no peer asked holds a version of ${name} starting with ${prefix} (${list})`);
  for (const h of holders) if (!chosen.includes(h)) setAside(h, ledger, 'holds another version');
  return { kind: 'fetch', info: first.info, chosen };
}

/** Leaves a holder of another version out of this download, saying so in the ledger. */
export function setAside(holder: Holder, ledger: PeerLedger, why: string): void {
  const { identity, size } = holder.info;
  holder.conn.close();
  ledger.set(holder.peer.id, { problem: { code: 'ERR_VERSION_CONFLICT', message: `${why} (${shortIdentity(identity)}); not mixed` }, identity, size });
}

function noHolder(name: string, ledger: PeerLedger): TxtmeshError {
  const problems = ledger.problems();
  const reasons = listProblems(problems);
  const codes = new Set(problems.map((p) => p.problem.code));
  // Someone answered that it lacks the file: the file is the problem; else the peers are.
  if (codes.has('ERR_NOT_FOUND')) return new TxtmeshError('ERR_NOT_FOUND', `no peer has ${name} (${reasons})`);
  // Every peer refused us for who we are: that, not the network, is the problem.
  const [only] = codes;
  if (codes.size === 1 && only && isRefusal(only)) return new TxtmeshError(only, `every peer refused this peer (${reasons})`);
  return new TxtmeshError('ERR_PEER_UNREACHABLE', `no peer could be asked for ${name}${reasons ? ` (${reasons})` : ''}`);
}

/**
 * Phase 2 of a download: choose the version. Holders of different versions are never mixed:
 * the largest group that agrees wins (versions.ts); the others are set aside, with why.
 * No holder at all is an error that says whose fault it is: the file's, ours, or the network's.
 */
import { TxtmeshError, isRefusal } from '../../errors.js';
import type { FileInfo } from '../../protocol/messages.js';
import { shortIdentity } from '../../storage/piece-hasher.js';
import { chooseVersion } from '../versions.js';
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

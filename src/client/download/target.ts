/**
 * Phases 3 and 5 of a download: the file it writes. Before the swarm runs, the target is
 * prepared: a file already under the name is the same version (nothing to do) or a conflict
 * (nothing is replaced); else a part file of this version is opened, keeping the verified
 * pieces of an earlier attempt (part-file.ts). After the swarm, a complete file is published
 * under its name (storage/publish.ts); an incomplete one keeps its verified pieces so the
 * same #DOWNLOAD resumes from them.
 */
import { TxtmeshError, codeOf } from '../../errors.js';
import { type FileInfo, HASH_BYTES } from '../../protocol/messages.js';
import { PartFile } from '../../storage/part-file.js';
import { shortIdentity } from '../../storage/piece-hasher.js';
import { compareExisting } from '../../storage/publish.js';
import type { ServedFolder } from '../../storage/served-folder.js';
import type { KeptVersion, VersionsArea } from '../../storage/versions-area.js';
import type { Swarm } from '../swarm.js';
import type { DownloadOptions } from './options.js';
import { type PeerLedger, listProblems } from './peer-ledger.js';

/** Thrown by the conflict check when the name holds another version that --replace may replace. */
const REPLACEABLE = new TxtmeshError('ERR_EXISTS', 'another version is under the name; it will be replaced and kept');

export interface Target {
  readonly info: FileInfo;
  /** Where the version under the name goes when this one replaces it (--replace, --version). */
  readonly replacing?: VersionsArea;
  readonly part: PartFile;
  /** Pieces of an earlier attempt, on disk and verified. */
  readonly verified: number[];
  readonly resumedBytes: number;
  readonly pieceCount: number;
}

/**
 * Opens the part file for `info`, or says the folder already has this version. With
 * `replacing`, a different version under the name will be replaced (and kept there).
 * @throws TxtmeshError ERR_EXISTS when the folder has a different file under the name, not replacing
 */
export async function prepareTarget(folder: ServedFolder, info: FileInfo, onResume: DownloadOptions['onResume'], replacing?: VersionsArea): Promise<Target | 'already'> {
  const existing = await compareExisting(folder, info.name, info.identity, (theirs) => {
    if (!theirs) return new TxtmeshError('ERR_EXISTS', `${info.name} already exists here and is not a file txtmesh serves (a symlink, a folder or a device); nothing was replaced. Remove or rename it first.`);
    if (replacing) return REPLACEABLE;
    return new TxtmeshError('ERR_EXISTS', `${info.name} already exists here with different content (${shortIdentity(theirs)}); nothing was replaced (--replace replaces it and keeps it in the versions area)`);
  }).catch((err: unknown) => {
    if (err === REPLACEABLE) return 'other' as const;
    throw err;
  });
  if (existing === 'same') return 'already';
  const { part, verified } = await PartFile.open(folder, info);
  const pieceCount = info.pieceHashes.length / HASH_BYTES;
  const resumedBytes = verified.reduce((sum, p) => sum + Math.min(info.pieceSize, info.size - p * info.pieceSize), 0);
  if (verified.length > 0) onResume?.(verified.length, pieceCount, resumedBytes);
  return { info, part, verified, resumedBytes, pieceCount, ...(replacing ? { replacing } : {}) };
}

/** What publishing did: and when it replaced another version, that one (now kept). */
export interface Published {
  readonly status: 'downloaded' | 'already' | 'replaced';
  readonly kept?: KeptVersion;
}

/**
 * Publishes the file the swarm completed, or fails keeping what was verified.
 * @returns 'downloaded'; 'already' when the same file took the name meanwhile; 'replaced'
 * @throws TxtmeshError ERR_DOWNLOAD_INCOMPLETE (interrupted, or no peer left to serve the
 *   rest), ERR_EXISTS (a different file took the name meanwhile)
 */
export async function publishTarget(target: Target, swarm: Swarm, ledger: PeerLedger, interrupted: boolean): Promise<Published> {
  const { info, part, pieceCount } = target;
  if (!swarm.scheduler.complete) {
    const done = swarm.scheduler.doneCount;
    if (done === 0) await part.discard();
    else await part.close();
    const kept = done > 0 ? `; ${done} of ${pieceCount} pieces are verified and kept, so the same #DOWNLOAD resumes from them` : '';
    if (interrupted) throw interruptedError(info.name, kept);
    const failed = ledger.outcomes(swarm.sources.values()).filter((o) => o.problem);
    const codes = failed.flatMap((o) => (o.problem ? [o.problem.code] : []));
    throw new TxtmeshError('ERR_DOWNLOAD_INCOMPLETE', `download of ${info.name} stopped at ${done}/${pieceCount} pieces: no peer left to serve the rest (${listProblems(failed)})${kept}`, { reasons: codes });
  }
  let keep = false;
  try {
    if (target.replacing) {
      const { result, kept } = await part.publishReplacing(target.replacing);
      return result === 'replaced' && kept ? { status: 'replaced', kept } : { status: result === 'same' ? 'already' : 'downloaded' };
    }
    const published = await part.publish(() => new TxtmeshError('ERR_EXISTS', `${info.name} appeared here with different content during the download; nothing was replaced`));
    return { status: published === 'stored' ? 'downloaded' : 'already' };
  } catch (err) {
    // A disk too full to finish: the complete file stays in its part file, for the same #DOWNLOAD.
    keep = codeOf(err) === 'ERR_NO_SPACE';
    throw err;
  } finally {
    // What is left beside the file; the file itself is under its real name.
    await (keep ? part.close() : part.discard());
  }
}

/** A download the caller interrupted (`kept`: what stays for a resume). */
export function interruptedError(name: string, kept = ''): TxtmeshError {
  return new TxtmeshError('ERR_DOWNLOAD_INCOMPLETE', `download of ${name} was interrupted${kept}`);
}

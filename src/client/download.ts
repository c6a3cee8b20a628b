/**
 * #DOWNLOAD: fetch one file from every listed peer that has it, in verified pieces, in parallel.
 * The phases, each in download/:
 *
 * 1. Find holders (find-holders.ts): ask the peers for INFO in parallel, with retries; each
 *    answer's piece-hash list must match the identity it claims. Holders found later join.
 * 2. Choose the version (choose-holders.ts): the largest group of holders that agree, or the
 *    one asked for (--version). A version already here is kept, unless told to replace it.
 * 3. Prepare the target (target.ts): nothing to do if the folder has this version already;
 *    else a part file of this version, resumed from its verified pieces if there is one.
 * 4. Run the swarm (run-swarm.ts, swarm.ts) until the file is complete or no peer is left.
 * 5. Publish (target.ts): fsync, then link into place without replacing anything, or, when
 *    replacing, keep the version there in the versions area first (storage/versions-area.ts).
 *    An incomplete download keeps its verified pieces for the next attempt.
 */
import { TxtmeshError } from '../errors.js';
import { checkName } from '../storage/names.js';
import { type KeptVersion, VersionsArea } from '../storage/versions-area.js';
import { chooseTarget } from './download/choose-holders.js';
import { HolderSearch } from './download/find-holders.js';
import { type DownloadOptions, downloadSettings } from './download/options.js';
import { PeerLedger, type PeerOutcome } from './download/peer-ledger.js';
import type { DownloadRun } from './download/run-swarm.js';
import type { Target } from './download/target.js';
import type { Swarm } from './swarm.js';
import type { FileVersion } from './versions.js';

export { DEFAULT_STALL_TIMEOUT_MS, DOWNLOAD_DEFAULTS, type DownloadOptions, type DownloadProgress } from './download/options.js';
export { NOT_HELD, type PeerOutcome, downloadPeers, wastedBytes } from './download/peer-ledger.js';

/** A download that failed, with what each peer did by then. */
export class DownloadError extends TxtmeshError {
  readonly peers: PeerOutcome[];

  constructor(err: TxtmeshError, peers: PeerOutcome[]) {
    super(err.code, err.message, { cause: err, reasons: err.reasons });
    this.name = 'DownloadError';
    this.peers = peers;
  }
}

/**
 * Phases 3 to 5 (the part file, the swarm, publishing) and what they load (scheduler, hash
 * worker, storage), loaded while the holder search's first round trips run, not before the
 * first connect: about a quarter of the client's start-up CPU (issue 11, start-up).
 */
let later: Promise<[typeof import('./download/run-swarm.js'), typeof import('./download/target.js')]> | undefined;
function laterPhases() {
  later ??= Promise.all([import('./download/run-swarm.js'), import('./download/target.js')]);
  return later;
}

export interface DownloadResult {
  readonly name: string;
  readonly size: number;
  readonly identity: string;
  /**
   * downloaded: the name was free; replaced: another version here was replaced (`kept`);
   * already: this peer holds a version of the name and kept it (`identity`; `others`: the
   * versions the peers hold that differ from it).
   */
  readonly status: 'downloaded' | 'already' | 'replaced';
  /** The version a replacing download moved to the versions area. */
  readonly kept?: KeptVersion;
  /** With 'already': the other versions the peers hold, most widely held first. */
  readonly others?: FileVersion[];
  readonly seconds: number;
  /** Bytes taken from an interrupted earlier attempt. */
  readonly resumedBytes: number;
  readonly peers: PeerOutcome[];
}

/**
 * Downloads `name` into the folder.
 * @throws TxtmeshError ERR_BAD_NAME, ERR_USAGE (an option out of range, named); then
 *   DownloadError (a TxtmeshError) ERR_NOT_FOUND, ERR_PEER_UNREACHABLE, a refusal,
 *   ERR_VERSION_CONFLICT, ERR_EXISTS, ERR_DOWNLOAD_INCOMPLETE
 */
export async function download(options: DownloadOptions): Promise<DownloadResult> {
  const { name, folder } = options;
  checkName(name);
  const settings = downloadSettings(options);
  const over = new AbortController(); // ends the search and reconnects when we are done
  const signal = options.signal ? AbortSignal.any([options.signal, over.signal]) : over.signal;
  const ledger = new PeerLedger();
  const run: DownloadRun = { options: settings, ledger, signal, started: performance.now(), search: new HolderSearch(settings, signal, ledger) };
  let swarm: Swarm | undefined;
  let target: Target | 'already' | undefined;
  const result = (info: { size: number; identity: string }, status: DownloadResult['status'], resumedBytes = 0): DownloadResult => {
    ledger.stopRetrying();
    const seconds = (performance.now() - run.started) / 1000;
    return { name, size: info.size, identity: info.identity, status, seconds, resumedBytes, peers: ledger.outcomes(swarm?.sources.values()) };
  };
  const phases = laterPhases();
  phases.catch(() => undefined); // awaited below; a failure shows there, not as an unhandled rejection
  try {
    const [{ startSwarm, swarmStopped }, { interruptedError, prepareTarget, publishTarget }] = await phases;
    const holders = await run.search.decided;
    if (holders.length === 0 && options.signal?.aborted) throw interruptedError(name);
    if (holders.length === 0) ledger.stopRetrying(); // nothing to download: the retries end with it
    const local = folder.exists(name) ? await folder.describe(name).catch(() => undefined) : undefined;
    const choice = chooseTarget(name, holders, ledger, { local, replace: options.replace, version: options.version });
    if (choice.kind === 'keep') return { ...result(choice.local, 'already'), others: choice.others };
    const { info, chosen } = choice;
    options.onPeers?.(chosen.map((h) => h.peer.id));
    const replacing = local && local.identity !== info.identity ? (options.versions ?? new VersionsArea(folder)) : undefined;
    target = await prepareTarget(folder, info, options.onResume, replacing);
    if (target === 'already') return result(info, 'already');
    swarm = startSwarm(run, target, chosen);
    await swarmStopped(swarm, run);
    const { status, kept } = await publishTarget(target, swarm, ledger, options.signal?.aborted === true);
    return { ...result(info, status, status === 'already' ? 0 : target.resumedBytes), ...(kept ? { kept } : {}) };
  } catch (err) {
    ledger.stopRetrying();
    if (err instanceof TxtmeshError && !(err instanceof DownloadError)) throw new DownloadError(err, ledger.outcomes(swarm?.sources.values()));
    throw err;
  } finally {
    over.abort();
    swarm?.close();
    run.search.close();
    // Whatever stopped it, the part file is closed (verified pieces kept) and the name let go.
    if (typeof target === 'object') await target.part.close();
  }
}

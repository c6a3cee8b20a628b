/**
 * #DOWNLOAD: one file, or several (names and globs), each by the engine's download(). The
 * words that end in .txt or hold a glob character are names, the rest peer IDs (name-glob.ts);
 * `--from` names peers too. A glob is matched against what the peers list. Several files are
 * fetched a few at a time (p-limit), under one progress line, each with its own summary; the
 * exit status is the worst of theirs (exit-codes.ts).
 */
import pLimit from 'p-limit';
import { type ErrorCode, TxtmeshError, isTransport } from '../errors.js';
import { type PeerAddress, findPeers } from '../settings.js';
import { nameProblem } from '../storage/names.js';
import { DownloadError, type PeerOutcome, download, downloadPeers, wastedBytes } from '../client/download.js';
import { fileLists } from '../client/filelist.js';
import type { DownloadOfMany, DownloadPeer, DownloadSummary, DownloadsSummary } from '../client/results.js';
import { problemOf } from '../client/problem.js';
import { fileVersions } from '../client/versions.js';
import { type CommandArgs, parseCommandArgs } from './command-args.js';
import { CommandFailure, withDetails } from './command-failure.js';
import { type CommandSpec, findSpec } from './command-specs.js';
import { exitCodeOf, exitCodeOfError } from './exit-codes.js';
import { formatBytes } from './format.js';
import { globMatcher, hasGlob, isNameWord } from './name-glob.js';
import { formatLimit } from './limit-command.js';
import { ProgressLine } from './progress.js';
import type { Session } from './session.js';
import { versionsArea } from './version-commands.js';

/** Files fetched at once by a download of several: each already fetches from every holder in parallel. */
export const FILES_AT_ONCE = 3;

interface Plan {
  readonly names: string[];
  readonly candidates: PeerAddress[];
  readonly searched: boolean;
  readonly args: CommandArgs;
}

/** #DOWNLOAD name ... [peer ...] [--from peer ...] [--replace] [--version ID]. */
export async function downloadCommand(session: Session, argv: string[], signal: AbortSignal): Promise<DownloadSummary | DownloadsSummary> {
  const spec = findSpec('#DOWNLOAD') as CommandSpec;
  const args = parseCommandArgs(spec, argv);
  const names = args.words.filter(isNameWord);
  const ids = [...args.words.filter((w) => !isNameWord(w)), ...(args.lists.get('from') ?? [])];
  if (names.length === 0) {
    const [first] = args.words;
    if (first === undefined) throw new TxtmeshError('ERR_USAGE', `missing file name; usage: ${spec.usage}`);
    throw new TxtmeshError('ERR_BAD_NAME', `bad file name ${JSON.stringify(first.slice(0, 200))}: ${nameProblem(first) ?? 'not a name'} (names end in .txt; the other words are peer IDs)`);
  }
  for (const n of names) {
    const problem = hasGlob(n) ? undefined : nameProblem(n);
    if (problem) throw new TxtmeshError('ERR_BAD_NAME', `bad file name ${JSON.stringify(n.slice(0, 200))}: ${problem}`);
  }
  const searched = ids.length === 0;
  const candidates = searched ? session.ctx.others : findPeers(session.ctx.peers, ids);
  if (candidates.length === 0) throw new TxtmeshError('ERR_NO_PEERS', 'there are no other peers in the settings');
  const plan: Plan = { names, candidates, searched, args };
  if (names.length === 1 && !hasGlob(names[0] as string)) return downloadOne(session, plan, names[0] as string, signal);
  if (args.values.has('version')) throw new TxtmeshError('ERR_USAGE', '--version picks a version of one file; give one name with it');
  return downloadMany(session, plan, signal);
}

/** Several files: the globs expanded against the peers' listings, then a few at a time. */
async function downloadMany(session: Session, plan: Plan, signal: AbortSignal): Promise<DownloadsSummary> {
  const started = performance.now();
  const names = await expand(session, plan);
  const progress = new ProgressLine(names.length);
  const limit = pLimit(FILES_AT_ONCE);
  const show = () => session.out.progress(progress.line());
  const files = await Promise.all(
    names.map((name) =>
      limit(async (): Promise<DownloadOfMany> => {
        try {
          const { command: _, ...summary } = await downloadOne(session, plan, name, signal, progress);
          return { ok: true, exitCode: exitCodeOf({ command: 'download', ...summary }), ...summary };
        } catch (err) {
          const details = err instanceof CommandFailure ? err.details : {};
          return { ...details, ok: false, exitCode: exitCodeOfError(err), name, error: problemOf(err) };
        } finally {
          progress.finish(name);
          show();
        }
      }),
    ),
  ).finally(() => session.out.progress(undefined));
  return { command: 'downloads', files, seconds: Math.round((performance.now() - started) / 1000 * 1e6) / 1e6 };
}

/** The names to fetch: plain names as given, globs matched against the candidates' listings. */
async function expand(session: Session, plan: Plan): Promise<string[]> {
  const globs = plan.names.filter(hasGlob);
  if (globs.length === 0) return [...new Set(plan.names)];
  const listings = await fileLists(plan.candidates, { timeoutMs: session.timeoutMs, as: session.ctx.credentials });
  const listed = [...new Set(listings.flatMap((l) => (l.ok ? l.files.map((f) => f.name) : [])))].sort();
  const names: string[] = [];
  for (const word of plan.names) {
    if (!hasGlob(word)) names.push(word);
    else {
      const matches = listed.filter(globMatcher(word));
      if (matches.length === 0) throw new TxtmeshError('ERR_NOT_FOUND', `no file on the peers asked matches ${word}`);
      names.push(...matches);
    }
  }
  return [...new Set(names)];
}

/** One file: the peers found, the version chosen (or kept), the bytes each peer delivered. */
async function downloadOne(session: Session, plan: Plan, name: string, signal: AbortSignal, shared?: ProgressLine): Promise<DownloadSummary> {
  const { out } = session;
  const { candidates, searched, args } = plan;
  const order = new Map(candidates.map((p, i) => [p.id, i]));
  const byOrder = <T extends { peer: string }>(list: T[]) => list.sort((a, b) => (order.get(a.peer) ?? 0) - (order.get(b.peer) ?? 0));
  const progress = shared ?? new ProgressLine(1);
  const result = await download({
    name,
    peers: candidates,
    folder: session.folder,
    signal,
    as: session.ctx.credentials,
    requestTimeoutMs: session.timeoutMs,
    replace: args.flags.has('replace'),
    version: args.values.get('version'),
    versions: versionsArea(session),
    receiveLimit: session.limits?.down,
    pool: session.pool,
    onPeers: (used) => out.note(`${searched ? 'Found' : 'Downloading'} ${name} ${searched ? 'at' : 'from'} ${used.join(', ')}`),
    onResume: (pieces, of, bytes) => out.note(`Resuming ${name}: ${pieces} of ${of} pieces (${formatBytes(bytes)}) from an earlier attempt are verified and kept`),
    onProgress: (p) => {
      progress.update(name, p, performance.now());
      // The limit, not the peers, sets the speed now: the line says so (as the page does).
      const down = session.limits?.down;
      out.progress(progress.line() + (down?.holding ? `  held back by #LIMIT down ${formatLimit(down.rate)}` : ''));
    },
    onPiece: session.trace && ((peer, bytes, ms) => session.trace?.({ name, peer, bytes, ms: Math.round(ms * 1000) / 1000 })),
  })
    .catch((err: unknown) => {
      throw err instanceof DownloadError ? withDetails(err, { name, ...whereabouts(err.peers, byOrder) }) : err;
    })
    .finally(() => {
      if (!shared) out.progress(undefined);
    });
  session.names?.add(name);
  const where = whereabouts(result.peers, byOrder);
  const peers: DownloadPeer[] = byOrder(downloadPeers(result.peers));
  return {
    command: 'download',
    name,
    status: result.status,
    size: result.size,
    identity: result.identity,
    seconds: Math.round(result.seconds * 1e6) / 1e6,
    resumedBytes: result.resumedBytes,
    searched,
    found: where.found,
    missing: where.missing,
    unreachable: where.unreachable,
    peers,
    wasted: wastedBytes(peers),
    kept: result.kept ? { identity: result.kept.identity, size: result.kept.size, at: result.kept.at } : null,
    others: result.others ?? [],
  };
}

/** Who held which version, who lacked the file, who could not be asked, in the order asked. */
function whereabouts(outcomes: readonly PeerOutcome[], byOrder: <T extends { peer: string }>(list: T[]) => T[]) {
  const holders = byOrder(outcomes.flatMap((o) => (o.identity === undefined ? [] : [{ peer: o.peer, identity: o.identity, size: o.size ?? 0 }])));
  const failed = (test: (o: PeerOutcome, code: ErrorCode) => boolean) => byOrder(outcomes.flatMap((o) => (o.problem && test(o, o.problem.code) ? [{ peer: o.peer, error: o.problem }] : [])));
  return {
    found: holders.map((h) => h.peer),
    missing: failed((_, code) => code === 'ERR_NOT_FOUND').map((o) => o.peer),
    unreachable: failed((o, code) => o.identity === undefined && isTransport(code)),
    versions: fileVersions(holders),
  };
}

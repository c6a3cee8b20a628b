/**
 * Downloads started from the page, with what their live view needs: bytes and current speed
 * per peer, total speed, ETA, verified pieces and a speed history, fed by the same download()
 * callbacks as the console's progress line (onPeers, onResume, onPiece, onProgress). Each
 * change goes to the page as a `transfer` event, at most every TICK_MS while one runs.
 */
import { randomBytes } from 'node:crypto';
import { PIECE_SIZE } from '../constants.js';
import { codeOf } from '../errors.js';
import type { PeerAddress } from '../settings.js';
import type { RateLimit } from '../transport/rate-limit.js';
import { checkName } from '../storage/names.js';
import { DownloadError, type DownloadResult, type PeerOutcome, download } from '../client/download.js';
import type { ActivityLog } from './activity.js';
import { type UiContext, pickPeers } from './context.js';
import { errorBody, WebError } from './http.js';
import { SpeedWindow } from './speed.js';
import type { EventHub } from './sse.js';
import { summaryOf } from './summaries.js';

/** How often a running transfer is sampled and sent to the page. */
export const TICK_MS = 250;
/** Samples of speed history kept per transfer (5 minutes at TICK_MS). */
export const HISTORY_KEEP = 1200;

export type TransferState = 'starting' | 'running' | 'done' | 'failed' | 'cancelled';

export interface TransferPeer {
  readonly peer: string;
  readonly bytes: number;
  /** Bytes per second over the last second. */
  readonly rate: number;
  readonly problem: string | null;
  /** A peer still downloading the file itself, serving the pieces it has (a partial holder). */
  readonly partial: boolean;
}

export interface TransferSnapshot {
  readonly id: string;
  readonly name: string;
  /** The peers picked on the page, or null for every peer that holds the file. */
  readonly from: string[] | null;
  readonly state: TransferState;
  readonly size: number | null;
  readonly received: number;
  readonly resumedBytes: number;
  readonly pieces: { readonly done: number; readonly total: number | null };
  readonly peers: TransferPeer[];
  readonly rate: number;
  readonly etaSeconds: number | null;
  readonly elapsedMs: number;
  /** The download limit (#LIMIT down) made it wait within the last second: it, not the peers, sets the speed. */
  readonly limited: boolean;
  /** The download limit now, bytes a second (0: none). */
  readonly limit: number;
  /** Seconds since the start, and total and per-peer speeds (bytes/s) at each. */
  readonly history: { readonly t: number[]; readonly total: number[]; readonly peers: Record<string, number[]> };
  /** The console's words for how it ended. */
  readonly lines: string[];
  readonly error: { code: string; message: string; text: string } | null;
}

class Transfer {
  readonly id = randomBytes(6).toString('hex');
  readonly controller = new AbortController();
  readonly started = performance.now();
  state: TransferState = 'starting';
  size: number | null = null;
  resumedBytes = 0;
  resumedPieces = 0;
  pieces = 0;
  readonly perPeer = new Map<string, { bytes: number; speed: SpeedWindow; problem: string | null; partial: boolean }>();
  readonly history = { t: [] as number[], total: [] as number[], peers: {} as Record<string, number[]> };
  lines: string[] = [];
  error: TransferSnapshot['error'] = null;

  constructor(readonly name: string, readonly from: string[] | null, readonly limit: RateLimit | undefined) {}

  /** The total speed is the sum of the peers' speeds, so the graph's lines add up. */
  totalRate(now: number): number {
    let sum = 0;
    for (const p of this.perPeer.values()) sum += p.speed.rate(now);
    return sum;
  }

  peer(id: string) {
    let p = this.perPeer.get(id);
    if (!p) {
      p = { bytes: 0, speed: new SpeedWindow(performance.now()), problem: null, partial: false };
      this.perPeer.set(id, p);
    }
    return p;
  }

  sample(now: number): void {
    const h = this.history;
    h.t.push(Math.round(now - this.started) / 1000);
    h.total.push(this.totalRate(now));
    const n = h.t.length;
    for (const [id, p] of this.perPeer) {
      const series = (h.peers[id] ??= []);
      while (series.length < n - 1) series.push(0);
      series.push(p.speed.rate(now));
    }
    if (n > HISTORY_KEEP) {
      h.t.shift();
      h.total.shift();
      for (const s of Object.values(h.peers)) s.shift();
    }
  }

  snapshot(now = performance.now()): TransferSnapshot {
    const received = this.resumedBytes + [...this.perPeer.values()].reduce((sum, p) => sum + p.bytes, 0);
    const rate = this.state === 'running' ? this.totalRate(now) : 0;
    const left = this.size === null ? null : this.size - received;
    return {
      id: this.id,
      name: this.name,
      from: this.from,
      state: this.state,
      size: this.size,
      received,
      resumedBytes: this.resumedBytes,
      pieces: { done: this.resumedPieces + this.pieces, total: this.size === null ? null : Math.max(1, Math.ceil(this.size / PIECE_SIZE)) },
      peers: [...this.perPeer].map(([peer, p]) => ({ peer, bytes: p.bytes, rate: this.state === 'running' ? p.speed.rate(now) : 0, problem: p.problem, partial: p.partial })),
      rate,
      etaSeconds: left !== null && rate > 0 ? left / rate : null,
      elapsedMs: now - this.started,
      limited: this.state === 'running' && this.limit !== undefined && this.limit.holding,
      limit: this.limit?.rate ?? 0,
      history: this.history,
      lines: this.lines,
      error: this.error,
    };
  }

  /** Per-peer problems and final byte counts from the engine's outcome. */
  settle(outcomes: readonly PeerOutcome[]): void {
    for (const o of outcomes) {
      // Searching every peer: one that answered it lacks the file gets no bar.
      if (this.from === null && o.problem?.code === 'ERR_NOT_FOUND' && !this.perPeer.has(o.peer)) continue;
      const p = this.peer(o.peer);
      p.bytes = o.bytes;
      // The message says its code already (client/problem.ts), as the console prints it.
      p.problem = o.problem?.message ?? null;
    }
  }
}

/** The downloads of this page, running and finished. */
export class Transfers {
  readonly #all = new Map<string, Transfer>();

  constructor(readonly ui: UiContext, readonly hub: EventHub, readonly log: ActivityLog) {}

  list(): TransferSnapshot[] {
    return [...this.#all.values()].map((t) => t.snapshot());
  }

  /**
   * Starts downloading `name` from the peers picked (every other peer if none).
   * @throws TxtmeshError ERR_BAD_NAME, ERR_UNKNOWN_PEER, ERR_NO_PEERS; WebError ERR_UI_BUSY
   */
  start(name: string, from: readonly string[]): TransferSnapshot {
    checkName(name);
    const peers = pickPeers(this.ui.ctx, from);
    for (const t of this.#all.values()) {
      if (t.name === name && (t.state === 'starting' || t.state === 'running')) throw new WebError('ERR_UI_BUSY', `${name} is already being downloaded`);
    }
    const t = new Transfer(name, from.length === 0 ? null : [...from], this.ui.limits?.down);
    this.#all.set(t.id, t);
    this.log.add('page', `Downloading ${name} from ${from.length === 0 ? 'every peer that has it' : from.join(', ')}`);
    void this.#run(t, peers);
    return t.snapshot();
  }

  /**
   * Cancels a running download (its AbortSignal); verified pieces stay for a later attempt.
   * @throws WebError ERR_UI_NOT_FOUND
   */
  cancel(id: string): TransferSnapshot {
    const t = this.#all.get(id);
    if (!t) throw new WebError('ERR_UI_NOT_FOUND', `no transfer ${id}`);
    t.controller.abort();
    return t.snapshot();
  }

  /** Stops every running download (the page is closing). */
  close(): void {
    for (const t of this.#all.values()) t.controller.abort();
  }

  async #run(t: Transfer, peers: readonly PeerAddress[]): Promise<void> {
    const send = () => this.hub.send('transfer', t.snapshot());
    const ticker = setInterval(() => {
      const now = performance.now();
      t.sample(now);
      send();
    }, TICK_MS);
    let result: DownloadResult | undefined;
    try {
      result = await download({
        name: t.name,
        peers,
        folder: this.ui.folder,
        signal: t.controller.signal,
        as: this.ui.ctx.credentials,
        requestTimeoutMs: this.ui.timeoutMs,
        receiveLimit: this.ui.limits?.down,
        onSource: (peer, partial) => (t.peer(peer).partial = partial),
        onPeers: (used) => {
          t.state = 'running';
          for (const id of used) t.peer(id);
          this.log.add('page', `${t.from ? 'Downloading' : 'Found'} ${t.name} ${t.from ? 'from' : 'at'} ${used.join(', ')}`);
        },
        onResume: (pieces, _of, bytes) => {
          t.resumedPieces = pieces;
          t.resumedBytes = bytes;
        },
        onPiece: (peer, bytes) => {
          const now = performance.now();
          const p = t.peer(peer);
          p.bytes += bytes;
          p.speed.record(bytes, now);
          t.pieces++;
        },
        onProgress: (p) => (t.size = p.size),
      });
      t.size = result.size;
      t.settle(result.peers);
      t.state = 'done';
      t.lines = this.ui.render(summaryOf(result, t.from === null));
      for (const line of t.lines) this.log.add('page', line);
      this.hub.send('served', await this.ui.folder.list().catch(() => []));
    } catch (err) {
      if (err instanceof DownloadError) t.settle(err.peers);
      t.state = t.controller.signal.aborted ? 'cancelled' : 'failed';
      t.error = errorBody(err).error;
      t.lines = [`error: ${t.error.text}`];
      this.log.add('page', t.lines[0] as string, codeOf(err));
    } finally {
      clearInterval(ticker);
      t.sample(performance.now());
      send();
    }
  }
}

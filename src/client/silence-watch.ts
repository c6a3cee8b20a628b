/**
 * A view's patience with silent peers (issue 13). A view asks every peer at once; a peer that
 * took the connection and then says nothing (a frozen process, a half-dead host) must not hold
 * the answer until --timeout once the others have shown what an answer costs. A peer that has
 * sent no byte since its request went out is cut (ERR_PEER_TIMEOUT, "no answer within X ms"):
 *
 * - once every other peer has answered or failed (the view is waiting for the silent alone),
 *   max(QUIET_MS, 2 × its own connect time) after the later of its request and the last
 *   answer: the client is idle by then, so a live peer's answer would be read at once (2 ×,
 *   not 4 ×, and a connect counted as at most MAX_CONNECT_RTT_MS: a connect time measured on
 *   a busy client is already inflated);
 * - otherwise after max(MIN_PATIENCE_MS, 4 × its own connect time, 2 × the slowest answer
 *   seen so far) from its request: answers queue on a busy client, and the slowest shows by
 *   how much.
 *
 * In secure mode the TLS handshake is watched too, from the moment TCP is up (fan-out.ts): a
 * frozen server's kernel still completes TCP. Its own connect time bounds its network round
 * trip (a far peer gets more). Until some peer has answered there is nothing to compare with,
 * and only the caller's deadline applies. A peer whose answer has started to arrive (a server
 * answers the HELLO before a slow LIST) is slow, not silent: only the deadlines that follow
 * bytes (peer-session.ts) apply to it.
 */
import { TxtmeshError } from '../errors.js';

/** The least a silent peer is waited for while other peers are still being heard. */
export const MIN_PATIENCE_MS = 500;

/**
 * The least a silent peer is waited for once it is the only kind left: more than a live server
 * on a loaded machine takes to be scheduled (100 ms listed live peers as silent at a load
 * average of 10 on 2 cores).
 */
export const QUIET_MS = 250;

/** One peer being waited for. */
export interface Waited {
  /** `p1 (127.0.0.1:9001)`. */
  readonly label: string;
  /** How long its connect took, in ms (0 for a connection reused). */
  readonly connectMs: number;
  /** performance.now() when its request went out. */
  readonly since: number;
  /** True once any byte of its answer has arrived. */
  heard(): boolean;
  /** Gives up on it with this error. */
  cut(err: TxtmeshError): void;
}

/**
 * The most a connect time counts for as a round trip once only the silent are left: one measured
 * while the client works through a hundred TLS handshakes is mostly queueing (1–2 s), and real
 * round trips above half a second are rare (a geostationary satellite's is about 600 ms).
 */
export const MAX_CONNECT_RTT_MS = 500;

export class SilenceWatch {
  readonly #waited = new Set<Waited>();
  readonly #total: number;
  #slowestMs = 0;
  #answers = 0;
  #settled = 0;
  #lastSettled = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** `total`: how many peers the view asks (all must settle or be waited for to go quiet). */
  constructor(total = Infinity) {
    this.#total = total;
  }

  /** How long `w` is waited for from its request: undefined until a peer has answered. */
  patienceFor(w: Pick<Waited, 'connectMs'>): number | undefined {
    if (this.#answers === 0) return undefined;
    return Math.max(MIN_PATIENCE_MS, 4 * w.connectMs, 2 * this.#slowestMs);
  }

  /** When `w` is cut (performance.now() time), or Infinity while nothing says so yet. */
  cutAt(w: Waited): number {
    const patience = this.patienceFor(w);
    if (patience === undefined) return Infinity;
    let silent = 0;
    for (const other of this.#waited) if (!other.heard()) silent++;
    const own = 2 * Math.min(w.connectMs, MAX_CONNECT_RTT_MS);
    const quiet = this.#settled + silent >= this.#total ? Math.max(this.#lastSettled, w.since) + Math.max(QUIET_MS, own) : Infinity;
    return Math.min(w.since + patience, quiet);
  }

  /** A peer's turn ended: it answered or failed, or (`wasCut`) this watch gave up on it. */
  settled(wasCut = false): void {
    this.#settled++;
    // The last answer, not the last cut, is what the quiet grace counts from.
    if (!wasCut) this.#lastSettled = performance.now();
    this.#schedule();
  }

  /** Starts waiting for a peer; the function returned stops it (call it in `finally`). */
  watch(w: Waited): () => void {
    this.#waited.add(w);
    this.#schedule();
    return () => {
      this.#waited.delete(w);
    };
  }

  /** A peer answered, `ms` after its request went out. */
  answered(ms: number): void {
    this.#answers++;
    this.#slowestMs = Math.max(this.#slowestMs, ms);
    this.#schedule();
  }

  /** Stops the timer; nothing more is cut. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#waited.clear();
  }

  /** One timer, for the earliest peer to be cut. */
  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#closed || this.#answers === 0) return;
    let next = Infinity;
    for (const w of this.#waited) next = Math.min(next, this.cutAt(w));
    if (next === Infinity) return;
    // setImmediate: a loaded loop runs timers before it reads sockets, and an answer already
    // waiting in one must be read before its peer is called silent.
    this.#timer = setTimeout(() => setImmediate(() => this.#check()), Math.max(0, next - performance.now()));
  }

  #check(): void {
    if (this.#closed) return;
    const now = performance.now();
    for (const w of [...this.#waited]) {
      if (now < this.cutAt(w)) continue;
      this.#waited.delete(w); // heard: slow, not silent, and no longer watched
      if (w.heard()) continue;
      w.cut(new TxtmeshError('ERR_PEER_TIMEOUT', `${w.label}: no answer within ${Math.round(now - w.since)} ms, while ${this.#answers} ${this.#answers === 1 ? 'peer' : 'peers'} answered within ${Math.round(this.#slowestMs)} ms`));
    }
    this.#schedule();
  }
}

/**
 * The memory a server spends on answers, bounded by `maxBufferedBytes` however many clients ask
 * and stop reading (docs/reliability.md, "Server limits"):
 *
 * - GETs read a range SEND_CHUNK (1 MiB) at a time while the budget could hold one such chunk
 *   for every busy connection, and SMALL_CHUNK (64 KiB) at a time beyond that: each connection
 *   holds one chunk while its socket takes it, so a crowd costs its size in small chunks.
 * - Past the budget held for clients that have not taken it, the answers whose clients took
 *   least lately are cut off until the rest fits, and their chunks go back to the pools.
 */
import { BufferPool } from '../transport/buffer-pool.js';
import { SEND_CHUNK } from './handlers.js';

/** The chunk answers are read in while many connections are busy. */
export const SMALL_CHUNK = 64 * 1024;

/** An answer that holds memory for its client. */
export interface Holding<T> {
  readonly item: T;
  /** Bytes held in memory until the socket is done with them. */
  readonly held: number;
  /** Bytes the client took lately (send-meter.ts); the least goes first. */
  readonly taken: number;
}

export class AnswerMemory {
  readonly budget: number;
  /** SEND_CHUNK buffers, a few kept for reuse (more are made, and dropped, when many transfers run). */
  readonly pool = new BufferPool(SEND_CHUNK, 8);
  /** SMALL_CHUNK buffers, enough kept for a full server's connections. */
  readonly #small: BufferPool;

  constructor(budget: number, maxConnections: number) {
    this.budget = budget;
    this.#small = new BufferPool(SMALL_CHUNK, maxConnections);
  }

  /** The pool a GET reads with, when `busy` connections are busy. */
  poolFor(busy: number): BufferPool {
    return busy * SEND_CHUNK <= this.budget ? this.pool : this.#small;
  }

  /** The answers to cut off so that what the rest hold fits the budget: least taken first. */
  overBudget<T>(holdings: readonly Holding<T>[]): T[] {
    let held = holdings.reduce((sum, h) => sum + h.held, 0);
    const cut: T[] = [];
    for (const h of [...holdings].sort((a, b) => a.taken - b.taken)) {
      if (held <= this.budget) break;
      held -= h.held;
      cut.push(h.item);
    }
    return cut;
  }
}

/**
 * SHA-256 of received pieces, off the client's main thread (issue 11). On loopback the main
 * thread of a 3-peer download spent almost half its time hashing while it also had to read
 * sockets and write to disk; a worker thread reading the receive buffers in shared memory
 * (transport/buffer-pool.ts `shared`) takes that off it. One worker hashes 1.3 GB/s here, more
 * than three loopback peers deliver; a second one measured no faster (1 GiB from 3 peers,
 * medians of 6: 3.03 s against 3.11 s, within the noise) and cost 9 MB more, which put the
 * client over its 100 MB (99-102 MB for 1 GiB), so HASH_THREADS is 1. Copying into shared
 * memory after the read cost more than the worker saved, so a buffer that is not shared is
 * hashed here, as is everything while no worker is running yet (one takes tens of
 * milliseconds to start, more on a loaded machine) and everything of a small download
 * (prepare() decides: a worker round trip costs more than hashing a few pieces). Writes stay
 * on the main thread: the caller writes only after the digests are back.
 *
 * Workers are started on demand: for a large download, once it delivers fast (FAST_BYTES
 * hashed here within FAST_WINDOW_MS, 64 MB/s). Slower than that, hashing costs the main thread
 * a few percent, less than a worker's start (50-100 ms of CPU for 64 MiB on capped links, and
 * 8-10 MB of memory); in a crowd on 40 mbit links no downloader starts one (16 downloaders on
 * 2 cores each paid a thread's boot, issue 10). They never keep the process alive while idle, and stop after a while
 * without work or when no download needs them. A worker that fails hands its pieces back to be
 * hashed here.
 */
import { Worker } from 'node:worker_threads';
import { hashPiecesOf } from '../storage/piece-hasher.js';

/** Worker threads hashing at once (see above). */
export const HASH_THREADS = 1;
/** Downloads smaller than this are hashed on the main thread. */
export const WORKER_MIN_BYTES = 16 * 1024 * 1024;
/** A large download starts the workers once this much was hashed here within FAST_WINDOW_MS. */
export const FAST_BYTES = 16 * 1024 * 1024;
const FAST_WINDOW_MS = 250;
/** Workers stop after this long without work. */
const IDLE_MS = 10_000;
const DIGEST_BYTES = 32;

// CommonJS, evaluated in the worker: no module file to resolve, and nothing to load but crypto.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, memory, offset, lengths }) => {
  const digests = new Uint8Array(${DIGEST_BYTES} * lengths.length);
  for (let i = 0, at = offset; i < lengths.length; at += lengths[i], i++) {
    digests.set(createHash('sha256').update(new Uint8Array(memory, at, lengths[i])).digest(), ${DIGEST_BYTES} * i);
  }
  parentPort.postMessage({ id, digests }, [digests.buffer]);
});`;

interface Job {
  readonly data: Buffer;
  readonly lengths: readonly number[];
  readonly resolve: (digests: Buffer[]) => void;
}

interface HashWorker {
  readonly thread: Worker;
  online: boolean;
  readonly jobs: Map<number, Job>;
}

export class PieceVerifier {
  readonly #threads: number;
  readonly #idleMs: number;
  #workers: HashWorker[] = [];
  #nextId = 1;
  #idleTimer: NodeJS.Timeout | undefined;
  /** Downloads under way that asked for the workers. */
  #users = 0;
  readonly #fastBytes: number;
  /** Bytes hashed here since #hereSince (performance.now()), while a large download runs. */
  #hashedHere = 0;
  #hereSince = 0;

  /** @param options.fastBytes FAST_BYTES (0: a large download starts the workers at once) */
  constructor(options: { threads?: number; idleMs?: number; fastBytes?: number } = {}) {
    this.#threads = options.threads ?? HASH_THREADS;
    this.#idleMs = options.idleMs ?? IDLE_MS;
    this.#fastBytes = options.fastBytes ?? FAST_BYTES;
  }

  /** Pieces hashed by worker threads so far. */
  hashedByWorkers = 0;

  /** Worker threads now running (started or starting). */
  get workers(): number {
    return this.#workers.length;
  }

  /** Worker threads started and taking work. */
  get online(): number {
    return this.#workers.filter((w) => w.online).length;
  }

  /**
   * A download of `size` bytes is starting: starts the workers if it is large enough to pay.
   * @returns what the download calls when it is over (once or more): with no other download
   *   using them, the workers stop then, while the file is fsynced and published, rather than
   *   holding up the exit of a process that is done (issue 11: 8-11 ms here)
   */
  prepare(size: number): () => void {
    if (size < WORKER_MIN_BYTES) return () => undefined;
    this.#users++;
    this.#hashedHere = 0;
    this.#hereSince = performance.now();
    if (this.#fastBytes === 0) this.#start();
    let over = false;
    return () => {
      if (over) return;
      over = true;
      if (--this.#users === 0) void this.close();
    };
  }

  /**
   * SHA-256 of consecutive pieces of `data`, piece i being the next `lengths[i]` bytes. `data`
   * must not change until the promise settles (a worker may be reading it).
   */
  digests(data: Buffer, lengths: readonly number[]): Promise<Buffer[]> {
    const worker = data.buffer instanceof SharedArrayBuffer ? this.#leastBusy() : undefined;
    if (!worker) {
      this.#hashingHere(data.length);
      return Promise.resolve(hashPiecesOf([data], lengths));
    }
    clearTimeout(this.#idleTimer);
    const id = this.#nextId++;
    return new Promise((resolve) => {
      worker.jobs.set(id, { data, lengths, resolve });
      if (worker.jobs.size === 1) worker.thread.ref(); // a job waits: keep the process alive
      worker.thread.postMessage({ id, memory: data.buffer, offset: data.byteOffset, lengths });
    });
  }

  /** A large download hashes fast here: time to start the workers. */
  #hashingHere(bytes: number): void {
    if (this.#users === 0 || this.#workers.length >= this.#threads) return;
    const now = performance.now();
    if (now - this.#hereSince > FAST_WINDOW_MS) [this.#hashedHere, this.#hereSince] = [0, now];
    this.#hashedHere += bytes;
    if (this.#hashedHere >= this.#fastBytes) this.#start();
  }

  #start(): void {
    while (this.#workers.length < this.#threads) this.#workers.push(this.#spawn());
    this.#armIdle();
  }

  /** Stops every worker; pieces they were hashing are hashed here. */
  async close(): Promise<void> {
    clearTimeout(this.#idleTimer);
    const workers = this.#workers.splice(0);
    for (const worker of workers) this.#takeBack(worker);
    await Promise.all(workers.map((w) => w.thread.terminate()));
  }

  #spawn(): HashWorker {
    // A worker keeps nothing: small heaps keep the client's memory flat (< 100 MB, issue 11).
    const thread = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } });
    const worker: HashWorker = { thread, online: false, jobs: new Map() };
    thread.unref();
    thread.once('online', () => (worker.online = true));
    thread.on('message', ({ id, digests }: { id: number; digests: Uint8Array }) => {
      const job = worker.jobs.get(id);
      if (!job) return;
      worker.jobs.delete(id);
      if (worker.jobs.size === 0) thread.unref();
      this.hashedByWorkers += job.lengths.length;
      job.resolve(job.lengths.map((_, i) => Buffer.from(digests.buffer, digests.byteOffset + DIGEST_BYTES * i, DIGEST_BYTES)));
      this.#armIdle();
    });
    const gone = () => {
      this.#workers = this.#workers.filter((w) => w !== worker);
      this.#takeBack(worker);
    };
    thread.once('error', gone);
    thread.once('exit', gone);
    return worker;
  }

  /** The running worker with the fewest jobs, or undefined while none is online. */
  #leastBusy(): HashWorker | undefined {
    let best: HashWorker | undefined;
    for (const w of this.#workers) if (w.online && (!best || w.jobs.size < best.jobs.size)) best = w;
    return best;
  }

  /** A worker stopped: its jobs are hashed here. */
  #takeBack(worker: HashWorker): void {
    const jobs = [...worker.jobs.values()];
    worker.jobs.clear();
    for (const job of jobs) job.resolve(hashPiecesOf([job.data], job.lengths));
  }

  /** Stops the workers once none has had work for a while. */
  #armIdle(): void {
    if (this.#workers.some((w) => w.jobs.size > 0)) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => void this.close(), this.#idleMs);
    this.#idleTimer.unref();
  }
}

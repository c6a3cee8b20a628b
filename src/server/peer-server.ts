/**
 * A txtmesh peer server: a TCP listener whose connections are served by connection.ts.
 * Embeddable (tests start it in-process on port 0); src/server.ts is the command-line wrapper.
 *
 * Limits (README, "Server limits"): at most maxConnections at once; when full, the connection
 * that has been idle longest is closed to make room (so a crowd of idle sockets cannot lock out
 * real peers), and if every connection is busy the newcomer gets ERR_BUSY.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { DEFAULT_MAX_UPLOAD_BYTES, MAX_HEADER_BYTES } from '../constants.js';
import { encodeError } from '../protocol/messages.js';
import { ServedFolder } from '../storage/served-folder.js';
import { type ConnectionState, type RequestLog, serveConnection } from './connection.js';
import { SEND_CHUNK } from './handlers.js';
import { ReadPool } from './read-pool.js';
import { ServerStats } from './stats.js';

export interface PeerServerOptions {
  /** This peer's ID, announced in HELLO answers. */
  readonly peerId: string;
  /** The served_files folder. */
  readonly dir: string;
  readonly maxUploadBytes?: number;
  readonly maxConnections?: number;
  readonly maxHeaderBytes?: number;
  /** Close a connection that sends nothing for this long (ms); 0 turns it off. */
  readonly idleTimeoutMs?: number;
  /** A header must be complete within this long of its first byte (ms). */
  readonly headerTimeoutMs?: number;
  readonly log?: (entry: RequestLog) => void;
}

export const SERVER_DEFAULTS = {
  maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
  maxConnections: 256,
  maxHeaderBytes: MAX_HEADER_BYTES,
  idleTimeoutMs: 60_000,
  headerTimeoutMs: 10_000,
} as const;

export class PeerServer {
  readonly folder: ServedFolder;
  /** Counters and transfers in flight, for the server console. */
  readonly stats = new ServerStats();
  readonly #server: Server;
  readonly #connections = new Map<Socket, ConnectionState>();
  /** Connections still being served: close() waits for them, so aborted uploads are cleaned up. */
  readonly #serving = new Set<Promise<void>>();
  readonly #maxConnections: number;
  #stopped: Promise<void> | undefined;

  constructor(options: PeerServerOptions) {
    this.folder = new ServedFolder(options.dir);
    this.#maxConnections = options.maxConnections ?? SERVER_DEFAULTS.maxConnections;
    const ctx = {
      folder: this.folder,
      // Enough buffers for a few dozen transfers at once; beyond that they are allocated.
      readPool: new ReadPool(SEND_CHUNK, 32),
      peerId: options.peerId,
      maxUploadBytes: options.maxUploadBytes ?? SERVER_DEFAULTS.maxUploadBytes,
      maxHeaderBytes: options.maxHeaderBytes ?? SERVER_DEFAULTS.maxHeaderBytes,
      headerTimeoutMs: options.headerTimeoutMs ?? SERVER_DEFAULTS.headerTimeoutMs,
      log: (entry: RequestLog) => {
        this.stats.onLog(entry);
        options.log?.(entry);
      },
      activity: this.stats,
    };
    const idleTimeoutMs = options.idleTimeoutMs ?? SERVER_DEFAULTS.idleTimeoutMs;
    // allowHalfOpen: a client may send its requests and then its FIN (nc does); the answers
    // are still sent before the connection is closed.
    this.#server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      socket.on('error', () => undefined); // resets end the connection; serveConnection sees the close
      const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
      if (!this.#makeRoom()) {
        ctx.log({ remote, verb: '-', bytes: 0, ms: 0, status: 'ERR_BUSY' });
        socket.end(encodeError(0, 'ERR_BUSY', `server is busy: all ${this.#maxConnections} connections are in use; try again later`));
        socket.destroySoon();
        return;
      }
      const state: ConnectionState = { busy: false, lastActive: performance.now() };
      this.#connections.set(socket, state);
      this.stats.onConnect(remote);
      socket.once('close', () => {
        this.#connections.delete(socket);
        this.stats.onClose(remote);
      });
      if (idleTimeoutMs > 0) socket.setTimeout(idleTimeoutMs, () => socket.destroy());
      const serving = serveConnection(socket, ctx, state);
      this.#serving.add(serving);
      void serving.finally(() => this.#serving.delete(serving));
    });
  }

  /** Starts listening; resolves with the bound address (use port 0 for any free port). */
  async listen(port: number, host?: string): Promise<AddressInfo> {
    await this.folder.init();
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ port, host }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return this.#server.address() as AddressInfo;
  }

  /** Open connections right now. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Bytes queued in the server's socket buffers, not yet taken by the kernel. */
  get bufferedBytes(): number {
    let total = 0;
    for (const socket of this.#connections.keys()) total += socket.writableLength;
    return total;
  }

  /** Stops accepting, closes every connection, and resolves when all are cleaned up. */
  async close(): Promise<void> {
    const closed = this.#stopAccepting();
    for (const socket of this.#connections.keys()) socket.destroy();
    await closed;
    await Promise.all(this.#serving);
  }

  /**
   * Graceful stop: accepts no new connections, lets the transfers in flight finish for up to
   * `graceMs` (their connections may keep asking), then closes everything.
   * @returns the transfers that were still running and got cut off
   */
  async drain(graceMs: number): Promise<number> {
    void this.#stopAccepting();
    const deadline = performance.now() + graceMs;
    while (this.stats.transfers().length > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const cut = this.stats.transfers().length;
    await this.close();
    return cut;
  }

  /** Closes the listener once; resolves when it and every connection are closed. */
  #stopAccepting(): Promise<void> {
    this.#stopped ??= new Promise<void>((resolve) => this.#server.close(() => resolve()));
    return this.#stopped;
  }

  /** True if a new connection may be served, after evicting the longest-idle one if full. */
  #makeRoom(): boolean {
    if (this.#connections.size < this.#maxConnections) return true;
    let oldest: Socket | undefined;
    let oldestTime = Infinity;
    for (const [socket, state] of this.#connections) {
      if (!state.busy && state.lastActive < oldestTime) {
        oldest = socket;
        oldestTime = state.lastActive;
      }
    }
    if (!oldest) return false;
    this.#connections.delete(oldest);
    oldest.destroy();
    return true;
  }
}

/**
 * A txtmesh peer server: a TCP listener whose connections are served by connection.ts.
 * Embeddable (tests start it in-process on port 0); src/server.ts is the command-line wrapper.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../constants.js';
import { ServedFolder } from '../storage/served-folder.js';
import { type RequestLog, serveConnection } from './connection.js';
import { ServerStats } from './stats.js';

export interface PeerServerOptions {
  /** This peer's ID, announced in HELLO answers. */
  readonly peerId: string;
  /** The served_files folder. */
  readonly dir: string;
  readonly maxUploadBytes?: number;
  /** Close a connection that sends nothing for this long (ms). */
  readonly idleTimeoutMs?: number;
  readonly log?: (entry: RequestLog) => void;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

export class PeerServer {
  readonly folder: ServedFolder;
  readonly #options: PeerServerOptions;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  /** Connections still being served: close() waits for them, so aborted uploads are cleaned up. */
  readonly #serving = new Set<Promise<void>>();
  /** Counters and transfers in flight, for the server console. */
  readonly stats = new ServerStats();
  #stopped: Promise<void> | undefined;

  constructor(options: PeerServerOptions) {
    this.#options = options;
    this.folder = new ServedFolder(options.dir);
    const ctx = {
      folder: this.folder,
      peerId: options.peerId,
      maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      log: (entry: RequestLog) => {
        this.stats.onLog(entry);
        options.log?.(entry);
      },
      activity: this.stats,
    };
    this.#server = createServer((socket) => {
      this.#sockets.add(socket);
      const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
      this.stats.onConnect(remote);
      socket.setNoDelay(true);
      socket.setTimeout(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, () => socket.destroy());
      // Errors (resets) end the connection; the for-await loop in serveConnection sees the close.
      socket.on('error', () => undefined);
      socket.once('close', () => {
        this.#sockets.delete(socket);
        this.stats.onClose(remote);
      });
      const serving = serveConnection(socket, ctx);
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
    return this.#sockets.size;
  }

  /** Stops accepting, closes every connection, and resolves when the listener is closed. */
  async close(): Promise<void> {
    const closed = this.#stopAccepting();
    for (const socket of this.#sockets) socket.destroy();
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
}

/**
 * A txtmesh peer server: a TCP listener whose connections are served by connection.ts.
 * Embeddable (tests start it in-process on port 0); src/server.ts is the command-line wrapper.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../constants.js';
import { ServedFolder } from '../storage/served-folder.js';
import { type RequestLog, serveConnection } from './connection.js';

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

  constructor(options: PeerServerOptions) {
    this.#options = options;
    this.folder = new ServedFolder(options.dir);
    const ctx = {
      folder: this.folder,
      peerId: options.peerId,
      maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      log: options.log ?? (() => undefined),
    };
    this.#server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      socket.setTimeout(options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS, () => socket.destroy());
      // Errors (resets) end the connection; the for-await loop in serveConnection sees the close.
      socket.on('error', () => undefined);
      socket.once('close', () => this.#sockets.delete(socket));
      void serveConnection(socket, ctx);
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
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}

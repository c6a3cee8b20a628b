/**
 * A txtmesh peer server: a TCP listener whose connections are served by connection.ts.
 * Embeddable (tests start it in-process on port 0); src/server.ts is the command-line wrapper.
 *
 * Limits (docs/reliability.md, "Server limits"): at most maxConnections at once; when full, the connection
 * that has been idle longest is closed to make room (so a crowd of idle sockets cannot lock out
 * real peers), and if every connection is busy the newcomer gets ERR_BUSY.
 *
 * With `mesh`, connections are admitted as admission.ts says; in secure mode each one is
 * upgraded to mutual TLS first, and a client that speaks plain TCP gets a plaintext
 * ERR_TLS_REQUIRED. Without `mesh` (an embedded server that knows no settings) every
 * connection may do everything: txtmesh-server always passes the mesh.
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import type { SecureContext } from 'node:tls';
import { TxtmeshError } from '../errors.js';
import { errFrame } from '../protocol/answers.js';
import { ServedFolder } from '../storage/served-folder.js';
import { VersionsArea } from '../storage/versions-area.js';
import { acceptTls, sniffTls, tlsServerContext } from '../transport/tls.js';
import { type ConnectionGate, type MeshOptions, admitOpen, admitTls } from './admission.js';
import { type ConnectionState, type RequestLog, ServerConnection } from './connection.js';
import { BufferPool } from '../transport/buffer-pool.js';
import { SEND_CHUNK } from './handlers.js';
import { type PeerServerOptions, serverLimits } from './options.js';
import { refuseAndClose } from './refuse.js';
import { ServerStats } from './stats.js';

/** A connection as the server keeps it: its state, and the socket requests arrive on (TLS or the TCP one). */
interface Served extends ConnectionState {
  socket: Socket;
}

export { type PeerServerOptions, SERVER_DEFAULTS } from './options.js';

export class PeerServer {
  readonly folder: ServedFolder;
  /** Counters and transfers in flight, for the server console. */
  readonly stats = new ServerStats();
  readonly #server: Server;
  readonly #connections = new Map<Socket, Served>();
  /** Connections still being served: close() waits for them, so aborted uploads are cleaned up. */
  readonly #serving = new Set<Promise<void>>();
  readonly #maxConnections: number;
  readonly #mesh: MeshOptions | undefined;
  readonly #tls: SecureContext | undefined;
  readonly #handshakeTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  #stopped: Promise<void> | undefined;

  constructor(options: PeerServerOptions) {
    const limits = serverLimits(options);
    this.folder = new ServedFolder(options.dir);
    this.#maxConnections = limits.maxConnections;
    this.#mesh = options.mesh;
    if (this.#mesh?.membership.mode === 'secure') {
      if (!this.#mesh.identity) throw new TxtmeshError('ERR_IDENTITY_FILE', 'a server in a secure mesh needs its identity (key and certificate)');
      this.#tls = tlsServerContext(this.#mesh.identity);
    }
    this.#handshakeTimeoutMs = limits.headerTimeoutMs;
    const ctx = {
      folder: this.folder,
      // Buffers kept for reuse; more are allocated (and dropped) when more transfers run at once.
      readPool: new BufferPool(SEND_CHUNK, 8),
      peerId: options.peerId,
      maxUploadBytes: limits.maxUploadBytes,
      versions: new VersionsArea(this.folder, { keep: limits.keepVersions }),
      refuseReplace: options.refuseReplace === true,
      maxHeaderBytes: limits.maxHeaderBytes,
      headerTimeoutMs: limits.headerTimeoutMs,
      log: (entry: RequestLog) => {
        this.stats.onLog(entry);
        options.log?.(entry);
      },
      activity: this.stats,
    };
    this.#idleTimeoutMs = limits.idleTimeoutMs;
    // allowHalfOpen: a client may send its requests and then its FIN (nc does); the answers
    // are still sent before the connection is closed.
    this.#server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      socket.on('error', () => undefined); // resets end the connection; its ServerConnection sees the close
      const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
      if (!this.#makeRoom()) {
        ctx.log({ remote, verb: '-', bytes: 0, ms: 0, status: 'ERR_BUSY' });
        const busy = new TxtmeshError('ERR_BUSY', `server is busy: all ${this.#maxConnections} connections are in use; try again later`);
        socket.end(errFrame(0, busy));
        socket.destroySoon();
        return;
      }
      const served: Served = { busy: false, lastActive: performance.now(), socket };
      this.#connections.set(socket, served);
      this.stats.onConnect(remote);
      socket.once('close', () => {
        this.#connections.delete(socket);
        this.stats.onClose(remote);
      });
      this.#watchIdle(socket);
      const serving = this.#admit(served, remote, ctx.log).then((gate) => {
        if (gate !== undefined) return new ServerConnection(served.socket, remote, ctx, served, gate ?? undefined).serve();
      });
      this.#serving.add(serving);
      void serving.finally(() => this.#serving.delete(serving));
    });
  }

  #watchIdle(socket: Socket): void {
    if (this.#idleTimeoutMs > 0) socket.setTimeout(this.#idleTimeoutMs, () => socket.destroy());
  }

  /**
   * Decides whether a new connection is served (admission.ts), upgrading it to TLS in secure
   * mode. Refusals are answered, logged and closed here.
   * @returns the connection's gate (null: no mesh, no checks), or undefined if refused
   */
  async #admit(served: Served, remote: string, log: (entry: RequestLog) => void): Promise<ConnectionGate | null | undefined> {
    const mesh = this.#mesh;
    if (!mesh) return null;
    const raw = served.socket;
    const address = raw.remoteAddress ?? '';
    const started = performance.now();
    const refuse = (socket: Socket, err: TxtmeshError) => {
      log({ remote, verb: '-', bytes: 0, ms: performance.now() - started, status: err.code });
      refuseAndClose(socket, errFrame(0, err));
      return undefined;
    };
    if (!this.#tls) {
      const verdict = await admitOpen(mesh, address);
      return verdict instanceof TxtmeshError ? refuse(raw, verdict) : verdict;
    }
    const first = await sniffTls(raw, this.#handshakeTimeoutMs);
    if (first === 'closed') {
      raw.destroy(); // ended, or silent past the handshake deadline
      return undefined;
    }
    if (first === 'plain') {
      // Answered in plaintext, so nc shows why.
      return refuse(raw, new TxtmeshError('ERR_TLS_REQUIRED', 'this peer accepts only TLS connections: its mesh runs in secure mode (README, "Security model")'));
    }
    let socket;
    try {
      socket = await acceptTls(raw, this.#tls, this.#handshakeTimeoutMs);
    } catch (err) {
      log({ remote, verb: '-', bytes: 0, ms: performance.now() - started, status: (err as TxtmeshError).code ?? 'ERR_TLS_HANDSHAKE' });
      return undefined;
    }
    served.socket = socket;
    socket.once('close', () => raw.destroy());
    socket.setNoDelay(true);
    // Traffic now flows through the TLS socket: the idle clock goes with it.
    raw.setTimeout(0);
    this.#watchIdle(socket);
    const verdict = admitTls(mesh, socket, address);
    return verdict instanceof TxtmeshError ? refuse(socket, verdict) : verdict;
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
    for (const served of this.#connections.values()) total += served.socket.writableLength;
    return total;
  }

  /** Stops accepting, closes every connection, and resolves when all are cleaned up. */
  async close(): Promise<void> {
    const closed = this.#stopAccepting();
    for (const [raw, served] of this.#connections) {
      served.socket.destroy();
      raw.destroy();
    }
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
    const served = this.#connections.get(oldest);
    this.#connections.delete(oldest);
    served?.socket.destroy();
    oldest.destroy();
    return true;
  }
}

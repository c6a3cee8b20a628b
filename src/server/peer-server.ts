/**
 * A txtmesh peer server: a TCP listener whose connections are served by connection.ts.
 * Embeddable (tests start it in-process on port 0); src/server.ts is the command-line wrapper.
 *
 * Limits (docs/reliability.md, "Server limits"): who gets a connection slot is slots.ts's
 * decision (member slots, a cap per outside address, and the idle or slowest connection giving
 * way to a newcomer; else ERR_BUSY). Memory for answers is bounded: the more connections are
 * busy, the smaller the chunks answers are read in, and past maxBufferedBytes held for clients
 * that do not take them, the slowest of those are closed.
 *
 * With `mesh`, connections are admitted as admission.ts says; in secure mode each one is
 * upgraded to mutual TLS first, and a client that speaks plain TCP gets a plaintext
 * ERR_TLS_REQUIRED. Without `mesh` (an embedded server that knows no settings) every
 * connection may do everything: txtmesh-server always passes the mesh (super-seed.ts: crowds).
 */
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import type { SecureContext } from 'node:tls';
import { TxtmeshError } from '../errors.js';
import { errFrame } from '../protocol/answers.js';
import { isOutOfHandles } from '../storage/resources.js';
import { ServedFolder } from '../storage/served-folder.js';
import { normalizeAddress } from '../security/membership.js';
import { VersionsArea } from '../storage/versions-area.js';
import { RateLimit } from '../transport/rate-limit.js';
import { acceptTls, sniffTls, tlsServerContext } from '../transport/tls.js';
import { type ConnectionGate, type MeshOptions, admitOpen, admitTls } from './admission.js';
import { type ConnectionContext, type ConnectionState, type RequestLog, ServerConnection } from './connection.js';
import { AnswerMemory } from './answer-memory.js';
import { type PeerServerOptions, type ServerLimits, serverLimits } from './options.js';
import { refuseAndClose } from './refuse.js';
import { SLOW_WINDOW_MS, SendMeter, slowness } from './send-meter.js';
import { admitConnection } from './slots.js';
import { SuperSeed } from './super-seed.js';
import { ServerStats } from './stats.js';

/** A connection as the server keeps it: its state, and the socket requests arrive on (TLS or the TCP one). */
interface Served extends ConnectionState {
  socket: Socket;
  /** The TCP socket (socket is the TLS one over it in secure mode). */
  readonly raw: Socket;
  readonly meter: SendMeter;
  /** address:port, for the log. */
  readonly remote: string;
  readonly address: string;
  readonly member: boolean;
  /** Who the connection is, once admitted (admission.ts). */
  gate?: ConnectionGate;
}

/** How long a client refused as busy may take to read why (refuse.ts); how often the memory held for slow clients is checked against maxBufferedBytes. */
const [BUSY_LINGER_MS, SWEEP_MS] = [500, 200];

export { type PeerServerOptions, SERVER_DEFAULTS } from './options.js';

export class PeerServer {
  readonly folder: ServedFolder;
  /** Counters and transfers in flight, for the server console. */
  readonly stats = new ServerStats();
  readonly uploadLimit: RateLimit; // what every connection sends, together (--max-upload-rate): changed live by the console
  readonly #server: Server;
  readonly #connections = new Map<Socket, Served>();
  /** Connections still being served: close() waits for them, so aborted uploads are cleaned up. */
  readonly #serving = new Set<Promise<void>>();
  readonly #limits: ServerLimits;
  readonly #mesh: MeshOptions | undefined;
  readonly #tls: SecureContext | undefined;
  readonly #handshakeTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #ctx: ConnectionContext;
  readonly #memory: AnswerMemory;
  #stopped: Promise<void> | undefined;
  #sweep: NodeJS.Timeout | undefined;

  constructor(options: PeerServerOptions) {
    const limits = serverLimits(options);
    this.folder = new ServedFolder(options.dir);
    this.#limits = limits;
    this.#mesh = options.mesh;
    if (this.#mesh?.membership.mode === 'secure') {
      if (!this.#mesh.identity) throw new TxtmeshError('ERR_IDENTITY_FILE', 'a server in a secure mesh needs its identity (key and certificate)');
      this.#tls = tlsServerContext(this.#mesh.identity);
    }
    this.#handshakeTimeoutMs = limits.headerTimeoutMs;
    this.#memory = new AnswerMemory(limits.maxBufferedBytes, limits.maxConnections);
    this.#ctx = {
      folder: this.folder,
      readPool: this.#memory.pool,
      peerId: options.peerId,
      maxUploadBytes: limits.maxUploadBytes,
      versions: new VersionsArea(this.folder, { keep: limits.keepVersions }),
      refuseReplace: options.refuseReplace === true,
      superSeed: new SuperSeed(),
      maxHeaderBytes: limits.maxHeaderBytes,
      headerTimeoutMs: limits.headerTimeoutMs,
      sendTimeoutMs: limits.sendTimeoutMs,
      minSendRate: limits.minSendRate,
      readPoolNow: () => this.#memory.poolFor(this.#busy()),
      log: (entry: RequestLog) => {
        this.stats.onLog(entry);
        options.log?.(entry);
      },
      activity: this.stats,
      sendLimit: (this.uploadLimit = new RateLimit(limits.maxUploadRate)),
    };
    this.#idleTimeoutMs = limits.idleTimeoutMs;
    // allowHalfOpen: a client may send its requests and then its FIN (nc does); the answers
    // are still sent before the connection is closed.
    this.#server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.#accept(socket));
  }

  #accept(socket: Socket): void {
    const ctx = this.#ctx;
    socket.on('error', () => undefined); // resets end the connection; its ServerConnection sees the close
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const address = normalizeAddress(socket.remoteAddress ?? '');
    const member = !this.#mesh || this.#mesh.membership.peersAtNow(address).length > 0;
    const refusal = this.#makeRoom(address, member);
    if (refusal) {
      ctx.log({ remote, verb: '-', bytes: 0, ms: 0, status: 'ERR_BUSY' });
      // Lingering, so the client's pipelined requests do not turn the answer into a reset.
      refuseAndClose(socket, errFrame(0, new TxtmeshError('ERR_BUSY', `server is busy: ${refusal}; try again later`)), BUSY_LINGER_MS);
      return;
    }
    const meter = new SendMeter(socket, Math.max(SLOW_WINDOW_MS, this.#limits.sendTimeoutMs));
    const served: Served = { busy: false, lastActive: performance.now(), socket, raw: socket, meter, remote, address, member };
    this.#connections.set(socket, served);
    this.stats.onConnect(remote);
    socket.once('close', () => {
      this.#connections.delete(socket);
      this.stats.onClose(remote);
    });
    this.#watchIdle(socket);
    const serving = this.#admit(served, remote, ctx.log).then((gate) => {
      served.gate = gate ?? undefined;
      if (gate !== undefined) return new ServerConnection(served.socket, remote, ctx, served, gate ?? undefined).serve();
    });
    this.#serving.add(serving);
    void serving.finally(() => this.#serving.delete(serving));
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
    served.meter.watch(socket);
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
    // Accepting can fail (out of file handles: EMFILE): logged, and the listener goes on.
    this.#server.on('error', (err: NodeJS.ErrnoException) => this.#ctx.log({ remote: '-', verb: 'accept', bytes: 0, ms: 0, status: isOutOfHandles(err) ? 'ERR_BUSY' : 'ERR_INTERNAL' }));
    this.#sweep ??= setInterval(() => this.#trimBuffered(), SWEEP_MS);
    this.#sweep.unref();
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
    this.uploadLimit.close(); // answers waiting for their turn find their sockets closed
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
    clearInterval(this.#sweep);
    this.#stopped ??= new Promise<void>((resolve) => this.#server.close(() => resolve()));
    return this.#stopped;
  }

  /**
   * Makes room for a newcomer as slots.ts decides, closing the connection that gives way.
   * @returns undefined if it may be served, else why not
   */
  #makeRoom(address: string, member: boolean): string | undefined {
    const now = performance.now();
    const occupants = [...this.#connections.values()].map((served) => {
      if (served.busy) served.meter.sample(now);
      const proven = served.gate?.member !== undefined;
      return { served, address: served.address, member: served.member, proven, busy: served.busy, lastActive: served.lastActive, slow: served.busy ? slowness(served.meter, now) : undefined };
    });
    const verdict = admitConnection(occupants, { address, member }, this.#limits, now);
    if (!verdict.admit) return verdict.reason;
    const evicted = verdict.evict?.served;
    // An answer cut off for a newcomer is logged; an idle connection closed is not worth a line.
    if (evicted?.busy) this.#ctx.log({ remote: evicted.remote, verb: '-', bytes: 0, ms: 0, status: 'ERR_BUSY' });
    if (evicted) this.#evict(evicted);
    return undefined;
  }

  #evict(served: Served): void {
    this.#connections.delete(served.raw);
    served.socket.destroy();
    served.raw.destroy();
  }

  /** Cuts off the answers that hold more than the budget for clients that do not take them (answer-memory.ts). */
  #trimBuffered(): void {
    const now = performance.now();
    const holdings = [...this.#connections.values()]
      .filter((served) => served.meter.held > 0 && served.meter.waitingFor(now) > 0)
      .map((served) => ({ item: served, held: served.meter.held, taken: served.meter.takenOver(SLOW_WINDOW_MS, now) }));
    for (const served of this.#memory.overBudget(holdings)) {
      this.#ctx.log({ remote: served.remote, verb: '-', bytes: 0, ms: 0, status: 'ERR_BUSY' });
      this.#evict(served);
    }
  }

  /** Connections reading or answering a request now. */
  #busy(): number {
    let busy = 0;
    for (const served of this.#connections.values()) if (served.busy) busy++;
    return busy;
  }
}

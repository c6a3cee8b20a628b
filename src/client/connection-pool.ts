/**
 * Connections kept between commands (issue 13): the console asks the same peers again and
 * again, and a fresh connection costs a TCP handshake, the claim's HELLO and, in a secure mesh,
 * a TLS handshake. A connection an exchange is done with is given back here and taken by the
 * next command that asks the same peer; one left idle for `idleMs` is closed, below the
 * server's own idle timeout (60 s by default), so it is we who close it, not the peer.
 *
 * A connection the peer closed meanwhile is noticed by its session (it is then `closed`) and
 * never handed out; one that breaks as it is reused is dialled again once (retry.ts).
 */
import type { PeerAddress } from '../settings.js';
import type { PeerConnection } from './peer-connection.js';

/** How long a connection may sit unused before it is closed. */
export const POOL_IDLE_MS = 30_000;

interface Idle {
  readonly conn: PeerConnection;
  readonly timer: NodeJS.Timeout;
}

/** Idle connections, at most one per peer (address and pinned certificate). */
export class ConnectionPool {
  readonly #idleMs: number;
  readonly #idle = new Map<string, Idle>();
  #closed = false;

  constructor(options: { idleMs?: number } = {}) {
    this.#idleMs = options.idleMs ?? POOL_IDLE_MS;
  }

  /** Idle connections held now. */
  get size(): number {
    return this.#idle.size;
  }

  /** A live idle connection to `peer`, now the caller's; undefined if there is none. */
  take(peer: PeerAddress): PeerConnection | undefined {
    const key = keyOf(peer);
    const idle = this.#idle.get(key);
    if (!idle) return undefined;
    this.#idle.delete(key);
    clearTimeout(idle.timer);
    return idle.conn.closed ? undefined : idle.conn;
  }

  /** Keeps a connection no request is waiting on, for the next command; closes it otherwise. Giving one it holds does nothing. */
  give(conn: PeerConnection): void {
    const key = keyOf(conn.peer);
    if (this.#idle.get(key)?.conn === conn) return;
    if (this.#closed || conn.closed || conn.waiting > 0 || this.#idle.has(key)) {
      conn.close();
      return;
    }
    conn.paceReceiving(undefined); // a download's rate limit is not the next command's
    // Unref'd: a pool never keeps the process alive.
    const timer = setTimeout(() => {
      if (this.#idle.get(key)?.conn === conn) this.#idle.delete(key);
      conn.close();
    }, this.#idleMs).unref();
    this.#idle.set(key, { conn, timer });
  }

  /** Closes every idle connection; connections given back later are closed at once. */
  close(): void {
    this.#closed = true;
    for (const { conn, timer } of this.#idle.values()) {
      clearTimeout(timer);
      conn.close();
    }
    this.#idle.clear();
  }
}

function keyOf(peer: PeerAddress): string {
  return `${peer.id} ${peer.host} ${peer.port} ${peer.fingerprint ?? ''}`;
}

/**
 * What a server has been doing, for its console's `status`: uptime, connections, requests,
 * bytes, and the transfers in flight. Fed by the connection hooks (connection.ts) and the
 * request log; no I/O of its own.
 *
 * A transfer is either a peer pulling one file from us (consecutive GETs of the same name on
 * one connection: a downloader keeps its connection for the whole file) or a peer pushing one
 * to us (a PUT whose body is still arriving).
 */
import type { Request } from '../protocol/requests.js';
import type { RequestLog } from './connection.js';

export interface Transfer {
  readonly remote: string;
  readonly direction: 'sending' | 'receiving';
  readonly name: string;
  /** Bytes moved so far on this connection for this file. */
  readonly bytes: number;
  /** Size of the upload (receiving); null when sending (the console looks the file up). */
  readonly total: number | null;
  readonly startedAt: number;
}

export interface StatsSnapshot {
  readonly startedAt: number;
  readonly uptimeMs: number;
  readonly connections: { readonly open: number; readonly total: number };
  /** refused: answered with an error; cut: answered, but cut off before the answer all went out. */
  readonly requests: { readonly total: number; readonly refused: number; readonly cut: number };
  /** File bytes of GET answers the sockets took (whole answers and the part of cut-off ones). */
  readonly bytesServed: number;
  /** File bytes received in uploads that were kept. */
  readonly bytesReceived: number;
  readonly transfers: Transfer[];
}

interface Connection {
  transfer: { direction: 'sending' | 'receiving'; name: string; bytes: number; total: number | null; startedAt: number } | undefined;
}

export class ServerStats {
  readonly startedAt: number;
  readonly #now: () => number;
  readonly #open = new Map<string, Connection>();
  #connectionsTotal = 0;
  #requests = 0;
  #refused = 0;
  #cut = 0;
  #bytesServed = 0;
  #bytesReceived = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.startedAt = now();
  }

  onConnect(remote: string): void {
    this.#open.set(remote, { transfer: undefined });
    this.#connectionsTotal++;
  }

  onClose(remote: string): void {
    this.#open.delete(remote);
  }

  /** A request arrived: a PUT starts a receiving transfer. */
  onRequest(remote: string, request: Request): void {
    const conn = this.#open.get(remote);
    if (!conn || request.verb !== 'PUT') return;
    conn.transfer = { direction: 'receiving', name: request.name, bytes: 0, total: request.size, startedAt: this.#now() };
  }

  /** Request body bytes arrived. */
  onBody(remote: string, bytes: number): void {
    const transfer = this.#open.get(remote)?.transfer;
    if (transfer?.direction === 'receiving') transfer.bytes += bytes;
  }

  /** A request was answered (the server's log line, once its answer went out or was cut off). */
  onLog(entry: RequestLog): void {
    this.#requests++;
    const ok = entry.status === 'OK';
    if (entry.cut) this.#cut++;
    else if (!ok) this.#refused++;
    const conn = this.#open.get(entry.remote);
    if (entry.verb === 'PUT') {
      if (ok) this.#bytesReceived += entry.bytes;
      if (conn) conn.transfer = undefined;
    } else if (entry.verb === 'GET' && entry.bytes > 0 && entry.name !== undefined) {
      this.#bytesServed += entry.bytes;
      if (!conn) return;
      const current = conn.transfer;
      if (current?.direction === 'sending' && current.name === entry.name) current.bytes += entry.bytes;
      else conn.transfer = { direction: 'sending', name: entry.name, bytes: entry.bytes, total: null, startedAt: this.#now() };
    }
  }

  /** Transfers in flight, oldest first. */
  transfers(): Transfer[] {
    return [...this.#open.entries()]
      .flatMap(([remote, c]) => (c.transfer ? [{ remote, ...c.transfer }] : []))
      .sort((a, b) => a.startedAt - b.startedAt);
  }

  snapshot(): StatsSnapshot {
    const now = this.#now();
    return {
      startedAt: this.startedAt,
      uptimeMs: now - this.startedAt,
      connections: { open: this.#open.size, total: this.#connectionsTotal },
      requests: { total: this.#requests, refused: this.#refused, cut: this.#cut },
      bytesServed: this.#bytesServed,
      bytesReceived: this.#bytesReceived,
      transfers: this.transfers(),
    };
  }
}

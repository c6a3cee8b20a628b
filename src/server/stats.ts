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
  readonly requests: { readonly total: number; readonly refused: number };
  /** File bytes sent in GET answers. */
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

  /** A request was answered (the server's log line). */
  onLog(entry: RequestLog): void {
    this.#requests++;
    const ok = entry.status === 'OK';
    if (!ok) this.#refused++;
    const conn = this.#open.get(entry.remote);
    if (entry.verb === 'PUT') {
      if (ok) this.#bytesReceived += entry.bytes;
      if (conn) conn.transfer = undefined;
    } else if (entry.verb === 'GET' && ok && entry.name !== undefined) {
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
      requests: { total: this.#requests, refused: this.#refused },
      bytesServed: this.#bytesServed,
      bytesReceived: this.#bytesReceived,
      transfers: this.transfers(),
    };
  }
}

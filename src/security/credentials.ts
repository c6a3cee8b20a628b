/**
 * Who this peer is when it connects to others: the ID it claims in HELLO, the source address
 * it connects from (open mode: peers check it against the settings), and its key and
 * certificate (secure mode: mutual TLS).
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { TlsIdentity } from '../transport/tls.js';
import { normalizeAddress } from './membership.js';

export interface Credentials {
  /** This peer's ID, claimed in a HELLO at the start of every connection. */
  readonly id: string;
  /** Connect from this address (this peer's own address in the settings, when it is local). */
  readonly localAddress?: string;
  /** This peer's key and certificate (secure mode). */
  readonly tls?: TlsIdentity;
}

function isLoopback(ip: string): boolean {
  return isIP(ip) === 4 ? ip.startsWith('127.') : normalizeAddress(ip) === '::1';
}

/**
 * `host` if it is an address of this machine, so connections can come from it. Linux answers
 * for all of 127.0.0.0/8, which lets several peers share one machine with addresses of their own.
 */
export function localAddressOf(host: string): string | undefined {
  if (isIP(host) === 0) return undefined;
  const address = normalizeAddress(host);
  if (isLoopback(address) && (process.platform === 'linux' || address === '127.0.0.1' || address === '::1')) return address;
  for (const list of Object.values(networkInterfaces())) {
    if (list?.some((i) => normalizeAddress(i.address) === address)) return address;
  }
  return undefined;
}

/**
 * The local address to bind when connecting to `destination`, if any: only one of the same
 * family, and a loopback one only towards loopback (and the other way round), where the
 * kernel could route it.
 */
export function bindAddress(local: string | undefined, destination: string): string | undefined {
  if (local === undefined) return undefined;
  const family = isIP(destination);
  if (family === 0) return isLoopback(local) ? undefined : local;
  if (family !== isIP(local) || isLoopback(local) !== isLoopback(destination)) return undefined;
  return local;
}

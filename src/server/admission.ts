/**
 * Who may do what on a connection (docs/security.md; docs/PROTOCOL.md, "Transport and membership").
 *
 * - Secure mode: the client's certificate, checked right after the TLS handshake, must be one
 *   the settings list, and valid; it names the peer. Anything else is refused before a single
 *   request is read.
 * - Open mode: a connection is a *member* once it has claimed a peer ID in HELLO and its
 *   source address is one of that peer's addresses in the settings. A connection that made no
 *   claim is an anonymous reader; so is one that claimed an ID the settings do not list (an
 *   *outsider*: a peer of another mesh, running the shipped client, which always claims), and
 *   the HELLO answer says so (`as=anonymous`).
 * - PUT needs a member. LIST, INFO and GET are open to anonymous readers unless the server
 *   serves only the mesh (--serve-to mesh), in which case a connection from an address that
 *   is no peer's is refused at once, requests before a claim are refused, and so is an
 *   outsider's claim.
 * - A listed ID claimed from another address (an impostor, not an outsider), or a second claim
 *   of another ID, is refused.
 *
 * Every refusal is answered once (ERR with the request's id, or 0 before any request) and
 * closes the connection: a body that may follow is never read.
 */
import type { TLSSocket } from 'node:tls';
import { TxtmeshError } from '../errors.js';
import type { Header } from '../protocol/header.js';
import { validityProblem } from '../security/identity.js';
import type { Membership } from '../security/membership.js';
import { normalizeAddress } from '../security/membership.js';
import type { PeerAddress } from '../settings.js';
import { type TlsIdentity, peerCertificate, peerFingerprint } from '../transport/tls.js';

/** Who may LIST, INFO and GET: anyone who can connect, or the mesh's members only. */
export type ServeTo = 'any' | 'mesh';

/** What a server needs to know about its mesh. */
export interface MeshOptions {
  readonly membership: Membership;
  /** Default 'any'. Secure mode serves only the mesh whatever this says. */
  readonly serveTo?: ServeTo;
  /** This peer's key and certificate: required in secure mode. */
  readonly identity?: TlsIdentity;
}

const HOW_TO_CLAIM = 'say who you are first: HELLO <id> 0 txtmesh/1 <your peer ID>';

/** One connection's standing: anonymous, or a verified member of the mesh. */
export class ConnectionGate {
  readonly #membership: Membership;
  readonly #serveTo: ServeTo;
  readonly #address: string;
  #member: PeerAddress | undefined;
  #outsider: string | undefined;

  /** @param certified the peer a verified certificate names (secure mode) */
  constructor(membership: Membership, serveTo: ServeTo, address: string, certified?: PeerAddress) {
    this.#membership = membership;
    this.#serveTo = certified ? 'mesh' : serveTo;
    this.#address = normalizeAddress(address);
    this.#member = certified;
  }

  /** The verified peer ID, if any. */
  get member(): string | undefined {
    return this.#member?.id;
  }

  /** The ID this connection claimed that the settings do not list: served as anonymous. */
  get outsider(): string | undefined {
    return this.#outsider;
  }

  /** Checks a request before it is handled; a refusal closes the connection. */
  async check(header: Header): Promise<TxtmeshError | undefined> {
    const claim = header.verb === 'HELLO' ? header.args[1] : undefined;
    if (claim !== undefined) return this.#claim(claim);
    if (this.#member || header.verb === 'HELLO') return undefined;
    if (header.verb === 'PUT') {
      const who = this.#outsider === undefined ? HOW_TO_CLAIM : `${this.#outsider} is not one`;
      return new TxtmeshError('ERR_NOT_A_MEMBER', `uploads are accepted only from peers of the mesh; ${who}`);
    }
    if (this.#serveTo === 'mesh') return new TxtmeshError('ERR_NOT_A_MEMBER', `this peer serves only its mesh; ${HOW_TO_CLAIM}`);
    return undefined;
  }

  async #claim(id: string): Promise<TxtmeshError | undefined> {
    if (this.#member) {
      if (this.#member.id === id) return undefined;
      return new TxtmeshError('ERR_BAD_IDENTITY', `this connection is ${this.#member.id}'s; it cannot claim to be ${id}`);
    }
    if (this.#outsider !== undefined) {
      if (this.#outsider === id) return undefined;
      return new TxtmeshError('ERR_BAD_IDENTITY', `this connection claimed to be ${this.#outsider}; it cannot claim to be ${id}`);
    }
    const peer = this.#membership.byId(id);
    if (!peer && this.#serveTo === 'any') {
      this.#outsider = id;
      return undefined;
    }
    if (!peer) return new TxtmeshError('ERR_NOT_A_MEMBER', `${id} is not a peer of this mesh, and this peer serves only its mesh`);
    const here = await this.#membership.peersAt(this.#address);
    if (!here.includes(peer)) {
      return new TxtmeshError('ERR_BAD_IDENTITY', `${id} is listed at ${peer.host}, but this connection comes from ${this.#address}`);
    }
    this.#member = peer;
    return undefined;
  }
}

/**
 * Open mode, before any request: a gate for the connection, or the reason it is refused
 * (only when serving the mesh alone, and the address is no peer's).
 */
export async function admitOpen(mesh: MeshOptions, address: string): Promise<ConnectionGate | TxtmeshError> {
  const serveTo = mesh.serveTo ?? 'any';
  if (serveTo === 'mesh' && (await mesh.membership.peersAt(address)).length === 0) {
    return new TxtmeshError('ERR_NOT_A_MEMBER', `${normalizeAddress(address)} is not the address of any peer of this mesh`);
  }
  return new ConnectionGate(mesh.membership, serveTo, address);
}

/**
 * Secure mode, right after the handshake: the client's certificate must be listed and valid.
 * @returns a gate for the peer it names, or the reason the connection is refused
 */
export function admitTls(mesh: MeshOptions, socket: TLSSocket, address: string, now = new Date()): ConnectionGate | TxtmeshError {
  const cert = peerCertificate(socket);
  const fingerprint = peerFingerprint(socket);
  if (!cert || !fingerprint) return new TxtmeshError('ERR_NOT_A_MEMBER', 'no client certificate: every connection to this peer must present one listed in the settings');
  const peer = mesh.membership.byFingerprint(fingerprint);
  if (!peer) return new TxtmeshError('ERR_NOT_A_MEMBER', `certificate ${fingerprint} is not one of this mesh's`);
  const problem = validityProblem(cert, now);
  if (problem) return new TxtmeshError('ERR_CERT_EXPIRED', `${peer.id}'s certificate ${problem}; it must make a new one (--rotate-identity)`);
  return new ConnectionGate(mesh.membership, 'mesh', address, peer);
}

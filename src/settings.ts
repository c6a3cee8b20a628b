/**
 * peer_settings.txt: one `peer_ID ip_addr server_port [fingerprint]` a line.
 * Blank lines, `#` comments (whole-line or trailing), runs of spaces and tabs, and CRLF are
 * accepted. The original crashed on a trailing blank line; here every bad line is an error that
 * names the file, the line number and what is wrong. The optional fourth column is the SHA-256
 * fingerprint of the peer's certificate: when every peer has one the mesh runs in secure mode
 * (mutual TLS, README "Security model"); when none has one, in open mode; a mix is an error.
 * The file must be a regular file of at most MAX_SETTINGS_BYTES: a FIFO would block the read
 * forever, and /dev/zero would never end (issue 12, item 6).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { isIP } from 'node:net';
import { TxtmeshError } from './errors.js';

/** One peer from the settings file. */
export interface PeerAddress {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** 1-based line number in the settings file. */
  readonly line: number;
  /** SHA-256 of the peer's certificate, 64 lower-case hex digits (secure mode only). */
  readonly fingerprint?: string;
}

/** open: membership by source address, plain TCP; secure: membership by certificate, mutual TLS. */
export type MeshMode = 'open' | 'secure';

/** The mode a settings list puts the mesh in (parseSettings has refused a mix). */
export function meshMode(peers: readonly PeerAddress[]): MeshMode {
  return peers.length > 0 && peers.every((p) => p.fingerprint !== undefined) ? 'secure' : 'open';
}

/**
 * A fingerprint as written in the settings, normalised to 64 lower-case hex digits, or
 * undefined if it is not one. Upper case and colon-separated pairs (as `openssl x509
 * -fingerprint -sha256` prints them) are accepted.
 */
export function parseFingerprint(text: string): string | undefined {
  const bare = /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/.test(text) ? text.replaceAll(':', '') : text;
  return /^[0-9A-Fa-f]{64}$/.test(bare) ? bare.toLowerCase() : undefined;
}

/** The largest settings file read: a line per peer, so 1 MiB is thousands of peers. */
export const MAX_SETTINGS_BYTES = 1024 * 1024;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// Ports as people write them: 1-65535, no leading zeros (`080` is refused, not read as 80).
const PORT_PATTERN = /^[1-9]\d{0,4}$/;
// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.
const HOSTNAME_PATTERN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** True if `id` is a well-formed peer ID. */
export function isPeerId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/**
 * True if `host` is an IPv4 or IPv6 address or a host name. A name whose last label is all
 * digits is neither (RFC 3696, section 2: no top-level domain is all-numeric): `999.1.1.1` or
 * `127.1` is a mistyped address, which the resolver would fail on or read its own way.
 */
export function isHost(host: string): boolean {
  return isIP(host) !== 0 || (HOSTNAME_PATTERN.test(host) && !/(^|\.)\d+\.?$/.test(host));
}

/**
 * Parses settings text. Pure: `fileName` only labels errors.
 * @throws TxtmeshError ERR_SETTINGS_LINE for a bad line, ERR_SETTINGS_DUPLICATE for a repeated ID.
 */
export function parseSettings(text: string, fileName = 'peer_settings.txt'): PeerAddress[] {
  const peers: PeerAddress[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') return;
    const bad = (what: string): never => {
      throw new TxtmeshError('ERR_SETTINGS_LINE', `${fileName}:${line}: ${what} (line: ${JSON.stringify(raw.trim())})`);
    };
    const fields = content.split(/\s+/);
    if (fields.length !== 3 && fields.length !== 4) {
      bad(`expected "peer_ID ip_addr server_port [fingerprint]", found ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    }
    const [id, rawHost, portText, fingerprintText] = fields as [string, string, string, string | undefined];
    if (!isPeerId(id)) bad(`bad peer ID ${JSON.stringify(id)}: use letters, digits, '.', '_' or '-' (at most 64)`);
    // Accept [::1] as well as ::1 for IPv6.
    const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost;
    if (!isHost(host)) bad(`bad address ${JSON.stringify(rawHost)}: expected an IPv4 address (four numbers 0-255), an IPv6 address or a host name`);
    if (!PORT_PATTERN.test(portText) || Number(portText) > 65535) {
      bad(`bad port ${JSON.stringify(portText)}: expected a number from 1 to 65535, without leading zeros`);
    }
    const fingerprint = fingerprintText === undefined ? undefined : parseFingerprint(fingerprintText);
    if (fingerprintText !== undefined && fingerprint === undefined) {
      bad(`bad fingerprint ${JSON.stringify(fingerprintText)}: expected the 64 hex digits of SHA-256 (txtmesh-server --show-identity prints them)`);
    }
    const first = seen.get(id);
    if (first !== undefined) {
      throw new TxtmeshError('ERR_SETTINGS_DUPLICATE', `${fileName}:${line}: peer ID ${id} is already defined on line ${first}`);
    }
    seen.set(id, line);
    if (fingerprint !== undefined) {
      const twin = peers.find((p) => p.fingerprint === fingerprint);
      if (twin) throw new TxtmeshError('ERR_SETTINGS_DUPLICATE', `${fileName}:${line}: ${id} has the same fingerprint as ${twin.id} on line ${twin.line}; every peer needs its own identity`);
    }
    peers.push(fingerprint === undefined ? { id, host, port: Number(portText), line } : { id, host, port: Number(portText), line, fingerprint });
  });
  const withFingerprint = peers.filter((p) => p.fingerprint !== undefined);
  if (withFingerprint.length > 0 && withFingerprint.length < peers.length) {
    const without = peers.filter((p) => p.fingerprint === undefined);
    const list = (ps: PeerAddress[]) => ps.map((p) => `${p.line} (${p.id})`).join(', ');
    throw new TxtmeshError(
      'ERR_SETTINGS_MIXED',
      `${fileName}: some peers have a certificate fingerprint and some do not: with one on line${withFingerprint.length > 1 ? 's' : ''} ${list(withFingerprint)}; ` +
        `without on line${without.length > 1 ? 's' : ''} ${list(without)}. Give every peer one (secure mode) or none (open mode).`,
    );
  }
  return peers;
}

/**
 * Reads and parses a settings file.
 * @throws TxtmeshError ERR_SETTINGS_READ (missing, unreadable, not a regular file, larger than
 *   MAX_SETTINGS_BYTES), and parseSettings' errors
 */
export async function loadSettings(path: string): Promise<PeerAddress[]> {
  return parseSettings(await readSettingsText(path), path);
}

async function readSettingsText(path: string): Promise<string> {
  const refuse = (reason: string, cause?: unknown) => new TxtmeshError('ERR_SETTINGS_READ', `cannot read settings file ${path}: ${reason}`, { cause });
  // O_NONBLOCK: opening a FIFO for reading would wait for a writer forever; it is refused
  // below as not a regular file. Regular files ignore the flag.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    throw refuse(err.code === 'ENOENT' ? 'no such file' : err.message, err);
  });
  try {
    if (!(await handle.stat()).isFile()) throw refuse('not a regular file (a folder, FIFO or device?)');
    // Read one byte past the cap, and no more, to tell a file at the cap from a larger one.
    const buffer = Buffer.alloc(MAX_SETTINGS_BYTES + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      filled += bytesRead;
      if (bytesRead === 0 || filled === buffer.length) break;
    }
    if (filled > MAX_SETTINGS_BYTES) throw refuse(`larger than ${MAX_SETTINGS_BYTES} bytes; a settings file has one short line per peer`);
    return buffer.toString('utf8', 0, filled);
  } catch (err) {
    throw err instanceof TxtmeshError ? err : refuse((err as Error).message, err);
  } finally {
    await handle.close();
  }
}

/**
 * Looks up peers by ID, in the order given.
 * @throws TxtmeshError ERR_UNKNOWN_PEER naming the unknown IDs and listing the known ones.
 */
export function findPeers(peers: readonly PeerAddress[], ids: readonly string[]): PeerAddress[] {
  const byId = new Map(peers.map((p) => [p.id, p]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new TxtmeshError(
      'ERR_UNKNOWN_PEER',
      `unknown peer${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known peers: ${peers.map((p) => p.id).join(', ') || '(none)'}`,
    );
  }
  return ids.map((id) => byId.get(id) as PeerAddress);
}

/** host:port for messages, with IPv6 in brackets. */
export function formatAddress(peer: { host: string; port: number }): string {
  return isIP(peer.host) === 6 ? `[${peer.host}]:${peer.port}` : `${peer.host}:${peer.port}`;
}

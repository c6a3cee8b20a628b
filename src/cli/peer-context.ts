/**
 * Where a peer lives: its ID, its settings file and its served folder. Defaults follow the
 * original design: the working directory is the peer folder, its name is the peer ID, the
 * settings file is in its parent, and files are served from served_files/ inside it. In a
 * secure mesh the peer's identity (identity/ in the peer folder) is loaded and checked against
 * the fingerprint the settings list for it.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { IDENTITY_DIR, SERVED_DIR, SETTINGS_FILE } from '../constants.js';
import { TxtmeshError } from '../errors.js';
import { type Credentials, localAddressOf } from '../security/credentials.js';
import type { Identity } from '../security/identity.js';
import { type MeshMode, type PeerAddress, loadSettings, meshMode } from '../settings.js';

export interface PeerContextOptions {
  readonly id?: string;
  readonly settings?: string;
  readonly dir?: string;
  /** The identity folder (default: identity/ in the peer folder). */
  readonly identity?: string;
  /** Defaults to process.cwd(). */
  readonly cwd?: string;
}

/** Where a peer's things are, before anything is read. */
export interface PeerPaths {
  readonly id: string;
  /** The peer folder (the working directory). */
  readonly peerDir: string;
  readonly settingsPath: string;
  readonly dir: string;
  readonly identityDir: string;
}

export interface PeerContext {
  readonly id: string;
  readonly settingsPath: string;
  readonly dir: string;
  readonly peers: PeerAddress[];
  readonly self: PeerAddress;
  /** Every peer but this one. */
  readonly others: PeerAddress[];
  /** open or secure, from the settings. */
  readonly mode: MeshMode;
  readonly identityDir: string;
  /** Who this peer is when it connects to others. */
  readonly credentials: Credentials;
}

/** Resolves the paths a peer uses, from the options and the working directory. */
export function peerPaths(options: PeerContextOptions): PeerPaths {
  const cwd = resolve(options.cwd ?? process.cwd());
  const dir = resolve(cwd, options.dir ?? SERVED_DIR);
  return {
    id: options.id ?? basename(cwd),
    peerDir: cwd,
    settingsPath: resolve(cwd, options.settings ?? join(dirname(cwd), SETTINGS_FILE)),
    dir,
    identityDir: resolve(cwd, options.identity ?? IDENTITY_DIR),
  };
}

/**
 * The private key must never be where the server serves from.
 * @throws TxtmeshError ERR_IDENTITY_FILE if the identity folder is the served folder or inside it
 */
export function checkIdentityPlace(paths: Pick<PeerPaths, 'dir' | 'identityDir'>): void {
  const inside = relative(paths.dir, paths.identityDir);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new TxtmeshError('ERR_IDENTITY_FILE', `the identity folder ${paths.identityDir} is inside the served folder ${paths.dir}; keep it out`);
  }
}

/**
 * Resolves and loads the peer's context.
 * @throws TxtmeshError ERR_SETTINGS_*, ERR_UNKNOWN_PEER (listing the known IDs)
 */
export async function loadPeerContext(options: PeerContextOptions): Promise<PeerContext> {
  const { id, peerDir, settingsPath, dir, identityDir } = peerPaths(options);
  const peers = await loadSettings(settingsPath).catch(async (err: unknown) => {
    const hint = options.settings === undefined && err instanceof TxtmeshError && err.code === 'ERR_SETTINGS_READ' ? await wrongFolder(peerDir) : undefined;
    throw hint ? new TxtmeshError('ERR_SETTINGS_READ', `${err instanceof Error ? err.message : String(err)}. ${hint}`, { cause: err }) : err;
  });
  const self = peers.find((p) => p.id === id);
  if (!self) {
    throw new TxtmeshError(
      'ERR_UNKNOWN_PEER',
      `peer ID ${JSON.stringify(id)} is not in ${settingsPath}; known IDs: ${peers.map((p) => p.id).join(', ') || '(none)'}. Run from a peer folder or pass --id.`,
    );
  }
  const mode = meshMode(peers);
  if (mode === 'secure') checkIdentityPlace({ dir, identityDir });
  // Loaded only for a secure mesh: its certificate code is not needed to start an open one (issue 11).
  const identity = mode === 'secure' ? checkOwnIdentity(self, await (await import('../security/identity.js')).loadIdentity(identityDir), identityDir) : undefined;
  const credentials: Credentials = { id, localAddress: localAddressOf(self.host), ...(identity ? { tls: identity } : {}) };
  return { id, settingsPath, dir, peers, self, others: peers.filter((p) => p !== self), mode, identityDir, credentials };
}

/**
 * Why the settings are not where a peer folder has them, when the folder says: run in the
 * mesh's root (it holds peer_settings.txt) or in a peer's served_files/.
 */
async function wrongFolder(cwd: string): Promise<string | undefined> {
  const here = join(cwd, SETTINGS_FILE);
  if (existsSync(here)) {
    const peers = await loadSettings(here).catch(() => []);
    const folders = peers.filter((p) => existsSync(join(cwd, p.id))).map((p) => p.id);
    const example = folders[0] ?? peers[0]?.id ?? 'p1';
    return `${cwd} holds ${SETTINGS_FILE}: it is the mesh's root folder. Run this in a peer folder inside it (cd ${example})${folders.length > 0 ? `; peer folders here: ${folders.join(', ')}` : ''}`;
  }
  if (basename(cwd) === SERVED_DIR && existsSync(join(cwd, '..', '..', SETTINGS_FILE))) {
    return `${cwd} is the served folder of peer ${basename(dirname(cwd))}. Run this in its peer folder (cd ..)`;
  }
  return undefined;
}

/**
 * @throws TxtmeshError ERR_BAD_IDENTITY if the settings list another fingerprint for this peer
 */
function checkOwnIdentity(self: PeerAddress, identity: Identity, identityDir: string): Identity {
  if (identity.fingerprint !== self.fingerprint) {
    throw new TxtmeshError(
      'ERR_BAD_IDENTITY',
      `the settings list fingerprint ${self.fingerprint} for ${self.id} (line ${self.line}), but this peer's identity in ${identityDir} has ${identity.fingerprint}; put that one in the settings`,
    );
  }
  return identity;
}

/**
 * Where a peer lives: its ID, its settings file and its served folder. Defaults follow the
 * original design: the working directory is the peer folder, its name is the peer ID, the
 * settings file is in its parent, and files are served from served_files/ inside it.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { SERVED_DIR, SETTINGS_FILE } from './constants.js';
import { TxtmeshError } from './errors.js';
import { type PeerAddress, loadSettings } from './settings.js';

export interface PeerContextOptions {
  readonly id?: string;
  readonly settings?: string;
  readonly dir?: string;
  /** Defaults to process.cwd(). */
  readonly cwd?: string;
}

export interface PeerContext {
  readonly id: string;
  readonly settingsPath: string;
  readonly dir: string;
  readonly peers: PeerAddress[];
  readonly self: PeerAddress;
  /** Every peer but this one. */
  readonly others: PeerAddress[];
}

/**
 * Resolves and loads the peer's context.
 * @throws TxtmeshError ERR_SETTINGS_*, ERR_UNKNOWN_PEER (listing the known IDs)
 */
export async function loadPeerContext(options: PeerContextOptions): Promise<PeerContext> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const id = options.id ?? basename(cwd);
  const settingsPath = resolve(cwd, options.settings ?? join(dirname(cwd), SETTINGS_FILE));
  const dir = resolve(cwd, options.dir ?? SERVED_DIR);
  const peers = await loadSettings(settingsPath);
  const self = peers.find((p) => p.id === id);
  if (!self) {
    throw new TxtmeshError(
      'ERR_UNKNOWN_PEER',
      `peer ID ${JSON.stringify(id)} is not in ${settingsPath}; known IDs: ${peers.map((p) => p.id).join(', ') || '(none)'}. Run from a peer folder or pass --id.`,
    );
  }
  return { id, settingsPath, dir, peers, self, others: peers.filter((p) => p !== self) };
}

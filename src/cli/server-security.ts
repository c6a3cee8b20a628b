/**
 * The server's security chores on the command line: making, showing and rotating this peer's
 * identity (--init-identity, --show-identity, --rotate-identity, --secure), saying which mode
 * the mesh runs in, and taking in a settings file that changes while the server runs.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TxtmeshError, describeError } from '../errors.js';
import { type PeerContext, type PeerPaths, checkIdentityPlace } from './peer-context.js';
import { CERT_FILE, type Identity, KEY_FILE, createIdentity, loadIdentity } from '../security/identity.js';
import type { Membership } from '../security/membership.js';
import type { ServeTo } from '../server/admission.js';
import { loadSettings } from '../settings.js';

/** The identity in the folder, or undefined if there is none (a broken one throws). */
async function hasIdentity(paths: PeerPaths): Promise<Identity | undefined> {
  const present = await Promise.all([KEY_FILE, CERT_FILE].map((f) => stat(join(paths.identityDir, f)).then(() => true, () => false)));
  return present.includes(true) ? loadIdentity(paths.identityDir) : undefined;
}

/** The settings line this peer should have, with its fingerprint. */
async function settingsLine(paths: PeerPaths, fingerprint: string): Promise<string> {
  const peers = await loadSettings(paths.settingsPath).catch(() => undefined);
  const self = peers?.find((p) => p.id === paths.id);
  const where = self ? `${self.host} ${self.port}` : '<address> <port>';
  return `${paths.id} ${where} ${fingerprint}`;
}

function created(paths: PeerPaths, identity: Identity): string[] {
  return [
    `created the identity of ${paths.id} in ${paths.identityDir}: key.pem (private, mode 0600; it never leaves this folder) and cert.pem (valid until ${identity.notAfter.toISOString().slice(0, 10)})`,
  ];
}

/**
 * --show-identity, --init-identity, --rotate-identity: the lines to print.
 * @throws TxtmeshError ERR_IDENTITY_FILE, ERR_CERT_EXPIRED (show)
 */
export async function identityCommand(action: 'show' | 'init' | 'rotate', paths: PeerPaths): Promise<string[]> {
  if (action === 'show') return [(await loadIdentity(paths.identityDir)).fingerprint];
  checkIdentityPlace(paths);
  const old = await hasIdentity(paths).catch(() => undefined);
  if (action === 'init' && old) {
    return [`${paths.id} already has an identity in ${paths.identityDir} (use --rotate-identity to replace it); its fingerprint:`, old.fingerprint];
  }
  const identity = await createIdentity(paths.identityDir, { peerId: paths.id, replace: action === 'rotate' });
  return [
    ...created(paths, identity),
    ...(action === 'rotate' ? [`the old fingerprint ${old?.fingerprint ?? '(none readable)'} is no longer this peer's: replace it in every copy of the settings, then restart the servers`] : []),
    `its fingerprint, the fourth column of ${paths.id}'s line in ${paths.settingsPath}:`,
    identity.fingerprint,
    `that line becomes: ${await settingsLine(paths, identity.fingerprint)}`,
  ];
}

/** --secure: creates this peer's identity on first start. The lines to print. */
export async function prepareSecureStart(paths: PeerPaths): Promise<string[]> {
  checkIdentityPlace(paths);
  if (await hasIdentity(paths)) return [];
  const identity = await createIdentity(paths.identityDir, { peerId: paths.id });
  return [
    ...created(paths, identity).map((l) => `txtmesh-server: ${l}`),
    `txtmesh-server: its fingerprint is ${identity.fingerprint}; put it in the fourth column of ${paths.id}'s line in every copy of the settings`,
  ];
}

/** One line on what the mesh's mode protects. */
export function modeNote(ctx: PeerContext, serveTo: ServeTo): string {
  if (ctx.mode === 'secure') {
    return `mesh is secure: mutual TLS 1.3 with the ${ctx.peers.length} peers in the settings, each known by its certificate; this peer's fingerprint is ${ctx.self.fingerprint}`;
  }
  const reads = serveTo === 'any' ? 'files are served to anyone who can connect (--serve-to mesh restricts that)' : 'files are served only to the peers in the settings';
  return `mesh is open (no fingerprints in the settings): plain TCP, nothing encrypted; uploads only from the peers' addresses in the settings; ${reads}`;
}

/**
 * Reloads the settings when the file changes, so peers can be added or moved without a
 * restart (within one mode). A file that does not parse, or that no longer lists this peer
 * (emptied, or caught half-written by an editor), leaves the previous settings in force: a
 * server that took it would refuse every member until the file is restored.
 * @param selfId this server's peer ID, which the new settings must still list
 * @returns a function that stops watching
 */
export function watchSettings(path: string, selfId: string, membership: Membership, say: (line: string) => void, intervalMs = 1000): () => void {
  const listener = (now: { mtimeMs: number; size: number }, before: { mtimeMs: number; size: number }) => {
    if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
    loadSettings(path)
      .then(async (peers) => {
        if (!peers.some((p) => p.id === selfId)) {
          const what = peers.length === 0 ? 'it lists no peers' : `it does not list this peer (${selfId})`;
          throw new TxtmeshError('ERR_UNKNOWN_PEER', `${path}: ${what}`);
        }
        await membership.update(peers);
        say(`settings reloaded from ${path}: ${peers.length} peers`);
      })
      .catch((err: unknown) => say(`settings not reloaded (the previous ones stay in force): ${describeError(err)}`));
  };
  watchFile(path, { interval: intervalMs, persistent: false }, listener);
  return () => unwatchFile(path, listener);
}

/**
 * What the page needs to know of its peer: the engine's view of a peer folder (the fields of
 * index.ts's PeerContext it uses), its served folder, and how the console words results, so
 * the page's log says what the console would.
 */
import { TxtmeshError } from '../errors.js';
import type { Credentials } from '../security/credentials.js';
import { type MeshMode, type PeerAddress, findPeers } from '../settings.js';
import type { ServedFolder } from '../storage/served-folder.js';
import type { Result } from '../client/results.js';
import type { RateLimits } from '../transport/rate-limit.js';

export interface UiPeer {
  readonly id: string;
  readonly settingsPath: string;
  readonly dir: string;
  readonly peers: readonly PeerAddress[];
  readonly others: readonly PeerAddress[];
  readonly mode: MeshMode;
  readonly credentials: Credentials;
}

export interface UiContext {
  readonly ctx: UiPeer;
  readonly folder: ServedFolder;
  /** Deadline for a peer's answer, in ms (the client's --timeout). */
  readonly timeoutMs?: number;
  /** A result as the console's lines (cli/render.ts's renderResult). */
  readonly render: (result: Result) => string[];
  /** The console's rate limits (#LIMIT): the page shows and sets the same ones. */
  readonly limits?: RateLimits;
}

/**
 * The peers a page action names, or every other peer when it names none (as the console's
 * commands do).
 * @throws TxtmeshError ERR_UNKNOWN_PEER (naming the known ones), ERR_NO_PEERS
 */
export function pickPeers(ctx: UiPeer, ids: readonly string[]): readonly PeerAddress[] {
  const peers = ids.length === 0 ? ctx.others : findPeers(ctx.peers, ids);
  if (peers.length === 0) throw new TxtmeshError('ERR_NO_PEERS', 'there are no other peers in the settings');
  return peers;
}

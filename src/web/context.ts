/**
 * What the page needs to know of its peer: the engine's view of a peer folder (the fields of
 * index.ts's PeerContext it uses), its served folder, and how the console words results, so
 * the page's log says what the console would.
 */
import type { Credentials } from '../security/credentials.js';
import type { MeshMode, PeerAddress } from '../settings.js';
import type { ServedFolder } from '../storage/served-folder.js';
import type { Result } from '../client/results.js';

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
}

/**
 * txtmesh as a library: the engine the console, the subcommands and the web console are built
 * on (docs/design.md, "Engine API"). Nothing here prints, exits, or installs signal handlers;
 * every long operation takes an AbortSignal, reports through callbacks, and fails with a
 * TxtmeshError whose `code` is in ERROR_TABLE.
 *
 *   import { loadPeerContext, ServedFolder, download } from 'txtmesh';
 */

// A peer folder: its settings, identity and served files.
export { type PeerContext, type PeerContextOptions, loadPeerContext, peerPaths } from './cli/peer-context.js';
export { type MeshMode, type PeerAddress, findPeers, formatAddress, loadSettings, parseSettings } from './settings.js';
export { ServedFolder } from './storage/served-folder.js';
export type { Credentials } from './security/credentials.js';

// Serving.
export { PeerServer } from './server/peer-server.js';
export { type PeerServerOptions, SERVER_DEFAULTS } from './server/options.js';
export type { RequestLog } from './server/connection.js';

// Fetching, pushing and looking at the mesh.
export { type DownloadOptions, type DownloadProgress, type DownloadResult, DownloadError, type PeerOutcome, download } from './client/download.js';
export { type UploadOptions, type UploadOutcome, upload } from './client/upload.js';
export { type ShareOptions, share } from './client/share.js';
export { type ViewOptions, fileListView, filesView, peersView, pingView } from './client/views.js';
export type * from './client/results.js';
export { RateLimit, type RateLimits } from './transport/rate-limit.js';
export { parseRate } from './options.js';

// Failures.
export { ERROR_CODES, ERROR_TABLE, type ErrorClass, type ErrorCode, type ErrorTraits, RemoteError, TxtmeshError, codeOf, describeError } from './errors.js';

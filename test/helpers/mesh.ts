/**
 * A mesh for tests: real servers on 127.0.0.1 port 0 in real temp folders, each peer a folder
 * root/<id>/served_files. Every server knows the mesh's settings (membership); the mesh is open
 * by default or secure (identities in root/<id>/identity, mutual TLS pinned by fingerprint).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { join } from 'node:path';
import type { PeerContext } from '../../src/cli/peer-context.js';
import { type Credentials, localAddressOf } from '../../src/security/credentials.js';
import { type Identity, createIdentity } from '../../src/security/identity.js';
import { Membership } from '../../src/security/membership.js';
import type { ServeTo } from '../../src/server/admission.js';
import type { RequestLog } from '../../src/server/connection.js';
import { PeerServer, type PeerServerOptions } from '../../src/server/peer-server.js';
import { type PeerAddress, meshMode } from '../../src/settings.js';
import type { ServedFolder } from '../../src/storage/served-folder.js';
import { freePort, servedFolder, tempDir, writeFiles } from './files.js';

export interface MeshPeerSpec {
  /** Files to serve. */
  readonly files?: Record<string, string | Buffer>;
  /** 'up' (default): a real server; 'down': nothing listens; 'silent': accepts, never answers. */
  readonly state?: 'up' | 'down' | 'silent';
  /** Server options beyond the mesh's (e.g. refuseReplace, keepVersions). */
  readonly server?: Pick<PeerServerOptions, 'refuseReplace' | 'keepVersions'>;
}

export interface Mesh {
  readonly root: string;
  readonly peers: PeerAddress[];
  readonly servers: Map<string, PeerServer>;
  /** Request log lines, per peer. */
  readonly logs: Map<string, RequestLog[]>;
  /** Calls `fn` on each request a peer logs (once its answer has gone out, or was cut off). */
  tap(id: string, fn: (entry: RequestLog, count: number) => void): void;
  /** The served_files folder of a peer. */
  dirOf(id: string): string;
  /** A PeerContext for a peer, as the CLI would build it. */
  contextOf(id: string): PeerContext;
  /** Who a peer is when it connects (its ID, and its certificate in a secure mesh). */
  credentialsOf(id: string): Credentials;
  /** The identities of a secure mesh's peers. */
  readonly identities: Map<string, Identity>;
  /** What the servers know of the mesh (update() it to change their settings). */
  readonly membership: Membership;
  /** The peer's own served folder, ready for use by download(). */
  folderOf(id: string): Promise<ServedFolder>;
  address(id: string): PeerAddress;
  /** Writes peer_settings.txt in root (for CLI tests). */
  writeSettings(): Promise<string>;
  stop(): Promise<void>;
}

export interface StartMeshOptions {
  /** Give every peer an identity and list the fingerprints: mutual TLS. */
  readonly secure?: boolean;
  readonly serveTo?: ServeTo;
}

/**
 * Starts a mesh: a folder for every peer, servers for the peers that are up, then the settings
 * every server knows. Peers not in `specs` but named in `clients` get a folder and no server
 * (e.g. the downloader).
 */
export async function startMesh(specs: Record<string, MeshPeerSpec>, clients: string[] = [], options: StartMeshOptions = {}): Promise<Mesh> {
  const root = await tempDir();
  const ids = [...Object.keys(specs), ...clients];
  const identities = await createIdentities(root, ids, options.secure ?? false);
  await makeFolders(root, specs, clients);
  const address = (id: string, port: number, line: number): PeerAddress => {
    const fingerprint = identities.get(id)?.fingerprint;
    return { id, host: '127.0.0.1', port, line, ...(fingerprint === undefined ? {} : { fingerprint }) };
  };
  // The ports are known once the servers listen; until then the servers know the IDs.
  const membership = new Membership(ids.map((id, i) => address(id, 1, i + 1)));
  const servers = new MeshServers(membership, identities, options.serveTo);
  const peers: PeerAddress[] = [];
  for (const [id, spec] of Object.entries(specs)) {
    const port = await servers.start(id, join(root, id, 'served_files'), spec.state ?? 'up', spec.server);
    peers.push(address(id, port, peers.length + 1));
  }
  for (const id of clients) peers.push(address(id, await freePort(), peers.length + 1));
  await membership.update(peers);
  return new RunningMesh(root, peers, identities, membership, servers);
}

/** In a secure mesh, an identity for every peer (in root/<id>/identity); none in an open one. */
async function createIdentities(root: string, ids: string[], secure: boolean): Promise<Map<string, Identity>> {
  const identities = new Map<string, Identity>();
  if (secure) for (const id of ids) identities.set(id, await createIdentity(join(root, id, 'identity'), { peerId: id }));
  return identities;
}

/** root/<id>/served_files for every peer, holding the files its spec names. */
async function makeFolders(root: string, specs: Record<string, MeshPeerSpec>, clients: string[]): Promise<void> {
  for (const [id, spec] of Object.entries(specs)) await writeFiles(await served(root, id), spec.files ?? {});
  for (const id of clients) await served(root, id);
}

async function served(root: string, id: string): Promise<string> {
  const dir = join(root, id, 'served_files');
  await mkdir(dir, { recursive: true });
  return dir;
}

/** The mesh's listeners: real servers (with their request logs), silent ones, and their stop. */
class MeshServers {
  readonly servers = new Map<string, PeerServer>();
  readonly logs = new Map<string, RequestLog[]>();
  readonly taps = new Map<string, (entry: RequestLog, count: number) => void>();
  readonly #silent: Server[] = [];
  readonly #silentSockets = new Set<Socket>();
  readonly #mesh: { membership: Membership; identities: Map<string, Identity>; serveTo: ServeTo | undefined };

  constructor(membership: Membership, identities: Map<string, Identity>, serveTo: ServeTo | undefined) {
    this.#mesh = { membership, identities, serveTo };
  }

  /** Starts what a peer's state asks for. @returns the port it is reached at */
  start(id: string, dir: string, state: NonNullable<MeshPeerSpec['state']>, options: MeshPeerSpec['server'] = {}): Promise<number> {
    if (state === 'up') return this.#startServer(id, dir, options);
    if (state === 'silent') return this.#startSilent();
    return freePort();
  }

  async #startServer(id: string, dir: string, options: MeshPeerSpec['server']): Promise<number> {
    const log: RequestLog[] = [];
    this.logs.set(id, log);
    const { membership, identities, serveTo } = this.#mesh;
    const server = new PeerServer({
      ...options,
      peerId: id,
      dir,
      mesh: { membership, serveTo, identity: identities.get(id) },
      log: (e) => {
        log.push(e);
        this.taps.get(id)?.(e, log.length);
      },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    this.servers.set(id, server);
    return port;
  }

  /** A listener that accepts connections and never answers. */
  async #startSilent(): Promise<number> {
    const server = createServer((socket) => {
      this.#silentSockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#silent.push(server);
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.close()));
    for (const socket of this.#silentSockets) socket.destroy();
    await Promise.all(this.#silent.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** What a test holds: the peers, their folders, logs and settings, as the CLI would see them. */
class RunningMesh implements Mesh {
  readonly servers: Map<string, PeerServer>;
  readonly logs: Map<string, RequestLog[]>;
  readonly #listeners: MeshServers;

  constructor(
    readonly root: string,
    readonly peers: PeerAddress[],
    readonly identities: Map<string, Identity>,
    readonly membership: Membership,
    listeners: MeshServers,
  ) {
    this.#listeners = listeners;
    this.servers = listeners.servers;
    this.logs = listeners.logs;
  }

  tap(id: string, fn: (entry: RequestLog, count: number) => void): void {
    this.#listeners.taps.set(id, fn);
  }

  dirOf(id: string): string {
    return join(this.root, id, 'served_files');
  }

  address(id: string): PeerAddress {
    const peer = this.peers.find((p) => p.id === id);
    if (!peer) throw new Error(`no peer ${id} in this mesh`);
    return peer;
  }

  contextOf(id: string): PeerContext {
    const self = this.address(id);
    return {
      id,
      settingsPath: join(this.root, 'peer_settings.txt'),
      dir: this.dirOf(id),
      peers: this.peers,
      self,
      others: this.peers.filter((p) => p !== self),
      mode: meshMode(this.peers),
      identityDir: join(this.root, id, 'identity'),
      credentials: this.credentialsOf(id),
    };
  }

  credentialsOf(id: string): Credentials {
    const identity = this.identities.get(id);
    return { id, localAddress: localAddressOf('127.0.0.1'), ...(identity ? { tls: identity } : {}) };
  }

  folderOf(id: string): Promise<ServedFolder> {
    return servedFolder(this.dirOf(id));
  }

  async writeSettings(): Promise<string> {
    const path = join(this.root, 'peer_settings.txt');
    await writeFile(path, this.peers.map((p) => `${p.id} ${p.host} ${p.port}${p.fingerprint ? ` ${p.fingerprint}` : ''}`).join('\n') + '\n');
    return path;
  }

  async stop(): Promise<void> {
    await this.#listeners.stop();
    await rm(this.root, { recursive: true, force: true });
  }
}

/**
 * Test helpers: real servers on 127.0.0.1 port 0 in real temp folders. Every mesh's servers
 * know their settings (membership), open by default or secure (identities in root/<id>/identity).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PeerContext } from '../src/cli/peer-context.js';
import { type Credentials, localAddressOf } from '../src/security/credentials.js';
import { type Identity, createIdentity } from '../src/security/identity.js';
import { Membership } from '../src/security/membership.js';
import type { ServeTo } from '../src/server/admission.js';
import type { RequestLog } from '../src/server/connection.js';
import { PeerServer } from '../src/server/peer-server.js';
import { type PeerAddress, meshMode } from '../src/settings.js';
import { ServedFolder } from '../src/storage/served-folder.js';

/** A fresh temp folder. */
export function tempDir(prefix = 'txtmesh-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Writes files (name → content) under a folder, creating subfolders. */
export async function writeFiles(dir: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, ...name.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

export interface MeshPeerSpec {
  /** Files to serve. */
  readonly files?: Record<string, string | Buffer>;
  /** 'up' (default): a real server; 'down': nothing listens; 'silent': accepts, never answers. */
  readonly state?: 'up' | 'down' | 'silent';
}

export interface Mesh {
  readonly root: string;
  readonly peers: PeerAddress[];
  readonly servers: Map<string, PeerServer>;
  /** Request log lines, per peer. */
  readonly logs: Map<string, RequestLog[]>;
  /** Calls `fn` on each request a peer logs (just before its answer is sent). */
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

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface StartMeshOptions {
  /** Give every peer an identity and list the fingerprints: mutual TLS. */
  readonly secure?: boolean;
  readonly serveTo?: ServeTo;
}

/**
 * Starts a mesh: each peer a folder root/<id>/served_files, servers for the peers that are up.
 * Peers not in `specs` but named in `clients` get a folder and no server (e.g. the downloader).
 */
export async function startMesh(specs: Record<string, MeshPeerSpec>, clients: string[] = [], options: StartMeshOptions = {}): Promise<Mesh> {
  const root = await tempDir();
  const identities = new Map<string, Identity>();
  const ids = [...Object.keys(specs), ...clients];
  if (options.secure) for (const id of ids) identities.set(id, await createIdentity(join(root, id, 'identity'), { peerId: id }));
  const fingerprintOf = (id: string) => {
    const fingerprint = identities.get(id)?.fingerprint;
    return fingerprint === undefined ? {} : { fingerprint };
  };
  // The ports are known once the servers listen; until then the servers know the IDs.
  const membership = new Membership(ids.map((id, i) => ({ id, host: '127.0.0.1', port: 1, line: i + 1, ...fingerprintOf(id) })));
  const peers: PeerAddress[] = [];
  const servers = new Map<string, PeerServer>();
  const logs = new Map<string, RequestLog[]>();
  const taps = new Map<string, (entry: RequestLog, count: number) => void>();
  const silent: Server[] = [];
  const silentSockets = new Set<Socket>();
  let line = 1;
  for (const [id, spec] of Object.entries(specs)) {
    const dir = join(root, id, 'served_files');
    await mkdir(dir, { recursive: true });
    await writeFiles(dir, spec.files ?? {});
    const state = spec.state ?? 'up';
    let port: number;
    if (state === 'up') {
      const log: RequestLog[] = [];
      logs.set(id, log);
      const server = new PeerServer({
        peerId: id,
        dir,
        mesh: { membership, serveTo: options.serveTo, identity: identities.get(id) },
        log: (e) => {
          log.push(e);
          taps.get(id)?.(e, log.length);
        },
      });
      port = (await server.listen(0, '127.0.0.1')).port;
      servers.set(id, server);
    } else if (state === 'silent') {
      const server = createServer((socket) => {
        silentSockets.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      silent.push(server);
    } else {
      port = await freePort();
    }
    peers.push({ id, host: '127.0.0.1', port, line: line++, ...fingerprintOf(id) });
  }
  for (const id of clients) {
    await mkdir(join(root, id, 'served_files'), { recursive: true });
    peers.push({ id, host: '127.0.0.1', port: await freePort(), line: line++, ...fingerprintOf(id) });
  }
  await membership.update(peers);
  const credentialsOf = (id: string): Credentials => {
    const identity = identities.get(id);
    return { id, localAddress: localAddressOf('127.0.0.1'), ...(identity ? { tls: identity } : {}) };
  };
  const dirOf = (id: string) => join(root, id, 'served_files');
  const address = (id: string) => {
    const peer = peers.find((p) => p.id === id);
    if (!peer) throw new Error(`no peer ${id} in this mesh`);
    return peer;
  };
  return {
    root,
    peers,
    servers,
    logs,
    tap: (id, fn) => void taps.set(id, fn),
    dirOf,
    address,
    contextOf(id) {
      const self = address(id);
      return {
        id,
        settingsPath: join(root, 'peer_settings.txt'),
        dir: dirOf(id),
        peers,
        self,
        others: peers.filter((p) => p !== self),
        mode: meshMode(peers),
        identityDir: join(root, id, 'identity'),
        credentials: credentialsOf(id),
      };
    },
    credentialsOf,
    identities,
    membership,
    async folderOf(id) {
      const folder = new ServedFolder(dirOf(id));
      await folder.init();
      return folder;
    },
    async writeSettings() {
      const path = join(root, 'peer_settings.txt');
      await writeFile(path, peers.map((p) => `${p.id} ${p.host} ${p.port}${p.fingerprint ? ` ${p.fingerprint}` : ''}`).join('\n') + '\n');
      return path;
    },
    async stop() {
      await Promise.all([...servers.values()].map((s) => s.close()));
      for (const socket of silentSockets) socket.destroy();
      await Promise.all(silent.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The request id rawExchange uses for its claim, whose answer it leaves out. */
const CLAIM_ID = 4294967295;

export interface RawOptions {
  /** First claim this peer ID (HELLO), as a member must before it uploads; its answer is left out. */
  readonly claimAs?: string;
  /** Connect from this address (e.g. 127.0.0.2, which no peer has). */
  readonly localAddress?: string;
}

/**
 * A raw TCP exchange: sends bytes, collects everything the server sends until it closes the
 * connection or `quietMs` pass with nothing new.
 */
export async function rawExchange(port: number, data: Buffer | string, quietMs = 300, options: RawOptions = {}): Promise<{ text: string; bytes: Buffer; closed: boolean }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: options.localAddress });
  if (options.claimAs !== undefined) data = Buffer.concat([Buffer.from(`HELLO ${CLAIM_ID} 0 txtmesh/1 ${options.claimAs}\n`), Buffer.from(data)]);
  const chunks: Buffer[] = [];
  let closed = false;
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    let timer = setTimeout(resolve, quietMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      clearTimeout(timer);
      timer = setTimeout(resolve, quietMs);
    });
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve();
    });
    socket.write(data);
  });
  socket.destroy();
  let bytes = Buffer.concat(chunks);
  const claimAnswer = `OK ${CLAIM_ID} 0 `;
  if (options.claimAs !== undefined && bytes.subarray(0, claimAnswer.length).toString() === claimAnswer) bytes = bytes.subarray(bytes.indexOf(0x0a) + 1);
  return { text: bytes.toString('utf8'), bytes, closed };
}

/**
 * Deterministic UTF-8 text with CRLF line ends and multi-byte characters, `size` bytes long,
 * with a 3-byte and a 4-byte character straddling every boundary in `straddle`.
 */
export function makeText(size: number, straddle: number[] = []): Buffer {
  const words = ['lorem', 'ipsum', 'café', 'Straße', 'смысл', '日本語', 'emoji🌍', 'naïve', '∑∫√'].map((w, i) => [
    Buffer.from(' ' + w, 'utf8'),
    Buffer.from((i % 2 ? '\r\n' : ' ') + w, 'utf8'),
  ]);
  const euro = Buffer.from('€', 'utf8'); // e2 82 ac: starts 1 byte before each straddle point
  const marks = straddle.map((b) => b - 1).sort((a, b) => a - b);
  const out = Buffer.alloc(size + 16);
  let length = 0;
  let i = 0;
  let m = 0;
  while (length < size) {
    const mark = marks[m];
    if (mark !== undefined && length === mark) {
      length += euro.copy(out, length);
      m++;
      continue;
    }
    const pair = words[i % words.length] as Buffer[];
    const word = pair[i % 12 === 11 ? 1 : 0] as Buffer;
    i++;
    if (mark !== undefined && length + word.length > mark) {
      out.fill(0x2e, length, mark); // '.' up to the straddle point
      length = mark;
      continue;
    }
    length += word.copy(out, length);
  }
  return out.subarray(0, size);
}

/**
 * A TCP proxy in front of a real peer that passes answers at about `bytesPerSecond`, so a
 * download through it takes long enough to be interrupted.
 */
export async function throttledProxy(target: PeerAddress, bytesPerSecond: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const tick = 20;
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const queue: Buffer[] = [];
    const timer = setInterval(() => {
      let budget = (bytesPerSecond * tick) / 1000;
      while (budget > 0 && queue.length > 0) {
        const head = queue[0] as Buffer;
        const take = Math.min(budget, head.length);
        client.write(head.subarray(0, take));
        budget -= take;
        if (take === head.length) queue.shift();
        else queue[0] = head.subarray(take);
      }
    }, tick);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => queue.push(d));
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.on('close', () => {
      clearInterval(timer);
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A raw exchange over TLS 1.3 (or what `tlsOptions` allow), with a certificate or none: sends
 * bytes once the handshake is done, collects what comes back until the server closes or goes
 * quiet. A handshake that fails is reported in `error`.
 */
export async function tlsExchange(
  port: number,
  data: Buffer | string,
  identity: { key: string; cert: string } | undefined,
  tlsOptions: ConnectionOptions = {},
  quietMs = 300,
): Promise<{ text: string; closed: boolean; error?: string }> {
  const socket = tlsConnect({ host: '127.0.0.1', port, ...(identity ?? {}), rejectUnauthorized: false, minVersion: 'TLSv1.3', ...tlsOptions });
  const chunks: Buffer[] = [];
  let closed = false;
  let error: string | undefined;
  await new Promise<void>((resolve) => {
    let timer = setTimeout(resolve, quietMs + 2000);
    socket.once('secureConnect', () => socket.write(data));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      clearTimeout(timer);
      timer = setTimeout(resolve, quietMs);
    });
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve();
    });
  });
  socket.destroy();
  return { text: Buffer.concat(chunks).toString('utf8'), closed, ...(error ? { error } : {}) };
}

/**
 * Test helpers, one import for every test: a mesh of real servers on 127.0.0.1 port 0 in real
 * temp folders (helpers/mesh.ts), temp files and ports (helpers/files.ts), proxies that throttle
 * or freeze a peer's answers (helpers/proxy.ts), raw exchanges over TCP and TLS, and test text.
 */
import { type Socket, connect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';

export { fileInfoOf, freePort, servedFolder, tempDir, writeFiles } from './helpers/files.js';
export { type Mesh, type MeshPeerSpec, type StartMeshOptions, startMesh } from './helpers/mesh.js';
export { type Proxy, freezingProxy, throttledProxy } from './helpers/proxy.js';
export { waitFor } from './helpers/wait.js';

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
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const received = collect(socket, quietMs);
  socket.write(data);
  const { bytes: all, closed } = await received;
  socket.destroy();
  const claimAnswer = `OK ${CLAIM_ID} 0 `;
  const claimed = options.claimAs !== undefined && all.subarray(0, claimAnswer.length).toString() === claimAnswer;
  const bytes = claimed ? all.subarray(all.indexOf(0x0a) + 1) : all;
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
  let error: string | undefined;
  socket.once('secureConnect', () => socket.write(data));
  socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
  const { bytes, closed } = await collect(socket, quietMs, quietMs + 2000);
  socket.destroy();
  return { text: bytes.toString('utf8'), closed, ...(error ? { error } : {}) };
}

/**
 * What a socket receives until it closes (`closed`) or `quietMs` pass with nothing new; the
 * first wait is `firstMs` (a TLS handshake comes before any answer).
 */
function collect(socket: Socket, quietMs: number, firstMs = quietMs): Promise<{ bytes: Buffer; closed: boolean }> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    const done = (closed: boolean) => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), closed });
    };
    let timer = setTimeout(() => done(false), firstMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      clearTimeout(timer);
      timer = setTimeout(() => done(false), quietMs);
    });
    socket.on('close', () => done(true));
  });
}

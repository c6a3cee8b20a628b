// Small socket tools for the harness: a free port, waiting for a port to accept, and a stand-in
// peer that only notes when the first bytes of a request arrive.
import { execFile } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** A port that was free on `host` a moment ago (the kernel's choice for port 0). */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One TCP connect attempt from this process: true if accepted, false if refused. */
function tryConnect(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** One connect attempt from inside a namespace (bash's /dev/tcp): true if accepted. */
function tryConnectIn(netns, host, port) {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', netns, 'timeout', '1', 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`], (err) => resolve(!err));
  });
}

/**
 * Resolves once `host:port` accepts a TCP connection (polling every `everyMs`), with the time it
 * did (performance.now()); rejects after `timeoutMs`. From inside `netns` if given.
 */
export async function acceptsAt(host, port, { netns, everyMs = 1, timeoutMs = 15_000 } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (netns ? await tryConnectIn(netns, host, port) : await tryConnect(host, port)) return performance.now();
    if (performance.now() > deadline) throw new Error(`${host}:${port} did not accept a connection within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * A stand-in peer on 127.0.0.1: notes when the first bytes of the first connection arrive
 * (performance.now()), then closes every connection without answering.
 * @returns {Promise<{port: number, firstBytes: Promise<number>, close: () => void}>}
 */
export async function firstBytesListener() {
  let noted;
  const firstBytes = new Promise((resolve) => (noted = resolve));
  const server = createServer((socket) => {
    socket.once('data', () => {
      noted(performance.now());
      socket.destroy();
    });
    socket.on('error', () => undefined);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { port: server.address().port, firstBytes, close: () => server.close() };
}

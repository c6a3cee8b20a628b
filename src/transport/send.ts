/**
 * Writing to a socket with backpressure: each write that fills the socket's buffer waits for
 * 'drain', so a peer that asks for data and never reads cannot grow our memory.
 */
import type { Duplex } from 'node:stream';
import { TxtmeshError } from '../errors.js';

/** Writes buffers in order, waiting for drain when the socket's buffer is full. */
export async function send(socket: Duplex, ...buffers: Buffer[]): Promise<void> {
  for (const buffer of buffers) await sendOne(socket, buffer);
}

/**
 * Writes one buffer, waiting for drain when the socket's buffer is full; `written` is called
 * once the socket is done with the buffer, so it can be reused: with no error if the socket
 * took it, with one if it failed first.
 */
export async function sendOne(socket: Duplex, buffer: Buffer, written?: (buffer: Buffer, err?: Error | null) => void): Promise<void> {
  if (socket.destroyed || socket.writableEnded) {
    const err = new TxtmeshError('ERR_PEER_CLOSED', 'connection closed');
    written?.(buffer, err);
    throw err;
  }
  const ok = socket.write(buffer, written && ((err?: Error | null) => written(buffer, err)));
  if (!ok) await drained(socket);
}

/**
 * Buffers that together hold at most `max` bytes, joined into one (a small answer goes out in
 * one write: one segment, which the peer reads at once); undefined if larger, or just one.
 */
export function joinSmall(buffers: readonly Buffer[], max: number): Buffer | undefined {
  if (buffers.length < 2 || buffers.reduce((n, b) => n + b.length, 0) > max) return undefined;
  return Buffer.concat(buffers);
}

function drained(socket: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      socket.off('error', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new TxtmeshError('ERR_PEER_CLOSED', 'connection closed while sending'));
    };
    socket.on('drain', onDrain);
    socket.on('close', onClose);
    socket.on('error', onClose);
  });
}

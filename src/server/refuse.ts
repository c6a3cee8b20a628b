/**
 * Closing a connection that is refused, so the answer arrives. Closing a socket while unread
 * bytes wait in its receive buffer makes the kernel send a reset, which can destroy the answer
 * before the client reads it; so the answer is sent with a FIN and whatever still comes in is
 * read and thrown away (never parsed) until the client closes, for at most `lingerMs`.
 */
import type { Duplex } from 'node:stream';

export const REFUSAL_LINGER_MS = 2000;

/** Sends `answer` (one ERR frame), half-closes, discards input, and destroys after `lingerMs`. */
export function refuseAndClose(socket: Duplex, answer: Buffer, lingerMs = REFUSAL_LINGER_MS): void {
  if (socket.destroyed) return;
  socket.end(answer);
  socket.on('data', () => undefined);
  socket.resume();
  setTimeout(() => socket.destroy(), lingerMs).unref();
}

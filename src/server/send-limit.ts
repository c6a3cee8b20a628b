/**
 * Sending under --max-upload-rate (transport/rate-limit.ts): an answer's chunk is handed to the
 * socket a slice at a time, each slice once the server's one bucket lets it go. Every busy
 * connection queues one slice at a time in that bucket, first come first served, so the rate
 * is shared evenly between whole connections, however large each one's answer is. A slice is a
 * fiftieth of a second at the rate (16 KiB to 256 KiB): small enough that a rate change is felt
 * at once and a connection's turn is short, large enough that a fast limit costs few writes.
 */
import type { Duplex } from 'node:stream';
import { type RateLimit, sliceFor } from '../transport/rate-limit.js';
import { sendOne } from '../transport/send.js';
import type { SendMeter } from './send-meter.js';

/**
 * Sends `chunk` in slices paced by `limit`. `release` gets the whole chunk back once the socket
 * is done with its last slice, or at once if the socket fails before that slice went out.
 * `sent` counts each slice the socket takes (send-answer.ts).
 */
export async function sendLimited(socket: Duplex, meter: SendMeter, limit: RateLimit, chunk: Buffer, release?: (chunk: Buffer) => void, sent?: SliceCount): Promise<void> {
  const slice = sliceFor(limit.rate);
  let at = 0;
  try {
    do {
      const piece = chunk.subarray(at, Math.min(chunk.length, at + slice));
      await limit.take(piece.length);
      at += piece.length;
      meter.handed(piece.length);
      const last = at >= chunk.length;
      // Only the last slice gives the chunk back: the socket writes in order.
      const taken = sent?.handed(piece.length);
      await sendOne(socket, piece, (_, err) => {
        taken?.(err);
        if (last) release?.(chunk);
      });
    } while (at < chunk.length);
  } catch (err) {
    if (at < chunk.length) release?.(chunk);
    throw err;
  }
}

/** Counts what the socket takes (send-answer.ts SentCount): `handed` gives the write's callback. */
interface SliceCount {
  handed(bytes: number): (err?: Error | null) => void;
}

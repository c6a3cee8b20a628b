/**
 * Which pieces a partial holder has, on the wire (docs/PROTOCOL.md, "Partial holders"): one
 * bit per piece, piece 0 the high bit of the first byte, ceil(k/8) bytes, spare bits zero —
 * BitTorrent's bitfield. In memory a holding is one byte per piece (1: held). Pure.
 */
import { protocolViolation } from './messages.js';

/** Bytes of the bitfield of `pieces` pieces. */
export function bitfieldBytes(pieces: number): number {
  return Math.ceil(pieces / 8);
}

/** One byte per piece → one bit per piece. */
export function encodeBitfield(flags: Uint8Array): Buffer {
  const bits = Buffer.alloc(bitfieldBytes(flags.length));
  for (let piece = 0; piece < flags.length; piece++) {
    if (flags[piece] === 1) bits[piece >> 3] = (bits[piece >> 3] as number) | (0x80 >> (piece & 7));
  }
  return bits;
}

/**
 * One bit per piece → one byte per piece.
 * @throws TxtmeshError ERR_PEER_PROTOCOL for a bitfield of the wrong length or with spare bits set
 */
export function decodeBitfield(bits: Uint8Array, pieces: number): Uint8Array {
  if (bits.length !== bitfieldBytes(pieces)) throw protocolViolation(`bitfield of ${bits.length} bytes for ${pieces} pieces`);
  const spare = pieces & 7;
  if (spare !== 0 && ((bits[bits.length - 1] as number) & (0xff >> spare)) !== 0) throw protocolViolation('bitfield has bits set past the last piece');
  const flags = new Uint8Array(pieces);
  for (let piece = 0; piece < pieces; piece++) flags[piece] = ((bits[piece >> 3] as number) >> (7 - (piece & 7))) & 1;
  return flags;
}

/** How many pieces a holding has. */
export function countHeld(flags: Uint8Array): number {
  let held = 0;
  for (const flag of flags) held += flag;
  return held;
}

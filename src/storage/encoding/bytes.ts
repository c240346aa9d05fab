/**
 * Byte helpers shared by the encoders. Decoding reads through a `mask`: 0x00 for bytes stored as
 * written, 0xff for bytes stored inverted (a DESC component, or the inverted digits of a negative
 * decimal). Reading `b ^ mask` lets one decoder serve both without copying the input.
 */
import { corrupt } from './errors.js';

/** A read position, advanced by the decoders. */
export interface Cursor {
  pos: number;
}

/** The byte at `pos` seen through `mask`; a read past the end is a truncated encoding. */
export function byteAt(buf: Buffer, pos: number, mask: number): number {
  if (pos >= buf.length) throw corrupt(`truncated at byte ${pos}`);
  return buf[pos]! ^ mask;
}

/** Reads `n` bytes at the cursor into a fresh buffer, un-inverting them when masked. */
export function takeMasked(buf: Buffer, cur: Cursor, n: number, mask: number): Buffer {
  const start = cur.pos;
  if (start + n > buf.length) throw corrupt(`truncated: need ${n} bytes at ${start}, have ${buf.length - start}`);
  const out = Buffer.allocUnsafe(n);
  if (n <= 16) {
    for (let i = 0; i < n; i++) out[i] = buf[start + i]! ^ mask; // cheaper than a native copy here
  } else {
    buf.copy(out, 0, start, start + n);
    if (mask !== 0) invertRange(out, 0, n);
  }
  cur.pos = start + n;
  return out;
}

/** Inverts every byte in [start, end): turns an ascending encoding into a descending one. */
export function invertRange(buf: Buffer, start: number, end: number): void {
  // A plain byte loop: measured faster than 32-bit Buffer reads and writes for clustering sizes.
  for (let i = start; i < end; i++) buf[i] = ~buf[i]! & 0xff;
}

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

/**
 * Byte strings compared bytewise (ascii, text, blob), made prefix-free.
 *
 *   Escaped := ( 0x00 0xff            a 0x00 byte of the value
 *              | b                    any other byte b of the value )*
 *              0x00 0x00              end of the value
 *
 * Order: bytewise order of the values (a value that is a prefix of another ends with 0x00 0x00
 * where the longer one has 0x00 0xff or a byte > 0x00, so it sorts first). No escaped string is a
 * prefix of another, so whatever follows (the next component, a 0xff bound byte) never changes
 * how two values compare. Inverted (DESC) the terminator is 0xff 0xff and an escaped zero 0xff 0x00.
 */
import { type Cursor, invertRange } from './bytes.js';
import { corrupt } from './errors.js';

/** Below this length byte loops beat the native indexOf / copy calls (measured, Node 20). */
const SHORT = 32;

export function escapedSize(v: Buffer): number {
  let size = v.length + 2;
  if (v.length < SHORT) {
    for (let i = 0; i < v.length; i++) if (v[i] === 0) size++;
    return size;
  }
  let i = v.indexOf(0);
  while (i !== -1) {
    size++;
    i = v.indexOf(0, i + 1);
  }
  return size;
}

export function writeEscaped(v: Buffer, out: Buffer, off: number): number {
  if (v.length < SHORT) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      out[off++] = x;
      if (x === 0) out[off++] = 0xff;
    }
    out[off++] = 0x00;
    out[off++] = 0x00;
    return off;
  }
  let from = 0;
  let i = v.indexOf(0);
  while (i !== -1) {
    off += v.copy(out, off, from, i + 1);
    out[off++] = 0xff;
    from = i + 1;
    i = v.indexOf(0, from);
  }
  off += v.copy(out, off, from);
  out[off++] = 0x00;
  out[off++] = 0x00;
  return off;
}

export function readEscaped(buf: Buffer, cur: Cursor, mask: number): Buffer {
  const zero = mask; // how a 0x00 byte is stored under this mask
  const start = cur.pos;
  // First pass: find the terminator and the decoded length, so the result is allocated once.
  let length = 0;
  let p = start;
  let end: number;
  for (;;) {
    const i = findByte(buf, zero, p);
    if (i === -1 || i + 1 >= buf.length) throw corrupt(`unterminated byte string at ${start}`);
    length += i - p;
    const next = buf[i + 1]! ^ mask;
    if (next === 0x00) {
      end = i + 2;
      break;
    }
    if (next !== 0xff) throw corrupt(`bad escape 0x00 0x${next.toString(16)} at ${i}`);
    length++;
    p = i + 2;
  }
  const out = Buffer.allocUnsafe(length);
  if (length < SHORT) {
    let o = 0;
    for (let i = start; i < end - 2; i++) {
      const x = buf[i]! ^ mask;
      out[o++] = x;
      if (x === 0) i++; // skip the escape byte
    }
  } else {
    let o = 0;
    p = start;
    for (;;) {
      const i = buf.indexOf(zero, p);
      o += buf.copy(out, o, p, i);
      if (i + 2 === end) break;
      out[o++] = zero; // an escaped zero, still in stored form: the inversion below fixes it
      p = i + 2;
    }
    if (mask !== 0) invertRange(out, 0, length);
  }
  cur.pos = end;
  return out;
}

/** indexOf for one byte, by a loop over the first bytes (short strings are the common case). */
function findByte(buf: Buffer, byte: number, from: number): number {
  const stop = Math.min(buf.length, from + SHORT);
  for (let i = from; i < stop; i++) if (buf[i] === byte) return i;
  return stop === buf.length ? -1 : buf.indexOf(byte, stop);
}

/**
 * Byte-comparable clusterings: the format. Rows, range tombstones and slices compare encoded
 * clusterings with Buffer.compare, and that order is Cassandra's clustering order.
 *
 *   Clustering := Component(c1) Component(c2) ... Component(ck)    k <= number of columns
 *   Component(c) := Element(type of c)        c is ASC
 *                 | ~Element(type of c)       c is DESC: every byte inverted (b -> 0xff - b)
 *   Element(t) := 0x02 | 0x03 Payload(t)      empty / non-empty value; payloads in value.ts
 *   Bound := Clustering | Clustering 0xff     see clustering.ts
 *
 * Properties the rest of the engine relies on:
 * - Every Component starts with a byte in 0x02..0x03 (ASC) or 0xfc..0xfd (DESC), so never 0xff:
 *   a prefix followed by 0xff sorts after every clustering that extends the prefix, and
 *   END_UNBOUNDED (a lone 0xff) after every clustering.
 * - Elements are prefix-free (no encoding is a prefix of another), so a clustering compares
 *   component by component: the first components decide, and a tie passes to the next one.
 * - Element(t) order is Cassandra's comparator for t, the empty value first; inversion reverses
 *   a prefix-free order exactly, so DESC needs nothing else (the empty value then sorts last).
 *
 * On-disk format: the header bytes (value.ts) and every payload layout must never change.
 */
import { type Cursor, invertRange } from './bytes.js';
import { corrupt } from './errors.js';
import type { ClusteringColumnType } from './types.js';
import { elementSize, readElement, writeElement } from './value.js';

export function componentSize(t: ClusteringColumnType, v: Buffer): number {
  return elementSize(t, v);
}

export function writeComponent(t: ClusteringColumnType, v: Buffer, out: Buffer, off: number): number {
  const end = writeElement(t, v, out, off);
  if (t.desc) invertRange(out, off, end);
  return end;
}

export function readComponent(t: ClusteringColumnType, buf: Buffer, cur: Cursor): Buffer {
  return readElement(t, buf, cur, t.desc ? 0xff : 0x00);
}

/** The encoding of one clustering value (a one-column clustering). */
export function encodeComponent(t: ClusteringColumnType, value: Buffer): Buffer {
  const out = Buffer.allocUnsafe(componentSize(t, value));
  writeComponent(t, value, out, 0);
  return out;
}

/** The native value of one encoded component; the canonical form where several exist. */
export function decodeComponent(t: ClusteringColumnType, encoded: Buffer): Buffer {
  const cur: Cursor = { pos: 0 };
  const value = readComponent(t, encoded, cur);
  if (cur.pos !== encoded.length) throw corrupt(`${encoded.length - cur.pos} bytes after the component`);
  return value;
}

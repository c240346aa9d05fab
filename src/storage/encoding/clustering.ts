/**
 * Whole clusterings, prefix bounds and slices (the component format is in component.ts).
 *
 * Bounds over a prefix P of clustering values (Enc(P) its encoding; the empty prefix encodes to
 * zero bytes):
 *
 *   inclusive start  Enc(P)          every clustering extending P is >= it
 *   exclusive start  Enc(P) 0xff     above every clustering extending P, below everything after P
 *   inclusive end    Enc(P) 0xff     (same bytes as the exclusive start)
 *   exclusive end    Enc(P)          below every clustering extending P, above everything before P
 *
 * Both work because a component never starts with 0xff and components are prefix-free. A slice
 * or range tombstone is the half-open byte range [start, end); the unbounded start is the empty
 * buffer (the empty prefix, inclusive) and the unbounded end is 0xff (END_UNBOUNDED).
 */
import { type Cursor } from './bytes.js';
import { componentSize, readComponent, writeComponent } from './component.js';
import { EncodingError, corrupt } from './errors.js';
import type { ByteRange, ClusteringColumnType, TupleBound, ValueBound } from './types.js';

/** Follows a prefix in a bound that must sort after every clustering extending the prefix. */
export const AFTER_PREFIX = 0xff;

/**
 * Encodes clustering values, all of them (a row's clustering) or a prefix. The result compares,
 * with Buffer.compare, as Cassandra compares the clusterings.
 */
export function encodeClustering(types: readonly ClusteringColumnType[], values: readonly Buffer[]): Buffer {
  return encode(types, values, false);
}

/**
 * Decodes an encoded clustering (or prefix) back into native values: the input bytes, except the
 * canonical form for values Cassandra compares equal to others (README.md, "Canonical forms").
 */
export function decodeClustering(types: readonly ClusteringColumnType[], encoded: Buffer): Buffer[] {
  const cur: Cursor = { pos: 0 };
  const values: Buffer[] = [];
  while (cur.pos < encoded.length) {
    if (values.length === types.length) throw corrupt(`more than ${types.length} components`);
    values.push(readComponent(types[values.length]!, encoded, cur));
  }
  return values;
}

/** The start of a slice beginning at prefix P: at P itself (inclusive) or just after it. */
export function startBound(types: readonly ClusteringColumnType[], prefix: readonly Buffer[], inclusive: boolean): Buffer {
  return encode(types, prefix, !inclusive);
}

/** The end of a slice stopping at prefix P: just after it (inclusive) or before it. */
export function endBound(types: readonly ClusteringColumnType[], prefix: readonly Buffer[], inclusive: boolean): Buffer {
  return encode(types, prefix, inclusive);
}

/**
 * The byte range of a CQL restriction: the clustering columns before column k fixed to
 * `eqPrefix` (k = eqPrefix.length), and column k optionally bounded below and above in the
 * type's value order. For a DESC column the value order runs against the byte order, so a lower
 * bound (`c > 5`) becomes the end of the range and an upper bound its start. An empty range
 * (start >= end) means the restriction selects nothing.
 */
export function sliceFor(types: readonly ClusteringColumnType[], eqPrefix: readonly Buffer[], lower?: ValueBound, upper?: ValueBound): ByteRange {
  const prefix = encodeClustering(types, eqPrefix);
  const k = eqPrefix.length;
  if ((lower !== undefined || upper !== undefined) && k >= types.length) {
    throw new EncodingError('BAD_BOUND', `a bound on column ${k} of a clustering with ${types.length} columns`);
  }
  const desc = k < types.length && types[k]!.desc;
  const low = desc ? upper : lower;
  const high = desc ? lower : upper;
  return {
    start: low === undefined ? prefix : extend(types, prefix, k, [low.value], !low.inclusive),
    end: high === undefined ? withAfter(prefix) : extend(types, prefix, k, [high.value], high.inclusive),
  };
}

/**
 * The byte ranges of a multi-column CQL restriction such as `(a, b) > (1, 2) AND (a, b) <= (3, 4)`
 * over the columns after `eqPrefix`, compared as tuples in value order. Each bound may cover a
 * different number of columns. Returns sorted, disjoint, non-empty ranges: one when the bounded
 * columns share one direction, possibly several when ASC and DESC columns mix (Cassandra splits
 * those slices the same way); none when the restriction selects nothing.
 */
export function tupleSlices(types: readonly ClusteringColumnType[], eqPrefix: readonly Buffer[], lower?: TupleBound, upper?: TupleBound): ByteRange[] {
  const prefix = encodeClustering(types, eqPrefix);
  const k = eqPrefix.length;
  const whole: ByteRange[] = [{ start: prefix, end: withAfter(prefix) }];
  const below = lower === undefined ? whole : boundRanges(types, prefix, k, lower, true);
  const above = upper === undefined ? whole : boundRanges(types, prefix, k, upper, false);
  const out: ByteRange[] = [];
  for (const a of below) {
    for (const b of above) {
      const start = Buffer.compare(a.start, b.start) >= 0 ? a.start : b.start;
      const end = Buffer.compare(a.end, b.end) <= 0 ? a.end : b.end;
      if (Buffer.compare(start, end) < 0) out.push({ start, end });
    }
  }
  return normalize(out);
}

/**
 * The clusterings on one side of a tuple bound (v1..vm) over columns k..k+m-1, as a union of
 * ranges: for each i, columns before k+i equal to v1..v(i-1) and column k+i strictly beyond vi
 * (or at vi too, for the last one of an inclusive bound).
 */
function boundRanges(types: readonly ClusteringColumnType[], prefix: Buffer, k: number, bound: TupleBound, isLower: boolean): ByteRange[] {
  const m = bound.values.length;
  if (m === 0) throw new EncodingError('BAD_BOUND', 'a tuple bound without values');
  if (k + m > types.length) throw new EncodingError('BAD_BOUND', `a bound on columns ${k}..${k + m - 1} of a clustering with ${types.length} columns`);
  const ranges: ByteRange[] = [];
  let fixed = prefix; // the encoding of the prefix plus v1..vi
  for (let i = 0; i < m; i++) {
    const t = types[k + i]!;
    const withValue = extend(types, fixed, k + i, [bound.values[i]!], false);
    const orEqual = i === m - 1 && bound.inclusive;
    // Beyond the value in byte order: a lower bound on an ASC column, an upper one on DESC.
    if (isLower !== t.desc) ranges.push({ start: orEqual ? withValue : withAfter(withValue), end: withAfter(fixed) });
    else ranges.push({ start: fixed, end: orEqual ? withAfter(withValue) : withValue });
    fixed = withValue;
  }
  return normalize(ranges.filter((r) => Buffer.compare(r.start, r.end) < 0));
}

/** Sorts ranges and merges those that overlap or touch. */
function normalize(ranges: ByteRange[]): ByteRange[] {
  ranges.sort((a, b) => Buffer.compare(a.start, b.start));
  const out: ByteRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last !== undefined && Buffer.compare(r.start, last.end) <= 0) {
      if (Buffer.compare(r.end, last.end) > 0) out[out.length - 1] = { start: last.start, end: r.end };
    } else {
      out.push(r);
    }
  }
  return out;
}

function encode(types: readonly ClusteringColumnType[], values: readonly Buffer[], after: boolean): Buffer {
  if (values.length > types.length) {
    throw new EncodingError('TOO_MANY_VALUES', `${values.length} clustering values for ${types.length} clustering columns`);
  }
  let size = after ? 1 : 0;
  for (let i = 0; i < values.length; i++) size += componentSize(types[i]!, values[i]!);
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  for (let i = 0; i < values.length; i++) off = writeComponent(types[i]!, values[i]!, out, off);
  if (after) out[off] = AFTER_PREFIX;
  return out;
}

/** An encoded prefix (ending at column `from`) followed by more values, then maybe 0xff. */
function extend(types: readonly ClusteringColumnType[], encoded: Buffer, from: number, values: readonly Buffer[], after: boolean): Buffer {
  let size = encoded.length + (after ? 1 : 0);
  for (let i = 0; i < values.length; i++) size += componentSize(types[from + i]!, values[i]!);
  const out = Buffer.allocUnsafe(size);
  let off = encoded.copy(out, 0);
  for (let i = 0; i < values.length; i++) off = writeComponent(types[from + i]!, values[i]!, out, off);
  if (after) out[off] = AFTER_PREFIX;
  return out;
}

function withAfter(encoded: Buffer): Buffer {
  const out = Buffer.allocUnsafe(encoded.length + 1);
  encoded.copy(out, 0);
  out[encoded.length] = AFTER_PREFIX;
  return out;
}

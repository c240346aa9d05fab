/**
 * Test support for the clustering encoding (no tests of its own: tap lists it as skipped):
 * - refCompare: Cassandra's comparators, transcribed plainly from
 *   src/java/org/apache/cassandra/db/marshal/*Type.java (decoded numbers, bigints, literal byte
 *   shuffles), sharing nothing with the encoder;
 * - canonical: the form Cassandra treats as the same value, which decoding must return;
 * - generators of native-protocol values for every type, edge cases included.
 */
import type { SeededRandom } from '../../../src/seams/index.js';
import type { ValueType } from '../../../src/storage/encoding/index.js';

// ---------- type shorthands ----------

export const T = {
  ascii: { kind: 'ascii' },
  text: { kind: 'text' },
  varchar: { kind: 'varchar' },
  int: { kind: 'int' },
  bigint: { kind: 'bigint' },
  smallint: { kind: 'smallint' },
  tinyint: { kind: 'tinyint' },
  boolean: { kind: 'boolean' },
  float: { kind: 'float' },
  double: { kind: 'double' },
  decimal: { kind: 'decimal' },
  varint: { kind: 'varint' },
  uuid: { kind: 'uuid' },
  timeuuid: { kind: 'timeuuid' },
  timestamp: { kind: 'timestamp' },
  date: { kind: 'date' },
  time: { kind: 'time' },
  blob: { kind: 'blob' },
  inet: { kind: 'inet' },
} as const satisfies Record<string, ValueType>;

export const SCALARS: ReadonlyArray<ValueType> = Object.values(T);

export const list = (e: ValueType): ValueType => ({ kind: 'list', elements: [e] });
export const set = (e: ValueType): ValueType => ({ kind: 'set', elements: [e] });
export const map = (k: ValueType, v: ValueType): ValueType => ({ kind: 'map', elements: [k, v] });
export const tuple = (...f: ValueType[]): ValueType => ({ kind: 'tuple', elements: f });
export const udt = (...f: ValueType[]): ValueType => ({ kind: 'udt', elements: f });

// ---------- native value builders ----------

export function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

export function int64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}

export function float32(x: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatBE(x);
  return b;
}

export function float64(x: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return b;
}

/** Two's complement bytes of v in exactly `length` bytes, or the minimal length when omitted. */
export function varintBytes(v: bigint, length?: number): Buffer {
  let n = 1;
  while (v < -(1n << BigInt(8 * n - 1)) || v >= 1n << BigInt(8 * n - 1)) n++;
  const len = Math.max(n, length ?? n);
  const u = BigInt.asUintN(8 * len, v);
  return Buffer.from(u.toString(16).padStart(2 * len, '0'), 'hex');
}

export function varintValue(b: Buffer): bigint {
  return BigInt.asIntN(8 * b.length, BigInt('0x' + b.toString('hex')));
}

export function decimalBytes(unscaled: bigint, scale: number, length?: number): Buffer {
  return Buffer.concat([int32(scale), varintBytes(unscaled, length)]);
}

export function decimalValue(b: Buffer): { unscaled: bigint; scale: number } {
  return { unscaled: varintValue(b.subarray(4)), scale: b.readInt32BE(0) };
}

/** Native frozen list / set: [int n] then n x [int length][bytes]. */
export function collection(parts: readonly Buffer[], count = parts.length): Buffer {
  const chunks: Buffer[] = [int32(count)];
  for (const p of parts) chunks.push(int32(p.length), p);
  return Buffer.concat(chunks);
}

/** Native tuple: [int length][bytes] per field, -1 for null. */
export function tupleBytes(fields: ReadonlyArray<Buffer | null>): Buffer {
  const chunks: Buffer[] = [];
  for (const f of fields) {
    if (f === null) chunks.push(int32(-1));
    else chunks.push(int32(f.length), f);
  }
  return Buffer.concat(chunks);
}

/** The values of a native collection: n of them, or 2n (keys and values) for a map. */
export function splitCollection(v: Buffer, perEntry = 1): Buffer[] {
  const n = v.readInt32BE(0) * perEntry;
  const out: Buffer[] = [];
  let p = 4;
  for (let i = 0; i < n; i++) {
    const len = v.readInt32BE(p);
    out.push(v.subarray(p + 4, p + 4 + len));
    p += 4 + len;
  }
  return out;
}

export function splitTuple(v: Buffer): Array<Buffer | null> {
  const out: Array<Buffer | null> = [];
  let p = 0;
  while (p < v.length) {
    const len = v.readInt32BE(p);
    p += 4;
    if (len < 0) out.push(null);
    else {
      out.push(v.subarray(p, p + len));
      p += len;
    }
  }
  return out;
}

// ---------- Cassandra's comparators ----------

const sign = (x: number | bigint): number => (x > 0 ? 1 : x < 0 ? -1 : 0);
const cmpNum = (a: number | bigint, b: number | bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const MASK64 = (1n << 64n) - 1n;

/** Java's Float.compare / Double.compare: -0.0 < 0.0, every NaN equal and above +Infinity. */
function javaCompare(x: number, y: number, xBits: bigint, yBits: bigint, nanBits: bigint): number {
  if (x < y) return -1;
  if (x > y) return 1;
  const a = Number.isNaN(x) ? nanBits : xBits;
  const b = Number.isNaN(y) ? nanBits : yBits;
  return cmpNum(a, b);
}

/** TimeUUIDType.reorderTimestampBytes. */
function reorderTimestampBytes(msb: bigint): bigint {
  return ((msb << 48n) | ((msb << 16n) & 0xffff00000000n) | (msb >> 32n)) & MASK64;
}

function compareDecimal(a: Buffer, b: Buffer): number {
  const x = decimalValue(a);
  const y = decimalValue(b);
  const sx = sign(x.unscaled);
  const sy = sign(y.unscaled);
  if (sx !== sy || sx === 0) return cmpNum(sx, sy);
  const gap = Math.abs(x.scale - y.scale);
  if (gap <= 4000) {
    // Exact: bring both to the larger scale (BigDecimal.compareTo).
    const s = Math.max(x.scale, y.scale);
    return cmpNum(x.unscaled * 10n ** BigInt(s - x.scale), y.unscaled * 10n ** BigInt(s - y.scale));
  }
  // Scales too far apart to multiply out: 10^(e-1) <= |v| < 10^e with e = digits - scale.
  const ex = (x.unscaled < 0n ? -x.unscaled : x.unscaled).toString().length - x.scale;
  const ey = (y.unscaled < 0n ? -y.unscaled : y.unscaled).toString().length - y.scale;
  if (ex === ey) throw new Error('test values out of the reference comparator range');
  return sx * cmpNum(ex, ey);
}

function compareUuid(a: Buffer, b: Buffer): number {
  const msb1 = a.readBigUInt64BE(0);
  const msb2 = b.readBigUInt64BE(0);
  const v1 = Number((msb1 >> 12n) & 0xfn);
  const v2 = Number((msb2 >> 12n) & 0xfn);
  if (v1 !== v2) return v1 - v2;
  const c = v1 === 1 ? cmpNum(BigInt.asIntN(64, reorderTimestampBytes(msb1)), BigInt.asIntN(64, reorderTimestampBytes(msb2))) : cmpNum(msb1, msb2);
  if (c !== 0) return c;
  return cmpNum(a.readBigUInt64BE(8), b.readBigUInt64BE(8));
}

function compareTimeUuid(a: Buffer, b: Buffer): number {
  const c = cmpNum(BigInt.asIntN(64, reorderTimestampBytes(a.readBigUInt64BE(0))), BigInt.asIntN(64, reorderTimestampBytes(b.readBigUInt64BE(0))));
  if (c !== 0) return c;
  // signedBytesToNativeLong, then Long.compare: the low half compared as signed bytes.
  const l1 = BigInt.asIntN(64, a.readBigUInt64BE(8) ^ 0x0080808080808080n);
  const l2 = BigInt.asIntN(64, b.readBigUInt64BE(8) ^ 0x0080808080808080n);
  return cmpNum(l1, l2);
}

function compareListOrSet(e: ValueType, a: Buffer, b: Buffer): number {
  const x = splitCollection(a);
  const y = splitCollection(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = refCompare(e, x[i]!, y[i]!);
    if (c !== 0) return c;
  }
  return cmpNum(x.length, y.length);
}

function compareMaps(k: ValueType, v: ValueType, a: Buffer, b: Buffer): number {
  const x = splitCollection(a, 2);
  const y = splitCollection(b, 2);
  for (let i = 0; i < Math.min(x.length, y.length); i += 2) {
    const c = refCompare(k, x[i]!, y[i]!) || refCompare(v, x[i + 1]!, y[i + 1]!);
    if (c !== 0) return c;
  }
  return cmpNum(x.length, y.length);
}

/** TupleType.compareCustom as of Cassandra 5.0 (trailing nulls equal missing fields). */
function compareTuples(types: readonly ValueType[], a: Buffer, b: Buffer): number {
  const x = splitTuple(a);
  const y = splitTuple(b);
  let i = 0;
  for (; i < x.length && i < y.length && i < types.length; i++) {
    const l = x[i]!;
    const r = y[i]!;
    if (l === null) {
      if (r === null) continue;
      return -1;
    }
    if (r === null) return 1;
    const c = refCompare(types[i]!, l, r);
    if (c !== 0) return c;
  }
  const restNull = (f: Array<Buffer | null>): boolean => f.slice(i).every((v) => v === null);
  if (restNull(x) && restNull(y)) return 0;
  if (i >= x.length) return restNull(y) ? 0 : -1;
  return restNull(x) ? 0 : 1;
}

/** Cassandra's comparator for the type (ascending); the empty value first for every type. */
export function refCompare(t: ValueType, a: Buffer, b: Buffer): number {
  if (a.length === 0 || b.length === 0) return cmpNum(a.length === 0 ? 0 : 1, b.length === 0 ? 0 : 1);
  switch (t.kind) {
    case 'tinyint':
      return cmpNum(a.readInt8(0), b.readInt8(0));
    case 'smallint':
      return cmpNum(a.readInt16BE(0), b.readInt16BE(0));
    case 'int':
      return cmpNum(a.readInt32BE(0), b.readInt32BE(0));
    case 'bigint':
    case 'timestamp':
      return cmpNum(a.readBigInt64BE(0), b.readBigInt64BE(0));
    case 'date':
      return cmpNum(a.readUInt32BE(0), b.readUInt32BE(0));
    case 'time': // TimeType is BYTE_ORDER
    case 'ascii':
    case 'text':
    case 'varchar':
    case 'blob':
    case 'inet':
      return sign(Buffer.compare(a, b));
    case 'boolean':
      if (a[0] === 0) return b[0] === 0 ? 0 : -1;
      return b[0] === 0 ? 1 : 0;
    case 'float':
      return javaCompare(a.readFloatBE(0), b.readFloatBE(0), BigInt(a.readInt32BE(0)), BigInt(b.readInt32BE(0)), 0x7fc00000n);
    case 'double':
      return javaCompare(a.readDoubleBE(0), b.readDoubleBE(0), a.readBigInt64BE(0), b.readBigInt64BE(0), 0x7ff8000000000000n);
    case 'varint':
      return cmpNum(varintValue(a), varintValue(b));
    case 'decimal':
      return compareDecimal(a, b);
    case 'uuid':
      return sign(compareUuid(a, b));
    case 'timeuuid':
      return sign(compareTimeUuid(a, b));
    case 'list':
    case 'set':
      return compareListOrSet(t.elements![0]!, a, b);
    case 'map':
      return compareMaps(t.elements![0]!, t.elements![1]!, a, b);
    case 'tuple':
    case 'udt':
      return compareTuples(t.elements!, a, b);
  }
}

// ---------- canonical forms ----------

/** The native form the decoder must return: the input, unless Cassandra has several forms of it. */
export function canonical(t: ValueType, v: Buffer): Buffer {
  if (v.length === 0) return v;
  switch (t.kind) {
    case 'boolean':
      return Buffer.from([v[0] === 0 ? 0 : 1]);
    case 'float':
      return Number.isNaN(v.readFloatBE(0)) ? Buffer.from('7fc00000', 'hex') : v;
    case 'double':
      return Number.isNaN(v.readDoubleBE(0)) ? Buffer.from('7ff8000000000000', 'hex') : v;
    case 'varint':
      return varintBytes(varintValue(v));
    case 'decimal': {
      let { unscaled, scale } = decimalValue(v);
      if (unscaled === 0n) return decimalBytes(0n, 0);
      while (unscaled % 10n === 0n && scale > -2147483648) {
        unscaled /= 10n;
        scale--;
      }
      // Integral values with up to 32 trailing zeros come back with scale 0 (10, not 1E+1).
      if (scale < 0 && scale >= -32) {
        unscaled *= 10n ** BigInt(-scale);
        scale = 0;
      }
      return decimalBytes(unscaled, scale);
    }
    case 'list':
      return collection(splitCollection(v).map((e) => canonical(t.elements![0]!, e)));
    case 'set': {
      const e = t.elements![0]!;
      const sorted = splitCollection(v)
        .map((x) => canonical(e, x))
        .sort((x, y) => refCompare(e, x, y));
      return collection(sorted.filter((x, i) => i === 0 || refCompare(e, sorted[i - 1]!, x) !== 0));
    }
    case 'map': {
      const [k, val] = t.elements!;
      const parts = splitCollection(v, 2);
      const entries: Array<[Buffer, Buffer]> = [];
      for (let i = 0; i < parts.length; i += 2) {
        const key = canonical(k!, parts[i]!);
        const value = canonical(val!, parts[i + 1]!);
        const at = entries.findIndex(([ek]) => refCompare(k!, ek, key) === 0);
        if (at >= 0) entries[at] = [key, value]; // a repeated key: the last value wins
        else entries.push([key, value]);
      }
      entries.sort((x, y) => refCompare(k!, x[0], y[0]));
      return collection(entries.flat(), entries.length);
    }
    case 'tuple':
    case 'udt': {
      const fields = splitTuple(v).map((f, i) => (f === null ? null : canonical(t.elements![i]!, f)));
      while (fields.length < t.elements!.length) fields.push(null);
      return tupleBytes(fields);
    }
    default:
      return v;
  }
}

// ---------- generators ----------

function pick<X>(r: SeededRandom, xs: readonly X[]): X {
  return xs[r.int(xs.length)]!;
}

/** Random bytes leaning on 0x00, 0x01, 0x7f, 0x80, 0xfe and 0xff. */
function edgyBytes(r: SeededRandom, n: number): Buffer {
  const b = r.bytes(n);
  for (let i = 0; i < n; i++) if (r.int(3) === 0) b[i] = pick(r, [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]);
  return b;
}

function utf8(r: SeededRandom, n: number): Buffer {
  const alphabet = ['\0', 'a', 'b', 'z', '\u007f', '\u00ff', '\u0100', '\uffff', '😀', ' '];
  let s = '';
  for (let i = 0; i < n; i++) s += pick(r, alphabet);
  return Buffer.from(s, 'utf8');
}

function randomLength(r: SeededRandom): number {
  const x = r.int(100);
  if (x < 70) return r.int(6);
  if (x < 95) return 6 + r.int(30);
  return 200 + r.int(200);
}

function genVarint(r: SeededRandom, small: boolean): Buffer {
  if (small) return varintBytes(BigInt(r.int(7) - 3), 1 + r.int(3));
  const x = r.int(10);
  if (x === 0) return pick(r, [[0x00], [0x00, 0x00], [0xff], [0xff, 0xff], [0x7f], [0x00, 0x80], [0x80], [0xff, 0x7f], [0x01, 0x00], [0xff, 0x80, 0x00]].map((a) => Buffer.from(a)));
  const len = x < 8 ? 1 + r.int(20) : 100 + r.int(200); // beyond 0x7e bytes: the long length class
  let b = edgyBytes(r, len);
  if (r.int(4) === 0) b = Buffer.concat([Buffer.alloc(1 + r.int(3), b[0]! & 0x80 ? 0xff : 0x00), b]); // redundant sign bytes
  return b;
}

function genDecimal(r: SeededRandom, small: boolean): Buffer {
  if (small) return decimalBytes(BigInt(r.int(5) - 2) * 10n ** BigInt(r.int(3)), r.int(3));
  const x = r.int(20);
  if (x === 0) {
    // Extreme scales, including stripping that would push the scale below int32.
    const scale = pick(r, [2147483647, -2147483648, -2147483647, 2147483000]);
    return decimalBytes(BigInt(r.int(2001) - 1000) * 10n ** BigInt(r.int(3)), scale);
  }
  const unscaled = varintValue(x < 17 ? edgyBytes(r, 1 + r.int(12)) : edgyBytes(r, 20 + r.int(150)));
  const scale = r.int(60) - 30;
  if (r.int(3) === 0) {
    // The same number written with more trailing zeros: Cassandra compares it equal.
    const k = r.int(5);
    return decimalBytes(unscaled * 10n ** BigInt(k), scale + k, r.int(3) === 0 ? 40 : undefined);
  }
  return decimalBytes(unscaled, scale);
}

const TIMESTAMP_POOL = ['1e60c6d8', '00000000', 'ffffffff', '13814000'];

function genUuid(r: SeededRandom, version: number | null, small: boolean): Buffer {
  const b = small ? Buffer.from(pick(r, ['00', '11', 'f0', '80']).repeat(16), 'hex') : edgyBytes(r, 16);
  const v = version ?? pick(r, [0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 8, 15]);
  if (v === 1 && r.int(2) === 0) {
    // Shared timestamps, so the low half decides.
    Buffer.from(pick(r, TIMESTAMP_POOL), 'hex').copy(b, 0);
    b.writeUInt16BE(0x1234, 4);
  }
  b[6] = (v << 4) | (b[6]! & 0x0f);
  if (r.int(10) === 0 && version === null) return Buffer.alloc(16); // the nil uuid (version 0)
  return b;
}

function genFloat(r: SeededRandom, small: boolean): Buffer {
  if (small) return float32(pick(r, [0, -0, 1, -1, NaN]));
  const x = r.int(4);
  if (x === 0) return Buffer.from(pick(r, ['00000000', '80000000', '7fc00000', '7f800001', 'ffc00000', 'ffffffff', '7f800000', 'ff800000', '7f7fffff', 'ff7fffff', '00000001', '80000001', '3f800000', 'bf800000']), 'hex');
  if (x === 1) return float32((r.next() - 0.5) * 10 ** (r.int(20) - 10));
  return r.bytes(4);
}

function genDouble(r: SeededRandom, small: boolean): Buffer {
  if (small) return float64(pick(r, [0, -0, 1, -1, NaN]));
  const x = r.int(4);
  if (x === 0) return Buffer.from(pick(r, ['0000000000000000', '8000000000000000', '7ff8000000000000', '7ff0000000000001', 'fff8000000000000', 'ffffffffffffffff', '7ff0000000000000', 'fff0000000000000', '7fefffffffffffff', 'ffefffffffffffff', '0000000000000001', '8000000000000001', '3ff0000000000000', 'bff0000000000000']), 'hex');
  if (x === 1) return float64((r.next() - 0.5) * 10 ** (r.int(40) - 20));
  return r.bytes(8);
}

function genInteger(r: SeededRandom, bytes: number, small: boolean): Buffer {
  if (small) return varintBytes(BigInt(r.int(5) - 2), bytes);
  if (r.int(4) === 0) {
    const half = 1n << BigInt(8 * bytes - 1);
    return varintBytes(pick(r, [0n, 1n, -1n, half - 1n, -half, 2n, -2n]), bytes);
  }
  return edgyBytes(r, bytes);
}

/**
 * A random native value of the type. `small` draws from a few values so that ties are common
 * (used for collection elements and leading clustering columns).
 */
export function gen(t: ValueType, r: SeededRandom, small = false): Buffer {
  if (r.int(small ? 12 : 30) === 0) return Buffer.alloc(0);
  switch (t.kind) {
    case 'tinyint':
      return genInteger(r, 1, small);
    case 'smallint':
      return genInteger(r, 2, small);
    case 'int':
    case 'date':
      return genInteger(r, 4, small);
    case 'bigint':
    case 'timestamp':
      return genInteger(r, 8, small);
    case 'time':
      return r.int(2) === 0 ? int64(BigInt(r.int(86400)) * 1_000_000_000n + BigInt(r.int(1_000_000_000))) : genInteger(r, 8, small);
    case 'boolean':
      return Buffer.from([pick(r, [0, 1, 1, 2, 0xff, 0x80])]);
    case 'float':
      return genFloat(r, small);
    case 'double':
      return genDouble(r, small);
    case 'varint':
      return genVarint(r, small);
    case 'decimal':
      return genDecimal(r, small);
    case 'uuid':
      return genUuid(r, null, small);
    case 'timeuuid':
      return genUuid(r, 1, small);
    case 'ascii': {
      const b = small ? Buffer.from(pick(r, ['a', 'a\0', 'ab', 'b', '\0'])) : edgyBytes(r, randomLength(r));
      for (let i = 0; i < b.length; i++) b[i] = b[i]! & 0x7f;
      return b;
    }
    case 'text':
    case 'varchar':
      return small ? Buffer.from(pick(r, ['a', 'a\0', 'ab', 'b', '\0', '\u00ff'])) : utf8(r, randomLength(r));
    case 'blob':
      return small ? Buffer.from(pick(r, ['61', '6100', '61ff', '62', '00', 'ff', 'ff00']), 'hex') : edgyBytes(r, randomLength(r));
    case 'inet': {
      const v4 = small ? Buffer.from(pick(r, ['7f000001', '0a000001', '00000000']), 'hex') : edgyBytes(r, 4);
      return r.int(2) === 0 ? v4 : Buffer.concat([r.int(2) === 0 ? v4 : edgyBytes(r, 4), edgyBytes(r, 12)]);
    }
    case 'list':
    case 'set': {
      const n = r.int(small ? 3 : 5);
      const parts: Buffer[] = [];
      for (let i = 0; i < n; i++) parts.push(gen(t.elements![0]!, r, r.int(10) < 7));
      const v = collection(parts);
      return t.kind === 'set' ? canonical(t, v) : v;
    }
    case 'map': {
      const n = r.int(small ? 3 : 5);
      const parts: Buffer[] = [];
      for (let i = 0; i < n; i++) parts.push(gen(t.elements![0]!, r, r.int(10) < 7), gen(t.elements![1]!, r, r.int(10) < 7));
      return canonical(t, collection(parts, n));
    }
    case 'tuple':
    case 'udt': {
      const types = t.elements!;
      const n = r.int(types.length + 1);
      const fields: Array<Buffer | null> = [];
      for (let i = 0; i < n; i++) fields.push(r.int(5) === 0 ? null : gen(types[i]!, r, r.int(10) < 7));
      return tupleBytes(fields);
    }
  }
}

/** The sign of x, for comparing comparator results. */
export function sgn(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

export function hex(b: Buffer): string {
  return b.length === 0 ? '<empty>' : b.length > 48 ? `${b.subarray(0, 48).toString('hex')}...(${b.length} bytes)` : b.toString('hex');
}

/** The seed of a property test: RINGTAIL_SEED when set, else the given default. */
export function seedFrom(fallback: number): number {
  const s = process.env['RINGTAIL_SEED'];
  return s !== undefined && s !== '' ? Number(s) >>> 0 : fallback;
}

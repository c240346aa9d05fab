/**
 * Value codecs, byte-exact with the native protocol's serialization formats (spec v4 section 6).
 *
 *   ascii text     bytes (ascii: every byte <= 0x7f; text: valid UTF-8)
 *   blob           bytes
 *   boolean        1 byte, 0 = false
 *   tinyint smallint int bigint counter   1 / 2 / 4 / 8 / 8 bytes two's complement
 *   float double   IEEE 754 binary32 / binary64
 *   timestamp      8 bytes, signed milliseconds since the epoch
 *   date           4 bytes, unsigned days with the epoch at 2^31
 *   time           8 bytes, nanoseconds since midnight
 *   uuid timeuuid  16 bytes (timeuuid: version 1)
 *   inet           4 or 16 bytes
 *   varint decimal duration   see numbers.ts
 *   list set       [int n] ([int len] bytes){n}        v4: int32 counts and lengths; no null element
 *   map            [int n] ([int len] key [int len] value){n}
 *   tuple          ([int len] bytes)* — len -1 is a null component; fewer components than the type is allowed
 *
 * Most types accept a zero-length "empty" value, distinct from null. It decodes to EMPTY (text and
 * ascii to '', blob to an empty Buffer); smallint, tinyint, date, time, duration and collections
 * refuse it, as in Cassandra.
 *
 * JS values:
 *   ascii text -> string; blob -> Buffer; boolean -> boolean
 *   tinyint smallint int float double -> number
 *   bigint counter varint -> bigint; timestamp -> bigint milliseconds
 *   date -> number of days since 1970-01-01 (signed); time -> bigint nanoseconds since midnight
 *   decimal -> { unscaled: bigint, scale: number }; duration -> { months, days, nanoseconds: bigint }
 *   uuid timeuuid -> lower-case canonical string; inet -> string (dotted quad, or RFC 5952 IPv6)
 *   list set -> array (sets in the type's order); map -> Map; tuple -> array, null for absent components
 * encodeValue also accepts some conveniences (numbers for bigints, Date for timestamps, strings for
 * dates / times / decimals / durations, Set for sets, arrays of pairs for maps, Buffer for uuid / inet).
 *
 * Errors: a value that does not fit its type is a CqlError with code INVALID (0x2200) and reason
 * 'marshal', with Cassandra's message where it has one.
 */
import { isUtf8 } from 'node:buffer';
import { marshalError } from './errors.js';
import { formatInet, parseInet } from './inet.js';
import {
  decimalFromBytes,
  decimalToBytes,
  durationFromBytes,
  durationToBytes,
  parseDecimal,
  parseDuration,
  varintFromBytes,
  varintToBytes,
  type Decimal,
  type Duration,
} from './numbers.js';
import { NANOS_PER_DAY, parseDate, parseTime } from './temporal.js';
import { typeToString, type CqlType, type NativeKind } from './types.js';

/** The empty value (zero bytes, not null) of a type that has one. */
export const EMPTY: unique symbol = Symbol('EMPTY');
export type Empty = typeof EMPTY;

export type CqlValue =
  | null
  | Empty
  | string
  | number
  | bigint
  | boolean
  | Buffer
  | Decimal
  | Duration
  | readonly CqlValue[]
  | ReadonlyMap<CqlValue, CqlValue>;

const EMPTY_BYTES = Buffer.alloc(0);
// In u-mode a well-formed surrogate pair is one code point, so this matches only unpaired halves.
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether the type accepts a zero-length value. */
export function acceptsEmpty(t: CqlType): boolean {
  switch (t.kind) {
    case 'smallint':
    case 'tinyint':
    case 'date':
    case 'time':
    case 'duration':
    case 'list':
    case 'set':
    case 'map':
      return false;
    default:
      return true;
  }
}

// --- validation -----------------------------------------------------------------------------------

/** Checks a native value's bytes (non-empty), throwing Cassandra's MarshalException message. */
function checkNative(kind: NativeKind, b: Buffer): void {
  const n = b.length;
  switch (kind) {
    case 'ascii':
      for (let i = 0; i < n; i++) if (b[i]! > 0x7f) throw marshalError(`Invalid byte for ascii: ${b[i]}`);
      return;
    case 'text':
      if (!isUtf8(b)) throw marshalError("String didn't validate.");
      return;
    case 'blob':
    case 'varint':
      return;
    case 'boolean':
      if (n !== 1) throw marshalError(`Expected 1 or 0 byte value (${n})`);
      return;
    case 'tinyint':
      if (n !== 1) throw marshalError(`Expected 1 byte for a tinyint (${n})`);
      return;
    case 'smallint':
      if (n !== 2) throw marshalError(`Expected 2 bytes for a smallint (${n})`);
      return;
    case 'int':
      if (n !== 4) throw marshalError(`Expected 4 or 0 byte int (${n})`);
      return;
    case 'bigint':
    case 'counter':
      if (n !== 8) throw marshalError(`Expected 8 or 0 byte long (${n})`);
      return;
    case 'float':
      if (n !== 4) throw marshalError(`Expected 4 or 0 byte value for a float (${n})`);
      return;
    case 'double':
      if (n !== 8) throw marshalError(`Expected 8 or 0 byte value for a double (${n})`);
      return;
    case 'timestamp':
      if (n !== 8) throw marshalError(`Expected 8 or 0 byte long for date (${n})`);
      return;
    case 'date':
      if (n !== 4) throw marshalError(`Expected 4 byte long for date (${n})`);
      return;
    case 'time':
      if (n !== 8) throw marshalError(`Expected 8 byte long for time (${n})`);
      return;
    case 'uuid':
      if (n !== 16) throw marshalError(`UUID should be 16 or 0 bytes (${n})`);
      return;
    case 'timeuuid':
      if (n !== 16) throw marshalError(`UUID should be 16 or 0 bytes (${n})`);
      if (b[6]! >> 4 !== 1) throw marshalError('Invalid version for TimeUUID type.');
      return;
    case 'inet':
      if (n !== 4 && n !== 16) throw marshalError(`Expected 4 or 16 byte inetaddress; got ${n} bytes`);
      return;
    case 'decimal':
      if (n < 5) throw marshalError(`Expected 0 or at least 5 bytes for a decimal (${n})`);
      return;
    case 'duration':
      durationFromBytes(b);
      return;
  }
}

function emptyValueError(t: CqlType): never {
  switch (t.kind) {
    case 'list':
    case 'set':
    case 'map':
      throw marshalError(`Not enough bytes to read a ${t.kind}`);
    default:
      checkNative(t.kind as NativeKind, EMPTY_BYTES);
      throw marshalError(`Empty value not allowed for ${typeToString(t)}`);
  }
}

/** Reads an [int] length-prefixed element at r.pos; returns [start, end) or null for a null element. */
function readElement(b: Buffer, r: { pos: number }, what: string): [number, number] | null {
  if (r.pos + 4 > b.length) throw marshalError(`Not enough bytes to read a ${what}`);
  const len = b.readInt32BE(r.pos);
  r.pos += 4;
  if (len < 0) {
    if (len === -1) return null;
    throw marshalError(`Invalid negative length ${len} in a ${what}`);
  }
  if (r.pos + len > b.length) throw marshalError(`Not enough bytes to read a ${what}`);
  const start = r.pos;
  r.pos += len;
  return [start, r.pos];
}

function readCount(b: Buffer, r: { pos: number }, what: string): number {
  if (b.length < 4) throw marshalError(`Not enough bytes to read a ${what}`);
  const n = b.readInt32BE(0);
  r.pos = 4;
  if (n < 0) throw marshalError(`Invalid negative element count ${n} in a ${what}`);
  // Each element takes at least 4 bytes: a larger count cannot be honest.
  if (n > (b.length - 4) / 4) throw marshalError(`Not enough bytes to read a ${what}`);
  return n;
}

/**
 * Checks that bytes are a valid value of the type (what Cassandra does to bound values). Throws a
 * marshal CqlError; allocates nothing for native types.
 */
export function validateValue(t: CqlType, b: Buffer): void {
  if (b.length === 0) {
    if (acceptsEmpty(t)) return;
    emptyValueError(t);
  }
  switch (t.kind) {
    case 'list':
    case 'set': {
      const r = { pos: 0 };
      const n = readCount(b, r, t.kind);
      for (let i = 0; i < n; i++) {
        const e = readElement(b, r, t.kind);
        if (e === null) throw marshalError('null is not supported inside collections');
        validateValue(t.element, b.subarray(e[0], e[1]));
      }
      if (r.pos !== b.length) throw marshalError(`Unexpected extraneous bytes after ${t.kind} value`);
      return;
    }
    case 'map': {
      const r = { pos: 0 };
      const n = readCount(b, r, 'map');
      for (let i = 0; i < n; i++) {
        const k = readElement(b, r, 'map');
        const v = readElement(b, r, 'map');
        if (k === null || v === null) throw marshalError('null is not supported inside collections');
        validateValue(t.key, b.subarray(k[0], k[1]));
        validateValue(t.value, b.subarray(v[0], v[1]));
      }
      if (r.pos !== b.length) throw marshalError('Unexpected extraneous bytes after map value');
      return;
    }
    case 'tuple': {
      const r = { pos: 0 };
      let i = 0;
      while (r.pos < b.length) {
        if (i >= t.elements.length) throw marshalError(`Tuple value has more components than ${typeToString(t)}`);
        const e = readElement(b, r, 'tuple component');
        if (e !== null) validateValue(t.elements[i]!, b.subarray(e[0], e[1]));
        i++;
      }
      return;
    }
    default:
      checkNative(t.kind, b);
  }
}

// --- decoding -------------------------------------------------------------------------------------

export function uuidToString(b: Buffer, offset = 0): string {
  const h = b.toString('hex', offset, offset + 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Canonical UUID text (any case) -> 16 bytes, or null. */
export function uuidFromString(s: string): Buffer | null {
  if (s.length !== 36 || s[8] !== '-' || s[13] !== '-' || s[18] !== '-' || s[23] !== '-') return null;
  const hex = s.slice(0, 8) + s.slice(9, 13) + s.slice(14, 18) + s.slice(19, 23) + s.slice(24);
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  return Buffer.from(hex, 'hex');
}

/** Bytes (not null) -> the JS value. Throws a marshal CqlError when the bytes do not fit the type. */
export function decodeValue(t: CqlType, b: Buffer): CqlValue {
  if (b.length === 0) {
    if (t.kind === 'text' || t.kind === 'ascii') return '';
    if (t.kind === 'blob') return Buffer.alloc(0);
    if (acceptsEmpty(t)) return EMPTY;
    emptyValueError(t);
  }
  switch (t.kind) {
    case 'list':
    case 'set': {
      const r = { pos: 0 };
      const n = readCount(b, r, t.kind);
      const out: CqlValue[] = new Array<CqlValue>(n);
      for (let i = 0; i < n; i++) {
        const e = readElement(b, r, t.kind);
        if (e === null) throw marshalError('null is not supported inside collections');
        out[i] = decodeValue(t.element, b.subarray(e[0], e[1]));
      }
      if (r.pos !== b.length) throw marshalError(`Unexpected extraneous bytes after ${t.kind} value`);
      return out;
    }
    case 'map': {
      const r = { pos: 0 };
      const n = readCount(b, r, 'map');
      const out = new Map<CqlValue, CqlValue>();
      for (let i = 0; i < n; i++) {
        const k = readElement(b, r, 'map');
        const v = readElement(b, r, 'map');
        if (k === null || v === null) throw marshalError('null is not supported inside collections');
        out.set(decodeValue(t.key, b.subarray(k[0], k[1])), decodeValue(t.value, b.subarray(v[0], v[1])));
      }
      if (r.pos !== b.length) throw marshalError('Unexpected extraneous bytes after map value');
      return out;
    }
    case 'tuple': {
      const r = { pos: 0 };
      const out: CqlValue[] = [];
      while (r.pos < b.length) {
        if (out.length >= t.elements.length) throw marshalError(`Tuple value has more components than ${typeToString(t)}`);
        const e = readElement(b, r, 'tuple component');
        out.push(e === null ? null : decodeValue(t.elements[out.length]!, b.subarray(e[0], e[1])));
      }
      while (out.length < t.elements.length) out.push(null);
      return out;
    }
  }
  checkNative(t.kind, b);
  switch (t.kind) {
    case 'ascii':
      return b.toString('latin1');
    case 'text':
      return b.toString('utf8');
    case 'blob':
      return Buffer.from(b);
    case 'boolean':
      return b[0] !== 0;
    case 'tinyint':
      return b.readInt8(0);
    case 'smallint':
      return b.readInt16BE(0);
    case 'int':
      return b.readInt32BE(0);
    case 'bigint':
    case 'counter':
    case 'timestamp':
      return b.readBigInt64BE(0);
    case 'float':
      return b.readFloatBE(0);
    case 'double':
      return b.readDoubleBE(0);
    case 'date':
      return b.readUInt32BE(0) - 0x80000000;
    case 'time':
      return b.readBigInt64BE(0);
    case 'uuid':
    case 'timeuuid':
      return uuidToString(b);
    case 'inet':
      return formatInet(b);
    case 'varint':
      return varintFromBytes(b);
    case 'decimal':
      return decimalFromBytes(b);
    case 'duration':
      return durationFromBytes(b);
  }
}

// --- encoding -------------------------------------------------------------------------------------

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (Buffer.isBuffer(v)) return `0x${v.toString('hex')}`;
  if (typeof v === 'object' && v !== null) return v.constructor?.name ?? 'object';
  return String(v);
}

function badValue(t: CqlType, v: unknown): never {
  throw marshalError(`Invalid value ${describe(v)} for type ${typeToString(t)}`);
}

function toBigInt(t: CqlType, v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  badValue(t, v);
}

function fixedInt(t: CqlType, v: unknown, bytes: 1 | 2 | 4): Buffer {
  const n = typeof v === 'bigint' ? Number(v) : v;
  const limit = 2 ** (bytes * 8 - 1);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -limit || n >= limit) badValue(t, v);
  const out = Buffer.allocUnsafe(bytes);
  if (bytes === 1) out.writeInt8(n, 0);
  else if (bytes === 2) out.writeInt16BE(n, 0);
  else out.writeInt32BE(n, 0);
  return out;
}

function int64(t: CqlType, v: unknown): Buffer {
  const n = toBigInt(t, v);
  if (n < -(1n << 63n) || n >= 1n << 63n) badValue(t, v);
  const out = Buffer.allocUnsafe(8);
  out.writeBigInt64BE(n, 0);
  return out;
}

/**
 * The JS value -> its bytes; null (or undefined) -> null, EMPTY -> zero bytes. Sets are sorted and
 * de-duplicated and maps sorted by key in the type's order (compareValues), as Cassandra stores them.
 */
export function encodeValue(t: CqlType, v: unknown): Buffer | null {
  if (v === null || v === undefined) return null;
  return encodeNonNull(t, v);
}

function encodeNonNull(t: CqlType, v: unknown): Buffer {
  if (v === EMPTY) {
    if (acceptsEmpty(t)) return EMPTY_BYTES;
    emptyValueError(t);
  }
  switch (t.kind) {
    case 'ascii': {
      if (typeof v !== 'string') badValue(t, v);
      const b = Buffer.from(v, 'latin1');
      if (b.length !== v.length || b.some((c) => c > 0x7f)) throw marshalError(`Invalid ASCII character in string literal ${describe(v)}`);
      return b;
    }
    case 'text':
      if (typeof v !== 'string') badValue(t, v);
      if (LONE_SURROGATE.test(v)) throw marshalError(`Invalid text: unpaired UTF-16 surrogate in ${describe(v)}`);
      return Buffer.from(v, 'utf8');
    case 'blob':
      if (Buffer.isBuffer(v)) return v;
      if (v instanceof Uint8Array) return Buffer.from(v);
      badValue(t, v);
    case 'boolean':
      if (typeof v !== 'boolean') badValue(t, v);
      return Buffer.from([v ? 1 : 0]);
    case 'tinyint':
      return fixedInt(t, v, 1);
    case 'smallint':
      return fixedInt(t, v, 2);
    case 'int':
      return fixedInt(t, v, 4);
    case 'bigint':
    case 'counter':
      return int64(t, v);
    case 'timestamp':
      return int64(t, v instanceof Date ? v.getTime() : v);
    case 'float': {
      if (typeof v !== 'number') badValue(t, v);
      const out = Buffer.allocUnsafe(4);
      out.writeFloatBE(v, 0);
      return out;
    }
    case 'double': {
      if (typeof v !== 'number') badValue(t, v);
      const out = Buffer.allocUnsafe(8);
      out.writeDoubleBE(v, 0);
      return out;
    }
    case 'date': {
      const days = typeof v === 'string' ? parseDate(v) : v;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < -0x80000000 || days > 0x7fffffff) badValue(t, v);
      const out = Buffer.allocUnsafe(4);
      out.writeUInt32BE(days + 0x80000000, 0);
      return out;
    }
    case 'time': {
      const nanos = typeof v === 'string' ? parseTime(v) : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
      if (typeof nanos !== 'bigint' || nanos < 0n || nanos >= NANOS_PER_DAY) badValue(t, v);
      const out = Buffer.allocUnsafe(8);
      out.writeBigInt64BE(nanos, 0);
      return out;
    }
    case 'uuid':
    case 'timeuuid': {
      const b = typeof v === 'string' ? uuidFromString(v) : Buffer.isBuffer(v) && v.length === 16 ? v : null;
      if (b === null) badValue(t, v);
      if (t.kind === 'timeuuid' && b[6]! >> 4 !== 1) throw marshalError(`Unsupported UUID version for timeuuid: ${describe(v)} is not a version 1 UUID`);
      return b;
    }
    case 'inet': {
      const b = typeof v === 'string' ? parseInet(v) : Buffer.isBuffer(v) && (v.length === 4 || v.length === 16) ? v : null;
      if (b === null) badValue(t, v);
      return b;
    }
    case 'varint': {
      if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return varintToBytes(BigInt(v));
      return varintToBytes(toBigInt(t, v));
    }
    case 'decimal': {
      let d: Decimal | null = null;
      if (typeof v === 'string') d = parseDecimal(v);
      else if (typeof v === 'number' && Number.isFinite(v)) d = parseDecimal(String(v));
      else if (typeof v === 'bigint') d = { unscaled: v, scale: 0 };
      else if (isDecimal(v)) d = v;
      if (d === null) badValue(t, v);
      return decimalToBytes(d);
    }
    case 'duration': {
      const d = typeof v === 'string' ? parseDuration(v) : isDuration(v) ? v : null;
      if (d === null) badValue(t, v);
      return durationToBytes(d);
    }
    case 'list': {
      if (!Array.isArray(v)) badValue(t, v);
      return packCollection(v.map((e) => encodeElement(t.element, e)), v.length);
    }
    case 'set': {
      const items = v instanceof Set ? [...v] : Array.isArray(v) ? v : badValue(t, v);
      return packSet(t.element, items.map((e) => encodeElement(t.element, e)));
    }
    case 'map': {
      const pairs = v instanceof Map ? [...v.entries()] : Array.isArray(v) ? v : badValue(t, v);
      return packMap(
        t.key,
        pairs.map((p): [Buffer, Buffer] => {
          if (!Array.isArray(p) || p.length !== 2) badValue(t, v);
          return [encodeElement(t.key, p[0]), encodeElement(t.value, p[1])];
        }),
      );
    }
    case 'tuple': {
      if (!Array.isArray(v) || v.length > t.elements.length) badValue(t, v);
      const parts = v.map((e, i) => (e === null || e === undefined ? null : encodeNonNull(t.elements[i]!, e)));
      return packTuple(parts);
    }
  }
}

function encodeElement(t: CqlType, v: unknown): Buffer {
  if (v === null || v === undefined) throw marshalError('null is not supported inside collections');
  return encodeNonNull(t, v);
}

function isDecimal(v: unknown): v is Decimal {
  return typeof v === 'object' && v !== null && typeof (v as Decimal).unscaled === 'bigint' && typeof (v as Decimal).scale === 'number';
}

function isDuration(v: unknown): v is Duration {
  const d = v as Duration;
  return typeof v === 'object' && v !== null && typeof d.months === 'number' && typeof d.days === 'number' && typeof d.nanoseconds === 'bigint';
}

/** A set's bytes from its elements' bytes: sorted in the element type's order, duplicates dropped. */
export function packSet(elementType: CqlType, elements: readonly Buffer[]): Buffer {
  const sorted = [...elements].sort((a, b) => compareValues(elementType, a, b));
  const unique = sorted.filter((e, i) => i === 0 || compareValues(elementType, sorted[i - 1]!, e) !== 0);
  return packCollection(unique, unique.length);
}

/** A map's bytes from [key, value] bytes: sorted by key; of equal keys the last one wins, as in a Java map. */
export function packMap(keyType: CqlType, entries: readonly (readonly [Buffer, Buffer])[]): Buffer {
  // Array.prototype.sort is stable, so equal keys keep their order and the last is kept.
  const sorted = [...entries].sort((a, b) => compareValues(keyType, a[0], b[0]));
  const unique = sorted.filter((e, i) => i === sorted.length - 1 || compareValues(keyType, e[0], sorted[i + 1]![0]) !== 0);
  return packCollection(unique.flat(), unique.length);
}

/** [int n] followed by each element as [int len] bytes. */
export function packCollection(elements: readonly Buffer[], count: number): Buffer {
  let size = 4;
  for (const e of elements) size += 4 + e.length;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(count, 0);
  let pos = 4;
  for (const e of elements) {
    out.writeInt32BE(e.length, pos);
    e.copy(out, pos + 4);
    pos += 4 + e.length;
  }
  return out;
}

/**
 * The elements of a serialized list or set, or the keys and values (alternating) of a map, as
 * slices of `bytes` (no copy). The bytes must already be valid for the type (validateValue).
 */
export function unpackCollection(bytes: Buffer, isMap: boolean): Buffer[] {
  const n = bytes.readInt32BE(0) * (isMap ? 2 : 1);
  const out = new Array<Buffer>(n);
  let pos = 4;
  for (let i = 0; i < n; i++) {
    const len = bytes.readInt32BE(pos);
    out[i] = bytes.subarray(pos + 4, pos + 4 + len);
    pos += 4 + len;
  }
  return out;
}

/** Each component as [int len] bytes, -1 for null. */
export function packTuple(components: readonly (Buffer | null)[]): Buffer {
  let size = 0;
  for (const c of components) size += 4 + (c === null ? 0 : c.length);
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const c of components) {
    if (c === null) {
      out.writeInt32BE(-1, pos);
      pos += 4;
    } else {
      out.writeInt32BE(c.length, pos);
      c.copy(out, pos + 4);
      pos += 4 + c.length;
    }
  }
  return out;
}

// --- ordering -------------------------------------------------------------------------------------

function sign(n: number | bigint): number {
  return n > 0 ? 1 : n < 0 ? -1 : 0;
}

/** Java's Float.compare / Double.compare: -0 < 0, NaN above everything, NaN == NaN. */
function compareFloats(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  if (a === 0 && b === 0) return sign((Object.is(a, -0) ? -1 : 0) - (Object.is(b, -0) ? -1 : 0));
  return 0;
}

/** A version 1 UUID's 60-bit timestamp. */
function uuidTimestamp(b: Buffer): bigint {
  const hi = BigInt(b.readUInt16BE(6) & 0x0fff);
  const mid = BigInt(b.readUInt16BE(4));
  const low = BigInt(b.readUInt32BE(0));
  return (hi << 48n) | (mid << 32n) | low;
}

/** Time UUIDs: by timestamp, then the low 8 bytes compared as signed bytes (Cassandra's TimeUUIDType). */
function compareTimeUuids(a: Buffer, b: Buffer): number {
  const d = sign(uuidTimestamp(a) - uuidTimestamp(b));
  if (d !== 0) return d;
  for (let i = 8; i < 16; i++) {
    const x = (a[i]! << 24) >> 24;
    const y = (b[i]! << 24) >> 24;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Orders two serialized values of the type as Cassandra does (the order of set elements, map keys
 * and clustering values): empty first; numbers by value; text, blob and inet bytewise; time UUIDs by
 * time; UUIDs by version, then (version 1) by time, else bytewise; frozen collections and tuples
 * element by element, shorter first.
 */
export function compareValues(t: CqlType, a: Buffer, b: Buffer): number {
  if (a.length === 0 || b.length === 0) return sign(a.length - b.length);
  switch (t.kind) {
    case 'tinyint':
      return sign(a.readInt8(0) - b.readInt8(0));
    case 'smallint':
      return sign(a.readInt16BE(0) - b.readInt16BE(0));
    case 'int':
      return sign(a.readInt32BE(0) - b.readInt32BE(0));
    case 'bigint':
    case 'counter':
    case 'timestamp':
    case 'time':
      return sign(a.readBigInt64BE(0) - b.readBigInt64BE(0));
    case 'float':
      return compareFloats(a.readFloatBE(0), b.readFloatBE(0));
    case 'double':
      return compareFloats(a.readDoubleBE(0), b.readDoubleBE(0));
    case 'boolean':
      return sign((a[0] !== 0 ? 1 : 0) - (b[0] !== 0 ? 1 : 0));
    case 'varint':
      return sign(varintFromBytes(a) - varintFromBytes(b));
    case 'decimal':
      return compareDecimals(decimalFromBytes(a), decimalFromBytes(b));
    case 'timeuuid':
      return compareTimeUuids(a, b);
    case 'uuid': {
      const va = a[6]! >> 4;
      const vb = b[6]! >> 4;
      if (va !== vb) return sign(va - vb);
      return va === 1 ? compareTimeUuids(a, b) : Buffer.compare(a, b);
    }
    case 'list':
    case 'set':
      return compareSequences(a, b, true, [t.element]);
    case 'map':
      return compareSequences(a, b, true, [t.key, t.value]);
    case 'tuple':
      return compareSequences(a, b, false, t.elements);
    default:
      return Buffer.compare(a, b);
  }
}

function compareDecimals(x: Decimal, y: Decimal): number {
  const sx = sign(x.unscaled);
  const sy = sign(y.unscaled);
  if (sx !== sy || sx === 0) return sign(sx - sy);
  // Same sign, both non-zero. Scales range over 32 bits, so never align them blindly (10^(2^32)):
  // first compare the position of the leading digit, after which the scales differ by at most
  // the difference in digit counts.
  const mx = sx < 0 ? -x.unscaled : x.unscaled;
  const my = sy < 0 ? -y.unscaled : y.unscaled;
  const dx = mx.toString().length;
  const dy = my.toString().length;
  const ax = dx - x.scale;
  const ay = dy - y.scale;
  if (ax !== ay) return ax > ay ? sx : -sx;
  const s = Math.max(x.scale, y.scale);
  const cmp = sign(mx * 10n ** BigInt(s - x.scale) - my * 10n ** BigInt(s - y.scale));
  return cmp * sx;
}

/** Collections (counted; types cycle per element: [elem] or [key, value]) and tuples (uncounted, positional). */
function compareSequences(a: Buffer, b: Buffer, counted: boolean, types: readonly CqlType[]): number {
  const ra = { pos: counted ? 4 : 0 };
  const rb = { pos: counted ? 4 : 0 };
  for (let i = 0; ; i++) {
    const endA = ra.pos >= a.length;
    const endB = rb.pos >= b.length;
    if (endA || endB) return endA && endB ? 0 : endA ? -1 : 1;
    const ea = readElement(a, ra, 'value');
    const eb = readElement(b, rb, 'value');
    if (ea === null || eb === null) {
      if (ea !== eb) return ea === null ? -1 : 1;
      continue;
    }
    const et = counted ? types[i % types.length]! : types[i];
    const d = et === undefined ? Buffer.compare(a.subarray(ea[0], ea[1]), b.subarray(eb[0], eb[1])) : compareValues(et, a.subarray(ea[0], ea[1]), b.subarray(eb[0], eb[1]));
    if (d !== 0) return d;
  }
}

/**
 * The ascending byte-comparable encoding of one value of a type (an Element, see component.ts for
 * the whole grammar), and its decoder. Encoding runs in two passes over the value, size then
 * write, so a clustering is allocated once at its exact size.
 *
 *   Element(t) := 0x02                empty value (zero bytes on the wire)
 *               | 0x03 Payload(t)     any other value
 *   Field(t)   := 0x01                null, only as a tuple field
 *               | Element(t)
 *
 *   Payload(tinyint | smallint | int | bigint | timestamp)
 *              := the 1 / 2 / 4 / 8 big-endian bytes with the sign bit flipped
 *   Payload(date | time)       := the 4 / 8 bytes unchanged (Cassandra compares them unsigned)
 *   Payload(boolean)           := 0x00 false | 0x01 true (any non-zero byte is true)
 *   Payload(float | double)    := the IEEE bits, NaN made canonical, then: negative -> every bit
 *                                 inverted; otherwise the sign bit set (so -0.0 < 0.0, NaN last)
 *   Payload(uuid)              := version 1: bytes 6 7 4 5 0 1 2 3 (the timestamp, most
 *                                 significant first, behind the version nibble), then 8..15;
 *                                 other versions: version nibble, bytes 0..5, low nibble of
 *                                 byte 6, byte 7 (a 64-bit shuffle), then 8..15
 *   Payload(timeuuid)          := bytes 6 7 4 5 0 1 2 3, then bytes 8..15 each xor 0x80
 *                                 (TimeUUIDType compares the low half as signed bytes)
 *   Payload(ascii | text | varchar | blob) := Escaped (escaped.ts)
 *   Payload(inet)              := a0 a1 a2 a3 0x00                 IPv4
 *                               | a0 a1 a2 a3 0x01 a4 .. a15       IPv6 (bytewise order kept)
 *   Payload(varint | decimal)  := see numeric.ts
 *   Payload(list<e> | set<e>)  := Element(e)* 0x00
 *   Payload(map<k, v>)         := (Element(k) Element(v))* 0x00
 *   Payload(tuple | udt)       := Field(f1) Field(f2) ... 0x00, trailing nulls dropped
 *
 * Sets are written sorted by their elements' encodings with duplicates dropped, maps sorted by key
 * with the last value of a repeated key kept (what Cassandra does to a frozen set or map on
 * write), so equal collections encode alike whatever order the client sent.
 */
import { type Cursor, EMPTY_BUFFER, byteAt, invertRange, takeMasked } from './bytes.js';
import { EncodingError, corrupt, invalidValue } from './errors.js';
import { escapedSize, readEscaped, writeEscaped } from './escaped.js';
import { decimalPayload, readDecimal, readVarint, varintSize, writeVarint } from './numeric.js';
import type { ValueKind, ValueType } from './types.js';

/** Header bytes. On-disk format: never renumber. */
export const END = 0x00;
export const NULL_FIELD = 0x01;
export const EMPTY_VALUE = 0x02;
export const PRESENT_VALUE = 0x03;

const FLOAT_NAN = 0x7fc00000;
const DOUBLE_NAN_HI = 0x7ff80000;

/**
 * Payloads that are costly to compute (decimal digits, sorted sets and maps) are computed by the
 * size pass and picked up (and dropped) by the write pass. Keyed by the value buffer object,
 * so nothing is retained once the caller lets go of its values, and checked against the type
 * (one buffer may be passed for two columns); the write pass recomputes on a miss.
 */
const computed = new WeakMap<Buffer, { readonly type: ValueType; readonly payload: Buffer }>();

const KINDS: ReadonlySet<string> = new Set<ValueKind>([
  'ascii', 'text', 'varchar', 'int', 'bigint', 'smallint', 'tinyint', 'boolean', 'float', 'double', 'decimal', 'varint',
  'uuid', 'timeuuid', 'timestamp', 'date', 'time', 'blob', 'inet', 'list', 'set', 'map', 'tuple', 'udt',
]);

export function elementSize(t: ValueType, v: Buffer): number {
  if (v.length > 0) return 1 + payloadSize(t, v);
  // The empty value needs no payload codec, but an unsupported type is refused all the same.
  if (!KINDS.has(t.kind)) throw unknownKind(t);
  return 1;
}

export function writeElement(t: ValueType, v: Buffer, out: Buffer, off: number): number {
  if (v.length === 0) {
    out[off] = EMPTY_VALUE;
    return off + 1;
  }
  out[off] = PRESENT_VALUE;
  return writePayload(t, v, out, off + 1);
}

/** Reads one Element; a header other than empty / present is corruption. */
export function readElement(t: ValueType, buf: Buffer, cur: Cursor, mask: number): Buffer {
  const h = byteAt(buf, cur.pos, mask);
  if (h === EMPTY_VALUE) {
    if (!KINDS.has(t.kind)) throw unknownKind(t);
    cur.pos++;
    return EMPTY_BUFFER;
  }
  if (h !== PRESENT_VALUE) throw corrupt(`bad value header 0x${h.toString(16)} at ${cur.pos}`);
  cur.pos++;
  return readPayload(t, buf, cur, mask);
}

function fixedLength(t: ValueType, v: Buffer, n: number): number {
  if (v.length !== n) throw invalidValue(t.kind, `${v.length} bytes, expected ${n} (or 0)`);
  return n;
}

function payloadSize(t: ValueType, v: Buffer): number {
  switch (t.kind) {
    case 'tinyint':
    case 'boolean':
      return fixedLength(t, v, 1);
    case 'smallint':
      return fixedLength(t, v, 2);
    case 'int':
    case 'date':
    case 'float':
      return fixedLength(t, v, 4);
    case 'bigint':
    case 'timestamp':
    case 'time':
    case 'double':
      return fixedLength(t, v, 8);
    case 'uuid':
    case 'timeuuid':
      return fixedLength(t, v, 16);
    case 'ascii':
    case 'text':
    case 'varchar':
    case 'blob':
      return escapedSize(v);
    case 'inet':
      if (v.length === 4) return 5;
      if (v.length === 16) return 17;
      throw invalidValue('inet', `${v.length} bytes, expected 4 or 16 (or 0)`);
    case 'varint':
      return varintSize(v);
    case 'decimal':
    case 'set':
    case 'map': {
      const payload = costlyPayload(t, v);
      computed.set(v, { type: t, payload });
      return payload.length;
    }
    case 'list':
      return listSize(t, v);
    case 'tuple':
    case 'udt':
      return tupleSize(t, v);
    default:
      throw unknownKind(t);
  }
}

function writePayload(t: ValueType, v: Buffer, out: Buffer, off: number): number {
  switch (t.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'timestamp':
      copyShort(v, out, off);
      out[off] = out[off]! ^ 0x80;
      return off + v.length;
    case 'date':
    case 'time':
      copyShort(v, out, off);
      return off + v.length;
    case 'boolean':
      out[off] = v[0] === 0 ? 0 : 1;
      return off + 1;
    case 'float':
      out.writeUInt32BE(orderedFloatBits(v.readUInt32BE(0)), off);
      return off + 4;
    case 'double':
      return writeOrderedDouble(v, out, off);
    case 'uuid':
      return writeUuid(v, out, off);
    case 'timeuuid':
      return writeTimeUuid(v, out, off);
    case 'ascii':
    case 'text':
    case 'varchar':
    case 'blob':
      return writeEscaped(v, out, off);
    case 'inet':
      v.copy(out, off, 0, 4);
      if (v.length === 4) {
        out[off + 4] = 0x00;
        return off + 5;
      }
      out[off + 4] = 0x01;
      v.copy(out, off + 5, 4);
      return off + 17;
    case 'varint':
      return writeVarint(v, out, off);
    case 'decimal':
    case 'set':
    case 'map': {
      const hit = computed.get(v);
      let payload: Buffer;
      if (hit !== undefined && hit.type === t) {
        payload = hit.payload;
        computed.delete(v);
      } else {
        payload = costlyPayload(t, v);
      }
      return off + payload.copy(out, off);
    }
    case 'list':
      return writeList(t, v, out, off);
    case 'tuple':
    case 'udt':
      return writeTuple(t, v, out, off);
    default:
      throw unknownKind(t);
  }
}

function readPayload(t: ValueType, buf: Buffer, cur: Cursor, mask: number): Buffer {
  switch (t.kind) {
    case 'tinyint':
      return signFlipped(takeMasked(buf, cur, 1, mask));
    case 'smallint':
      return signFlipped(takeMasked(buf, cur, 2, mask));
    case 'int':
      return signFlipped(takeMasked(buf, cur, 4, mask));
    case 'bigint':
    case 'timestamp':
      return signFlipped(takeMasked(buf, cur, 8, mask));
    case 'date':
      return takeMasked(buf, cur, 4, mask);
    case 'time':
      return takeMasked(buf, cur, 8, mask);
    case 'boolean': {
      const b = takeMasked(buf, cur, 1, mask);
      if (b[0]! > 1) throw corrupt(`bad boolean 0x${b[0]!.toString(16)}`);
      return b;
    }
    case 'float': {
      const b = takeMasked(buf, cur, 4, mask);
      const x = b.readUInt32BE(0);
      b.writeUInt32BE(x & 0x80000000 ? (x ^ 0x80000000) >>> 0 : ~x >>> 0, 0);
      return b;
    }
    case 'double': {
      const b = takeMasked(buf, cur, 8, mask);
      if (b[0]! & 0x80) b[0] = b[0]! ^ 0x80;
      else invertRange(b, 0, 8);
      return b;
    }
    case 'uuid':
      return readUuid(takeMasked(buf, cur, 16, mask));
    case 'timeuuid':
      return readTimeUuid(takeMasked(buf, cur, 16, mask));
    case 'ascii':
    case 'text':
    case 'varchar':
    case 'blob':
      return readEscaped(buf, cur, mask);
    case 'inet': {
      const head = takeMasked(buf, cur, 5, mask);
      if (head[4] === 0x00) return head.subarray(0, 4);
      if (head[4] !== 0x01) throw corrupt(`bad inet length marker 0x${head[4]!.toString(16)}`);
      const tail = takeMasked(buf, cur, 12, mask);
      return Buffer.concat([head.subarray(0, 4), tail], 16);
    }
    case 'varint':
      return readVarint(buf, cur, mask);
    case 'decimal':
      return readDecimal(buf, cur, mask);
    case 'list':
    case 'set':
      return readListOrSet(t, buf, cur, mask);
    case 'map':
      return readMap(t, buf, cur, mask);
    case 'tuple':
    case 'udt':
      return readTuple(t, buf, cur, mask);
    default:
      throw unknownKind(t);
  }
}

function unknownKind(t: ValueType): EncodingError {
  return new EncodingError('INVALID_TYPE', `unsupported clustering type kind '${String(t.kind)}'`);
}

/** Copies a value of at most 16 bytes: a loop beats Buffer.copy's native call at this size. */
function copyShort(v: Buffer, out: Buffer, off: number): void {
  for (let i = 0; i < v.length; i++) out[off + i] = v[i]!;
}

function signFlipped(b: Buffer): Buffer {
  b[0] = b[0]! ^ 0x80;
  return b;
}

// ---- floating point ----

/** Float bits in an order where unsigned comparison is Java's Float.compare. */
function orderedFloatBits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) bits = FLOAT_NAN; // every NaN is the same value
  return bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

function writeOrderedDouble(v: Buffer, out: Buffer, off: number): number {
  let hi = v.readUInt32BE(0);
  let lo = v.readUInt32BE(4);
  if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0x000fffff) | lo) !== 0) {
    hi = DOUBLE_NAN_HI;
    lo = 0;
  }
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  out.writeUInt32BE(hi, off);
  out.writeUInt32BE(lo, off + 4);
  return off + 8;
}

// ---- uuids ----

/** Bytes 6 7 4 5 0 1 2 3: a version 1 uuid's 60-bit timestamp, most significant first. */
function writeTimestampFirst(v: Buffer, out: Buffer, off: number): void {
  out[off] = v[6]!;
  out[off + 1] = v[7]!;
  out[off + 2] = v[4]!;
  out[off + 3] = v[5]!;
  out[off + 4] = v[0]!;
  out[off + 5] = v[1]!;
  out[off + 6] = v[2]!;
  out[off + 7] = v[3]!;
}

function readTimestampFirst(b: Buffer, out: Buffer): void {
  out[6] = b[0]!;
  out[7] = b[1]!;
  out[4] = b[2]!;
  out[5] = b[3]!;
  out[0] = b[4]!;
  out[1] = b[5]!;
  out[2] = b[6]!;
  out[3] = b[7]!;
}

function writeUuid(v: Buffer, out: Buffer, off: number): number {
  const version = v[6]! >> 4;
  if (version === 1) {
    writeTimestampFirst(v, out, off);
  } else {
    // UUIDType orders by version, then the high 64 bits unsigned: move the version nibble first.
    const hi = v.readUInt32BE(0);
    const lo = v.readUInt32BE(4);
    out.writeUInt32BE(((version << 28) | (hi >>> 4)) >>> 0, off);
    out.writeUInt32BE((((hi & 0xf) << 28) | ((lo >>> 16) << 12) | (lo & 0xfff)) >>> 0, off + 4);
  }
  for (let i = 8; i < 16; i++) out[off + i] = v[i]!;
  return off + 16;
}

function readUuid(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(16);
  const version = b[0]! >> 4;
  if (version === 1) {
    readTimestampFirst(b, out);
  } else {
    const rhi = b.readUInt32BE(0);
    const rlo = b.readUInt32BE(4);
    out.writeUInt32BE((((rhi & 0x0fffffff) << 4) | (rlo >>> 28)) >>> 0, 0);
    out.writeUInt32BE(((((rlo >>> 12) & 0xffff) << 16) | (version << 12) | (rlo & 0xfff)) >>> 0, 4);
  }
  b.copy(out, 8, 8, 16);
  return out;
}

function writeTimeUuid(v: Buffer, out: Buffer, off: number): number {
  if (v[6]! >> 4 !== 1) throw invalidValue('timeuuid', `version ${v[6]! >> 4}; a timeuuid must be a version 1 uuid`);
  writeTimestampFirst(v, out, off);
  for (let i = 8; i < 16; i++) out[off + i] = v[i]! ^ 0x80;
  return off + 16;
}

function readTimeUuid(b: Buffer): Buffer {
  if (b[0]! >> 4 !== 1) throw corrupt(`timeuuid of version ${b[0]! >> 4}`);
  const out = Buffer.allocUnsafe(16);
  readTimestampFirst(b, out);
  for (let i = 8; i < 16; i++) out[i] = b[i]! ^ 0x80;
  return out;
}

// ---- frozen collections and tuples ----

function elementTypes(t: ValueType, n: number): readonly ValueType[] {
  const e = t.elements;
  if (e === undefined || (n > 0 ? e.length !== n : e.length === 0)) {
    throw new EncodingError('INVALID_TYPE', `${t.kind} needs ${n > 0 ? n : 'at least one'} element type(s), has ${e?.length ?? 0}`);
  }
  return e;
}

/** Splits a native collection value ([int n] then n x [int length][bytes]) into its values. */
function splitCollection(t: ValueType, v: Buffer, perEntry: number): Buffer[] {
  if (v.length < 4) throw invalidValue(t.kind, `${v.length} bytes, too short for an element count`);
  const count = v.readInt32BE(0);
  if (count < 0) throw invalidValue(t.kind, `negative element count ${count}`);
  const n = count * perEntry;
  // Each value needs at least its 4-byte length: refuse absurd counts before allocating.
  if (n > (v.length - 4) / 4) throw invalidValue(t.kind, `${count} elements cannot fit in ${v.length} bytes`);
  const parts = new Array<Buffer>(n);
  let p = 4;
  for (let i = 0; i < n; i++) {
    if (p + 4 > v.length) throw invalidValue(t.kind, 'truncated element length');
    const len = v.readInt32BE(p);
    p += 4;
    if (len < 0) throw invalidValue(t.kind, 'null is not supported inside collections');
    if (p + len > v.length) throw invalidValue(t.kind, 'truncated element');
    parts[i] = v.subarray(p, p + len);
    p += len;
  }
  if (p !== v.length) throw invalidValue(t.kind, `${v.length - p} bytes after the last element`);
  return parts;
}

function listSize(t: ValueType, v: Buffer): number {
  const [e] = elementTypes(t, 1);
  const parts = splitCollection(t, v, 1);
  let size = 1;
  for (const part of parts) size += elementSize(e!, part);
  return size;
}

function writeList(t: ValueType, v: Buffer, out: Buffer, off: number): number {
  const [e] = elementTypes(t, 1);
  for (const part of splitCollection(t, v, 1)) off = writeElement(e!, part, out, off);
  out[off] = END;
  return off + 1;
}

function encodeElement(t: ValueType, v: Buffer): Buffer {
  const out = Buffer.allocUnsafe(elementSize(t, v));
  writeElement(t, v, out, 0);
  return out;
}

/** A set's or map's payload with its entries sorted (and deduplicated) by their encodings. */
function costlyPayload(t: ValueType, v: Buffer): Buffer {
  if (t.kind === 'decimal') return decimalPayload(v);
  const isMap = t.kind === 'map';
  const types = elementTypes(t, isMap ? 2 : 1);
  const parts = splitCollection(t, v, isMap ? 2 : 1);
  const entries: Array<{ key: Buffer; value: Buffer | null }> = [];
  for (let i = 0; i < parts.length; i += isMap ? 2 : 1) {
    entries.push({ key: encodeElement(types[0]!, parts[i]!), value: isMap ? encodeElement(types[1]!, parts[i + 1]!) : null });
  }
  entries.sort((a, b) => Buffer.compare(a.key, b.key)); // stable: equal keys keep their order
  const kept: Buffer[] = [];
  let size = 1;
  for (let i = 0; i < entries.length; i++) {
    const next = entries[i + 1];
    if (next !== undefined && next.key.equals(entries[i]!.key)) continue; // the last of equal keys wins
    const { key, value } = entries[i]!;
    kept.push(key);
    size += key.length;
    if (value !== null) {
      kept.push(value);
      size += value.length;
    }
  }
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  for (const b of kept) off += b.copy(out, off);
  out[off] = END;
  return out;
}

/** Splits a native tuple value (fields as [int length][bytes], length < 0 is null). */
function splitTuple(t: ValueType, v: Buffer): Array<Buffer | null> {
  const types = elementTypes(t, 0);
  const fields: Array<Buffer | null> = [];
  let p = 0;
  while (p < v.length) {
    if (fields.length === types.length) throw invalidValue(t.kind, `more than ${types.length} fields`);
    if (p + 4 > v.length) throw invalidValue(t.kind, 'truncated field length');
    const len = v.readInt32BE(p);
    p += 4;
    if (len < 0) {
      fields.push(null);
      continue;
    }
    if (p + len > v.length) throw invalidValue(t.kind, 'truncated field');
    fields.push(v.subarray(p, p + len));
    p += len;
  }
  // Cassandra compares a tuple with trailing null fields equal to one without them.
  while (fields.length > 0 && fields[fields.length - 1] === null) fields.pop();
  return fields;
}

function tupleSize(t: ValueType, v: Buffer): number {
  const types = t.elements!;
  const fields = splitTuple(t, v);
  let size = 1;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    size += f === null ? 1 : elementSize(types[i]!, f);
  }
  return size;
}

function writeTuple(t: ValueType, v: Buffer, out: Buffer, off: number): number {
  const types = t.elements!;
  const fields = splitTuple(t, v);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f === null) out[off++] = NULL_FIELD;
    else off = writeElement(types[i]!, f, out, off);
  }
  out[off] = END;
  return off + 1;
}

/** Joins values into the native framing: [int length][bytes] each, after an optional count. */
function frame(count: number | null, parts: ReadonlyArray<Buffer | null>): Buffer {
  let size = count === null ? 0 : 4;
  for (const p of parts) size += 4 + (p === null ? 0 : p.length);
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  if (count !== null) off = out.writeInt32BE(count, 0);
  for (const p of parts) {
    if (p === null) {
      off = out.writeInt32BE(-1, off);
    } else {
      off = out.writeInt32BE(p.length, off);
      off += p.copy(out, off);
    }
  }
  return out;
}

function readListOrSet(t: ValueType, buf: Buffer, cur: Cursor, mask: number): Buffer {
  const [e] = elementTypes(t, 1);
  const parts: Buffer[] = [];
  while (byteAt(buf, cur.pos, mask) !== END) parts.push(readElement(e!, buf, cur, mask));
  cur.pos++;
  return frame(parts.length, parts);
}

function readMap(t: ValueType, buf: Buffer, cur: Cursor, mask: number): Buffer {
  const [k, val] = elementTypes(t, 2);
  const parts: Buffer[] = [];
  while (byteAt(buf, cur.pos, mask) !== END) {
    parts.push(readElement(k!, buf, cur, mask));
    parts.push(readElement(val!, buf, cur, mask));
  }
  cur.pos++;
  return frame(parts.length / 2, parts);
}

function readTuple(t: ValueType, buf: Buffer, cur: Cursor, mask: number): Buffer {
  const types = elementTypes(t, 0);
  const fields: Array<Buffer | null> = [];
  for (;;) {
    const h = byteAt(buf, cur.pos, mask);
    if (h === END) break;
    if (fields.length === types.length) throw corrupt(`${t.kind} with more than ${types.length} fields`);
    if (h === NULL_FIELD) {
      cur.pos++;
      fields.push(null);
    } else {
      fields.push(readElement(types[fields.length]!, buf, cur, mask));
    }
  }
  cur.pos++;
  if (fields.length > 0 && fields[fields.length - 1] === null) throw corrupt(`${t.kind} ending in a null field`);
  // The canonical form has every declared field, missing trailing ones as null.
  while (fields.length < types.length) fields.push(null);
  return frame(null, fields);
}

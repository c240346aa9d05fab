/**
 * The binary codec of mutations and partition updates: the commit-log payload, and the
 * internode / hint / batchlog payload. Framing and checksums belong to the container (commit-log
 * record, message envelope); this codec is only strict about the bytes it is given.
 *
 * Grammar (fixed-width integers big-endian):
 *
 *   mutation        := version:u8 keyspace:string key:bytes token:i64 count:uvarint body{count}
 *   partitionUpdate := version:u8 key:bytes token:i64 body          (standalone form)
 *
 *   body      := tableId:string uflags:u8
 *                [tsBase:svarint]   if uflags & HAS_TS_BASE
 *                [secBase:svarint]  if uflags & HAS_SEC_BASE
 *                columnCount:uvarint columnName:string{columnCount}
 *                [partitionDeletion:deletion]  if uflags & HAS_PARTITION_DELETION
 *                [staticRow:row]               if uflags & HAS_STATIC_ROW
 *                rtCount:uvarint rangeTombstone{rtCount}
 *                rowCount:uvarint row{rowCount}
 *   uflags    := HAS_PARTITION_DELETION 0x01 | HAS_STATIC_ROW 0x02 | HAS_TS_BASE 0x04 | HAS_SEC_BASE 0x08
 *
 *   rangeTombstone := start:bytes end:bytes deletion
 *   deletion  := markedAt:time localDeletionTime:sec
 *
 *   row       := rflags:u8 clustering:bytes
 *                [liveness]                          if rflags & HAS_LIVENESS
 *                [rowDeletion:deletion]              if rflags & HAS_DELETION
 *                [cdCount:uvarint complexDeletion{cdCount}]  if rflags & HAS_COMPLEX_DELETIONS
 *                cellCount:uvarint cell{cellCount}
 *   rflags    := HAS_LIVENESS 0x01 | LIVENESS_EXPIRING 0x02 | HAS_DELETION 0x04 | HAS_COMPLEX_DELETIONS 0x08
 *   liveness  := timestamp:time [ttl:uvarint expiresAt:sec  if rflags & LIVENESS_EXPIRING]
 *   complexDeletion := column:colref deletion
 *
 *   cell      := cflags:u8 column:colref [path:bytes  if cflags & HAS_PATH] timestamp:time
 *                ( value:bytes                            live: neither EXPIRING nor TOMBSTONE
 *                | ttl:uvarint expiresAt:sec value:bytes  if cflags & EXPIRING
 *                | localDeletionTime:sec )                if cflags & TOMBSTONE
 *   cflags    := HAS_PATH 0x01 | EXPIRING 0x02 | TOMBSTONE 0x04     (EXPIRING|TOMBSTONE is invalid)
 *
 *   colref    := uvarint                 index into the body's column names
 *   time      := uvarint(t - tsBase)     if HAS_TS_BASE, else svarint(t)     (microseconds)
 *   sec       := uvarint(s - secBase)    if HAS_SEC_BASE, else svarint(s)    (seconds)
 *   string    := length:uvarint utf8{length}
 *   bytes     := length:uvarint byte{length}
 *   uvarint   := LEB128: 7 bits a byte, least significant group first, high bit = more follows;
 *                at most 8 bytes, value <= 2^53 - 1, no redundant trailing zero group.
 *   svarint   := first byte: bit 0 sign, bits 1-6 the low 6 bits of the magnitude, bit 7 = more
 *                follows; then the rest of the magnitude as a uvarint (non-zero).
 *                Magnitude <= 2^53 - 1; negative zero is invalid.
 *
 * version is 1. The flag values above are on disk and on the wire: never renumber them; add new
 * flags on unused bits (a decoder rejects bits it does not know) or bump the version.
 *
 * Timestamps are delta-encoded from the smallest one in the body (tsBase), so a typical update's
 * timestamps take one or two bytes; when the body's timestamps span more than 2^53 - 1 the
 * deltas would not be exact, so the writer leaves HAS_TS_BASE unset and writes them whole. The
 * same goes for second-granularity times with secBase.
 *
 * Decoding is strict: any truncation, unknown flag, bad varint, out-of-range reference, value
 * breaking the model's invariants (order of rows, cells, tombstones; TTL > 0 for expiring data)
 * or trailing byte throws CorruptDataError with the offset. Every count is checked against the
 * bytes left before anything is allocated, so garbage cannot make the decoder loop or allocate
 * without bound. Decoded Buffers are views into one private copy of the input, so the caller may
 * reuse its buffer and small decoded values do not pin a large one (a commit-log segment).
 */
import { CorruptDataError, ModelInvariantError } from './errors.js';
import type { CorruptReason } from './errors.js';
import { compareCellKeys, isLiveDeletion } from './order.js';
import type { Cell, ComplexDeletion, DeletionTime, LivenessInfo, Mutation, PartitionUpdate, RangeTombstone, Row } from './types.js';
import { LIVE, NO_DELETION_TIME } from './types.js';
import { readInt64BE, writeInt64BE } from './int64.js';

const VERSION = 1;

// Body flags. On disk and on the wire: never renumber.
const U_HAS_PARTITION_DELETION = 0x01;
const U_HAS_STATIC_ROW = 0x02;
const U_HAS_TS_BASE = 0x04;
const U_HAS_SEC_BASE = 0x08;
const U_KNOWN = 0x0f;

// Row flags. On disk and on the wire: never renumber.
const R_HAS_LIVENESS = 0x01;
const R_LIVENESS_EXPIRING = 0x02;
const R_HAS_DELETION = 0x04;
const R_HAS_COMPLEX_DELETIONS = 0x08;
const R_KNOWN = 0x0f;

// Cell flags. On disk and on the wire: never renumber.
const C_HAS_PATH = 0x01;
const C_EXPIRING = 0x02;
const C_TOMBSTONE = 0x04;
const C_KNOWN = 0x07;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const SMALL_COPY_BYTES = 32;
const LINEAR_COLUMN_LOOKUP_MAX = 16;
const TWO_POW_31 = 0x80000000;

// ---------------------------------------------------------------------------------------------
// Writing

/** One growing buffer, reused across calls: serialization is synchronous, never re-entered. */
class Writer {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  uvarint(v: number): void {
    this.ensure(8);
    const buf = this.buf;
    let pos = this.pos;
    if (v < TWO_POW_31) {
      while (v >= 0x80) {
        buf[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v >= 0x80) {
        buf[pos++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  svarint(v: number): void {
    const sign = v < 0 ? 1 : 0;
    const magnitude = sign === 1 ? -v : v;
    const low = magnitude % 64;
    const rest = Math.floor(magnitude / 64);
    this.u8((low << 1) | sign | (rest > 0 ? 0x80 : 0));
    if (rest > 0) this.uvarint(rest);
  }

  bytes(b: Buffer): void {
    const length = b.length;
    this.uvarint(length);
    this.ensure(length);
    // Native copies cost a call each; most values, paths and clusterings are a few bytes.
    if (length <= SMALL_COPY_BYTES) {
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < length; i++) buf[pos++] = b[i]!;
      this.pos = pos;
    } else {
      // TypedArray.set of the whole buffer: Buffer.copy checks its arguments and may make a view.
      this.buf.set(b, this.pos);
      this.pos += length;
    }
  }

  string(s: string): void {
    const n = s.length;
    if (n >= CACHED_STRING_MIN) {
      // Table ids (36 characters) and keyspace names come back on every write: their encodings
      // (length and bytes) are kept, and copied whole.
      let enc = encodedStrings.get(s);
      if (enc === undefined) {
        const bytes = Buffer.from(s, 'utf8');
        enc = Buffer.allocUnsafeSlow(bytes.length + 8);
        const w = new Writer(16);
        w.uvarint(bytes.length);
        w.buf.copy(enc, 0, 0, w.pos);
        bytes.copy(enc, w.pos);
        enc = enc.subarray(0, w.pos + bytes.length);
        if (encodedStrings.size >= CACHED_STRINGS_MAX) encodedStrings.clear();
        encodedStrings.set(s, enc);
      }
      this.ensure(enc.length);
      this.buf.set(enc, this.pos);
      this.pos += enc.length;
      return;
    }
    if (n < 0x80) {
      // Names are short and usually ASCII: write them without the native encoder.
      this.ensure(n + 1);
      const buf = this.buf;
      const start = this.pos;
      let pos = start + 1;
      let i = 0;
      for (; i < n; i++) {
        const code = s.charCodeAt(i);
        if (code >= 0x80) break;
        buf[pos++] = code;
      }
      if (i === n) {
        buf[start] = n;
        this.pos = pos;
        return;
      }
    }
    const length = Buffer.byteLength(s, 'utf8');
    this.uvarint(length);
    this.ensure(length);
    this.pos += this.buf.write(s, this.pos, length, 'utf8');
  }

  i64(v: bigint): void {
    this.ensure(8);
    writeInt64BE(this.buf, this.pos, v);
    this.pos += 8;
  }

  /** A right-sized copy of what was written; the scratch space stays for the next call. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    if (this.buf.length > SCRATCH_KEEP_BYTES) this.buf = Buffer.allocUnsafe(SCRATCH_INITIAL_BYTES);
    return out;
  }
}

const SCRATCH_INITIAL_BYTES = 4096;
/** Strings at least this long are looked up in encodedStrings: a copy beats the character loop. */
const CACHED_STRING_MIN = 12;
const CACHED_STRINGS_MAX = 1024;
const encodedStrings = new Map<string, Buffer>();
// A rare huge mutation should not pin its scratch space forever.
const SCRATCH_KEEP_BYTES = 1 << 20;
const writer = new Writer(SCRATCH_INITIAL_BYTES);

// Callers test first and build the message only on failure: these checks sit on the hot path.
function invariantFailed(message: string): never {
  throw new ModelInvariantError(message);
}

/** What a body needs before it is written: its column table and the bases of its deltas. */
class BodyPlan {
  /** names[0..columnCount) are this body's columns, in first-seen order. */
  readonly names: string[] = [];
  columnCount = 0;
  // Most updates touch a handful of columns: a linear scan beats a Map (whose clear() reallocates).
  private index: Map<string, number> | null = null;
  minTs = Infinity;
  maxTs = -Infinity;
  minSec = Infinity;
  maxSec = -Infinity;

  reset(): void {
    this.columnCount = 0;
    this.index = null;
    this.minTs = Infinity;
    this.maxTs = -Infinity;
    this.minSec = Infinity;
    this.maxSec = -Infinity;
  }

  columnRef(name: string): number {
    if (this.index !== null) return this.index.get(name) ?? -1;
    const names = this.names;
    for (let i = 0; i < this.columnCount; i++) if (names[i] === name) return i;
    return -1;
  }

  column(name: string): void {
    if (this.columnRef(name) !== -1) return;
    const i = this.columnCount++;
    this.names[i] = name;
    if (this.index !== null) {
      this.index.set(name, i);
    } else if (this.columnCount > LINEAR_COLUMN_LOOKUP_MAX) {
      this.index = new Map();
      for (let j = 0; j < this.columnCount; j++) this.index.set(this.names[j]!, j);
    }
  }

  ts(t: number): void {
    if (!Number.isSafeInteger(t)) invariantFailed(`timestamp ${t} is not a safe integer`);
    if (t < this.minTs) this.minTs = t;
    if (t > this.maxTs) this.maxTs = t;
  }

  sec(s: number): void {
    if (!Number.isSafeInteger(s)) invariantFailed(`time in seconds ${s} is not a safe integer`);
    if (s < this.minSec) this.minSec = s;
    if (s > this.maxSec) this.maxSec = s;
  }

  deletion(d: DeletionTime): void {
    this.ts(d.markedAtMicros);
    this.sec(d.localDeletionTimeSec);
  }

  row(row: Row): void {
    if (row.liveness !== null) {
      this.ts(row.liveness.timestampMicros);
      if (row.liveness.ttlSec > 0) this.sec(row.liveness.expiresAtSec);
    }
    if (!isLiveDeletion(row.deletion)) this.deletion(row.deletion);
    for (const cd of row.complexDeletions) {
      this.column(cd.column);
      this.deletion(cd.deletion);
    }
    for (const c of row.cells) {
      this.column(c.column);
      this.ts(c.timestampMicros);
      if (c.value === null || c.ttlSec > 0) this.sec(c.localDeletionTimeSec);
    }
  }

  update(u: PartitionUpdate): void {
    this.reset();
    if (!isLiveDeletion(u.deletion)) this.deletion(u.deletion);
    if (u.staticRow !== null) this.row(u.staticRow);
    for (const rt of u.rangeTombstones) this.deletion(rt.deletion);
    for (const row of u.rows) this.row(row);
  }
}

const plan = new BodyPlan();

/** Writes bodies; `tsBase`/`secBase` are NaN when times are written whole. */
class BodyWriter {
  tsBase = NaN;
  secBase = NaN;

  time(w: Writer, t: number): void {
    if (Number.isNaN(this.tsBase)) w.svarint(t);
    else w.uvarint(t - this.tsBase);
  }

  sec(w: Writer, s: number): void {
    if (Number.isNaN(this.secBase)) w.svarint(s);
    else w.uvarint(s - this.secBase);
  }

  deletion(w: Writer, d: DeletionTime): void {
    this.time(w, d.markedAtMicros);
    this.sec(w, d.localDeletionTimeSec);
  }

  cell(w: Writer, c: Cell): void {
    const expiring = c.value !== null && c.ttlSec > 0;
    if (c.value === null) {
      if (c.ttlSec !== 0) invariantFailed(`tombstone cell ${c.column} has a TTL`);
    } else if (!expiring) {
      if (c.ttlSec !== 0 || c.localDeletionTimeSec !== NO_DELETION_TIME) invariantFailed(`live cell ${c.column} has a deletion time`);
    }
    const flags = (c.path !== null ? C_HAS_PATH : 0) | (expiring ? C_EXPIRING : 0) | (c.value === null ? C_TOMBSTONE : 0);
    w.u8(flags);
    w.uvarint(plan.columnRef(c.column));
    if (c.path !== null) w.bytes(c.path);
    this.time(w, c.timestampMicros);
    if (c.value === null) {
      this.sec(w, c.localDeletionTimeSec);
      return;
    }
    if (expiring) {
      if (!Number.isSafeInteger(c.ttlSec)) invariantFailed(`cell ${c.column} has TTL ${c.ttlSec}`);
      w.uvarint(c.ttlSec);
      this.sec(w, c.localDeletionTimeSec);
    }
    w.bytes(c.value);
  }

  row(w: Writer, row: Row): void {
    const l = row.liveness;
    const hasDeletion = !isLiveDeletion(row.deletion);
    const flags =
      (l !== null ? R_HAS_LIVENESS : 0) |
      (l !== null && l.ttlSec > 0 ? R_LIVENESS_EXPIRING : 0) |
      (hasDeletion ? R_HAS_DELETION : 0) |
      (row.complexDeletions.length > 0 ? R_HAS_COMPLEX_DELETIONS : 0);
    w.u8(flags);
    w.bytes(row.clustering);
    if (l !== null) {
      this.time(w, l.timestampMicros);
      if (l.ttlSec > 0) {
        if (!Number.isSafeInteger(l.ttlSec)) invariantFailed(`liveness has TTL ${l.ttlSec}`);
        w.uvarint(l.ttlSec);
        this.sec(w, l.expiresAtSec);
      } else {
        if (l.ttlSec !== 0 || l.expiresAtSec !== NO_DELETION_TIME) invariantFailed('non-expiring liveness has an expiry');
      }
    }
    if (hasDeletion) this.deletion(w, row.deletion);
    if (row.complexDeletions.length > 0) {
      w.uvarint(row.complexDeletions.length);
      for (let i = 0; i < row.complexDeletions.length; i++) {
        const cd = row.complexDeletions[i]!;
        if (i > 0 && !(row.complexDeletions[i - 1]!.column < cd.column)) invariantFailed('complex deletions out of order');
        w.uvarint(plan.columnRef(cd.column));
        this.deletion(w, cd.deletion);
      }
    }
    w.uvarint(row.cells.length);
    for (let i = 0; i < row.cells.length; i++) {
      const c = row.cells[i]!;
      if (i > 0 && compareCellKeys(row.cells[i - 1]!, c) >= 0) invariantFailed('cells out of order or duplicated');
      this.cell(w, c);
    }
  }

  body(w: Writer, u: PartitionUpdate): void {
    plan.update(u);
    // The span check is exact: a span that fits in 2^53 - 1 is computed exactly, a larger one
    // rounds to at least 2^53.
    this.tsBase = plan.minTs !== Infinity && plan.maxTs - plan.minTs <= MAX_SAFE ? plan.minTs : NaN;
    this.secBase = plan.minSec !== Infinity && plan.maxSec - plan.minSec <= MAX_SAFE ? plan.minSec : NaN;
    const hasPd = !isLiveDeletion(u.deletion);
    const flags =
      (hasPd ? U_HAS_PARTITION_DELETION : 0) |
      (u.staticRow !== null ? U_HAS_STATIC_ROW : 0) |
      (Number.isNaN(this.tsBase) ? 0 : U_HAS_TS_BASE) |
      (Number.isNaN(this.secBase) ? 0 : U_HAS_SEC_BASE);
    w.string(u.tableId);
    w.u8(flags);
    if (!Number.isNaN(this.tsBase)) w.svarint(this.tsBase);
    if (!Number.isNaN(this.secBase)) w.svarint(this.secBase);
    w.uvarint(plan.columnCount);
    for (let i = 0; i < plan.columnCount; i++) w.string(plan.names[i]!);
    if (hasPd) this.deletion(w, u.deletion);
    if (u.staticRow !== null) {
      if (u.staticRow.clustering.length !== 0) invariantFailed('static row has a clustering');
      this.row(w, u.staticRow);
    }
    w.uvarint(u.rangeTombstones.length);
    for (let i = 0; i < u.rangeTombstones.length; i++) {
      const rt = u.rangeTombstones[i]!;
      if (i > 0 && Buffer.compare(u.rangeTombstones[i - 1]!.start, rt.start) > 0) invariantFailed('range tombstones not sorted by start');
      w.bytes(rt.start);
      w.bytes(rt.end);
      this.deletion(w, rt.deletion);
    }
    w.uvarint(u.rows.length);
    for (let i = 0; i < u.rows.length; i++) {
      const row = u.rows[i]!;
      if (i > 0 && Buffer.compare(u.rows[i - 1]!.clustering, row.clustering) >= 0) invariantFailed('rows out of order or duplicated');
      this.row(w, row);
    }
  }
}

const bodyWriter = new BodyWriter();

/** The standalone encoding of one partition update (key and token included). */
export function serializePartitionUpdate(u: PartitionUpdate): Buffer {
  const w = writer;
  w.pos = 0;
  w.u8(VERSION);
  w.bytes(u.key);
  w.i64(u.token);
  bodyWriter.body(w, u);
  return w.take();
}

/**
 * The encoding of a mutation. Its updates must carry the mutation's key and token (they are
 * written once) and distinct table ids.
 */
export function serializeMutation(m: Mutation): Buffer {
  writeMutation(m);
  return writer.take();
}

/**
 * serializeMutation's bytes as a view of a scratch buffer that the next serialization
 * overwrites: for a caller that copies them at once (the commit log append), sparing the copy.
 */
export function serializeMutationTransient(m: Mutation): Buffer {
  writeMutation(m);
  const w = writer;
  const out = w.buf.subarray(0, w.pos);
  w.pos = 0;
  // A rare huge mutation should not pin its scratch space; the view keeps the old one alive.
  if (w.buf.length > SCRATCH_KEEP_BYTES) w.buf = Buffer.allocUnsafe(SCRATCH_INITIAL_BYTES);
  return out;
}

function writeMutation(m: Mutation): void {
  const w = writer;
  w.pos = 0;
  w.u8(VERSION);
  w.string(m.keyspace);
  w.bytes(m.key);
  w.i64(m.token);
  w.uvarint(m.updates.length);
  for (let i = 0; i < m.updates.length; i++) {
    const u = m.updates[i]!;
    if (u.token !== m.token || (u.key !== m.key && !u.key.equals(m.key))) invariantFailed(`update for table ${u.tableId} is for another partition than its mutation`);
    for (let j = 0; j < i; j++) if (m.updates[j]!.tableId === u.tableId) invariantFailed(`two updates for table ${u.tableId}`);
    bodyWriter.body(w, u);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

class Reader {
  pos = 0;
  readonly end: number;
  tsBase = NaN;
  secBase = NaN;
  names: string[] = [];

  /** `buf` is the decoder's private copy: values are views into it. */
  constructor(readonly buf: Buffer) {
    this.end = buf.length;
  }

  fail(reason: CorruptReason, detail?: string, offset = this.pos): never {
    throw new CorruptDataError(reason, offset, detail);
  }

  need(n: number): void {
    if (this.end - this.pos < n) this.fail('truncated', `need ${n} bytes, have ${this.end - this.pos}`);
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('truncated');
    return this.buf[this.pos++]!;
  }

  uvarint(): number {
    const start = this.pos;
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) this.fail('truncated', 'in a varint', start);
      const b = buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (b === 0 && i > 0) this.fail('bad-varint', 'redundant trailing zero group', start);
        if (result > MAX_SAFE) this.fail('bad-varint', 'above 2^53 - 1', start);
        return result;
      }
      mul *= 128;
    }
    return this.fail('bad-varint', 'longer than 8 bytes', start);
  }

  svarint(): number {
    const start = this.pos;
    const first = this.u8();
    let magnitude = (first >> 1) & 0x3f;
    if (first & 0x80) {
      const rest = this.uvarint();
      if (rest === 0) this.fail('bad-varint', 'redundant trailing zero group', start);
      magnitude += rest * 64;
      if (magnitude > MAX_SAFE) this.fail('bad-varint', 'above 2^53 - 1', start);
    }
    if (first & 1) {
      if (magnitude === 0) this.fail('bad-varint', 'negative zero', start);
      return -magnitude;
    }
    return magnitude;
  }

  /** A count of items that each take at least `minBytes`: bounded by what is left. */
  count(minBytes: number): number {
    const start = this.pos;
    const n = this.uvarint();
    if (n * minBytes > this.end - this.pos) this.fail('truncated', `count ${n} exceeds the bytes left`, start);
    return n;
  }

  bytes(): Buffer {
    const length = this.uvarint();
    this.need(length);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    const length = this.uvarint();
    this.need(length);
    const buf = this.buf;
    const start = this.pos;
    this.pos += length;
    if (length <= SMALL_COPY_BYTES) {
      // Short ASCII names decode faster in JS than through the native UTF-8 decoder.
      let out = '';
      for (let i = start; i < start + length; i++) {
        const b = buf[i]!;
        if (b >= 0x80) return buf.toString('utf8', start, start + length);
        out += String.fromCharCode(b);
      }
      return out;
    }
    return buf.toString('utf8', start, start + length);
  }

  i64(): bigint {
    this.need(8);
    const v = readInt64BE(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  time(): number {
    if (Number.isNaN(this.tsBase)) return this.svarint();
    const start = this.pos;
    const t = this.tsBase + this.uvarint();
    if (t > MAX_SAFE) this.fail('bad-value', 'timestamp above 2^53 - 1', start);
    return t;
  }

  sec(): number {
    if (Number.isNaN(this.secBase)) return this.svarint();
    const start = this.pos;
    const s = this.secBase + this.uvarint();
    if (s > MAX_SAFE) this.fail('bad-value', 'time above 2^53 - 1', start);
    return s;
  }

  deletion(): DeletionTime {
    const markedAtMicros = this.time();
    const localDeletionTimeSec = this.sec();
    const d: DeletionTime = { markedAtMicros, localDeletionTimeSec };
    return isLiveDeletion(d) ? LIVE : d;
  }

  column(): string {
    const start = this.pos;
    const i = this.uvarint();
    if (i >= this.names.length) this.fail('bad-column-ref', `column ${i} of ${this.names.length}`, start);
    return this.names[i]!;
  }

  cell(): Cell {
    const start = this.pos;
    const flags = this.u8();
    if ((flags & ~C_KNOWN) !== 0 || (flags & (C_EXPIRING | C_TOMBSTONE)) === (C_EXPIRING | C_TOMBSTONE)) {
      this.fail('bad-flags', `cell flags 0x${flags.toString(16)}`, start);
    }
    const column = this.column();
    const path = flags & C_HAS_PATH ? this.bytes() : null;
    const timestampMicros = this.time();
    if (flags & C_TOMBSTONE) {
      return { column, path, timestampMicros, ttlSec: 0, localDeletionTimeSec: this.sec(), value: null };
    }
    let ttlSec = 0;
    let localDeletionTimeSec = NO_DELETION_TIME;
    if (flags & C_EXPIRING) {
      const ttlAt = this.pos;
      ttlSec = this.uvarint();
      if (ttlSec === 0) this.fail('bad-value', 'expiring cell with TTL 0', ttlAt);
      localDeletionTimeSec = this.sec();
    }
    const value = this.bytes();
    return { column, path, timestampMicros, ttlSec, localDeletionTimeSec, value };
  }

  row(): Row {
    const start = this.pos;
    const flags = this.u8();
    if ((flags & ~R_KNOWN) !== 0 || (flags & (R_HAS_LIVENESS | R_LIVENESS_EXPIRING)) === R_LIVENESS_EXPIRING) {
      this.fail('bad-flags', `row flags 0x${flags.toString(16)}`, start);
    }
    const clustering = this.bytes();
    let liveness: LivenessInfo | null = null;
    if (flags & R_HAS_LIVENESS) {
      const timestampMicros = this.time();
      if (flags & R_LIVENESS_EXPIRING) {
        const ttlAt = this.pos;
        const ttlSec = this.uvarint();
        if (ttlSec === 0) this.fail('bad-value', 'expiring liveness with TTL 0', ttlAt);
        liveness = { timestampMicros, ttlSec, expiresAtSec: this.sec() };
      } else {
        liveness = { timestampMicros, ttlSec: 0, expiresAtSec: NO_DELETION_TIME };
      }
    }
    const deletion = flags & R_HAS_DELETION ? this.deletion() : LIVE;
    let complexDeletions: readonly ComplexDeletion[] = EMPTY;
    if (flags & R_HAS_COMPLEX_DELETIONS) {
      const n = this.count(3);
      const cds: ComplexDeletion[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const at = this.pos;
        const column = this.column();
        if (i > 0 && !(cds[i - 1]!.column < column)) this.fail('out-of-order', 'complex deletions', at);
        cds[i] = { column, deletion: this.deletion() };
      }
      complexDeletions = cds;
    }
    const n = this.count(4);
    const cells: Cell[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const at = this.pos;
      const c = this.cell();
      if (i > 0 && compareCellKeys(cells[i - 1]!, c) >= 0) this.fail('out-of-order', 'cells', at);
      cells[i] = c;
    }
    return { clustering, liveness, deletion, cells, complexDeletions };
  }

  body(key: Buffer, token: bigint): PartitionUpdate {
    const tableId = this.string();
    const flagsAt = this.pos;
    const flags = this.u8();
    if ((flags & ~U_KNOWN) !== 0) this.fail('bad-flags', `update flags 0x${flags.toString(16)}`, flagsAt);
    this.tsBase = flags & U_HAS_TS_BASE ? this.svarint() : NaN;
    this.secBase = flags & U_HAS_SEC_BASE ? this.svarint() : NaN;
    const columnCount = this.count(1);
    const names: string[] = new Array(columnCount);
    for (let i = 0; i < columnCount; i++) names[i] = this.string();
    this.names = names;
    const deletion = flags & U_HAS_PARTITION_DELETION ? this.deletion() : LIVE;
    let staticRow: Row | null = null;
    if (flags & U_HAS_STATIC_ROW) {
      const at = this.pos;
      staticRow = this.row();
      if (staticRow.clustering.length !== 0) this.fail('bad-value', 'static row with a clustering', at);
    }
    const rtCount = this.count(4);
    const rangeTombstones: RangeTombstone[] = new Array(rtCount);
    for (let i = 0; i < rtCount; i++) {
      const at = this.pos;
      const start = this.bytes();
      const end = this.bytes();
      if (i > 0 && Buffer.compare(rangeTombstones[i - 1]!.start, start) > 0) this.fail('out-of-order', 'range tombstones', at);
      rangeTombstones[i] = { start, end, deletion: this.deletion() };
    }
    const rowCount = this.count(3);
    const rows: Row[] = new Array(rowCount);
    for (let i = 0; i < rowCount; i++) {
      const at = this.pos;
      const row = this.row();
      if (i > 0 && Buffer.compare(rows[i - 1]!.clustering, row.clustering) >= 0) this.fail('out-of-order', 'rows', at);
      rows[i] = row;
    }
    return { tableId, key, token, deletion, staticRow, rangeTombstones, rows };
  }

  version(): void {
    const v = this.u8();
    if (v !== VERSION) this.fail('unsupported-version', `version ${v}`, 0);
  }

  finish(): void {
    if (this.pos !== this.end) this.fail('trailing-bytes', `${this.end - this.pos} bytes after the end`);
  }
}

const EMPTY: readonly ComplexDeletion[] = Object.freeze([]);

/** Decodes serializePartitionUpdate's output; throws CorruptDataError on anything else. */
export function deserializePartitionUpdate(input: Buffer): PartitionUpdate {
  const r = new Reader(Buffer.from(input));
  r.version();
  const key = r.bytes();
  const token = r.i64();
  const u = r.body(key, token);
  r.finish();
  return u;
}

/** Decodes serializeMutation's output; throws CorruptDataError on anything else. */
export function deserializeMutation(input: Buffer): Mutation {
  const r = new Reader(Buffer.from(input));
  r.version();
  const keyspace = r.string();
  const key = r.bytes();
  const token = r.i64();
  const n = r.count(2);
  const updates: PartitionUpdate[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const u = r.body(key, token);
    for (let j = 0; j < i; j++) if (updates[j]!.tableId === u.tableId) r.fail('bad-value', `two updates for table ${u.tableId}`, at);
    updates[i] = u;
  }
  r.finish();
  return { keyspace, key, token, updates };
}

/**
 * Data.db: the partitions, in ring order, each as checksummed chunks (chunk framing in bytes.ts).
 *
 *   Data.db     := fileHeader("RTDA") partition*
 *   partition   := chunk(header) chunk(rowBlock){blockCount}
 *   header      := token:i64 keyLength:u16 key partitionFlags:u8
 *                  [deletion]                          if PF_DELETION
 *                  [row]                               if PF_STATIC (the static row)
 *                  [rtCount:varint rangeTombstone*]    if PF_RANGE_TOMBSTONES
 *                  rowCount:varint blockCount:varint
 *                  row{rowCount}                       only when blockCount = 0 (a narrow partition)
 *   rowBlock    := rowCount:varint row{rowCount}       (a wide partition: ~rowIndexBlockBytes each)
 *   row         := clusteringLength:varint clustering bodyLength:u32 body
 *   body        := rowFlags:u8 [liveness] [deletion] [cdCount:varint complexDeletion{cdCount}]
 *                  cellCount:varint cell{cellCount}
 *   liveness    := timestampMicros:i64 [ttlSec:i32 expiresAtSec:i32 if RF_LIVENESS_TTL]
 *   deletion    := markedAtMicros:i64 localDeletionTimeSec:i32
 *   complexDeletion := columnId:varint deletion
 *   rangeTombstone  := startLength:varint start endLength:varint end deletion
 *   cell        := cellFlags:u8 columnId:varint [pathLength:varint path if CF_PATH]
 *                  timestampMicros:i64 [ttlSec:i32 if CF_TTL] [localDeletionTimeSec:i32 if CF_LDT]
 *                  [valueLength:varint value if CF_VALUE]
 *
 * A column id indexes the column table in Statistics.db, so cells carry no names. Absent optional
 * fields take the model's defaults (LIVE, ttl 0, NO_DELETION_TIME, value null), so every
 * combination of fields round-trips exactly. The bodyLength lets a slice read skip a row without
 * decoding it. The row index of a wide partition (first/last clustering, offset and width of each
 * block) lives in Index.db.
 *
 * Flag values are on disk: never renumber them; add new bits only with a format version bump.
 */
import { LIVE, MIN_TIMESTAMP, NO_DELETION_TIME } from '../model/types.js';
import type { Cell, ComplexDeletion, DeletionTime, LivenessInfo, RangeTombstone, Row } from '../model/types.js';
import { ByteReader, ByteWriter } from './bytes.js';
import { SSTableUsageError } from './errors.js';
import type { StatsCollector } from './statistics.js';

export const DATA_MAGIC = 'RTDA';

// Partition flags — on disk, never renumber.
const PF_DELETION = 0x01;
const PF_STATIC = 0x02;
const PF_RANGE_TOMBSTONES = 0x04;
// Row flags — on disk, never renumber.
const RF_LIVENESS = 0x01;
const RF_LIVENESS_TTL = 0x02;
const RF_DELETION = 0x04;
const RF_COMPLEX_DELETIONS = 0x08;
// Cell flags — on disk, never renumber.
const CF_PATH = 0x01;
const CF_TTL = 0x02;
const CF_LDT = 0x04;
const CF_VALUE = 0x08;

export const MAX_KEY_BYTES = 0xffff;

const NO_CELLS: readonly Cell[] = Object.freeze([]);
const NO_RANGE_TOMBSTONES: readonly RangeTombstone[] = Object.freeze([]);
const NO_COMPLEX_DELETIONS: readonly ComplexDeletion[] = Object.freeze([]);

function isLive(d: DeletionTime): boolean {
  return d.markedAtMicros === MIN_TIMESTAMP && d.localDeletionTimeSec === NO_DELETION_TIME;
}

function checkTimestamp(t: number): void {
  if (!Number.isSafeInteger(t)) throw new SSTableUsageError(`timestamp ${t} is not a safe integer`);
}

/** Writer side: encodes partition parts and keeps statistics and the column table. */
export class DataEncoder {
  private readonly ids = new Map<string, number>();
  readonly columns: string[] = [];

  /** `columns` seeds the column table (ids 0..n-1), for rows encoded elsewhere with those ids. */
  constructor(
    private readonly stats: StatsCollector,
    columns: readonly string[] = [],
  ) {
    for (const c of columns) this.columnId(c);
  }

  columnId(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.columns.length;
      this.ids.set(name, id);
      this.columns.push(name);
    }
    return id;
  }

  deletion(w: ByteWriter, d: DeletionTime): void {
    checkTimestamp(d.markedAtMicros);
    this.stats.timestamp(d.markedAtMicros);
    this.stats.deletionTime(d.localDeletionTimeSec);
    w.i64(d.markedAtMicros);
    w.i32(d.localDeletionTimeSec);
  }

  /** Partition-header fields from partitionFlags up to (not including) rowCount. */
  headerFields(w: ByteWriter, deletion: DeletionTime, staticRow: Row | null, rts: readonly RangeTombstone[]): void {
    const s = this.stats;
    let flags = 0;
    if (!isLive(deletion)) flags |= PF_DELETION;
    if (staticRow !== null) flags |= PF_STATIC;
    if (rts.length > 0) flags |= PF_RANGE_TOMBSTONES;
    w.u8(flags);
    if ((flags & PF_DELETION) !== 0) {
      s.partitionDeletionCount++;
      this.deletion(w, deletion);
    }
    if (staticRow !== null) {
      s.staticRowCount++;
      this.row(w, staticRow);
    }
    if (rts.length > 0) {
      w.varint(rts.length);
      for (const rt of rts) {
        s.rangeTombstoneCount++;
        w.lenBytes(rt.start);
        w.lenBytes(rt.end);
        this.deletion(w, rt.deletion);
      }
    }
  }

  row(w: ByteWriter, row: Row): void {
    const s = this.stats;
    w.lenBytes(row.clustering);
    w.ensure(4);
    const lenAt = w.pos;
    w.pos += 4;
    const l = row.liveness;
    let flags = 0;
    if (l !== null) flags |= l.ttlSec !== 0 || l.expiresAtSec !== NO_DELETION_TIME ? RF_LIVENESS | RF_LIVENESS_TTL : RF_LIVENESS;
    if (!isLive(row.deletion)) flags |= RF_DELETION;
    if (row.complexDeletions.length > 0) flags |= RF_COMPLEX_DELETIONS;
    w.u8(flags);
    if (l !== null) {
      checkTimestamp(l.timestampMicros);
      s.timestamp(l.timestampMicros);
      w.i64(l.timestampMicros);
      if ((flags & RF_LIVENESS_TTL) !== 0) {
        s.expiringLivenessCount++;
        s.deletionTime(l.expiresAtSec);
        w.i32(l.ttlSec);
        w.i32(l.expiresAtSec);
      } else {
        s.liveForever();
      }
    }
    if ((flags & RF_DELETION) !== 0) {
      s.rowDeletionCount++;
      this.deletion(w, row.deletion);
    }
    if ((flags & RF_COMPLEX_DELETIONS) !== 0) {
      w.varint(row.complexDeletions.length);
      for (const cd of row.complexDeletions) {
        s.complexDeletionCount++;
        w.varint(this.columnId(cd.column));
        this.deletion(w, cd.deletion);
      }
    }
    const cells = row.cells;
    w.varint(cells.length);
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      let cf = 0;
      if (c.path !== null) cf |= CF_PATH;
      if (c.ttlSec !== 0) cf |= CF_TTL;
      if (c.localDeletionTimeSec !== NO_DELETION_TIME) cf |= CF_LDT;
      if (c.value !== null) cf |= CF_VALUE;
      checkTimestamp(c.timestampMicros);
      s.cellCount++;
      s.timestamp(c.timestampMicros);
      if (c.value === null) {
        s.cellTombstoneCount++;
        s.deletionTime(c.localDeletionTimeSec);
      } else if ((cf & (CF_TTL | CF_LDT)) !== 0) {
        s.expiringCellCount++;
        s.deletionTime(c.localDeletionTimeSec);
      } else {
        s.liveForever();
      }
      w.u8(cf);
      w.varint(this.columnId(c.column));
      if (c.path !== null) w.lenBytes(c.path);
      w.i64(c.timestampMicros);
      if ((cf & CF_TTL) !== 0) w.i32(c.ttlSec);
      if ((cf & CF_LDT) !== 0) w.i32(c.localDeletionTimeSec);
      if (c.value !== null) w.lenBytes(c.value);
    }
    const bodyLength = w.pos - lenAt - 4;
    const b = w.buf;
    b[lenAt] = bodyLength >>> 24;
    b[lenAt + 1] = bodyLength >>> 16;
    b[lenAt + 2] = bodyLength >>> 8;
    b[lenAt + 3] = bodyLength;
  }
}

/** The decoded partition header; rows (when inline) start at the reader's position. */
export interface PartitionHeader {
  token: bigint;
  key: Buffer;
  deletion: DeletionTime;
  staticRow: Row | null;
  rangeTombstones: RangeTombstone[];
  rowCount: number;
  blockCount: number;
}

function readDeletion(r: ByteReader): DeletionTime {
  const markedAtMicros = r.i64();
  return { markedAtMicros, localDeletionTimeSec: r.i32() };
}

/** Decodes a header from a verified chunk payload; leaves r at the inline rows. */
export function decodeHeader(r: ByteReader, columns: readonly string[]): PartitionHeader {
  const token = r.bigI64();
  const key = r.bytes(r.u16());
  const flags = r.u8();
  const deletion = (flags & PF_DELETION) !== 0 ? readDeletion(r) : LIVE;
  const staticRow = (flags & PF_STATIC) !== 0 ? readRow(r, columns) : null;
  // Most partitions have none: they share one frozen empty list.
  let rangeTombstones = NO_RANGE_TOMBSTONES as RangeTombstone[];
  if ((flags & PF_RANGE_TOMBSTONES) !== 0) {
    const n = r.varint();
    rangeTombstones = [];
    for (let i = 0; i < n; i++) {
      const start = r.lenBytes();
      const end = r.lenBytes();
      rangeTombstones.push({ start, end, deletion: readDeletion(r) });
    }
  }
  const rowCount = r.varint();
  const blockCount = r.varint();
  return { token, key, deletion, staticRow, rangeTombstones, rowCount, blockCount };
}

/** Decodes one whole row at r. */
export function readRow(r: ByteReader, columns: readonly string[]): Row {
  const clustering = r.lenBytes();
  const bodyLen = r.u32();
  const end = r.pos + bodyLen;
  r.need(bodyLen);
  const row = readBody(r, clustering, columns);
  if (r.pos !== end) throw new RangeError(`row body ends at ${r.pos}, declared ${end}`);
  return row;
}

/** Decodes a row body at r (its clustering already read). */
export function readBody(r: ByteReader, clustering: Buffer, columns: readonly string[]): Row {
  const flags = r.u8();
  let liveness: LivenessInfo | null = null;
  if ((flags & RF_LIVENESS) !== 0) {
    const timestampMicros = r.i64();
    if ((flags & RF_LIVENESS_TTL) !== 0) {
      const ttlSec = r.i32();
      liveness = { timestampMicros, ttlSec, expiresAtSec: r.i32() };
    } else {
      liveness = { timestampMicros, ttlSec: 0, expiresAtSec: NO_DELETION_TIME };
    }
  }
  const deletion = (flags & RF_DELETION) !== 0 ? readDeletion(r) : LIVE;
  let complexDeletions = NO_COMPLEX_DELETIONS;
  if ((flags & RF_COMPLEX_DELETIONS) !== 0) {
    const n = r.varint();
    const cds: ComplexDeletion[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const column = columnName(columns, r.varint());
      cds[i] = { column, deletion: readDeletion(r) };
    }
    complexDeletions = cds;
  }
  const n = r.varint();
  let cells = NO_CELLS;
  if (n > 0) {
    const out: Cell[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const cf = r.u8();
      const column = columnName(columns, r.varint());
      const path = (cf & CF_PATH) !== 0 ? r.lenBytes() : null;
      const timestampMicros = r.i64();
      const ttlSec = (cf & CF_TTL) !== 0 ? r.i32() : 0;
      const localDeletionTimeSec = (cf & CF_LDT) !== 0 ? r.i32() : NO_DELETION_TIME;
      const value = (cf & CF_VALUE) !== 0 ? r.lenBytes() : null;
      out[i] = { column, path, timestampMicros, ttlSec, localDeletionTimeSec, value };
    }
    cells = out;
  }
  return { clustering, liveness, deletion, cells, complexDeletions };
}

function columnName(columns: readonly string[], id: number): string {
  if (id >= columns.length) throw new RangeError(`column id ${id} outside the column table of ${columns.length}`);
  return columns[id];
}

/**
 * Forward slice scan over `count` rows at r: appends rows with start <= clustering < end to out
 * until out holds maxRows. Returns true when nothing after this run can qualify (a row at or past
 * end was seen, or out is full).
 */
export function scanForward(r: ByteReader, count: number, start: Buffer, end: Buffer, maxRows: number, columns: readonly string[], out: Row[]): boolean {
  const buf = r.buf;
  for (let i = 0; i < count; i++) {
    if (out.length >= maxRows) return true;
    const clLen = r.varint();
    const clStart = r.pos;
    r.skip(clLen);
    const bodyLen = r.u32();
    r.need(bodyLen);
    if (buf.compare(start, 0, start.length, clStart, clStart + clLen) < 0) {
      r.pos += bodyLen;
      continue;
    }
    if (buf.compare(end, 0, end.length, clStart, clStart + clLen) >= 0) return true;
    const bodyEnd = r.pos + bodyLen;
    out.push(readBody(r, buf.subarray(clStart, clStart + clLen), columns));
    if (r.pos !== bodyEnd) throw new RangeError(`row body ends at ${r.pos}, declared ${bodyEnd}`);
  }
  return out.length >= maxRows;
}

/**
 * Backward slice scan over one run of `count` rows at r: returns the last `want` rows of the run
 * with start <= clustering < end, ascending. `sawBeforeStart` tells the caller whether a row below
 * start was seen, in which case earlier runs hold nothing of the slice.
 */
export function scanBackward(
  r: ByteReader,
  count: number,
  start: Buffer,
  end: Buffer,
  want: number,
  columns: readonly string[],
): { rows: Row[]; sawBeforeStart: boolean } {
  const buf = r.buf;
  const hits: number[] = [];
  let sawBeforeStart = false;
  for (let i = 0; i < count; i++) {
    const clLen = r.varint();
    const clStart = r.pos;
    r.skip(clLen);
    const bodyLen = r.u32();
    r.need(bodyLen);
    const bodyStart = r.pos;
    r.pos += bodyLen;
    if (buf.compare(start, 0, start.length, clStart, clStart + clLen) < 0) {
      sawBeforeStart = true;
      continue;
    }
    if (buf.compare(end, 0, end.length, clStart, clStart + clLen) >= 0) break;
    hits.push(clStart, clLen, bodyStart, bodyLen);
  }
  const rows: Row[] = [];
  const from = Math.max(0, hits.length / 4 - want);
  const sub = new ByteReader(buf, 0, r.end);
  for (let h = from * 4; h < hits.length; h += 4) {
    sub.pos = hits[h + 2];
    const bodyEnd = sub.pos + hits[h + 3];
    rows.push(readBody(sub, buf.subarray(hits[h], hits[h] + hits[h + 1]), columns));
    if (sub.pos !== bodyEnd) throw new RangeError(`row body ends at ${sub.pos}, declared ${bodyEnd}`);
  }
  return { rows, sawBeforeStart };
}

/** Decodes `count` rows at r into out (sequential iteration, verify). */
export function readRows(r: ByteReader, count: number, columns: readonly string[], out: Row[]): void {
  for (let i = 0; i < count; i++) out.push(readRow(r, columns));
}

/** Decodes `count` rows at r into a new array of exactly that size. */
export function readRowArray(r: ByteReader, count: number, columns: readonly string[]): Row[] {
  const out: Row[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = readRow(r, columns);
  return out;
}

/**
 * A partition whose rows are already encoded as Data's `row`, with column ids of the writer's
 * column table (SSTableWriterOptions.columns): a memtable flush or a compaction copy hands rows
 * over as bytes, never as objects. Row i is rowBufs[i][rowStarts[i], rowEnds[i]); rows are in
 * strictly increasing clustering order. The other fields are objects, encoded by the writer.
 */
export interface EncodedPartition {
  readonly token: bigint;
  readonly key: Buffer;
  readonly deletion: DeletionTime;
  readonly staticRow: Row | null;
  readonly rangeTombstones: readonly RangeTombstone[];
  readonly rowCount: number;
  readonly rowBufs: readonly Buffer[];
  readonly rowStarts: readonly number[];
  readonly rowEnds: readonly number[];
}

const statsReader = new ByteReader(Buffer.alloc(0), 0, 0);

function statDeletion(r: ByteReader, s: StatsCollector): void {
  s.timestamp(r.i64());
  s.deletionTime(r.i32());
}

/**
 * Adds to `s` exactly what DataEncoder.row adds for the row encoded at buf[pos, end), checking on
 * the way that the row is well formed and refers only to column ids below columnCount; returns
 * where the row ends. For rows that arrive as bytes: their statistics must be those that encoding
 * them again would give. Throws RangeError on a malformed row.
 */
export function addEncodedRowStats(buf: Buffer, pos: number, end: number, columnCount: number, s: StatsCollector): number {
  const r = statsReader;
  r.buf = buf;
  r.pos = pos;
  r.end = end;
  r.skip(r.varint());
  const bodyLen = r.u32();
  r.need(bodyLen);
  const bodyEnd = r.pos + bodyLen;
  const flags = r.u8();
  if ((flags & ~(RF_LIVENESS | RF_LIVENESS_TTL | RF_DELETION | RF_COMPLEX_DELETIONS)) !== 0) throw new RangeError(`unknown row flags 0x${flags.toString(16)}`);
  if ((flags & RF_LIVENESS) !== 0) {
    s.timestamp(r.i64());
    if ((flags & RF_LIVENESS_TTL) !== 0) {
      s.expiringLivenessCount++;
      r.i32();
      s.deletionTime(r.i32());
    } else {
      s.liveForever();
    }
  }
  if ((flags & RF_DELETION) !== 0) {
    s.rowDeletionCount++;
    statDeletion(r, s);
  }
  if ((flags & RF_COMPLEX_DELETIONS) !== 0) {
    const n = r.varint();
    for (let i = 0; i < n; i++) {
      if (r.varint() >= columnCount) throw new RangeError('column id outside the column table');
      s.complexDeletionCount++;
      statDeletion(r, s);
    }
  }
  const n = r.varint();
  for (let i = 0; i < n; i++) {
    const cf = r.u8();
    if (r.varint() >= columnCount) throw new RangeError('column id outside the column table');
    if ((cf & CF_PATH) !== 0) r.skip(r.varint());
    s.cellCount++;
    s.timestamp(r.i64());
    if ((cf & CF_TTL) !== 0) r.i32();
    const ldt = (cf & CF_LDT) !== 0 ? r.i32() : NO_DELETION_TIME;
    if ((cf & CF_VALUE) === 0) {
      s.cellTombstoneCount++;
      s.deletionTime(ldt);
    } else {
      r.skip(r.varint());
      if ((cf & (CF_TTL | CF_LDT)) !== 0) {
        s.expiringCellCount++;
        s.deletionTime(ldt);
      } else {
        s.liveForever();
      }
    }
  }
  if (r.pos !== bodyEnd) throw new RangeError(`row body ends at ${r.pos}, declared ${bodyEnd}`);
  return r.pos;
}

/** The clustering of the row encoded at buf[pos...): a view. */
export function encodedClustering(buf: Buffer, pos: number): Buffer {
  let len = 0;
  let mul = 1;
  let p = pos;
  for (;;) {
    const b = buf[p++];
    len += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 0x80;
  }
  return buf.subarray(p, p + len);
}

/**
 * Compares the clusterings of the rows encoded at a[aPos...) and b[bPos...) bytewise, without
 * allocating: negative when a's sorts first.
 */
export function compareEncodedClusterings(a: Buffer, aPos: number, b: Buffer, bPos: number): number {
  let aLen = 0;
  let mul = 1;
  for (;;) {
    const x = a[aPos++];
    aLen += (x & 0x7f) * mul;
    if (x < 0x80) break;
    mul *= 0x80;
  }
  let bLen = 0;
  mul = 1;
  for (;;) {
    const x = b[bPos++];
    bLen += (x & 0x7f) * mul;
    if (x < 0x80) break;
    mul *= 0x80;
  }
  if (aLen === 0 || bLen === 0) return aLen - bLen;
  return a.compare(b, bPos, bPos + bLen, aPos, aPos + aLen);
}

/** Whether any of the `count` rows encoded from buf[pos...) is empty (no liveness, deletion, complex deletion or cell). */
export function hasEmptyRow(buf: Buffer, pos: number, count: number): boolean {
  const r = statsReader;
  r.buf = buf;
  r.pos = pos;
  r.end = buf.length;
  for (let i = 0; i < count; i++) {
    r.skip(r.varint());
    const bodyLen = r.u32();
    // An empty body is flags 0 and a cell count of 0.
    if (bodyLen === 2 && buf[r.pos] === 0 && buf[r.pos + 1] === 0) return true;
    r.skip(bodyLen);
  }
  return false;
}

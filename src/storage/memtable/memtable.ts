import { BTree } from './btree.js';
import { PartitionTable, TABLE_BYTES_PER_ENTRY } from './partition-table.js';
import type { TableEntry } from './partition-table.js';
import { LIVE, estimatedRowSizeBytes, mergeDeletion, mergeRows, DELETION_OVERHEAD_BYTES } from '../model/index.js';
import type {
  ClusteringSlice,
  DeletionTime,
  Partition,
  PartitionPosition,
  PartitionSource,
  PartitionUpdate,
  RangeTombstone,
  Row,
} from '../model/index.js';
import { bigHi, bigLo, ByteReader, ByteWriter } from '../sstable/bytes.js';
import { DataEncoder, readRow } from '../sstable/data-format.js';
import type { EncodedPartition } from '../sstable/data-format.js';
import { StatsCollector } from '../sstable/statistics.js';

/**
 * One table's in-memory write buffer: partitions in ring order, each partition's rows in
 * clustering order. Writes merge into what is there (last write wins), so the memtable holds at
 * most one version of each row.
 *
 * Rows are kept encoded, in SSTable Data's row format with this memtable's column ids, in large
 * slabs: a row costs its bytes and no objects, the garbage collector has a few objects per
 * partition to trace instead of a dozen, the accounted size is what the slabs really hold, and a
 * flush copies the bytes into the SSTable instead of encoding objects (see encodedPartitions).
 * Reads decode the rows they return, as an SSTable read does. A row overwritten by a later write
 * is merged and encoded again; the old bytes stay in the slab until the flush (and are counted).
 * Partition deletions, static rows and range tombstones are rare and stay objects.
 */

/** Rows stay in a sorted array while few (most partitions); a B-tree takes over for wide ones. */
const ROWS_ARRAY_MAX = 64;
const SLAB_BYTES = 1 << 20;

/**
 * Heap held per partition besides slab bytes: the MemPartition object and the token bigint it
 * keeps, plus the table's slots for it. Per row of a multi-row partition: its RowRef and
 * clustering view. Measured, not guessed: see test/storage/memtable/memtable.test.ts.
 */
export const MEM_PARTITION_OVERHEAD_BYTES = 160 + TABLE_BYTES_PER_ENTRY;
export const MEM_ROW_OVERHEAD_BYTES = 160;

/** Where one encoded row lives: its slab location (see Memtable.slabAt). */
interface RowRef {
  readonly clustering: Buffer;
  readonly loc: number;
}

const NO_RANGE_TOMBSTONES: readonly RangeTombstone[] = Object.freeze([]);

/**
 * A slab location in one number: slab index * 2^32 + offset. Rows are self-delimiting (their
 * clustering and body lengths lead), so a location is all a row needs — no object per row.
 */
const SLAB_SPAN = 0x100000000;
const NO_ROW = -1;

class MemPartition implements TableEntry {
  deletion: DeletionTime = LIVE;
  staticRow: Row | null = null;
  rangeTombstones: readonly RangeTombstone[] = NO_RANGE_TOMBSTONES;
  /** The only row's location, when there is exactly one. */
  rowLoc = NO_ROW;
  /** More than one row: sorted by clustering (array), or a B-tree once wide. */
  rows: RowRef[] | null = null;
  tree: BTree<Buffer, RowRef> | null = null;

  constructor(
    readonly hi: number,
    readonly lo: number,
    readonly token: bigint,
    readonly keyBuf: Buffer,
    readonly keyStart: number,
    readonly keyEnd: number,
  ) {}

  get key(): Buffer {
    return this.keyBuf.subarray(this.keyStart, this.keyEnd);
  }
}

export class Memtable implements PartitionSource {
  private readonly table = new PartitionTable<MemPartition>();
  /** Statistics of what was encoded; only minTimestamp is used (conservative across overwrites). */
  private readonly encodeStats = new StatsCollector();
  private readonly encoder = new DataEncoder(this.encodeStats);
  private readonly scratch = new ByteWriter(4096);
  private readonly reader = new ByteReader(Buffer.alloc(0), 0, 0);
  private readonly slabs: Buffer[] = [];
  private slab: Buffer = Buffer.alloc(0);
  private slabUsed = 0;
  private accountedBytes = 0;
  /** Writes that have been routed to this memtable but not yet applied (awaiting the commit log). */
  pendingWrites = 0;

  /** Heap held by the data (slab bytes in use plus fixed per-object overheads), for the flush threshold. */
  get sizeBytes(): number {
    return this.accountedBytes;
  }

  get partitionCount(): number {
    return this.table.size;
  }

  get isEmpty(): boolean {
    return this.table.size === 0;
  }

  /** Lowest timestamp of any data here: compaction must keep tombstones newer than this. */
  get minTimestampMicros(): number {
    return this.encodeStats.minTimestampMicros;
  }

  /** The column table the encoded rows refer to: a flush hands it to the SSTable writer. */
  get columns(): readonly string[] {
    return this.encoder.columns;
  }

  apply(update: PartitionUpdate): void {
    this.applyPrepared(update, this.prepare(update));
  }

  /**
   * Encodes an update's rows, back to back, into this memtable's slabs, ahead of the commit-log
   * append, so that data this memtable cannot hold is refused before it is durable. Returns their
   * location for applyPrepared (NO_ROW when the update has no rows).
   */
  prepare(update: PartitionUpdate): number {
    const rows = update.rows;
    const w = this.scratch;
    w.reset();
    for (let i = 0; i < rows.length; i++) this.encoder.row(w, rows[i]);
    if (update.staticRow !== null || update.rangeTombstones.length > 0 || update.deletion !== LIVE) {
      // Kept as objects, encoded at flush: check now that they can be.
      const at = w.pos;
      this.encoder.headerFields(w, update.deletion, update.staticRow, update.rangeTombstones);
      w.pos = at;
    }
    if (rows.length === 0) return NO_ROW;
    const loc = this.reserve(w.pos);
    w.buf.copy(this.slab, this.slabUsed - w.pos, 0, w.pos);
    return loc;
  }

  /** Applies an update whose rows prepare() encoded at `loc`. */
  applyPrepared(update: PartitionUpdate, loc: number): void {
    const hi = bigHi(update.token);
    const lo = bigLo(update.token);
    let p = this.table.get(hi, lo, update.key);
    if (p === undefined) {
      const keyLen = update.key.length;
      this.reserve(keyLen);
      const at = this.slabUsed - keyLen;
      update.key.copy(this.slab, at);
      p = new MemPartition(hi, lo, update.token, this.slab, at, at + keyLen);
      this.table.insert(p);
      this.accountedBytes += MEM_PARTITION_OVERHEAD_BYTES;
    }
    if (update.deletion !== LIVE && update.deletion.markedAtMicros !== LIVE.markedAtMicros) {
      p.deletion = mergeDeletion(p.deletion, update.deletion);
    }
    if (update.staticRow !== null) {
      p.staticRow = p.staticRow === null ? update.staticRow : mergeRows(p.staticRow, update.staticRow);
      this.accountedBytes += estimatedRowSizeBytes(update.staticRow);
    }
    for (const rt of update.rangeTombstones) {
      if (addRangeTombstone(p, rt)) this.accountedBytes += DELETION_OVERHEAD_BYTES + rt.start.length + rt.end.length;
    }
    const n = update.rows.length;
    if (n === 0) return;
    const slab = this.slabAt(loc);
    const base = loc - (loc % SLAB_SPAN);
    let off = loc % SLAB_SPAN;
    for (let i = 0; i < n; i++) {
      const next = rowEnd(slab, off);
      this.upsertRow(p, base + off);
      off = next;
    }
  }

  /** Reserves n bytes at the end of the current slab (a new one when they do not fit); returns their location. */
  private reserve(n: number): number {
    if (this.slabUsed + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, n));
      this.slabs.push(this.slab);
      this.slabUsed = 0;
    }
    const at = this.slabUsed;
    this.slabUsed += n;
    this.accountedBytes += n;
    return (this.slabs.length - 1) * SLAB_SPAN + at;
  }

  private slabAt(loc: number): Buffer {
    return this.slabs[Math.floor(loc / SLAB_SPAN)];
  }

  /** Stores the row encoded at loc in p, merging it with a row of the same clustering. */
  private upsertRow(p: MemPartition, loc: number): void {
    if (p.rowLoc === NO_ROW && p.rows === null && p.tree === null) {
      p.rowLoc = loc;
      return;
    }
    const clustering = this.clusteringOf(loc);
    if (p.rowLoc !== NO_ROW) {
      if (this.clusteringOf(p.rowLoc).equals(clustering)) {
        p.rowLoc = this.mergeEncoded(p.rowLoc, loc);
        return;
      }
      const only: RowRef = { clustering: this.clusteringOf(p.rowLoc), loc: p.rowLoc };
      p.rowLoc = NO_ROW;
      p.rows = [only];
      this.accountedBytes += MEM_ROW_OVERHEAD_BYTES;
    }
    if (p.rows !== null) {
      const rows = p.rows;
      const i = lowerBound(rows, clustering);
      if (i < rows.length && rows[i].clustering.equals(clustering)) {
        const merged = this.mergeEncoded(rows[i].loc, loc);
        rows[i] = { clustering: this.clusteringOf(merged), loc: merged };
        return;
      }
      rows.splice(i, 0, { clustering, loc });
      this.accountedBytes += MEM_ROW_OVERHEAD_BYTES;
      if (rows.length > ROWS_ARRAY_MAX) {
        p.tree = new BTree<Buffer, RowRef>(rows.map((r) => [r.clustering, r] as [Buffer, RowRef]), Buffer.compare);
        p.rows = null;
      }
      return;
    }
    const tree = p.tree!;
    const existing = tree.get(clustering);
    if (existing === undefined) {
      tree.set(clustering, { clustering, loc });
      this.accountedBytes += MEM_ROW_OVERHEAD_BYTES;
    } else {
      const merged = this.mergeEncoded(existing.loc, loc);
      tree.set(clustering, { clustering: this.clusteringOf(merged), loc: merged });
    }
  }

  /** Reconciles two encodings of one row into a new encoding of the merged row; returns its location. */
  private mergeEncoded(a: number, b: number): number {
    const merged = mergeRows(this.decodeRow(a), this.decodeRow(b));
    const w = this.scratch;
    w.reset();
    this.encoder.row(w, merged);
    const loc = this.reserve(w.pos);
    w.buf.copy(this.slab, this.slabUsed - w.pos, 0, w.pos);
    return loc;
  }

  private clusteringOf(loc: number): Buffer {
    return clusteringAt(this.slabAt(loc), loc % SLAB_SPAN);
  }

  private decodeRow(loc: number): Row {
    const slab = this.slabAt(loc);
    const off = loc % SLAB_SPAN;
    const r = this.reader;
    r.buf = slab;
    r.pos = off;
    r.end = slab.length;
    return readRow(r, this.encoder.columns);
  }

  readPartition(key: Buffer, token: bigint, slice: ClusteringSlice, maxRows: number, fromEnd: boolean): Partition | null {
    const p = this.table.get(bigHi(token), bigLo(token), key);
    if (p === undefined) return null;
    return {
      key,
      token: p.token,
      deletion: p.deletion,
      staticRow: p.staticRow,
      rangeTombstones: p.rangeTombstones.length === 0 ? NO_RANGE_TOMBSTONES : p.rangeTombstones.filter((rt) => Buffer.compare(rt.start, slice.end) < 0 && Buffer.compare(slice.start, rt.end) < 0),
      rows: this.rowsIn(p, slice, maxRows, fromEnd),
    };
  }

  /** Rows with start <= clustering < end, ascending; at most maxRows from the chosen end. */
  private rowsIn(p: MemPartition, slice: ClusteringSlice, maxRows: number, fromEnd: boolean): Row[] {
    if (maxRows <= 0) return [];
    if (p.rowLoc !== NO_ROW) {
      const c = this.clusteringOf(p.rowLoc);
      if (Buffer.compare(c, slice.start) < 0 || Buffer.compare(c, slice.end) >= 0) return [];
      return [this.decodeRow(p.rowLoc)];
    }
    const out: Row[] = [];
    if (p.rows !== null) {
      const rows = p.rows;
      let from = lowerBound(rows, slice.start);
      let to = lowerBound(rows, slice.end);
      if (to - from > maxRows) {
        if (fromEnd) from = to - maxRows;
        else to = from + maxRows;
      }
      for (let i = from; i < to; i++) out.push(this.decodeRow(rows[i].loc));
    } else if (p.tree !== null) {
      const tree = p.tree;
      if (!fromEnd) {
        for (const [clustering, r] of tree.entries(slice.start)) {
          if (out.length >= maxRows || Buffer.compare(clustering, slice.end) >= 0) break;
          out.push(this.decodeRow(r.loc));
        }
      } else {
        // entriesReversed starts at the highest key <= its argument; slice.end itself is excluded.
        for (const [clustering, r] of tree.entriesReversed(slice.end)) {
          if (Buffer.compare(clustering, slice.end) >= 0) continue;
          if (out.length >= maxRows || Buffer.compare(clustering, slice.start) < 0) break;
          out.push(this.decodeRow(r.loc));
        }
        out.reverse();
      }
    }
    return out;
  }

  partitionKeys(after: PartitionPosition | null, endToken: bigint, limit: number): PartitionPosition[] {
    const out: PartitionPosition[] = [];
    if (limit <= 0) return out;
    const from = after === null ? null : { hi: bigHi(after.token), lo: bigLo(after.token), key: after.key };
    for (const p of this.table.entriesAfter(from)) {
      if (p.token > endToken) break;
      out.push({ token: p.token, key: p.key });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Every partition in ring order, whole and decoded. */
  *allPartitions(): IterableIterator<Partition> {
    for (const p of this.table.entriesAfter(null)) {
      yield {
        key: p.key,
        token: p.token,
        deletion: p.deletion,
        staticRow: p.staticRow,
        rangeTombstones: p.rangeTombstones.slice(),
        rows: this.rowsIn(p, FULL, Infinity, false),
      };
    }
  }

  /**
   * Every partition in ring order with its rows as bytes, for SSTableWriter.appendEncoded (with
   * `columns` as the writer's column table). The yielded object and its arrays are reused: each
   * is valid until the next one is requested.
   */
  *encodedPartitions(): IterableIterator<EncodedPartition> {
    const bufs: Buffer[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const out = { token: 0n, key: EMPTY as Buffer, deletion: LIVE, staticRow: null as Row | null, rangeTombstones: NO_RANGE_TOMBSTONES, rowCount: 0, rowBufs: bufs, rowStarts: starts, rowEnds: ends };
    const add = (loc: number): void => {
      const slab = this.slabAt(loc);
      const off = loc % SLAB_SPAN;
      bufs.push(slab);
      starts.push(off);
      ends.push(rowEnd(slab, off));
    };
    for (const p of this.table.entriesAfter(null)) {
      bufs.length = 0;
      starts.length = 0;
      ends.length = 0;
      if (p.rowLoc !== NO_ROW) add(p.rowLoc);
      else for (const r of p.rows ?? p.tree?.valuesArray() ?? []) add(r.loc);
      out.token = p.token;
      out.key = p.key;
      out.deletion = p.deletion;
      out.staticRow = p.staticRow;
      out.rangeTombstones = p.rangeTombstones;
      out.rowCount = bufs.length;
      yield out;
    }
  }
}

const EMPTY = Buffer.alloc(0);
const FULL: ClusteringSlice = { start: EMPTY, end: Buffer.from([0xff]) };

/** Where the row encoded at slab[start...) ends: after its clustering and its length-prefixed body. */
function rowEnd(slab: Buffer, start: number): number {
  let len = 0;
  let mul = 1;
  let pos = start;
  for (;;) {
    const b = slab[pos++];
    len += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 0x80;
  }
  pos += len;
  return pos + 4 + (slab[pos] * 0x1000000 + ((slab[pos + 1] << 16) | (slab[pos + 2] << 8) | slab[pos + 3]));
}

/** The clustering of the encoded row at slab[start...): a view (rows begin with it). */
function clusteringAt(slab: Buffer, start: number): Buffer {
  let len = 0;
  let mul = 1;
  let pos = start;
  for (;;) {
    const b = slab[pos++];
    len += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 0x80;
  }
  return slab.subarray(pos, pos + len);
}

/** Adds a range tombstone in canonical order; false when an equal one is there already. */
function addRangeTombstone(p: MemPartition, rt: RangeTombstone): boolean {
  const list = p.rangeTombstones === NO_RANGE_TOMBSTONES ? [] : (p.rangeTombstones as RangeTombstone[]);
  let i = list.length;
  while (i > 0 && compareRangeTombstones(list[i - 1], rt) > 0) i--;
  if (i > 0 && compareRangeTombstones(list[i - 1], rt) === 0) return false;
  list.splice(i, 0, rt);
  p.rangeTombstones = list;
  return true;
}

function lowerBound(rows: readonly RowRef[], clustering: Buffer): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare(rows[mid].clustering, clustering) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function compareRangeTombstones(a: RangeTombstone, b: RangeTombstone): number {
  return (
    Buffer.compare(a.start, b.start) ||
    Buffer.compare(a.end, b.end) ||
    a.deletion.markedAtMicros - b.deletion.markedAtMicros ||
    a.deletion.localDeletionTimeSec - b.deletion.localDeletionTimeSec
  );
}

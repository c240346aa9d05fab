import { BTree } from './btree.js';
import { PartitionTable, ringOrderOf } from './partition-table.js';
import type { KeyStore } from './partition-table.js';
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
import { int64FromWords } from '../model/int64.js';
import { bigHi, bigLo, ByteReader, ByteWriter, copyBytes } from '../sstable/bytes.js';
import { DataEncoder, MAX_KEY_BYTES, readRow } from '../sstable/data-format.js';
import type { EncodedPartition } from '../sstable/data-format.js';
import type { SSTableWriter } from '../sstable/writer.js';
import { SSTableUsageError } from '../sstable/errors.js';
import { StatsCollector } from '../sstable/statistics.js';

/**
 * One table's in-memory write buffer: partitions in ring order, each partition's rows in
 * clustering order. Writes merge into what is there (last write wins), so the memtable holds at
 * most one version of each row.
 *
 * Nothing here is an object per partition or per row in the common case. Keys and rows are kept
 * encoded — rows in SSTable Data's row format with this memtable's column ids — in 1 MiB slabs;
 * partitions are numbers in a PartitionTable (typed arrays), and a partition's only row is a
 * number too (its slab location). So the garbage collector traces a few arrays however full the
 * memtable is, the accounted size is what the slabs and arrays really hold, and a flush copies
 * bytes into the SSTable instead of encoding objects (see encodedPartitions). Reads decode the
 * rows they return, as an SSTable read does. A row overwritten by a later write is merged and
 * encoded again; the old bytes stay in the slab until the flush (and are counted).
 * Partition deletions, static rows, range tombstones and partitions of several rows are rarer and
 * keep an object (PartitionExtra).
 */

/** Rows stay in a sorted array while few; a B-tree takes over for wide partitions. */
const ROWS_ARRAY_MAX = 64;
/** Slabs grow from FIRST_SLAB_BYTES, doubling, to SLAB_BYTES: a small memtable holds small slabs. */
const FIRST_SLAB_BYTES = 1024;
const SLAB_BYTES = 1 << 20;

/** Per partition with an extra object, and per row of a multi-row partition (its RowRef and clustering view). */
export const MEM_EXTRA_OVERHEAD_BYTES = 160;
export const MEM_ROW_OVERHEAD_BYTES = 160;

/**
 * A slab location in one number: slab index * 2^32 + offset. Rows are self-delimiting (their
 * clustering and body lengths lead), so a location is all a row needs.
 */
const SLAB_SPAN = 0x100000000;
/** rowLocs value of a partition without rows, and of one whose rows are in its extra. */
const NO_ROW = -1;
const IN_EXTRA = -2;

/** Where one encoded row of a multi-row partition lives. */
interface RowRef {
  readonly clustering: Buffer;
  readonly loc: number;
}

const NO_RANGE_TOMBSTONES: readonly RangeTombstone[] = Object.freeze([]);

/** What a partition holds besides its key and a single row. */
class PartitionExtra {
  deletion: DeletionTime = LIVE;
  staticRow: Row | null = null;
  rangeTombstones: readonly RangeTombstone[] = NO_RANGE_TOMBSTONES;
  /** More than one row: sorted by clustering (array), or a B-tree once wide; null for a single row. */
  rows: RowRef[] | null = null;
  tree: BTree<Buffer, RowRef> | null = null;
}

export class Memtable implements PartitionSource, KeyStore {
  private readonly slabs: Buffer[] = [];
  private readonly table = new PartitionTable(this);
  /** Per partition number: its only row's location, NO_ROW, or IN_EXTRA. */
  private rowLocs = new Float64Array(8);
  private readonly extras = new Map<number, PartitionExtra>();
  /** Statistics of what was encoded; only minTimestamp is used (conservative across overwrites). */
  private readonly encodeStats = new StatsCollector();
  private readonly encoder = new DataEncoder(this.encodeStats);
  private readonly scratch = new ByteWriter(4096);
  /** Writes into the current slab (its buffer is set to it before each use). */
  private readonly slabWriter = new ByteWriter(0);
  private readonly reader = new ByteReader(Buffer.alloc(0), 0, 0);
  private slab: Buffer = Buffer.alloc(0);
  private slabUsed = 0;
  private slabBytes = 0;
  /** Estimated heap of the objects (extras, static rows, range tombstones, row references). */
  private objectBytes = 0;
  /** Writes that have been routed to this memtable but not yet applied (awaiting the commit log). */
  pendingWrites = 0;

  /**
   * Memory held, for the flush threshold: the slabs (all but the free end of the current one)
   * and the arrays as allocated, plus estimates for the few objects.
   */
  get sizeBytes(): number {
    return this.slabBytes - (this.slab.length - this.slabUsed) + this.table.memoryBytes + this.rowLocs.byteLength + this.objectBytes;
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

  slabAt(loc: number): Buffer {
    return this.slabs[Math.floor(loc / SLAB_SPAN)];
  }

  offsetAt(loc: number): number {
    return loc % SLAB_SPAN;
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
    if (update.key.length > MAX_KEY_BYTES) throw new SSTableUsageError(`partition key of ${update.key.length} bytes exceeds ${MAX_KEY_BYTES}`);
    if (update.staticRow !== null || update.rangeTombstones.length > 0 || update.deletion !== LIVE) {
      // Kept as objects, encoded at flush: check now that they can be.
      this.scratch.reset();
      this.encoder.headerFields(this.scratch, update.deletion, update.staticRow, update.rangeTombstones);
    }
    const rows = update.rows;
    if (rows.length === 0) return NO_ROW;
    // Encoded straight into the slab, which is first made to have room for a bound on the size.
    const bound = encodedSizeBound(rows);
    if (this.slabUsed + bound > this.slab.length) this.newSlab(bound);
    const w = this.slabWriter;
    w.buf = this.slab;
    w.pos = this.slabUsed;
    for (let i = 0; i < rows.length; i++) this.encoder.row(w, rows[i]);
    if (w.buf !== this.slab || w.pos > this.slabUsed + bound) throw new Error('Memtable.prepare: encoded rows exceed their size bound');
    const loc = (this.slabs.length - 1) * SLAB_SPAN + this.slabUsed;
    this.slabUsed = w.pos;
    return loc;
  }

  /** Applies an update whose rows prepare() encoded at `loc`. */
  applyPrepared(update: PartitionUpdate, loc: number): void {
    const hi = bigHi(update.token);
    const lo = bigLo(update.token);
    const key = update.key;
    let p = this.table.find(hi, lo, key);
    if (p < 0) {
      const keyLoc = this.reserve(key.length);
      const at = this.slabUsed - key.length;
      copyBytes(key, 0, key.length, this.slab, at);
      p = this.table.add(hi, lo, keyLoc, key.length);
      if (p === this.rowLocs.length) {
        const grown = new Float64Array(this.rowLocs.length * 2);
        grown.set(this.rowLocs);
        this.rowLocs = grown;
      }
      this.rowLocs[p] = NO_ROW;
    }
    const hasDeletion = update.deletion !== LIVE && update.deletion.markedAtMicros !== LIVE.markedAtMicros;
    if (hasDeletion || update.staticRow !== null || update.rangeTombstones.length > 0) {
      const x = this.extraOf(p);
      if (hasDeletion) x.deletion = mergeDeletion(x.deletion, update.deletion);
      if (update.staticRow !== null) {
        x.staticRow = x.staticRow === null ? update.staticRow : mergeRows(x.staticRow, update.staticRow);
        this.objectBytes += estimatedRowSizeBytes(update.staticRow);
      }
      for (const rt of update.rangeTombstones) {
        if (addRangeTombstone(x, rt)) this.objectBytes += DELETION_OVERHEAD_BYTES + rt.start.length + rt.end.length;
      }
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

  private extraOf(p: number): PartitionExtra {
    let x = this.extras.get(p);
    if (x === undefined) {
      x = new PartitionExtra();
      this.extras.set(p, x);
      this.objectBytes += MEM_EXTRA_OVERHEAD_BYTES;
    }
    return x;
  }

  /** Starts a new current slab with room for at least n bytes. */
  private newSlab(n: number): void {
    // Shared memory, so that a flush on a worker thread reads the slabs where they are.
    this.slab = Buffer.from(new SharedArrayBuffer(Math.max(Math.min(SLAB_BYTES, Math.max(FIRST_SLAB_BYTES, 2 * this.slab.length)), n)));
    this.slabs.push(this.slab);
    this.slabUsed = 0;
    this.slabBytes += this.slab.length;
  }

  /** Reserves n bytes at the end of the current slab (a new one when they do not fit); returns their location. */
  private reserve(n: number): number {
    if (this.slabUsed + n > this.slab.length) this.newSlab(n);
    const at = this.slabUsed;
    this.slabUsed += n;
    return (this.slabs.length - 1) * SLAB_SPAN + at;
  }

  /** Stores the row encoded at loc in partition p, merging it with a row of the same clustering. */
  private upsertRow(p: number, loc: number): void {
    const only = this.rowLocs[p];
    if (only === NO_ROW) {
      this.rowLocs[p] = loc;
      return;
    }
    const clustering = this.clusteringOf(loc);
    if (only !== IN_EXTRA) {
      if (this.clusteringOf(only).equals(clustering)) {
        this.rowLocs[p] = this.mergeEncoded(only, loc);
        return;
      }
      const x = this.extraOf(p);
      x.rows = [{ clustering: this.clusteringOf(only), loc: only }];
      this.rowLocs[p] = IN_EXTRA;
      this.objectBytes += MEM_ROW_OVERHEAD_BYTES;
    }
    const x = this.extras.get(p)!;
    if (x.rows !== null) {
      const rows = x.rows;
      const i = lowerBound(rows, clustering);
      if (i < rows.length && rows[i].clustering.equals(clustering)) {
        const merged = this.mergeEncoded(rows[i].loc, loc);
        rows[i] = { clustering: this.clusteringOf(merged), loc: merged };
        return;
      }
      rows.splice(i, 0, { clustering, loc });
      this.objectBytes += MEM_ROW_OVERHEAD_BYTES;
      if (rows.length > ROWS_ARRAY_MAX) {
        x.tree = new BTree<Buffer, RowRef>(rows.map((r) => [r.clustering, r] as [Buffer, RowRef]), Buffer.compare);
        x.rows = null;
      }
      return;
    }
    const tree = x.tree!;
    const existing = tree.get(clustering);
    if (existing === undefined) {
      tree.set(clustering, { clustering, loc });
      this.objectBytes += MEM_ROW_OVERHEAD_BYTES;
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
    copyBytes(w.buf, 0, w.pos, this.slab, this.slabUsed - w.pos);
    return loc;
  }

  private clusteringOf(loc: number): Buffer {
    return clusteringAt(this.slabAt(loc), loc % SLAB_SPAN);
  }

  private decodeRow(loc: number): Row {
    const slab = this.slabAt(loc);
    const r = this.reader;
    r.buf = slab;
    r.pos = loc % SLAB_SPAN;
    r.end = slab.length;
    return readRow(r, this.encoder.columns);
  }

  /** @internal Partition p's key: a view into its slab. */
  keyOf(p: number): Buffer {
    const loc = this.table.keyLocOf(p);
    const off = loc % SLAB_SPAN;
    return this.slabAt(loc).subarray(off, off + this.table.keyLengthOf(p));
  }

  /** @internal Partition p's token words. */
  hiOf(p: number): number {
    return this.table.hiOf(p);
  }

  loOf(p: number): number {
    return this.table.loOf(p);
  }

  /** @internal Partition p's token. */
  tokenOf(p: number): bigint {
    return int64FromWords(this.table.hiOf(p), this.table.loOf(p));
  }

  readPartition(key: Buffer, token: bigint, slice: ClusteringSlice, maxRows: number, fromEnd: boolean): Partition | null {
    const p = this.table.find(bigHi(token), bigLo(token), key);
    if (p < 0) return null;
    const x = this.extras.get(p);
    return {
      key,
      token,
      deletion: x?.deletion ?? LIVE,
      staticRow: x?.staticRow ?? null,
      rangeTombstones: x === undefined || x.rangeTombstones.length === 0 ? NO_RANGE_TOMBSTONES : x.rangeTombstones.filter((rt) => Buffer.compare(rt.start, slice.end) < 0 && Buffer.compare(slice.start, rt.end) < 0),
      rows: this.rowsIn(p, x, slice, maxRows, fromEnd),
    };
  }

  /** Rows with start <= clustering < end, ascending; at most maxRows from the chosen end. */
  private rowsIn(p: number, x: PartitionExtra | undefined, slice: ClusteringSlice, maxRows: number, fromEnd: boolean): Row[] {
    if (maxRows <= 0) return [];
    const only = this.rowLocs[p];
    if (only === NO_ROW) return [];
    if (only !== IN_EXTRA) {
      const c = this.clusteringOf(only);
      if (Buffer.compare(c, slice.start) < 0 || Buffer.compare(c, slice.end) >= 0) return [];
      return [this.decodeRow(only)];
    }
    const out: Row[] = [];
    if (x!.rows !== null) {
      const rows = x!.rows;
      let from = lowerBound(rows, slice.start);
      let to = lowerBound(rows, slice.end);
      if (to - from > maxRows) {
        if (fromEnd) from = to - maxRows;
        else to = from + maxRows;
      }
      for (let i = from; i < to; i++) out.push(this.decodeRow(rows[i].loc));
    } else {
      const tree = x!.tree!;
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
    const ordered = this.table.inOrder();
    for (let i = this.table.indexAfter(ordered, afterWords(after)); i < ordered.length; i++) {
      const token = this.tokenOf(ordered[i]);
      if (token > endToken) break;
      out.push({ token, key: this.keyOf(ordered[i]) });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** A cursor over the partitions after `after` (from the start when null), in ring order: a scan's. */
  scanCursor(after: PartitionPosition | null): MemtableCursor {
    const ordered = this.table.inOrder();
    return new MemtableCursor(this, ordered, this.table.indexAfter(ordered, afterWords(after)));
  }

  /** @internal Partition p, whole and decoded (its token and key given when known). */
  decodePartition(p: number, token = this.tokenOf(p), key = this.keyOf(p)): Partition {
    const x = this.extras.get(p);
    return {
      key,
      token,
      deletion: x?.deletion ?? LIVE,
      staticRow: x?.staticRow ?? null,
      rangeTombstones: x === undefined ? NO_RANGE_TOMBSTONES : x.rangeTombstones,
      rows: this.rowsIn(p, x, FULL, Infinity, false),
    };
  }

  /** @internal Whether partition p has many rows (a B-tree of them). */
  isWide(p: number): boolean {
    return this.extras.get(p)?.tree != null;
  }

  /** Every partition in ring order, whole and decoded. */
  *allPartitions(): IterableIterator<Partition> {
    const ordered = this.table.inOrder();
    for (let i = 0; i < ordered.length; i++) {
      const p = this.decodePartition(ordered[i]);
      yield { ...p, rangeTombstones: p.rangeTombstones.slice() };
    }
  }

  /**
   * Writes every partition, in ring order, to an SSTable writer created with `columns` as its
   * column table (see writeFlushSnapshot). Yields every `every` partitions, so the caller can let
   * other work run.
   */
  *writeTo(writer: SSTableWriter, every = 1024): Generator<void> {
    yield* writeFlushSnapshot(writer, this.flushSnapshot(), every);
  }

  /**
   * What a flush writes, as plain data: the partitions' typed arrays (in arrival order; the
   * writer orders them), the slabs, and the few partitions that are more than one row. The memtable must take no more writes while it is in
   * use (a flushing memtable takes none). The slabs are shared memory, so the snapshot can go
   * to a worker thread without copying them; the arrays are fresh and can be transferred.
   */
  flushSnapshot(): FlushSnapshot {
    // Copies in arrival order, cheap (a memcpy each) on the event loop: ordering them — a sort
    // of every partition, tens of milliseconds at a few hundred thousand — is the writer's job,
    // on the flush worker when there is one.
    const { his, los, keyLocs, keyLens } = this.table.copyArrays();
    const rowLocs = this.rowLocs.slice(0, his.length);
    const extraOf = new Int32Array(this.extras.size);
    const extras: FlushExtra[] = [];
    for (const [p, x] of this.extras) {
      const only = rowLocs[p];
      extraOf[extras.length] = p;
      let locs: Float64Array;
      if (only >= 0) locs = Float64Array.of(only);
      else if (only !== IN_EXTRA) locs = new Float64Array(0);
      else {
        const refs = x.rows ?? x.tree!.valuesArray();
        locs = new Float64Array(refs.length);
        for (let r = 0; r < refs.length; r++) locs[r] = refs[r].loc;
      }
      extras.push({ deletion: x.deletion, staticRow: x.staticRow, rangeTombstones: x.rangeTombstones, rowLocs: locs });
    }
    return { columns: this.columns.slice(), his, los, keyLocs, keyLens, rowLocs, slabs: this.slabs.slice(), extraOf, extras };
  }

  /** Partition p with its rows as bytes, for SSTableWriter.appendEncoded. */
  private encodedPartition(p: number): EncodedPartition {
    const only = this.rowLocs[p];
    const x = this.extras.get(p);
    const locs = only >= 0 ? [only] : only === IN_EXTRA ? (x!.rows ?? x!.tree!.valuesArray()).map((r) => r.loc) : [];
    return encodedPartitionOf(this.tokenOf(p), this.keyOf(p), x ?? null, locs, this.slabs);
  }

  /** Every partition in ring order with its rows as bytes, for SSTableWriter.appendEncoded (with `columns` as the writer's column table). */
  *encodedPartitions(): IterableIterator<EncodedPartition> {
    const ordered = this.table.inOrder();
    for (let i = 0; i < ordered.length; i++) yield this.encodedPartition(ordered[i]);
  }
}

/** A partition of a flush snapshot that is more than one row and nothing else. */
export interface FlushExtra {
  readonly deletion: DeletionTime;
  readonly staticRow: Row | null;
  readonly rangeTombstones: readonly RangeTombstone[];
  /** Its rows' slab locations, in clustering order. */
  readonly rowLocs: Float64Array;
}

/** A frozen memtable's contents for an SSTable writer: see Memtable.flushSnapshot. */
export interface FlushSnapshot {
  /** The column table of the encoded rows: the writer must be created with it. */
  readonly columns: readonly string[];
  /** Per partition number (arrival order): token words, key location and length, only row's location. */
  readonly his: Int32Array;
  readonly los: Uint32Array;
  readonly keyLocs: Float64Array;
  readonly keyLens: Uint32Array;
  readonly rowLocs: Float64Array;
  readonly slabs: readonly Uint8Array[];
  /** The partition numbers of the partitions `extras` describes, one each. */
  readonly extraOf: Int32Array;
  readonly extras: readonly FlushExtra[];
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Writes a snapshot's partitions to an SSTable writer created with its column table: rows go as
 * bytes (appendOneRowAt for a partition of a single row and nothing else, appendEncoded for the
 * others), never decoded. Yields every `every` partitions. The same code runs on the event loop
 * and on a flush worker, so both write the same bytes.
 */
export function* writeFlushSnapshot(writer: SSTableWriter, snap: FlushSnapshot, every = 1024): Generator<void> {
  // Slabs that crossed to another thread arrive as plain Uint8Arrays over the same memory.
  const slabs = snap.slabs.map(asBuffer);
  const keys: KeyStore = { slabAt: (loc) => slabs[Math.floor(loc / SLAB_SPAN)], offsetAt: (loc) => loc % SLAB_SPAN };
  const ordered = ringOrderOf(snap.his, snap.los, snap.keyLocs, snap.keyLens, keys);
  const n = ordered.length;
  // The fields in ring order first: read at random once, in tight loops, then in sequence.
  const his = gathered(ordered, snap.his, new Int32Array(n));
  const los = gathered(ordered, snap.los, new Uint32Array(n));
  const keyLocs = gathered(ordered, snap.keyLocs, new Float64Array(n));
  const keyLens = gathered(ordered, snap.keyLens, new Uint32Array(n));
  const rowLocs = gathered(ordered, snap.rowLocs, new Float64Array(n));
  const extras = new Map<number, FlushExtra>();
  for (let k = 0; k < snap.extraOf.length; k++) extras.set(snap.extraOf[k], snap.extras[k]);
  for (let i = 0; i < n; i++) {
    const keyLoc = keyLocs[i];
    const keySlab = slabs[Math.floor(keyLoc / SLAB_SPAN)];
    const keyOff = keyLoc % SLAB_SPAN;
    const x = extras.size === 0 ? undefined : extras.get(ordered[i]);
    const only = rowLocs[i];
    if (x !== undefined || only < 0) {
      // More than a single row, or no row and nothing else (an update that carried an empty row
      // set: kept, as appending it as objects would).
      writer.appendEncoded(encodedPartitionOf(int64FromWords(his[i], los[i]), keySlab.subarray(keyOff, keyOff + keyLens[i]), x ?? null, x?.rowLocs ?? [], slabs));
    } else {
      const slab = slabs[Math.floor(only / SLAB_SPAN)];
      const off = only % SLAB_SPAN;
      writer.appendOneRowAt(int64FromWords(his[i], los[i]), keySlab, keyOff, keyOff + keyLens[i], slab, off, rowEnd(slab, off));
    }
    if ((i + 1) % every === 0) yield;
  }
}

/** A partition whose rows are the encoded rows at these slab locations, for SSTableWriter.appendEncoded. */
function encodedPartitionOf(token: bigint, key: Buffer, x: Pick<FlushExtra, 'deletion' | 'staticRow' | 'rangeTombstones'> | null, locs: ArrayLike<number>, slabs: readonly Buffer[]): EncodedPartition {
  const count = locs.length;
  const rowBufs: Buffer[] = new Array(count);
  const rowStarts: number[] = new Array(count);
  const rowEnds: number[] = new Array(count);
  for (let r = 0; r < count; r++) {
    const loc = locs[r];
    const slab = slabs[Math.floor(loc / SLAB_SPAN)];
    const off = loc % SLAB_SPAN;
    rowBufs[r] = slab;
    rowStarts[r] = off;
    rowEnds[r] = rowEnd(slab, off);
  }
  return {
    token,
    key,
    deletion: x?.deletion ?? LIVE,
    staticRow: x?.staticRow ?? null,
    rangeTombstones: x?.rangeTombstones ?? NO_RANGE_TOMBSTONES,
    rowCount: count,
    rowBufs,
    rowStarts,
    rowEnds,
  };
}

/** out[k] = values[ordered[k]]: one tight loop of independent reads, whose cache misses overlap. */
function gathered<T extends Int32Array | Uint32Array | Float64Array>(ordered: Int32Array, values: Int32Array | Uint32Array | Float64Array, out: T): T {
  for (let k = 0; k < ordered.length; k++) out[k] = values[ordered[k]];
  return out;
}

function afterWords(after: PartitionPosition | null): { hi: number; lo: number; key: Buffer } | null {
  return after === null ? null : { hi: bigHi(after.token), lo: bigLo(after.token), key: after.key };
}

/** Partitions of a memtable in ring order, from a snapshot of its order (later writes are not seen). */
export class MemtableCursor {
  private p = -1;
  /** The current partition's token (and its words) and key, made once per partition (the merge reads them often). */
  token = 0n;
  hi = 0;
  lo = 0;
  key: Buffer = EMPTY;

  constructor(
    private readonly memtable: Memtable,
    private readonly ordered: Int32Array,
    private i: number,
  ) {}

  next(): boolean {
    this.p = this.i < this.ordered.length ? this.ordered[this.i++] : -1;
    if (this.p < 0) return false;
    this.token = this.memtable.tokenOf(this.p);
    this.hi = this.memtable.hiOf(this.p);
    this.lo = this.memtable.loOf(this.p);
    this.key = this.memtable.keyOf(this.p);
    return true;
  }

  /** Many rows (a B-tree): a limited read had better take a window through readPartition. */
  get wide(): boolean {
    return this.memtable.isWide(this.p);
  }

  partition(): Partition {
    return this.memtable.decodePartition(this.p, this.token, this.key);
  }
}

const EMPTY = Buffer.alloc(0);
const FULL: ClusteringSlice = { start: EMPTY, end: Buffer.from([0xff]) };

/**
 * An upper bound on the bytes DataEncoder.row writes for these rows: varints at their 8-byte
 * maximum, every optional field counted.
 */
function encodedSizeBound(rows: readonly Row[]): number {
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    // clustering length, clustering, body length, flags, liveness (16), deletion (12), counts.
    n += 8 + r.clustering.length + 4 + 1 + 16 + 12 + 8 + 8 + r.complexDeletions.length * (8 + 12);
    const cells = r.cells;
    for (let j = 0; j < cells.length; j++) {
      const c = cells[j];
      // flags, column id, path length and path, timestamp, ttl, deletion time, value length and value.
      n += 1 + 8 + (c.path === null ? 0 : 8 + c.path.length) + 8 + 4 + 4 + (c.value === null ? 0 : 8 + c.value.length);
    }
  }
  return n;
}

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
function addRangeTombstone(x: PartitionExtra, rt: RangeTombstone): boolean {
  const list = x.rangeTombstones === NO_RANGE_TOMBSTONES ? [] : (x.rangeTombstones as RangeTombstone[]);
  let i = list.length;
  while (i > 0 && compareRangeTombstones(list[i - 1], rt) > 0) i--;
  if (i > 0 && compareRangeTombstones(list[i - 1], rt) === 0) return false;
  list.splice(i, 0, rt);
  x.rangeTombstones = list;
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

import { BTree } from './btree.js';
import {
  LIVE,
  comparePositions,
  estimatedSizeBytes,
  mergeDeletion,
  mergeRows,
} from '../model/index.js';
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

/**
 * One table's in-memory write buffer: partitions in ring order in a B-tree, each partition's rows
 * in clustering order. Writes merge into what is there (last write wins), so the memtable always
 * holds at most one version of each row. Rows are immutable values: a merge makes a new Row, so a
 * reader holding rows from an earlier read never sees them change.
 */

/** Rows stay in a sorted array while few (most partitions); a B-tree takes over for wide ones. */
const ROWS_ARRAY_MAX = 64;

class MemPartition {
  deletion: DeletionTime = LIVE;
  staticRow: Row | null = null;
  rangeTombstones: RangeTombstone[] = [];
  private array: Row[] | null = [];
  private tree: BTree<Buffer, Row> | null = null;

  constructor(readonly key: Buffer, readonly token: bigint) {}

  get rowCount(): number {
    return this.array !== null ? this.array.length : this.tree!.size;
  }

  upsertRow(row: Row): void {
    if (this.array !== null) {
      const rows = this.array;
      const i = lowerBound(rows, row.clustering);
      if (i < rows.length && rows[i].clustering.equals(row.clustering)) {
        rows[i] = mergeRows(rows[i], row);
        return;
      }
      rows.splice(i, 0, row);
      if (rows.length > ROWS_ARRAY_MAX) {
        this.tree = new BTree<Buffer, Row>(rows.map((r) => [r.clustering, r] as [Buffer, Row]), Buffer.compare);
        this.array = null;
      }
      return;
    }
    const tree = this.tree!;
    const existing = tree.get(row.clustering);
    tree.set(row.clustering, existing === undefined ? row : mergeRows(existing, row));
  }

  addRangeTombstone(rt: RangeTombstone): void {
    const list = this.rangeTombstones;
    let i = list.length;
    while (i > 0 && compareRangeTombstones(list[i - 1], rt) > 0) i--;
    if (i > 0 && compareRangeTombstones(list[i - 1], rt) === 0) return;
    list.splice(i, 0, rt);
  }

  /** Rows with start <= clustering < end, ascending; at most maxRows from the chosen end. */
  rowsIn(slice: ClusteringSlice, maxRows: number, fromEnd: boolean): Row[] {
    if (this.array !== null) {
      const rows = this.array;
      let from = lowerBound(rows, slice.start);
      let to = lowerBound(rows, slice.end);
      if (to - from > maxRows) {
        if (fromEnd) from = to - maxRows;
        else to = from + maxRows;
      }
      return from < to ? rows.slice(from, to) : [];
    }
    const tree = this.tree!;
    const out: Row[] = [];
    if (!fromEnd) {
      for (const [clustering, row] of tree.entries(slice.start)) {
        if (out.length >= maxRows || Buffer.compare(clustering, slice.end) >= 0) break;
        out.push(row);
      }
      return out;
    }
    // entriesReversed starts at the highest key <= its argument; slice.end itself is excluded.
    for (const [clustering, row] of tree.entriesReversed(slice.end)) {
      if (Buffer.compare(clustering, slice.end) >= 0) continue;
      if (out.length >= maxRows || Buffer.compare(clustering, slice.start) < 0) break;
      out.push(row);
    }
    return out.reverse();
  }

  allRows(): Row[] {
    return this.array !== null ? this.array.slice() : this.tree!.valuesArray();
  }
}

export class Memtable implements PartitionSource {
  private readonly partitions = new BTree<PartitionPosition, MemPartition>(undefined, comparePositions);
  private accountedBytes = 0;
  private minTimestamp = Number.MAX_SAFE_INTEGER;
  /** Writes that have been routed to this memtable but not yet applied (awaiting the commit log). */
  pendingWrites = 0;

  /** Estimated heap held by the data, for the flush threshold. */
  get sizeBytes(): number {
    return this.accountedBytes;
  }

  get partitionCount(): number {
    return this.partitions.size;
  }

  get isEmpty(): boolean {
    return this.partitions.size === 0;
  }

  /** Lowest timestamp of any data here: compaction must keep tombstones newer than this. */
  get minTimestampMicros(): number {
    return this.minTimestamp;
  }

  apply(update: PartitionUpdate): void {
    const position: PartitionPosition = { token: update.token, key: update.key };
    let p = this.partitions.get(position);
    if (p === undefined) {
      p = new MemPartition(update.key, update.token);
      this.partitions.set(position, p);
    }
    if (update.deletion !== LIVE && update.deletion.markedAtMicros !== LIVE.markedAtMicros) {
      p.deletion = mergeDeletion(p.deletion, update.deletion);
      this.noteTimestamp(update.deletion.markedAtMicros);
    }
    if (update.staticRow !== null) {
      p.staticRow = p.staticRow === null ? update.staticRow : mergeRows(p.staticRow, update.staticRow);
      this.noteRow(update.staticRow);
    }
    for (const rt of update.rangeTombstones) {
      p.addRangeTombstone(rt);
      this.noteTimestamp(rt.deletion.markedAtMicros);
    }
    for (const row of update.rows) {
      p.upsertRow(row);
      this.noteRow(row);
    }
    this.accountedBytes += estimatedSizeBytes(update);
  }

  readPartition(key: Buffer, token: bigint, slice: ClusteringSlice, maxRows: number, fromEnd: boolean): Partition | null {
    const p = this.partitions.get({ token, key });
    if (p === undefined) return null;
    return {
      key: p.key,
      token: p.token,
      deletion: p.deletion,
      staticRow: p.staticRow,
      rangeTombstones: p.rangeTombstones.filter((rt) => Buffer.compare(rt.start, slice.end) < 0 && Buffer.compare(slice.start, rt.end) < 0),
      rows: p.rowsIn(slice, maxRows, fromEnd),
    };
  }

  partitionKeys(after: PartitionPosition | null, endToken: bigint, limit: number): PartitionPosition[] {
    const out: PartitionPosition[] = [];
    if (limit <= 0) return out;
    const iter = after === null ? this.partitions.keys() : this.partitions.keys(after);
    for (const position of iter) {
      if (after !== null && comparePositions(position, after) <= 0) continue;
      if (position.token > endToken) break;
      out.push(position);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Every partition in ring order, whole: what a flush writes. */
  *allPartitions(): IterableIterator<Partition> {
    for (const p of this.partitions.values()) {
      yield {
        key: p.key,
        token: p.token,
        deletion: p.deletion,
        staticRow: p.staticRow,
        rangeTombstones: p.rangeTombstones.slice(),
        rows: p.allRows(),
      };
    }
  }

  private noteRow(row: Row): void {
    if (row.liveness !== null) this.noteTimestamp(row.liveness.timestampMicros);
    if (row.deletion.markedAtMicros !== LIVE.markedAtMicros) this.noteTimestamp(row.deletion.markedAtMicros);
    for (const c of row.cells) this.noteTimestamp(c.timestampMicros);
    for (const cd of row.complexDeletions) this.noteTimestamp(cd.deletion.markedAtMicros);
  }

  private noteTimestamp(ts: number): void {
    if (ts < this.minTimestamp) this.minTimestamp = ts;
  }
}

function lowerBound(rows: readonly Row[], clustering: Buffer): number {
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

/**
 * The orders every code path must agree on: cells within a row, range tombstones within a
 * partition, and deletion times. Kept in one place so that the memtable, the SSTables, the codec
 * and the merges cannot drift apart.
 */
import type { Cell, DeletionTime, RangeTombstone } from './types.js';
import { MIN_TIMESTAMP, NO_DELETION_TIME } from './types.js';

/**
 * Orders cells by (column, path): columns by JS string order (UTF-16 code units), then the path
 * bytewise with a null path (a simple column) first.
 */
export function compareCellKeys(a: Cell, b: Cell): number {
  if (a.column !== b.column) return a.column < b.column ? -1 : 1;
  return comparePaths(a.path, b.path);
}

/** Paths bytewise, null (no path) first. */
export function comparePaths(a: Buffer | null, b: Buffer | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return Buffer.compare(a, b);
}

/** The total order of deletion times: markedAt, then localDeletionTime (Cassandra's compareTo). */
export function compareDeletionTimes(a: DeletionTime, b: DeletionTime): number {
  if (a.markedAtMicros !== b.markedAtMicros) return a.markedAtMicros < b.markedAtMicros ? -1 : 1;
  if (a.localDeletionTimeSec !== b.localDeletionTimeSec) return a.localDeletionTimeSec < b.localDeletionTimeSec ? -1 : 1;
  return 0;
}

/**
 * The order range tombstones are kept in: (start, end, markedAt, localDeletionTime). Total, so
 * that merging lists of them gives the same list whatever the order of the merge.
 */
export function compareRangeTombstones(a: RangeTombstone, b: RangeTombstone): number {
  return Buffer.compare(a.start, b.start) || Buffer.compare(a.end, b.end) || compareDeletionTimes(a.deletion, b.deletion);
}

/** True for the "not deleted" value (LIVE or an equal copy of it, e.g. one just decoded). */
export function isLiveDeletion(d: DeletionTime): boolean {
  return d.markedAtMicros === MIN_TIMESTAMP && d.localDeletionTimeSec === NO_DELETION_TIME;
}

/** Cassandra's DeletionTime.deletes: a deletion shadows everything written at or before it. */
export function deletes(d: DeletionTime, timestampMicros: number): boolean {
  return timestampMicros <= d.markedAtMicros;
}

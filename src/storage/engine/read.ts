/**
 * The read path over several sources (memtables and SSTables), pure and synchronous.
 *
 * Each source returns raw data for a window of rows; the windows are merged by reconciliation and
 * viewed at `nowSec` (tombstones and TTLs applied). A source that filled its window may hold more
 * rows, so only rows up to the nearest such cut-off are final; the next window resumes after it.
 * This reads O(limit) rows for a LIMIT query instead of the whole partition, however the rows are
 * spread over sources, and a shadowing tombstone in one source still hides rows in another.
 */
import {
  FULL_SLICE,
  LIVE,
  comparePositions,
  exclusiveStartAfter,
  liveRow,
  mergeDeletion,
  mergePartitions,
  RangeTombstoneSweep,
} from '../model/index.js';
import type {
  ClusteringSlice,
  DeletionTime,
  Partition,
  PartitionPosition,
  PartitionSource,
  Row,
} from '../model/index.js';

export interface ReadQuery {
  /** Clustering slices, ascending and disjoint. Default: the whole partition. */
  readonly slices?: readonly ClusteringSlice[];
  /** Rows in descending clustering order. */
  readonly reversed?: boolean;
  /** At most this many live rows (per partition in a scan). Default: no limit. */
  readonly limit?: number;
  /** Time at which TTLs are evaluated, in seconds. */
  readonly nowSec: number;
}

/** A partition as a query sees it: only live data, rows in query order. */
export interface LivePartition {
  readonly key: Buffer;
  readonly token: bigint;
  readonly staticRow: Row | null;
  readonly rows: Row[];
}

const FIRST_WINDOW_ROWS = 32;

export function readLivePartition(
  sources: readonly PartitionSource[],
  key: Buffer,
  token: bigint,
  query: ReadQuery,
): LivePartition | null {
  const slices = query.slices ?? [FULL_SLICE];
  const reversed = query.reversed === true;
  let remaining = query.limit ?? Infinity;
  const rows: Row[] = [];
  let staticRow: Row | null = null;
  let deletion: DeletionTime = LIVE;
  let found = false;
  const ordered = reversed ? [...slices].reverse() : slices;

  for (const slice of ordered) {
    if (remaining <= 0) break;
    let start = slice.start;
    let end = slice.end;
    let window = Number.isFinite(remaining) ? Math.max(remaining + 1, FIRST_WINDOW_ROWS) : Infinity;
    for (let round = 0; remaining > 0; round++) {
      const parts: Partition[] = [];
      let cut: Buffer | null = null;
      for (const source of sources) {
        const p = source.readPartition(key, token, { start, end }, window, reversed);
        if (p === null) continue;
        parts.push(p);
        if (p.rows.length >= window && p.rows.length > 0) {
          const edge = reversed ? p.rows[0].clustering : p.rows[p.rows.length - 1].clustering;
          if (cut === null || (reversed ? Buffer.compare(edge, cut) > 0 : Buffer.compare(edge, cut) < 0)) cut = edge;
        }
      }
      if (parts.length === 0) break;
      found = true;
      const merged = parts.reduce(mergePartitions);
      if (round === 0) {
        deletion = mergeDeletion(deletion, merged.deletion);
        if (staticRow === null && merged.staticRow !== null) staticRow = liveRow(merged.staticRow, merged.deletion, LIVE, query.nowSec);
      }
      const sweep = merged.rangeTombstones.length === 0 ? null : new RangeTombstoneSweep(merged.rangeTombstones, reversed);
      const mrows = merged.rows;
      if (!reversed) {
        for (let i = 0; i < mrows.length && remaining > 0; i++) {
          const row = mrows[i];
          if (cut !== null && Buffer.compare(row.clustering, cut) > 0) break;
          const live = liveRow(row, merged.deletion, sweep === null ? LIVE : sweep.deletionAt(row.clustering), query.nowSec);
          if (live !== null) {
            rows.push(live);
            remaining--;
          }
        }
      } else {
        for (let i = mrows.length - 1; i >= 0 && remaining > 0; i--) {
          const row = mrows[i];
          if (cut !== null && Buffer.compare(row.clustering, cut) < 0) break;
          const live = liveRow(row, merged.deletion, sweep === null ? LIVE : sweep.deletionAt(row.clustering), query.nowSec);
          if (live !== null) {
            rows.push(live);
            remaining--;
          }
        }
      }
      if (cut === null) break;
      if (reversed) end = cut;
      else start = exclusiveStartAfter(cut);
      window *= 2;
    }
  }
  if (!found) return null;
  if (rows.length === 0 && staticRow === null) return null;
  return { key, token, staticRow, rows };
}

/**
 * The next partition keys after `after` with token <= endToken across all sources, ring order,
 * deduplicated; at most `limit`. Same windowing idea as rows: only keys up to the nearest source
 * cut-off are final.
 */
export function mergedPartitionKeys(
  sources: readonly PartitionSource[],
  after: PartitionPosition | null,
  endToken: bigint,
  limit: number,
): PartitionPosition[] {
  const lists: PartitionPosition[][] = [];
  let cut: PartitionPosition | null = null;
  for (const source of sources) {
    const keys = source.partitionKeys(after, endToken, limit);
    if (keys.length === 0) continue;
    lists.push(keys);
    if (keys.length >= limit) {
      const last = keys[keys.length - 1];
      if (cut === null || comparePositions(last, cut) < 0) cut = last;
    }
  }
  const all = lists.length === 1 ? lists[0] : lists.flat().sort(comparePositions);
  const out: PartitionPosition[] = [];
  for (const position of all) {
    if (cut !== null && comparePositions(position, cut) > 0) break;
    if (out.length > 0 && comparePositions(out[out.length - 1], position) === 0) continue;
    out.push(position);
    if (out.length >= limit) break;
  }
  return out;
}

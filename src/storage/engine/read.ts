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
import { int64Hi, int64Lo } from '../model/int64.js';
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
  if (query.slices === undefined && query.reversed !== true && query.limit === undefined) return readWhole(sources, key, token, query.nowSec);
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
 * readLivePartition of a whole partition, no limit, forward (most point reads): each source's
 * whole partition, merged, viewed — no windows, since no row can be cut off.
 */
function readWhole(sources: readonly PartitionSource[], key: Buffer, token: bigint, nowSec: number): LivePartition | null {
  let merged: Partition | null = null;
  for (let i = 0; i < sources.length; i++) {
    const p = sources[i].readPartition(key, token, FULL_SLICE, Infinity, false);
    if (p !== null) merged = merged === null ? p : mergePartitions(merged, p);
  }
  if (merged === null) return null;
  // Sources hand out fresh row arrays (never one they keep), so a single one may be passed on.
  return liveWhole(merged, Infinity, nowSec);
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

/** A source's partitions in ring order, for scans (a memtable's or an SSTable's cursor). */
export interface ScanCursor {
  /** Moves to the next partition; false when there is none. */
  next(): boolean;
  readonly token: bigint;
  /** The token's high (signed) and low (unsigned) 32-bit words: compared as numbers, not bigints. */
  readonly hi: number;
  readonly lo: number;
  readonly key: Buffer;
  /** True when the current partition is big: a limited read takes windows from its source instead. */
  readonly wide: boolean;
  /** The current partition, whole (raw: tombstones included). */
  partition(): Partition;
}

export interface ScanLimits {
  readonly endToken: bigint;
  readonly partitionLimit: number;
  readonly totalRowLimit: number;
}

/**
 * The live partitions after the cursors' start, up to endToken, in ring order: a k-way merge of
 * the sources' cursors (sources[i] has cursors[i]), so a scan reads each SSTable sequentially
 * instead of looking every key up in every source. Each partition is answered as
 * readLivePartition answers it, over the partitions the cursors are on; a wide one is read
 * through its source, in windows, as a point read would.
 */
export function scanLivePartitions(sources: readonly PartitionSource[], cursors: readonly ScanCursor[], query: ReadQuery, limits: ScanLimits): LivePartition[] {
  const out: LivePartition[] = [];
  let rowsLeft = limits.totalRowLimit;
  if (limits.partitionLimit <= 0 || rowsLeft <= 0) return out;
  const active: number[] = [];
  for (let i = 0; i < cursors.length; i++) if (cursors[i].next()) active.push(i);
  // here[0, hereCount): the cursors on the smallest position.
  const here: number[] = new Array(cursors.length).fill(0);
  const simple = query.slices === undefined && query.reversed !== true;
  const endHi = int64Hi(limits.endToken);
  const endLo = int64Lo(limits.endToken);
  while (active.length > 0) {
    let min = cursors[active[0]];
    let minHi = min.hi;
    let minLo = min.lo;
    let minKey = min.key;
    here[0] = active[0];
    let hereCount = 1;
    for (let j = 1; j < active.length; j++) {
      const c = cursors[active[j]];
      const cmp = c.hi !== minHi ? (c.hi < minHi ? -1 : 1) : c.lo !== minLo ? (c.lo < minLo ? -1 : 1) : Buffer.compare(c.key, minKey);
      if (cmp < 0) {
        min = c;
        minHi = c.hi;
        minLo = c.lo;
        minKey = c.key;
        here[0] = active[j];
        hereCount = 1;
      } else if (cmp === 0) {
        here[hereCount++] = active[j];
      }
    }
    if (minHi > endHi || (minHi === endHi && minLo > endLo)) break;
    const minToken = min.token;
    const limit = Math.min(query.limit ?? Infinity, rowsLeft);
    let p: LivePartition | null;
    if (hereCount === 1 && simple && !min.wide) {
      p = liveWhole(min.partition(), limit, query.nowSec);
    } else {
      const parts: PartitionSource[] = [];
      for (let h = 0; h < hereCount; h++) {
        const i = here[h];
        parts.push(cursors[i].wide ? sources[i] : new WholePartition(cursors[i].partition()));
      }
      p = readLivePartition(parts, minKey, minToken, { ...query, limit });
    }
    if (p !== null) {
      out.push(p);
      rowsLeft -= p.rows.length;
      if (out.length >= limits.partitionLimit || rowsLeft <= 0) return out;
    }
    for (let h = 0; h < hereCount; h++) {
      const i = here[h];
      if (!cursors[i].next()) active.splice(active.indexOf(i), 1);
    }
  }
  return out;
}

/**
 * What readLivePartition gives for a whole partition from one source, forward, no slices. `p` is
 * the cursor's fresh decoding, owned here: when every row is live its rows array is returned as
 * it is (the common case, one allocation less per partition).
 */
function liveWhole(p: Partition, limit: number, nowSec: number): LivePartition | null {
  if (limit <= 0) return null;
  const staticRow = p.staticRow === null ? null : liveRow(p.staticRow, p.deletion, LIVE, nowSec);
  const sweep = p.rangeTombstones.length === 0 ? null : new RangeTombstoneSweep(p.rangeTombstones, false);
  const src = p.rows as Row[];
  let rows: Row[] | null = null;
  let i = 0;
  for (; i < src.length; i++) {
    if (rows === null && i === limit) break;
    if (rows !== null && rows.length >= limit) break;
    const row = src[i];
    const live = liveRow(row, p.deletion, sweep === null ? LIVE : sweep.deletionAt(row.clustering), nowSec);
    if (live === row && rows === null) continue;
    // The first row that is dropped or changed: from here on, rows are collected.
    if (rows === null) rows = src.slice(0, i);
    if (live !== null) rows.push(live);
  }
  if (rows === null) rows = i === src.length ? src : src.slice(0, i);
  if (rows.length === 0 && staticRow === null) return null;
  return { key: p.key, token: p.token, staticRow, rows };
}

/** One partition already read whole, answering readPartition as its source would. */
class WholePartition implements PartitionSource {
  constructor(private readonly p: Partition) {}

  readPartition(key: Buffer, token: bigint, slice: ClusteringSlice, maxRows: number, fromEnd: boolean): Partition | null {
    const p = this.p;
    if (token !== p.token || !key.equals(p.key)) return null;
    const all = p.rows;
    let from = lowerBound(all, slice.start);
    let to = Buffer.compare(slice.start, slice.end) >= 0 ? from : lowerBound(all, slice.end);
    if (to < from) to = from;
    if (maxRows <= 0) to = from;
    else if (to - from > maxRows) {
      if (fromEnd) from = to - maxRows;
      else to = from + maxRows;
    }
    const rows = from === 0 && to === all.length ? all : all.slice(from, to);
    const rangeTombstones = p.rangeTombstones.length === 0 ? p.rangeTombstones : p.rangeTombstones.filter((rt) => Buffer.compare(rt.start, slice.end) < 0 && Buffer.compare(slice.start, rt.end) < 0);
    return { key: p.key, token: p.token, deletion: p.deletion, staticRow: p.staticRow, rangeTombstones, rows };
  }

  partitionKeys(): PartitionPosition[] {
    throw new Error('WholePartition answers reads of its one partition only');
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

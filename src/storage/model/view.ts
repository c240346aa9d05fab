/**
 * The read-time view: what a query sees of a (merged) partition at `nowSec`. Deletions shadow
 * what was written at or before them (Cassandra's DeletionTime.deletes: timestamp <= markedAt),
 * expired cells and liveness are dead, tombstones are invisible.
 *
 * Deletions nest: partition deletion > range tombstones > row deletion > complex (collection)
 * deletion; a cell is shadowed when any deletion above it has markedAt >= its timestamp. Range
 * tombstones do not reach the static row (as in Cassandra).
 */
import { compareDeletionTimes, deletes } from './order.js';
import type { Cell, DeletionTime, LivenessInfo, Partition, RangeTombstone, Row } from './types.js';
import { LIVE } from './types.js';

/** A liveness info is live until its expiry (it is not shadowing-aware: see liveRow). */
export function isLivenessLive(l: LivenessInfo, nowSec: number): boolean {
  return l.ttlSec === 0 || nowSec < l.expiresAtSec;
}

/** A cell is live when it holds a value that has not expired (Cassandra's Cell.isLive). */
export function isCellLive(c: Cell, nowSec: number): boolean {
  return c.value !== null && (c.ttlSec === 0 || nowSec < c.localDeletionTimeSec);
}

function maxDeletion(a: DeletionTime, b: DeletionTime): DeletionTime {
  return compareDeletionTimes(a, b) >= 0 ? a : b;
}

/**
 * The row as a read returns it: only live, unshadowed cells, no deletions; null when the row is
 * not live. A row is live when its liveness info is live and not shadowed (a row made by INSERT),
 * or when at least one cell is live (a row made by UPDATE lives only through its cells).
 * `rangeTombstoneDeletion` is the max deletion of the range tombstones covering the row (LIVE when
 * none; see RangeTombstoneSweep).
 */
export function liveRow(row: Row, partitionDeletion: DeletionTime, rangeTombstoneDeletion: DeletionTime, nowSec: number): Row | null {
  const active = maxDeletion(maxDeletion(partitionDeletion, rangeTombstoneDeletion), row.deletion);
  const liveness = row.liveness;
  const livenessLive = liveness !== null && !deletes(active, liveness.timestampMicros) && isLivenessLive(liveness, nowSec);

  const cells = row.cells;
  const cds = row.complexDeletions;
  let kept: Cell[] | null = null;
  let cdIndex = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    let markedAt = active.markedAtMicros;
    if (cdIndex < cds.length) {
      while (cdIndex < cds.length && cds[cdIndex]!.column < c.column) cdIndex++;
      const cd = cds[cdIndex];
      if (cd !== undefined && cd.column === c.column && cd.deletion.markedAtMicros > markedAt) markedAt = cd.deletion.markedAtMicros;
    }
    const live = isCellLive(c, nowSec) && c.timestampMicros > markedAt;
    if (live) {
      if (kept !== null) kept.push(c);
    } else if (kept === null) {
      kept = cells.slice(0, i);
    }
  }
  const liveCells = kept ?? cells;
  if (!livenessLive && liveCells.length === 0) return null;
  const livenessOut = livenessLive ? liveness : null;
  if (kept === null && livenessOut === liveness && cds.length === 0 && row.deletion === LIVE) return row;
  return { clustering: row.clustering, liveness: livenessOut, deletion: LIVE, cells: liveCells, complexDeletions: [] };
}

/** The static row as a read returns it (range tombstones never cover it), or null. */
export function liveStaticRow(staticRow: Row | null, partitionDeletion: DeletionTime, nowSec: number): Row | null {
  return staticRow === null ? null : liveRow(staticRow, partitionDeletion, LIVE, nowSec);
}

/**
 * The max deletion of the range tombstones covering `clustering` (start <= c < end), or LIVE.
 * Linear in the number of tombstones: for one-off lookups; a scan uses RangeTombstoneSweep.
 */
export function coveringDeletion(rangeTombstones: readonly RangeTombstone[], clustering: Buffer): DeletionTime {
  let best: DeletionTime = LIVE;
  for (const rt of rangeTombstones) {
    if (Buffer.compare(rt.start, clustering) <= 0 && Buffer.compare(clustering, rt.end) < 0) best = maxDeletion(best, rt.deletion);
  }
  return best;
}

/**
 * Answers "which deletion covers this clustering" for clusterings visited in order (ascending,
 * or descending when `descending`), in amortised O(1 + open tombstones) per call: tombstones enter
 * the open set as the scan reaches their start (their end when descending) and leave it once the
 * scan passes their other bound. `rangeTombstones` must be sorted by start (Partition's contract).
 */
export class RangeTombstoneSweep {
  private readonly order: readonly RangeTombstone[];
  private next = 0;
  private readonly open: RangeTombstone[] = [];
  private last: Buffer | null = null;
  private cached: DeletionTime = LIVE;
  private dirty = false;

  constructor(
    rangeTombstones: readonly RangeTombstone[],
    private readonly descending = false,
  ) {
    // Descending, a tombstone is reached at its end: visit them by end, highest first.
    this.order = descending ? [...rangeTombstones].sort((a, b) => Buffer.compare(b.end, a.end)) : rangeTombstones;
  }

  /** The max deletion covering `clustering`; calls must follow the sweep's direction. */
  deletionAt(clustering: Buffer): DeletionTime {
    if (this.last !== null) {
      const cmp = Buffer.compare(clustering, this.last);
      if (this.descending ? cmp > 0 : cmp < 0) throw new Error('RangeTombstoneSweep: clusterings must be visited in the sweep order');
    }
    this.last = clustering;
    const order = this.order;
    const open = this.open;
    if (this.descending) {
      while (this.next < order.length && Buffer.compare(order[this.next]!.end, clustering) > 0) {
        open.push(order[this.next++]!);
        this.dirty = true;
      }
      for (let i = open.length - 1; i >= 0; i--) {
        if (Buffer.compare(open[i]!.start, clustering) > 0) this.removeAt(i);
      }
    } else {
      while (this.next < order.length && Buffer.compare(order[this.next]!.start, clustering) <= 0) {
        open.push(order[this.next++]!);
        this.dirty = true;
      }
      for (let i = open.length - 1; i >= 0; i--) {
        if (Buffer.compare(clustering, open[i]!.end) >= 0) this.removeAt(i);
      }
    }
    if (this.dirty) {
      let best: DeletionTime = LIVE;
      for (const rt of open) best = maxDeletion(best, rt.deletion);
      this.cached = best;
      this.dirty = false;
    }
    return this.cached;
  }

  private removeAt(i: number): void {
    const open = this.open;
    open[i] = open[open.length - 1]!;
    open.pop();
    this.dirty = true;
  }
}

/**
 * The whole partition as a read at `nowSec` sees it: live static row, live rows in clustering
 * order, no deletions or range tombstones left. Key, token and other fields are kept.
 */
export function livePartition<P extends Partition>(p: P, nowSec: number): P {
  const pd = p.deletion;
  const sweep = p.rangeTombstones.length > 0 ? new RangeTombstoneSweep(p.rangeTombstones) : null;
  const rows: Row[] = [];
  for (const row of p.rows) {
    const live = liveRow(row, pd, sweep === null ? LIVE : sweep.deletionAt(row.clustering), nowSec);
    if (live !== null) rows.push(live);
  }
  return { ...p, deletion: LIVE, staticRow: liveStaticRow(p.staticRow, pd, nowSec), rangeTombstones: [], rows };
}

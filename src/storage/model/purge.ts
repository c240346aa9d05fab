/**
 * Compaction-time garbage collection of one partition.
 *
 * purgePartition does three things, in this order:
 * 1. Drops what a deletion of the same partition shadows (markedAt >= timestamp): data under the
 *    partition deletion, a range tombstone, a row deletion or a complex (collection) deletion, and
 *    deletions shadowed by a wider one (a range tombstone under the partition deletion, a row
 *    deletion under either, a complex deletion under any of them), and cell tombstones and
 *    liveness under any of them.
 * 2. Turns expired cells into tombstones written at the same timestamp, with localDeletionTime =
 *    expiry - ttl (the write time, so gc grace counts from the write, as Cassandra does). An
 *    expired liveness info is already dead at every later time and stays as it is.
 * 3. Drops tombstones that are purgeable: localDeletionTime < gcBeforeSec (gc grace has passed,
 *    so repair has had its chance to spread them to every replica) AND timestamp / markedAt <
 *    maxPurgeableTimestampMicros. The caller sets that bound to the lowest timestamp that data of
 *    this partition may have in sources outside the compaction (+Infinity when there are none):
 *    a tombstone at or above it may still have to shadow such data, so it stays. An expired
 *    liveness info is purgeable likewise, gc grace counting from its expiry (as Cassandra 4 does).
 *
 * Why this cannot resurrect deleted data. Take any data item x that some deletion D in the
 * partition shadows (x.timestamp <= D.markedAt). If x is inside this partition, step 1 drops it
 * together with or before D, so it cannot reappear when D goes. If x is outside the compaction,
 * x.timestamp >= maxPurgeable; D is dropped only if D.markedAt < maxPurgeable <= x.timestamp,
 * i.e. only if D never shadowed x. Deletions dropped in step 1 are shadowed by a deletion that is
 * at least as recent; if that one is purged, the dropped one was below maxPurgeable as well. The
 * same argument covers cell tombstones and expired liveness, which only ever win reconciliation
 * against items with a lower (or equal) timestamp. Live, unexpired, unshadowed data is never
 * touched.
 *
 * One deliberate difference from Cassandra: an expired cell whose timestamp is >= maxPurgeable is
 * kept as an expiring cell rather than converted. A source outside the compaction may hold a cell
 * with the same timestamp that expires later; against it an expiring cell loses (later expiry
 * wins) but a tombstone wins (tombstone beats expiring), so converting would hide that still-live
 * cell. Below maxPurgeable no such cell can exist and the conversion is invisible.
 */
import { deletes, isLiveDeletion } from './order.js';
import type { Cell, ComplexDeletion, DeletionTime, LivenessInfo, Partition, RangeTombstone, Row } from './types.js';
import { LIVE } from './types.js';
import { RangeTombstoneSweep } from './view.js';

class Purger {
  constructor(
    readonly nowSec: number,
    readonly gcBeforeSec: number,
    readonly maxPurgeableMicros: number,
  ) {}

  purgeable(timestampMicros: number, localDeletionTimeSec: number): boolean {
    return timestampMicros < this.maxPurgeableMicros && localDeletionTimeSec < this.gcBeforeSec;
  }

  /** A deletion as it survives: LIVE when purgeable. */
  keepDeletion(d: DeletionTime): DeletionTime {
    if (isLiveDeletion(d) || this.purgeable(d.markedAtMicros, d.localDeletionTimeSec)) return LIVE;
    return d;
  }

  liveness(l: LivenessInfo | null, active: DeletionTime): LivenessInfo | null {
    if (l === null || deletes(active, l.timestampMicros)) return null;
    if (l.ttlSec > 0 && this.nowSec >= l.expiresAtSec && this.purgeable(l.timestampMicros, l.expiresAtSec)) return null;
    return l;
  }

  /** The cell as compaction writes it, or null when it goes. `markedAt` = deletions above it. */
  cell(c: Cell, markedAt: number): Cell | null {
    if (c.timestampMicros <= markedAt) return null;
    if (c.value === null) return this.purgeable(c.timestampMicros, c.localDeletionTimeSec) ? null : c;
    if (c.ttlSec > 0 && this.nowSec >= c.localDeletionTimeSec && c.timestampMicros < this.maxPurgeableMicros) {
      const writtenAtSec = c.localDeletionTimeSec - c.ttlSec;
      if (this.purgeable(c.timestampMicros, writtenAtSec)) return null;
      return { column: c.column, path: c.path, timestampMicros: c.timestampMicros, ttlSec: 0, localDeletionTimeSec: writtenAtSec, value: null };
    }
    return c;
  }

  /** `outer` is the max of the partition deletion and the covering range tombstones. */
  row(row: Row, outer: DeletionTime): Row | null {
    const rowDeletionShadowed = deletes(outer, row.deletion.markedAtMicros);
    const active = rowDeletionShadowed ? outer : row.deletion;
    const deletion = rowDeletionShadowed ? LIVE : this.keepDeletion(row.deletion);
    const liveness = this.liveness(row.liveness, active);

    const cds = row.complexDeletions;
    let keptCds: ComplexDeletion[] | null = null;
    for (let i = 0; i < cds.length; i++) {
      const cd = cds[i]!;
      const keep = !deletes(active, cd.deletion.markedAtMicros) && !this.purgeable(cd.deletion.markedAtMicros, cd.deletion.localDeletionTimeSec);
      if (keep) {
        if (keptCds !== null) keptCds.push(cd);
      } else if (keptCds === null) {
        keptCds = cds.slice(0, i);
      }
    }

    const cells = row.cells;
    let keptCells: Cell[] | null = null;
    let cdIndex = 0;
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i]!;
      let markedAt = active.markedAtMicros;
      while (cdIndex < cds.length && cds[cdIndex]!.column < c.column) cdIndex++;
      const cd = cds[cdIndex];
      if (cd !== undefined && cd.column === c.column && cd.deletion.markedAtMicros > markedAt) markedAt = cd.deletion.markedAtMicros;
      const out = this.cell(c, markedAt);
      if (out === c) {
        if (keptCells !== null) keptCells.push(c);
      } else {
        if (keptCells === null) keptCells = cells.slice(0, i);
        if (out !== null) keptCells.push(out);
      }
    }

    const outCells = keptCells ?? cells;
    const outCds = keptCds ?? cds;
    if (liveness === null && isLiveDeletion(deletion) && outCells.length === 0 && outCds.length === 0) return null;
    if (keptCells === null && keptCds === null && liveness === row.liveness && deletion === row.deletion) return row;
    return { clustering: row.clustering, liveness, deletion, cells: outCells, complexDeletions: outCds };
  }
}

/**
 * The partition as compaction should write it (see the file comment), or null when nothing
 * remains. `maxPurgeableTimestampMicros` may be +Infinity.
 */
export function purgePartition<P extends Partition>(p: P, nowSec: number, gcBeforeSec: number, maxPurgeableTimestampMicros: number): P | null {
  const purger = new Purger(nowSec, gcBeforeSec, maxPurgeableTimestampMicros);
  const pd = p.deletion;

  const rangeTombstones: RangeTombstone[] = [];
  for (const rt of p.rangeTombstones) {
    if (deletes(pd, rt.deletion.markedAtMicros)) continue;
    if (purger.purgeable(rt.deletion.markedAtMicros, rt.deletion.localDeletionTimeSec)) continue;
    rangeTombstones.push(rt);
  }

  // Shadowing is decided with every original deletion, before any is purged.
  const sweep = p.rangeTombstones.length > 0 ? new RangeTombstoneSweep(p.rangeTombstones) : null;
  const rows: Row[] = [];
  for (const row of p.rows) {
    let outer = pd;
    if (sweep !== null) {
      const rtDeletion = sweep.deletionAt(row.clustering);
      if (rtDeletion.markedAtMicros > outer.markedAtMicros) outer = rtDeletion;
    }
    const out = purger.row(row, outer);
    if (out !== null) rows.push(out);
  }
  const staticRow = p.staticRow === null ? null : purger.row(p.staticRow, pd);
  const deletion = purger.keepDeletion(pd);

  if (isLiveDeletion(deletion) && staticRow === null && rangeTombstones.length === 0 && rows.length === 0) return null;
  return { ...p, deletion, staticRow, rangeTombstones, rows };
}

/**
 * Reconciliation: how two versions of the same data become one, identically on every node and in
 * every code path (DESIGN.md "Reconciliation", invariant 3). The rules are Apache Cassandra 4.x's
 * (Cells.resolveRegular, LivenessInfo.supersedes, DeletionTime.supersedes) plus a last tie-break
 * on the TTL, so that the result never depends on argument order.
 *
 * Merges here are a pure union with last-write-wins per item: nothing shadowed is dropped and no
 * tombstone is purged (that is ./purge.ts's job, and reads apply deletions through ./view.ts).
 * That keeps merge commutative, associative and idempotent by construction: every item of the
 * result is the maximum, under a total order, of the items with its identity.
 */
import { ModelInvariantError } from './errors.js';
import { compareCellKeys, compareDeletionTimes, compareRangeTombstones } from './order.js';
import type { Cell, ComplexDeletion, DeletionTime, LivenessInfo, Partition, PartitionUpdate, RangeTombstone, Row } from './types.js';

/** 0 live, 1 expiring, 2 tombstone: at equal timestamps the higher rank wins. */
function cellRank(c: Cell): number {
  if (c.value === null) return 2;
  return c.ttlSec > 0 ? 1 : 0;
}

/** Bytewise with null lowest (a malformed mix; valid cells of equal rank agree on nullness). */
function compareValues(a: Buffer | null, b: Buffer | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return Buffer.compare(a, b);
}

/**
 * The winner between two cells with the same (column, path), always one of the arguments:
 * 1. the higher timestamp;
 * 2. at equal timestamps, an expiring cell or tombstone beats a plain live cell (CASSANDRA-14592:
 *    an expiring cell will be a tombstone, and the outcome must not depend on when replicas
 *    reconcile), and a tombstone beats an expiring cell;
 * 3. then the higher localDeletionTime (later expiry / later deletion);
 * 4. then the greater value bytewise;
 * 5. then the smaller TTL (Cassandra stops at 4 and returns its left argument; with 5 the choice
 *    is symmetric. The smaller TTL means the later write time expiry - ttl, which is also what
 *    rule 3 would pick once both cells have expired and become tombstones).
 */
export function reconcileCells(a: Cell, b: Cell): Cell {
  if (a === b) return a;
  if (a.timestampMicros !== b.timestampMicros) return a.timestampMicros > b.timestampMicros ? a : b;
  const ra = cellRank(a);
  const rb = cellRank(b);
  if (ra !== rb) return ra > rb ? a : b;
  if (a.localDeletionTimeSec !== b.localDeletionTimeSec) return a.localDeletionTimeSec > b.localDeletionTimeSec ? a : b;
  const byValue = compareValues(a.value, b.value);
  if (byValue !== 0) return byValue > 0 ? a : b;
  if (a.ttlSec !== b.ttlSec) return a.ttlSec < b.ttlSec ? a : b;
  return a;
}

/** The deletion that shadows more: max by markedAt, then localDeletionTime (DeletionTime.supersedes). */
export function mergeDeletion(a: DeletionTime, b: DeletionTime): DeletionTime {
  return compareDeletionTimes(a, b) >= 0 ? a : b;
}

/**
 * Primary-key liveness, as LivenessInfo.supersedes: the higher timestamp; at equal timestamps an
 * expiring info beats a non-expiring one, and between two of a kind the later expiry wins; then
 * the smaller TTL (our tie-break, as for cells). null means "no liveness".
 */
export function mergeLiveness(a: LivenessInfo | null, b: LivenessInfo | null): LivenessInfo | null {
  if (a === null || a === b) return b ?? a;
  if (b === null) return a;
  if (a.timestampMicros !== b.timestampMicros) return a.timestampMicros > b.timestampMicros ? a : b;
  const ae = a.ttlSec > 0;
  const be = b.ttlSec > 0;
  if (ae !== be) return ae ? a : b;
  if (a.expiresAtSec !== b.expiresAtSec) return a.expiresAtSec > b.expiresAtSec ? a : b;
  if (a.ttlSec !== b.ttlSec) return a.ttlSec < b.ttlSec ? a : b;
  return a;
}

/** Union of two cell lists sorted by (column, path), reconciling cells with the same identity. */
export function mergeCells(a: readonly Cell[], b: readonly Cell[]): readonly Cell[] {
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  const out: Cell[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a[i]!;
    const cb = b[j]!;
    const cmp = compareCellKeys(ca, cb);
    if (cmp < 0) {
      out.push(ca);
      i++;
    } else if (cmp > 0) {
      out.push(cb);
      j++;
    } else {
      out.push(reconcileCells(ca, cb));
      i++;
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

function mergeComplexDeletions(a: readonly ComplexDeletion[], b: readonly ComplexDeletion[]): readonly ComplexDeletion[] {
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  const out: ComplexDeletion[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const da = a[i]!;
    const db = b[j]!;
    if (da.column < db.column) {
      out.push(da);
      i++;
    } else if (da.column > db.column) {
      out.push(db);
      j++;
    } else {
      out.push(compareDeletionTimes(da.deletion, db.deletion) >= 0 ? da : db);
      i++;
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** Two versions of the row with the same clustering (or two static rows). */
export function mergeRows(a: Row, b: Row): Row {
  if (a === b) return a;
  return {
    clustering: a.clustering,
    liveness: mergeLiveness(a.liveness, b.liveness),
    deletion: mergeDeletion(a.deletion, b.deletion),
    cells: mergeCells(a.cells, b.cells),
    complexDeletions: mergeComplexDeletions(a.complexDeletions, b.complexDeletions),
  };
}

function mergeOptionalRows(a: Row | null, b: Row | null): Row | null {
  if (a === null) return b;
  if (b === null) return a;
  return mergeRows(a, b);
}

/** Union of two row lists sorted by clustering, merging rows with equal clusterings. */
export function mergeRowLists(a: readonly Row[], b: readonly Row[]): readonly Row[] {
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  const out: Row[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ra = a[i]!;
    const rb = b[j]!;
    const cmp = Buffer.compare(ra.clustering, rb.clustering);
    if (cmp < 0) {
      out.push(ra);
      i++;
    } else if (cmp > 0) {
      out.push(rb);
      j++;
    } else {
      out.push(mergeRows(ra, rb));
      i++;
      j++;
    }
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/**
 * A list in the canonical order of compareRangeTombstones, exact duplicates removed. Sources only
 * promise "sorted by start", so ties on start may come in any order; this returns `list` itself
 * when it is already canonical (the common case), else a sorted copy.
 */
export function normalizeRangeTombstones(list: readonly RangeTombstone[]): readonly RangeTombstone[] {
  let canonical = true;
  for (let i = 1; i < list.length; i++) {
    if (compareRangeTombstones(list[i - 1]!, list[i]!) >= 0) {
      canonical = false;
      break;
    }
  }
  if (canonical) return list;
  const sorted = [...list].sort(compareRangeTombstones);
  const out: RangeTombstone[] = [];
  for (const rt of sorted) {
    if (out.length === 0 || compareRangeTombstones(out[out.length - 1]!, rt) !== 0) out.push(rt);
  }
  return out;
}

/**
 * Union of two range tombstone lists in canonical order, exact duplicates removed. Overlapping
 * tombstones are kept as they are: readers take the max deletion covering a clustering, which is
 * the same whether or not ranges were split.
 */
export function mergeRangeTombstones(a: readonly RangeTombstone[], b: readonly RangeTombstone[]): readonly RangeTombstone[] {
  const na = normalizeRangeTombstones(a);
  const nb = normalizeRangeTombstones(b);
  if (na === nb || nb.length === 0) return na;
  if (na.length === 0) return nb;
  const out: RangeTombstone[] = [];
  let i = 0;
  let j = 0;
  while (i < na.length && j < nb.length) {
    const cmp = compareRangeTombstones(na[i]!, nb[j]!);
    if (cmp < 0) out.push(na[i++]!);
    else if (cmp > 0) out.push(nb[j++]!);
    else {
      out.push(na[i++]!);
      j++;
    }
  }
  while (i < na.length) out.push(na[i++]!);
  while (j < nb.length) out.push(nb[j++]!);
  return out;
}

/**
 * Two versions of the same partition (same key and token): union of rows by clustering, union of
 * range tombstones, the greater partition deletion, merged static rows. Other fields (a
 * PartitionUpdate's tableId) come from `a`.
 */
export function mergePartitions<P extends Partition>(a: P, b: P): P {
  if (a === b) return a;
  if (a.token !== b.token || !a.key.equals(b.key)) {
    throw new ModelInvariantError(`mergePartitions: different partitions (tokens ${a.token} and ${b.token})`);
  }
  const tableA = (a as Partial<PartitionUpdate>).tableId;
  const tableB = (b as Partial<PartitionUpdate>).tableId;
  if (tableA !== undefined && tableB !== undefined && tableA !== tableB) {
    throw new ModelInvariantError(`mergePartitions: updates of different tables (${tableA} and ${tableB})`);
  }
  return {
    ...a,
    deletion: mergeDeletion(a.deletion, b.deletion),
    staticRow: mergeOptionalRows(a.staticRow, b.staticRow),
    rangeTombstones: mergeRangeTombstones(a.rangeTombstones, b.rangeTombstones),
    rows: mergeRowLists(a.rows, b.rows),
  };
}

/**
 * Small constructors of model values, for tests and for the CQL layer. They fill in the
 * representation rules of types.ts (expiry from TTL and now, NO_DELETION_TIME for live data,
 * sorted cells and rows), so callers cannot get them subtly wrong.
 */
import { ModelInvariantError } from './errors.js';
import { compareCellKeys } from './order.js';
import { normalizeRangeTombstones } from './reconcile.js';
import type { Cell, ComplexDeletion, DeletionTime, LivenessInfo, Mutation, Partition, PartitionUpdate, RangeTombstone, Row } from './types.js';
import { LIVE, NO_DELETION_TIME } from './types.js';

const EMPTY_CLUSTERING: Buffer = Buffer.alloc(0);

function toBytes(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function expiry(ttlSec: number, nowSec: number | undefined, what: string): number {
  if (!Number.isSafeInteger(ttlSec) || ttlSec <= 0) throw new ModelInvariantError(`${what}: TTL must be a positive integer, got ${ttlSec}`);
  if (nowSec === undefined) throw new ModelInvariantError(`${what}: a TTL needs nowSec to compute the expiry`);
  return nowSec + ttlSec;
}

export interface CellOptions {
  /** > 0 makes the cell expire at nowSec + ttlSec. */
  readonly ttlSec?: number;
  readonly nowSec?: number;
  /** The element key of a non-frozen collection cell. */
  readonly path?: Buffer | null;
}

/** A live cell (a string value is taken as UTF-8), expiring when opts.ttlSec > 0. */
export function cell(column: string, value: Buffer | string, timestampMicros: number, opts: CellOptions = {}): Cell {
  const ttlSec = opts.ttlSec ?? 0;
  const localDeletionTimeSec = ttlSec === 0 ? NO_DELETION_TIME : expiry(ttlSec, opts.nowSec, `cell ${column}`);
  return { column, path: opts.path ?? null, timestampMicros, ttlSec, localDeletionTimeSec, value: toBytes(value) };
}

/** A cell tombstone (DELETE c, or SET c = null) written at timestampMicros, deleted at nowSec. */
export function tombstoneCell(column: string, timestampMicros: number, nowSec: number, path: Buffer | null = null): Cell {
  return { column, path, timestampMicros, ttlSec: 0, localDeletionTimeSec: nowSec, value: null };
}

/** Primary-key liveness as INSERT writes it; expiring when opts.ttlSec > 0. */
export function liveness(timestampMicros: number, opts: { ttlSec?: number; nowSec?: number } = {}): LivenessInfo {
  const ttlSec = opts.ttlSec ?? 0;
  const expiresAtSec = ttlSec === 0 ? NO_DELETION_TIME : expiry(ttlSec, opts.nowSec, 'liveness');
  return { timestampMicros, ttlSec, expiresAtSec };
}

export function deletionTime(markedAtMicros: number, localDeletionTimeSec: number): DeletionTime {
  return { markedAtMicros, localDeletionTimeSec };
}

/** A whole-collection deletion (the tombstone of `SET coll = ...` or `DELETE coll`). */
export function complexDeletion(column: string, markedAtMicros: number, localDeletionTimeSec: number): ComplexDeletion {
  return { column, deletion: { markedAtMicros, localDeletionTimeSec } };
}

export interface RowOptions {
  readonly liveness?: LivenessInfo | null;
  readonly deletion?: DeletionTime;
  readonly complexDeletions?: readonly ComplexDeletion[];
}

/** A row; cells and complex deletions are sorted here, and duplicates are refused. */
export function row(clustering: Buffer, cells: readonly Cell[] = [], opts: RowOptions = {}): Row {
  const sortedCells = [...cells].sort(compareCellKeys);
  for (let i = 1; i < sortedCells.length; i++) {
    if (compareCellKeys(sortedCells[i - 1]!, sortedCells[i]!) === 0) throw new ModelInvariantError(`row: two cells for ${sortedCells[i]!.column}`);
  }
  const cds = [...(opts.complexDeletions ?? [])].sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
  for (let i = 1; i < cds.length; i++) {
    if (cds[i - 1]!.column === cds[i]!.column) throw new ModelInvariantError(`row: two complex deletions for ${cds[i]!.column}`);
  }
  return { clustering, liveness: opts.liveness ?? null, deletion: opts.deletion ?? LIVE, cells: sortedCells, complexDeletions: cds };
}

/** The static row (empty clustering). */
export function staticRow(cells: readonly Cell[] = [], opts: RowOptions = {}): Row {
  return row(EMPTY_CLUSTERING, cells, opts);
}

/** A range tombstone over start <= c < end (see types.ts for how bounds are made). */
export function rangeTombstone(start: Buffer, end: Buffer, markedAtMicros: number, localDeletionTimeSec: number): RangeTombstone {
  return { start, end, deletion: { markedAtMicros, localDeletionTimeSec } };
}

export interface PartitionContents {
  readonly deletion?: DeletionTime;
  readonly staticRow?: Row | null;
  readonly rangeTombstones?: readonly RangeTombstone[];
  readonly rows?: readonly Row[];
}

/** A partition; rows are sorted (duplicates refused) and range tombstones put in canonical order. */
export function partition(key: Buffer, token: bigint, contents: PartitionContents = {}): Partition {
  const rows = [...(contents.rows ?? [])].sort((a, b) => Buffer.compare(a.clustering, b.clustering));
  for (let i = 1; i < rows.length; i++) {
    if (rows[i - 1]!.clustering.equals(rows[i]!.clustering)) throw new ModelInvariantError('partition: two rows with the same clustering');
  }
  return {
    key,
    token,
    deletion: contents.deletion ?? LIVE,
    staticRow: contents.staticRow ?? null,
    rangeTombstones: normalizeRangeTombstones(contents.rangeTombstones ?? []),
    rows,
  };
}

export function emptyPartition(key: Buffer, token: bigint): Partition {
  return { key, token, deletion: LIVE, staticRow: null, rangeTombstones: [], rows: [] };
}

/** A partition update for one table, from a partition's contents. */
export function partitionUpdate(tableId: string, key: Buffer, token: bigint, contents: PartitionContents = {}): PartitionUpdate {
  return { tableId, ...partition(key, token, contents) };
}

/** A mutation of one partition key across one or more tables (each update must carry key and token). */
export function mutation(keyspace: string, key: Buffer, token: bigint, updates: readonly PartitionUpdate[]): Mutation {
  for (const u of updates) {
    if (u.token !== token || !u.key.equals(key)) throw new ModelInvariantError(`mutation: update for table ${u.tableId} is for another partition`);
  }
  return { keyspace, key, token, updates };
}

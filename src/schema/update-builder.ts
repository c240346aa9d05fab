/**
 * Builds the PartitionUpdate of one table's partition from CQL-level operations (set a column,
 * add a collection element, delete a row, a range, the partition). Several statements of a batch
 * may touch the same partition: their changes merge here by reconciliation, so the result is the
 * same as applying them one by one.
 */
import {
  compareCellKeys,
  LIVE,
  NO_DELETION_TIME,
  mergeDeletion,
  mergeLiveness,
  normalizeRangeTombstones,
  reconcileCells,
} from '../storage/index.js';
import type { Cell, ComplexDeletion, DeletionTime, LivenessInfo, PartitionUpdate, RangeTombstone, Row } from '../storage/index.js';
import { unpackCollection } from '../cql-lite/index.js';
import { cellPath } from './layout.js';
import type { ColumnMetadata, TableMetadata } from './types.js';

function cellKey(column: string, path: Buffer | null): string {
  return path === null ? column : `${column}\u0000${path.toString('latin1')}`;
}

/** Past this many cells a row keeps an index of them (a big collection write); below, a scan is cheaper. */
const CELL_SCAN_MAX = 16;
const NO_COMPLEX_DELETIONS: readonly ComplexDeletion[] = Object.freeze([]);

/**
 * One row's changes. Most writes are one statement on one row of a few columns, so nothing here
 * is a Map until it pays: cells are an array searched in place, indexed only once there are many;
 * collection deletions are a Map only once there is one.
 */
export class RowUpdate {
  private liveness: LivenessInfo | null = null;
  private deletion: DeletionTime = LIVE;
  private readonly cells: Cell[] = [];
  private cellIndex: Map<string, number> | null = null;
  private complexDeletions: Map<string, DeletionTime> | null = null;

  constructor(readonly clustering: Buffer) {}

  setLiveness(l: LivenessInfo): void {
    this.liveness = mergeLiveness(this.liveness, l);
  }

  deleteRow(d: DeletionTime): void {
    this.deletion = mergeDeletion(this.deletion, d);
  }

  addCell(c: Cell): void {
    const cells = this.cells;
    const i = this.findCell(c.column, c.path);
    if (i >= 0) {
      cells[i] = reconcileCells(cells[i]!, c);
      return;
    }
    cells.push(c);
    if (this.cellIndex !== null) this.cellIndex.set(cellKey(c.column, c.path), cells.length - 1);
    else if (cells.length > CELL_SCAN_MAX) this.cellIndex = new Map(cells.map((x, k) => [cellKey(x.column, x.path), k]));
  }

  private findCell(column: string, path: Buffer | null): number {
    if (this.cellIndex !== null) return this.cellIndex.get(cellKey(column, path)) ?? -1;
    const cells = this.cells;
    for (let i = 0; i < cells.length; i++) {
      const x = cells[i]!;
      if (x.column === column && (x.path === null ? path === null : path !== null && x.path.equals(path))) return i;
    }
    return -1;
  }

  deleteCollection(column: string, d: DeletionTime): void {
    this.complexDeletions ??= new Map();
    const prev = this.complexDeletions.get(column);
    this.complexDeletions.set(column, prev === undefined ? d : mergeDeletion(prev, d));
  }

  isEmpty(): boolean {
    return this.liveness === null && this.deletion === LIVE && this.cells.length === 0 && this.complexDeletions === null;
  }

  build(): Row {
    const cells = this.cells.length === 1 ? [this.cells[0]!] : this.cells.slice().sort(compareCellKeys);
    const complexDeletions: readonly ComplexDeletion[] =
      this.complexDeletions === null
        ? NO_COMPLEX_DELETIONS
        : [...this.complexDeletions.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([column, deletion]) => ({ column, deletion }));
    return { clustering: this.clustering, liveness: this.liveness, deletion: this.deletion, cells, complexDeletions };
  }
}

const EMPTY = Buffer.alloc(0);
const NO_RANGE_TOMBSTONES: readonly RangeTombstone[] = Object.freeze([]);

export class UpdateBuilder {
  private deletion: DeletionTime = LIVE;
  private staticRowUpdate: RowUpdate | null = null;
  /** The first row written; the rest by clustering bytes once there is a second (a batch or an IN). */
  private firstRow: RowUpdate | null = null;
  private rows: Map<string, RowUpdate> | null = null;
  private rangeTombstones: RangeTombstone[] | null = null;

  constructor(
    readonly table: TableMetadata,
    readonly key: Buffer,
    readonly token: bigint,
  ) {}

  row(clustering: Buffer): RowUpdate {
    const first = this.firstRow;
    if (first === null) return (this.firstRow = new RowUpdate(clustering));
    if (this.rows === null) {
      if (first.clustering.equals(clustering)) return first;
      this.rows = new Map([[first.clustering.toString('latin1'), first]]);
    }
    const k = clustering.toString('latin1');
    let r = this.rows.get(k);
    if (r === undefined) {
      r = new RowUpdate(clustering);
      this.rows.set(k, r);
    }
    return r;
  }

  staticRow(): RowUpdate {
    this.staticRowUpdate ??= new RowUpdate(EMPTY);
    return this.staticRowUpdate;
  }

  deletePartition(d: DeletionTime): void {
    this.deletion = mergeDeletion(this.deletion, d);
  }

  deleteRange(start: Buffer, end: Buffer, d: DeletionTime): void {
    if (Buffer.compare(start, end) < 0) (this.rangeTombstones ??= []).push({ start, end, deletion: d });
  }

  build(): PartitionUpdate {
    const rows: Row[] = [];
    if (this.rows !== null) {
      for (const r of this.rows.values()) if (!r.isEmpty()) rows.push(r.build());
      rows.sort((a, b) => Buffer.compare(a.clustering, b.clustering));
    } else if (this.firstRow !== null && !this.firstRow.isEmpty()) {
      rows.push(this.firstRow.build());
    }
    const staticRow = this.staticRowUpdate === null || this.staticRowUpdate.isEmpty() ? null : this.staticRowUpdate.build();
    return {
      tableId: this.table.id,
      key: this.key,
      token: this.token,
      deletion: this.deletion,
      staticRow,
      rangeTombstones: this.rangeTombstones === null ? NO_RANGE_TOMBSTONES : normalizeRangeTombstones(this.rangeTombstones),
      rows,
    };
  }
}

/** Makes the timeuuid path of a list element written at a timestamp (the index-th of that write). */
export type ListPathSource = (timestampMicros: number, index: number) => Buffer;

export interface WriteOptions {
  readonly timestampMicros: number;
  /** 0: no TTL. */
  readonly ttlSec: number;
  readonly nowSec: number;
  /** Required to write a non-frozen list. */
  readonly listPath?: ListPathSource;
}

function liveCell(column: string, path: Buffer | null, value: Buffer, o: WriteOptions): Cell {
  return {
    column,
    path,
    timestampMicros: o.timestampMicros,
    ttlSec: o.ttlSec,
    localDeletionTimeSec: o.ttlSec > 0 ? o.nowSec + o.ttlSec : NO_DELETION_TIME,
    value,
  };
}

export function tombstone(column: string, path: Buffer | null, o: WriteOptions): Cell {
  return { column, path, timestampMicros: o.timestampMicros, ttlSec: 0, localDeletionTimeSec: o.nowSec, value: null };
}

/**
 * `column = value` for a whole column: a cell, a tombstone for null, or for a non-frozen collection
 * the overwrite Cassandra does — a collection deletion just below the write's timestamp, then one
 * cell per element (`value` is the collection's serialized bytes, already validated).
 */
export function writeColumn(r: RowUpdate, column: ColumnMetadata, value: Buffer | null, o: WriteOptions): void {
  if (!column.complex) {
    r.addCell(value === null ? tombstone(column.name, null, o) : liveCell(column.name, null, value, o));
    return;
  }
  r.deleteCollection(column.name, { markedAtMicros: o.timestampMicros - 1, localDeletionTimeSec: o.nowSec });
  if (value !== null) addElements(r, column, value, o);
}

/** Adds the elements of a serialized collection to a non-frozen collection column (`c = c + value`). */
export function addElements(r: RowUpdate, column: ColumnMetadata, value: Buffer, o: WriteOptions): void {
  const kind = column.type.kind;
  const parts = unpackCollection(value, kind === 'map');
  if (kind === 'list') {
    if (o.listPath === undefined) throw new Error('writing a list needs a list path source');
    for (let i = 0; i < parts.length; i++) r.addCell(liveCell(column.name, cellPath(column, o.listPath(o.timestampMicros, i)), parts[i]!, o));
  } else if (kind === 'set') {
    for (const e of parts) r.addCell(liveCell(column.name, cellPath(column, e), EMPTY, o));
  } else {
    for (let i = 0; i < parts.length; i += 2) r.addCell(liveCell(column.name, cellPath(column, parts[i]!), parts[i + 1]!, o));
  }
}

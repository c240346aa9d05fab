/**
 * Reading CQL column values back out of storage rows: one pass over a row's cells (sorted by
 * column, then path) files each cell under its column, and non-frozen collections are reassembled
 * into their serialized form. Cells of a dropped column written before the drop stay hidden, so
 * a column dropped and added again does not show old data.
 */
import { packCollection } from '../cql-lite/index.js';
import type { Cell, Row } from '../storage/index.js';
import { cellPathValue } from './layout.js';
import type { ColumnMetadata, TableMetadata } from './types.js';

export interface CellIndex {
  /** Non-key columns in storage cell order (column names compared as JS strings). */
  readonly columns: readonly ColumnMetadata[];
  readonly slotOf: ReadonlyMap<string, number>;
}

const indexCache = new WeakMap<TableMetadata, CellIndex>();

export function cellIndex(table: TableMetadata): CellIndex {
  let idx = indexCache.get(table);
  if (idx === undefined) {
    const columns = [...table.statics, ...table.regulars].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    idx = { columns, slotOf: new Map(columns.map((c, i) => [c.name, i])) };
    indexCache.set(table, idx);
  }
  return idx;
}

/** Per slot of cellIndex(table): the simple cell, or the collection's element cells. */
export type RowSlots = (Cell | Cell[] | undefined)[];

export function rowSlots(table: TableMetadata, row: Row): RowSlots {
  const idx = cellIndex(table);
  const slots: RowSlots = new Array(idx.columns.length);
  const cells = row.cells;
  let slot = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    // Cells and slots share one order, so the slot pointer only moves forward.
    while (slot < idx.columns.length && idx.columns[slot]!.name < c.column) slot++;
    if (slot === idx.columns.length) break;
    const column = idx.columns[slot]!;
    if (column.name !== c.column) continue; // a cell of a column no longer in the schema
    const dropped = table.dropped.get(column.name);
    if (dropped !== undefined && c.timestampMicros <= dropped.droppedAtMicros) continue;
    if (column.complex) {
      const list = slots[slot];
      if (list === undefined) slots[slot] = [c];
      else (list as Cell[]).push(c);
    } else {
      slots[slot] = c;
    }
  }
  return slots;
}

/** The serialized value of a column from its slot; null when absent (and for an empty collection, as Cassandra returns). */
export function slotValue(column: ColumnMetadata, entry: Cell | Cell[] | undefined): Buffer | null {
  if (entry === undefined) return null;
  if (!Array.isArray(entry)) return entry.value;
  if (entry.length === 0) return null;
  switch (column.type.kind) {
    case 'list':
      return packCollection(entry.map((c) => c.value!), entry.length);
    case 'set':
      return packCollection(entry.map((c) => cellPathValue(column, c.path!)), entry.length);
    default: {
      const parts: Buffer[] = [];
      for (const c of entry) parts.push(cellPathValue(column, c.path!), c.value!);
      return packCollection(parts, entry.length);
    }
  }
}

/** The value of one column of a row, by name; null when absent. */
export function columnValue(table: TableMetadata, row: Row, name: string): Buffer | null {
  const slot = cellIndex(table).slotOf.get(name);
  if (slot === undefined) return null;
  return slotValue(cellIndex(table).columns[slot]!, rowSlots(table, row)[slot]);
}

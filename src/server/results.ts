/**
 * RESULT bodies (spec v4 section 4.2.5), written into a FrameWriter.
 *
 *   RESULT        := <kind:[int]> ...
 *   Void          := 0x0001
 *   Rows          := 0x0002 <metadata> <rows_count:[int]> ([bytes]{columns_count}){rows_count}
 *   Set_keyspace  := 0x0003 [string]
 *   Prepared      := 0x0004 <id:[short bytes]> <prepared_metadata> <metadata>
 *   Schema_change := 0x0005 <change> (the body of a SCHEMA_CHANGE event after its type; events.ts)
 *
 *   metadata          := <flags:[int]> <columns_count:[int]> [<paging_state:[bytes]>]
 *                        [<global_table_spec>] <col_spec>{columns_count}      (absent with No_metadata)
 *   prepared_metadata := <flags:[int]> <columns_count:[int]> <pk_count:[int]> <pk_index:[short]>{pk_count}
 *                        [<global_table_spec>] <col_spec>{columns_count}
 *   global_table_spec := <keyspace:[string]> <table:[string]>
 *   col_spec          := [<keyspace:[string]> <table:[string]>] <name:[string]> <type:[option]>
 *   flags             := 0x0001 Global_tables_spec (every column has the same keyspace and table)
 *                        0x0002 Has_more_pages (paging_state follows)
 *                        0x0004 No_metadata (the request set skip_metadata; or a Prepared result of
 *                               a statement that returns no rows: columns_count 0)
 *
 * Kinds and flags are on-wire values: never renumber them.
 */
import { encodeTypeOption } from '../cql-lite/index.js';
import type { CqlType } from '../cql-lite/index.js';
import type { ColumnSpec, PreparedResult, ResultMessage, RowsResult } from '../query/index.js';
import { writeSchemaChange } from './events.js';
import type { FrameWriter } from './writer.js';

export const ResultKind = Object.freeze({
  VOID: 0x0001,
  ROWS: 0x0002,
  SET_KEYSPACE: 0x0003,
  PREPARED: 0x0004,
  SCHEMA_CHANGE: 0x0005,
} as const);

export const MetadataFlag = Object.freeze({
  GLOBAL_TABLES_SPEC: 0x0001,
  HAS_MORE_PAGES: 0x0002,
  NO_METADATA: 0x0004,
} as const);

/** Type options by type object: result metadata repeats the same few types on every response. */
const typeOptionCache = new WeakMap<CqlType, Buffer>();

function typeOption(t: CqlType): Buffer {
  let b = typeOptionCache.get(t);
  if (b === undefined) {
    b = encodeTypeOption(t);
    typeOptionCache.set(t, b);
  }
  return b;
}

/** Writes the body of a RESULT for `result`; `skipMetadata` is the request's flag 0x02. */
export function writeResult(w: FrameWriter, result: ResultMessage, skipMetadata: boolean): void {
  switch (result.kind) {
    case 'void':
      w.int(ResultKind.VOID);
      return;
    case 'rows':
      w.int(ResultKind.ROWS);
      writeRows(w, result, skipMetadata);
      return;
    case 'setKeyspace':
      w.int(ResultKind.SET_KEYSPACE);
      w.string(result.keyspace);
      return;
    case 'schemaChange':
      w.int(ResultKind.SCHEMA_CHANGE);
      writeSchemaChange(w, result.change);
      return;
    default:
      throw new TypeError(`Unknown result kind ${JSON.stringify((result as { kind: unknown }).kind)}`);
  }
}

export function writePrepared(w: FrameWriter, p: PreparedResult): void {
  w.int(ResultKind.PREPARED);
  w.shortBytes(p.id);
  const global = sharedTable(p.variables);
  w.int(global ? MetadataFlag.GLOBAL_TABLES_SPEC : 0);
  w.int(p.variables.length);
  w.int(p.pkIndexes.length);
  for (const i of p.pkIndexes) {
    if (!(Number.isInteger(i) && i >= 0 && i < p.variables.length)) throw new RangeError(`pk index ${i} is not a bind variable index`);
    w.short(i);
  }
  writeColumnSpecs(w, p.variables, global);
  if (p.resultColumns.length === 0) {
    w.int(MetadataFlag.NO_METADATA);
    w.int(0);
  } else {
    writeMetadata(w, p.resultColumns, null, false);
  }
}

function writeRows(w: FrameWriter, r: RowsResult, skipMetadata: boolean): void {
  const columnCount = r.columns.length;
  writeMetadata(w, r.columns, r.pagingState, skipMetadata);
  w.int(r.rows.length);
  for (const row of r.rows) {
    if (row.length !== columnCount) throw new RangeError(`A row has ${row.length} cells for ${columnCount} columns`);
    for (let i = 0; i < columnCount; i++) w.bytes(row[i]!);
  }
}

function writeMetadata(w: FrameWriter, columns: readonly ColumnSpec[], pagingState: Buffer | null, noMetadata: boolean): void {
  const global = !noMetadata && sharedTable(columns);
  let flags = 0;
  if (global) flags |= MetadataFlag.GLOBAL_TABLES_SPEC;
  if (pagingState !== null) flags |= MetadataFlag.HAS_MORE_PAGES;
  if (noMetadata) flags |= MetadataFlag.NO_METADATA;
  w.int(flags);
  w.int(columns.length);
  if (pagingState !== null) w.bytes(pagingState);
  if (!noMetadata) writeColumnSpecs(w, columns, global);
}

function writeColumnSpecs(w: FrameWriter, columns: readonly ColumnSpec[], global: boolean): void {
  if (global) {
    w.string(columns[0]!.keyspace);
    w.string(columns[0]!.table);
  }
  for (const c of columns) {
    if (!global) {
      w.string(c.keyspace);
      w.string(c.table);
    }
    w.string(c.name);
    w.raw(typeOption(c.type));
  }
}

/** True when there is at least one column and all share one keyspace and table. */
function sharedTable(columns: readonly ColumnSpec[]): boolean {
  if (columns.length === 0) return false;
  const { keyspace, table } = columns[0]!;
  for (let i = 1; i < columns.length; i++) {
    if (columns[i]!.keyspace !== keyspace || columns[i]!.table !== table) return false;
  }
  return true;
}

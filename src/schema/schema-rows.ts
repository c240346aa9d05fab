/**
 * The schema as rows of the system_schema tables, both ways.
 *
 * Every system_schema table is partitioned by keyspace_name, so one Mutation holds a keyspace's
 * whole definition: a partition deletion just below the write's timestamp in each table, then the
 * rows that describe it now. Applying it replaces the old definition atomically (one commit log
 * record), and the same mutation, shipped to another node, converges it by reconciliation.
 */
import { decodeValue, encodeValue, parseTypeString, typeToString, type CqlType } from '../cql-lite/index.js';
import type { Partitioner } from '../ring/index.js';
import type { LivePartition, Mutation, Row } from '../storage/index.js';
import { clusteringOf, clusteringValues } from './layout.js';
import { columnValue } from './row-reader.js';
import { SCHEMA_KEYSPACE } from './schema.js';
import { SCHEMA_KEYSPACE_METADATA, schemaTable } from './system-keyspaces.js';
import { makeKeyspace, makeTable, type ColumnDefinitionInput } from './table.js';
import type { ColumnKind, DroppedColumn, KeyspaceMetadata, TableMetadata, TableOptions } from './types.js';
import { UpdateBuilder, writeColumn, type WriteOptions } from './update-builder.js';

const SCHEMA_TABLE_NAMES = [...SCHEMA_KEYSPACE_METADATA.tables.keys()];

function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

class RowWriter {
  constructor(
    private readonly builder: UpdateBuilder,
    private readonly o: WriteOptions,
  ) {}

  /** One row with primary-key liveness (as INSERT writes), columns from JS values. */
  insert(clustering: readonly string[], values: Readonly<Record<string, unknown>>): void {
    const table = this.builder.table;
    const r = this.builder.row(clusteringOf(table, clustering.map(utf8)));
    r.setLiveness({ timestampMicros: this.o.timestampMicros, ttlSec: 0, expiresAtSec: 0x7fffffff });
    for (const [name, v] of Object.entries(values)) {
      const column = table.columns.get(name);
      if (column === undefined) throw new Error(`no column ${name} in ${table.keyspace}.${table.name}`);
      writeColumn(r, column, v === null || v === undefined ? null : encodeValue(column.type, v), this.o);
    }
  }
}

function optionsValues(o: TableOptions): Record<string, unknown> {
  return {
    additional_write_policy: o.additionalWritePolicy,
    bloom_filter_fp_chance: o.bloomFilterFpChance,
    caching: new Map(Object.entries(o.caching)),
    cdc: o.cdc,
    comment: o.comment,
    compaction: new Map(Object.entries(o.compaction)),
    compression: new Map(Object.entries(o.compression)),
    crc_check_chance: o.crcCheckChance,
    dclocal_read_repair_chance: 0,
    default_time_to_live: o.defaultTimeToLive,
    extensions: new Map(),
    gc_grace_seconds: o.gcGraceSeconds,
    max_index_interval: o.maxIndexInterval,
    memtable_flush_period_in_ms: o.memtableFlushPeriodMs,
    min_index_interval: o.minIndexInterval,
    read_repair: o.readRepair,
    read_repair_chance: 0,
    speculative_retry: o.speculativeRetry,
  };
}

/**
 * The mutation that makes system_schema describe `ks` (replacing whatever it described for that
 * keyspace before), or, with `ks` null, that removes keyspace `name`.
 */
export function keyspaceMutation(
  name: string,
  ks: KeyspaceMetadata | null,
  timestampMicros: number,
  nowSec: number,
  partitioner: Partitioner,
): Mutation {
  const key = utf8(name);
  const token = partitioner.tokenOf(key);
  const o: WriteOptions = { timestampMicros, ttlSec: 0, nowSec };
  const builders = new Map<string, UpdateBuilder>();
  for (const t of SCHEMA_TABLE_NAMES) {
    const b = new UpdateBuilder(schemaTable(t), key, token);
    b.deletePartition({ markedAtMicros: ks === null ? timestampMicros : timestampMicros - 1, localDeletionTimeSec: nowSec });
    builders.set(t, b);
  }
  const writer = (t: string): RowWriter => new RowWriter(builders.get(t)!, o);
  if (ks !== null) {
    writer('keyspaces').insert([], { durable_writes: ks.durableWrites, replication: new Map(Object.entries(ks.replication)) });
    for (const table of ks.tables.values()) {
      writer('tables').insert([table.name], { ...optionsValues(table.options), flags: ['compound'], id: table.id });
      for (const c of table.selectOrder) {
        writer('columns').insert([table.name, c.name], {
          clustering_order: c.kind === 'clustering' ? (c.desc ? 'desc' : 'asc') : 'none',
          column_name_bytes: utf8(c.name),
          kind: c.kind,
          position: c.position,
          type: typeToString(c.type),
        });
      }
      for (const d of table.dropped.values()) {
        writer('dropped_columns').insert([table.name, d.name], {
          dropped_time: BigInt(Math.floor(d.droppedAtMicros / 1000)),
          kind: d.kind,
          type: typeToString(d.type),
        });
      }
    }
  }
  const updates = SCHEMA_TABLE_NAMES.map((t) => builders.get(t)!.build());
  return { keyspace: SCHEMA_KEYSPACE, key, token, updates };
}

/** What a scan of system_schema returns, per table name. */
export type SchemaPartitions = ReadonlyMap<string, readonly LivePartition[]>;

function text(table: TableMetadata, row: Row, column: string): string | null {
  const b = columnValue(table, row, column);
  return b === null ? null : b.toString('utf8');
}

function value(table: TableMetadata, row: Row, column: string): unknown {
  const b = columnValue(table, row, column);
  return b === null ? null : decodeValue(table.columns.get(column)!.type, b);
}

function stringMap(v: unknown): Record<string, string> {
  return v instanceof Map ? Object.fromEntries(v as Map<string, string>) : {};
}

function tableOptions(t: TableMetadata, row: Row): Partial<TableOptions> {
  const out: { -readonly [K in keyof TableOptions]?: TableOptions[K] } = {};
  const num = (c: string): number | undefined => {
    const v = value(t, row, c);
    return typeof v === 'number' ? v : undefined;
  };
  const str = (c: string): string | undefined => text(t, row, c) ?? undefined;
  const assign = <K extends keyof TableOptions>(k: K, v: TableOptions[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  assign('additionalWritePolicy', str('additional_write_policy'));
  assign('bloomFilterFpChance', num('bloom_filter_fp_chance'));
  assign('caching', stringMap(value(t, row, 'caching')));
  assign('cdc', value(t, row, 'cdc') === true);
  assign('comment', str('comment'));
  assign('compaction', stringMap(value(t, row, 'compaction')));
  assign('compression', stringMap(value(t, row, 'compression')));
  assign('crcCheckChance', num('crc_check_chance'));
  assign('defaultTimeToLive', num('default_time_to_live'));
  assign('gcGraceSeconds', num('gc_grace_seconds'));
  assign('maxIndexInterval', num('max_index_interval'));
  assign('memtableFlushPeriodMs', num('memtable_flush_period_in_ms'));
  assign('minIndexInterval', num('min_index_interval'));
  assign('readRepair', str('read_repair'));
  assign('speculativeRetry', str('speculative_retry'));
  return out;
}

/**
 * The keyspaces system_schema describes. A keyspace or table whose rows cannot be read back is
 * an error naming it: a schema that half loads would hide data.
 */
export function keyspacesFromRows(partitions: SchemaPartitions): KeyspaceMetadata[] {
  const ksTable = schemaTable('keyspaces');
  const tablesTable = schemaTable('tables');
  const columnsTable = schemaTable('columns');
  const droppedTable = schemaTable('dropped_columns');
  const byKeyspace = (t: string): Map<string, readonly Row[]> => {
    const m = new Map<string, readonly Row[]>();
    for (const p of partitions.get(t) ?? []) m.set(p.key.toString('utf8'), p.rows);
    return m;
  };
  const tableRows = byKeyspace('tables');
  const columnRows = byKeyspace('columns');
  const droppedRows = byKeyspace('dropped_columns');
  const out: KeyspaceMetadata[] = [];
  for (const p of partitions.get('keyspaces') ?? []) {
    const name = p.key.toString('utf8');
    const ksRow = p.rows[0];
    if (ksRow === undefined) continue;
    try {
      const replication = stringMap(value(ksTable, ksRow, 'replication'));
      const durableWrites = value(ksTable, ksRow, 'durable_writes') !== false;
      const columnsByTable = new Map<string, ColumnDefinitionInput[]>();
      for (const r of columnRows.get(name) ?? []) {
        const [tableName, columnName] = clusteringValues(columnsTable, r.clustering).map((b) => b.toString('utf8'));
        const kind = text(columnsTable, r, 'kind') as ColumnKind;
        const type: CqlType = parseTypeString(text(columnsTable, r, 'type') ?? '');
        const position = (value(columnsTable, r, 'position') as number | null) ?? -1;
        const list = columnsByTable.get(tableName!) ?? [];
        list.push({ name: columnName!, type, kind, desc: text(columnsTable, r, 'clustering_order') === 'desc', position } as ColumnDefinitionInput & { position: number });
        columnsByTable.set(tableName!, list);
      }
      const droppedByTable = new Map<string, DroppedColumn[]>();
      for (const r of droppedRows.get(name) ?? []) {
        const [tableName, columnName] = clusteringValues(droppedTable, r.clustering).map((b) => b.toString('utf8'));
        const list = droppedByTable.get(tableName!) ?? [];
        const ms = value(droppedTable, r, 'dropped_time') as bigint;
        list.push({
          name: columnName!,
          type: parseTypeString(text(droppedTable, r, 'type') ?? ''),
          kind: text(droppedTable, r, 'kind') === 'static' ? 'static' : 'regular',
          droppedAtMicros: Number(ms) * 1000,
        });
        droppedByTable.set(tableName!, list);
      }
      const tables: TableMetadata[] = [];
      for (const r of tableRows.get(name) ?? []) {
        const [tableName] = clusteringValues(tablesTable, r.clustering).map((b) => b.toString('utf8'));
        const defs = (columnsByTable.get(tableName!) ?? []) as (ColumnDefinitionInput & { position: number })[];
        // Key columns must come in key order; system_schema stores them by name.
        defs.sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || a.position - b.position);
        tables.push(
          makeTable({
            keyspace: name,
            name: tableName!,
            id: value(tablesTable, r, 'id') as string,
            columns: defs,
            options: tableOptions(tablesTable, r),
            dropped: droppedByTable.get(tableName!) ?? [],
          }),
        );
      }
      out.push(makeKeyspace(name, replication, durableWrites, tables));
    } catch (err) {
      throw new Error(`system_schema holds an unreadable definition of keyspace ${name}: ${(err as Error).message}`, { cause: err });
    }
  }
  return out;
}

function kindRank(kind: ColumnKind): number {
  return kind === 'partition_key' ? 0 : kind === 'clustering' ? 1 : 2;
}

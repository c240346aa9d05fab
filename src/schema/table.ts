/**
 * Building TableMetadata and KeyspaceMetadata values, with Cassandra's default table options.
 */
import { isCollection, isFrozen, type CqlType } from '../cql-lite/index.js';
import { parseReplication, type ParseReplicationOptions } from '../ring/index.js';
import type { ColumnKind, ColumnMetadata, DroppedColumn, KeyspaceMetadata, TableMetadata, TableOptions } from './types.js';

export const SIZE_TIERED_CLASS = 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy';

export const DEFAULT_TABLE_OPTIONS: TableOptions = Object.freeze({
  comment: '',
  defaultTimeToLive: 0,
  gcGraceSeconds: 864000,
  bloomFilterFpChance: 0.01,
  compaction: Object.freeze({ class: SIZE_TIERED_CLASS, max_threshold: '32', min_threshold: '4' }),
  // Ringtail does not compress SSTables; say so rather than echo Cassandra's LZ4 default.
  compression: Object.freeze({ enabled: 'false' }),
  caching: Object.freeze({ keys: 'ALL', rows_per_partition: 'NONE' }),
  crcCheckChance: 1.0,
  memtableFlushPeriodMs: 0,
  minIndexInterval: 128,
  maxIndexInterval: 2048,
  speculativeRetry: '99p',
  additionalWritePolicy: '99p',
  readRepair: 'BLOCKING',
  cdc: false,
});

export interface ColumnDefinitionInput {
  readonly name: string;
  readonly type: CqlType;
  readonly kind: ColumnKind;
  /** Clustering columns: DESC order. */
  readonly desc?: boolean;
}

export interface TableInput {
  readonly keyspace: string;
  readonly name: string;
  readonly id: string;
  /** Partition key and clustering columns in key order; others in any order. */
  readonly columns: readonly ColumnDefinitionInput[];
  readonly options?: Partial<TableOptions>;
  readonly dropped?: readonly DroppedColumn[];
}

function compareNames(a: { name: string }, b: { name: string }): number {
  return Buffer.compare(Buffer.from(a.name, 'utf8'), Buffer.from(b.name, 'utf8'));
}

export function makeTable(input: TableInput): TableMetadata {
  const partitionKey: ColumnMetadata[] = [];
  const clustering: ColumnMetadata[] = [];
  const statics: ColumnMetadata[] = [];
  const regulars: ColumnMetadata[] = [];
  const columns = new Map<string, ColumnMetadata>();
  for (const c of input.columns) {
    const complex = isCollection(c.type) && !isFrozen(c.type);
    const list = c.kind === 'partition_key' ? partitionKey : c.kind === 'clustering' ? clustering : c.kind === 'static' ? statics : regulars;
    const position = c.kind === 'partition_key' || c.kind === 'clustering' ? list.length : -1;
    const column: ColumnMetadata = Object.freeze({
      name: c.name,
      type: c.type,
      kind: c.kind,
      position,
      desc: c.kind === 'clustering' && c.desc === true,
      complex,
    });
    if (columns.has(c.name)) throw new Error(`duplicate column ${c.name} in ${input.keyspace}.${input.name}`);
    columns.set(c.name, column);
    list.push(column);
  }
  if (partitionKey.length === 0) throw new Error(`table ${input.keyspace}.${input.name} has no partition key`);
  statics.sort(compareNames);
  regulars.sort(compareNames);
  const dropped = new Map<string, DroppedColumn>();
  for (const d of input.dropped ?? []) dropped.set(d.name, d);
  return Object.freeze({
    keyspace: input.keyspace,
    name: input.name,
    id: input.id,
    partitionKey: Object.freeze(partitionKey),
    clustering: Object.freeze(clustering),
    statics: Object.freeze(statics),
    regulars: Object.freeze(regulars),
    columns,
    selectOrder: Object.freeze([...partitionKey, ...clustering, ...statics, ...regulars]),
    dropped,
    options: Object.freeze({ ...DEFAULT_TABLE_OPTIONS, ...(input.options ?? {}) }),
  });
}

/** The same table with other columns, options or dropped columns (ALTER TABLE). */
export function alterTable(
  table: TableMetadata,
  changes: { columns?: readonly ColumnDefinitionInput[]; options?: Partial<TableOptions>; dropped?: readonly DroppedColumn[] },
): TableMetadata {
  return makeTable({
    keyspace: table.keyspace,
    name: table.name,
    id: table.id,
    columns: changes.columns ?? columnInputs(table),
    options: { ...table.options, ...(changes.options ?? {}) },
    dropped: changes.dropped ?? [...table.dropped.values()],
  });
}

export function columnInputs(table: TableMetadata): ColumnDefinitionInput[] {
  return table.selectOrder.map((c) => ({ name: c.name, type: c.type, kind: c.kind, desc: c.desc }));
}

export function makeKeyspace(
  name: string,
  replication: Readonly<Record<string, string>>,
  durableWrites: boolean,
  tables: Iterable<TableMetadata> = [],
  parseOptions: ParseReplicationOptions = {},
): KeyspaceMetadata {
  const strategy = parseReplication(replication, parseOptions);
  const map = new Map<string, TableMetadata>();
  for (const t of tables) map.set(t.name, t);
  return Object.freeze({ name, replication: Object.freeze({ ...replication }), strategy, durableWrites, tables: map });
}

export function withTables(ks: KeyspaceMetadata, tables: Iterable<TableMetadata>): KeyspaceMetadata {
  const map = new Map<string, TableMetadata>();
  for (const t of tables) map.set(t.name, t);
  return Object.freeze({ ...ks, tables: map });
}

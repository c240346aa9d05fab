/**
 * Schema metadata: keyspaces, tables, columns. Plain immutable values; a change makes a new Schema
 * (schema.ts). The names and encodings follow Cassandra's system_schema tables, which
 * system-schema.ts writes and reads.
 */
import type { CqlType } from '../cql-lite/index.js';
import type { ReplicationStrategy } from '../ring/index.js';

/** As system_schema.columns.kind spells it. */
export type ColumnKind = 'partition_key' | 'clustering' | 'static' | 'regular';

export interface ColumnMetadata {
  readonly name: string;
  readonly type: CqlType;
  readonly kind: ColumnKind;
  /** Index among the partition key or clustering columns; -1 for static and regular columns. */
  readonly position: number;
  /** Clustering columns only: the clustering order. */
  readonly desc: boolean;
  /** A non-frozen collection: stored as one cell per element. */
  readonly complex: boolean;
}

/** A column removed by ALTER TABLE DROP: its cells written before droppedAtMicros stay hidden. */
export interface DroppedColumn {
  readonly name: string;
  readonly type: CqlType;
  readonly kind: 'static' | 'regular';
  readonly droppedAtMicros: number;
}

/** Table options, with Cassandra's defaults (TableParams). */
export interface TableOptions {
  readonly comment: string;
  readonly defaultTimeToLive: number;
  readonly gcGraceSeconds: number;
  readonly bloomFilterFpChance: number;
  readonly compaction: Readonly<Record<string, string>>;
  readonly compression: Readonly<Record<string, string>>;
  readonly caching: Readonly<Record<string, string>>;
  readonly crcCheckChance: number;
  readonly memtableFlushPeriodMs: number;
  readonly minIndexInterval: number;
  readonly maxIndexInterval: number;
  readonly speculativeRetry: string;
  readonly additionalWritePolicy: string;
  readonly readRepair: string;
  readonly cdc: boolean;
}

export interface TableMetadata {
  readonly keyspace: string;
  readonly name: string;
  /** Stable UUID (lower-case text); the table's directory is named from it. */
  readonly id: string;
  readonly partitionKey: readonly ColumnMetadata[];
  readonly clustering: readonly ColumnMetadata[];
  /** Static columns, by name (UTF-8 byte order, as Cassandra's select order). */
  readonly statics: readonly ColumnMetadata[];
  /** Regular columns, by name. */
  readonly regulars: readonly ColumnMetadata[];
  /** Every column by name. */
  readonly columns: ReadonlyMap<string, ColumnMetadata>;
  /** `SELECT *` order: partition key, clustering, statics, regulars. */
  readonly selectOrder: readonly ColumnMetadata[];
  readonly dropped: ReadonlyMap<string, DroppedColumn>;
  readonly options: TableOptions;
}

export interface KeyspaceMetadata {
  readonly name: string;
  /** The replication map as stored (full class name, factors as text). */
  readonly replication: Readonly<Record<string, string>>;
  readonly strategy: ReplicationStrategy;
  readonly durableWrites: boolean;
  /** Tables by name. */
  readonly tables: ReadonlyMap<string, TableMetadata>;
}

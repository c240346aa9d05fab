/**
 * The built-in keyspaces `system` (this node: local, peers, peers_v2) and `system_schema` (the
 * schema itself), defined in CQL as Cassandra 4.0 defines them (SystemKeyspace, SchemaKeyspace),
 * so that drivers reading them with `SELECT *` find every column they expect. Their table ids are
 * name-based UUIDs of keyspace + table name, as Cassandra's TableId.forSystemTable.
 */
import { parseStatement, type CreateTableStatement } from '../cql-lite/index.js';
import { LOCAL_STRATEGY } from '../ring/index.js';
import { tableFromCreate } from './create-table.js';
import { nameUuid, SCHEMA_KEYSPACE, SYSTEM_KEYSPACE } from './schema.js';
import { alterTable } from './table.js';
import type { KeyspaceMetadata, TableMetadata } from './types.js';

const SYSTEM_TABLES: Readonly<Record<string, [string, string]>> = {
  local: [
    'information about the local node',
    `CREATE TABLE local (key text, bootstrapped text, broadcast_address inet, broadcast_port int, cluster_name text,
      cql_version text, data_center text, gossip_generation int, host_id uuid, listen_address inet, listen_port int,
      native_protocol_version text, partitioner text, rack text, release_version text, rpc_address inet, rpc_port int,
      schema_version uuid, tokens set<varchar>, truncated_at map<uuid, blob>, PRIMARY KEY ((key)))`,
  ],
  peers: [
    'information about known peers in the cluster',
    `CREATE TABLE peers (peer inet, data_center text, host_id uuid, preferred_ip inet, rack text, release_version text,
      rpc_address inet, schema_version uuid, tokens set<varchar>, PRIMARY KEY ((peer)))`,
  ],
  peers_v2: [
    'information about known peers in the cluster',
    `CREATE TABLE peers_v2 (peer inet, peer_port int, data_center text, host_id uuid, preferred_ip inet, preferred_port int,
      rack text, release_version text, native_address inet, native_port int, schema_version uuid, tokens set<varchar>,
      PRIMARY KEY ((peer), peer_port))`,
  ],
};

const SCHEMA_TABLES: Readonly<Record<string, [string, string]>> = {
  keyspaces: [
    'keyspace definitions',
    'CREATE TABLE keyspaces (keyspace_name text, durable_writes boolean, replication frozen<map<text, text>>, PRIMARY KEY ((keyspace_name)))',
  ],
  tables: [
    'table definitions',
    `CREATE TABLE tables (keyspace_name text, table_name text, additional_write_policy text, bloom_filter_fp_chance double,
      caching frozen<map<text, text>>, cdc boolean, comment text, compaction frozen<map<text, text>>,
      compression frozen<map<text, text>>, crc_check_chance double, dclocal_read_repair_chance double,
      default_time_to_live int, extensions frozen<map<text, blob>>, flags frozen<set<text>>, gc_grace_seconds int,
      id uuid, max_index_interval int, memtable_flush_period_in_ms int, min_index_interval int,
      read_repair text, read_repair_chance double, speculative_retry text, PRIMARY KEY ((keyspace_name), table_name))`,
  ],
  columns: [
    'column definitions',
    `CREATE TABLE columns (keyspace_name text, table_name text, column_name text, clustering_order text,
      column_name_bytes blob, kind text, position int, type text, PRIMARY KEY ((keyspace_name), table_name, column_name))`,
  ],
  dropped_columns: [
    'dropped column registry',
    `CREATE TABLE dropped_columns (keyspace_name text, table_name text, column_name text, dropped_time timestamp,
      kind text, type text, PRIMARY KEY ((keyspace_name), table_name, column_name))`,
  ],
  triggers: [
    'trigger definitions',
    `CREATE TABLE triggers (keyspace_name text, table_name text, trigger_name text, options frozen<map<text, text>>,
      PRIMARY KEY ((keyspace_name), table_name, trigger_name))`,
  ],
  views: [
    'view definitions',
    `CREATE TABLE views (keyspace_name text, view_name text, base_table_id uuid, base_table_name text, where_clause text,
      bloom_filter_fp_chance double, caching frozen<map<text, text>>, cdc boolean, comment text,
      compaction frozen<map<text, text>>, compression frozen<map<text, text>>, crc_check_chance double,
      dclocal_read_repair_chance double, default_time_to_live int, extensions frozen<map<text, blob>>,
      gc_grace_seconds int, id uuid, include_all_columns boolean, max_index_interval int,
      memtable_flush_period_in_ms int, min_index_interval int, read_repair text, read_repair_chance double,
      speculative_retry text, additional_write_policy text, PRIMARY KEY ((keyspace_name), view_name))`,
  ],
  types: [
    'user defined type definitions',
    `CREATE TABLE types (keyspace_name text, type_name text, field_names frozen<list<text>>, field_types frozen<list<text>>,
      PRIMARY KEY ((keyspace_name), type_name))`,
  ],
  functions: [
    'user defined function definitions',
    `CREATE TABLE functions (keyspace_name text, function_name text, argument_types frozen<list<text>>,
      argument_names frozen<list<text>>, body text, language text, return_type text, called_on_null_input boolean,
      PRIMARY KEY ((keyspace_name), function_name, argument_types))`,
  ],
  aggregates: [
    'user defined aggregate definitions',
    `CREATE TABLE aggregates (keyspace_name text, aggregate_name text, argument_types frozen<list<text>>, final_func text,
      initcond text, return_type text, state_func text, state_type text,
      PRIMARY KEY ((keyspace_name), aggregate_name, argument_types))`,
  ],
  indexes: [
    'secondary index definitions',
    `CREATE TABLE indexes (keyspace_name text, table_name text, index_name text, kind text, options frozen<map<text, text>>,
      PRIMARY KEY ((keyspace_name), table_name, index_name))`,
  ],
};

export function systemTableId(keyspace: string, table: string): string {
  return nameUuid(Buffer.from(keyspace + table, 'utf8'));
}

function defineKeyspace(name: string, defs: Readonly<Record<string, [string, string]>>, gcGraceSeconds: number): KeyspaceMetadata {
  const tables = new Map<string, TableMetadata>();
  for (const [table, [comment, cql]] of Object.entries(defs)) {
    const stmt = parseStatement(cql) as CreateTableStatement;
    const t = tableFromCreate(stmt, name, () => systemTableId(name, table));
    tables.set(table, alterTable(t, { options: { comment, gcGraceSeconds, memtableFlushPeriodMs: 3600000 } }));
  }
  return Object.freeze({
    name,
    replication: Object.freeze({ class: 'org.apache.cassandra.locator.LocalStrategy' }),
    strategy: LOCAL_STRATEGY,
    durableWrites: true,
    tables,
  });
}

export const SYSTEM_KEYSPACE_METADATA: KeyspaceMetadata = defineKeyspace(SYSTEM_KEYSPACE, SYSTEM_TABLES, 0);
export const SCHEMA_KEYSPACE_METADATA: KeyspaceMetadata = defineKeyspace(SCHEMA_KEYSPACE, SCHEMA_TABLES, 7 * 24 * 3600);

export function systemTable(name: string): TableMetadata {
  return SYSTEM_KEYSPACE_METADATA.tables.get(name)!;
}

export function schemaTable(name: string): TableMetadata {
  return SCHEMA_KEYSPACE_METADATA.tables.get(name)!;
}

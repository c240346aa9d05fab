/**
 * This node's own row in system.local: identity (host id, tokens) chosen once at first start and
 * kept across restarts, plus what drivers read from it (cluster name, datacenter, rack, addresses,
 * partitioner, schema version, release version).
 */
import { encodeValue, decodeValue, CqlTypes, setOf } from '../cql-lite/index.js';
import type { Partitioner } from '../ring/index.js';
import { columnValue, systemTable, UpdateBuilder, writeColumn } from '../schema/index.js';
import type { StorageEngine } from '../storage/index.js';

/** The Cassandra release line drivers see: 4.0, so they read system_schema and speak v4. */
export const RELEASE_VERSION = '4.0.11';
export const CQL_VERSION = '3.4.5';
export const NATIVE_PROTOCOL_VERSION = '4';

export interface LocalInfo {
  readonly hostId: string;
  readonly tokens: readonly bigint[];
  readonly clusterName: string;
  readonly datacenter: string;
  readonly rack: string;
  readonly listenAddress: string;
  readonly broadcastAddress: string;
  readonly storagePort: number;
  /** The address clients are told: broadcast_rpc_address, or rpc_address. */
  readonly rpcAddress: string;
  readonly nativePort: number;
  readonly partitioner: string;
  readonly schemaVersion: string;
  readonly gossipGeneration: number;
}

const KEY = Buffer.from('local', 'utf8');

/** The host id, tokens and cluster name a previous start stored, if any. */
export function readLocalIdentity(engine: StorageEngine, partitioner: Partitioner, nowSec: number): { hostId: string; tokens: bigint[]; clusterName: string | null } | null {
  const table = systemTable('local');
  const p = engine.read(table.id, KEY, partitioner.tokenOf(KEY), { nowSec });
  const row = p?.rows[0];
  if (row === undefined) return null;
  const hostId = columnValue(table, row, 'host_id');
  const tokens = columnValue(table, row, 'tokens');
  if (hostId === null || tokens === null) return null;
  const clusterName = columnValue(table, row, 'cluster_name');
  return {
    hostId: decodeValue(CqlTypes.uuid, hostId) as string,
    tokens: (decodeValue(setOf(CqlTypes.text), tokens) as string[]).map((t) => partitioner.parseToken(t)),
    clusterName: clusterName === null ? null : clusterName.toString('utf8'),
  };
}

export async function writeLocalInfo(engine: StorageEngine, partitioner: Partitioner, info: LocalInfo, timestampMicros: number, nowSec: number): Promise<void> {
  const table = systemTable('local');
  const b = new UpdateBuilder(table, KEY, partitioner.tokenOf(KEY));
  const r = b.row(Buffer.alloc(0));
  r.setLiveness({ timestampMicros, ttlSec: 0, expiresAtSec: 0x7fffffff });
  const o = { timestampMicros, ttlSec: 0, nowSec };
  const values: Record<string, unknown> = {
    bootstrapped: 'COMPLETED',
    broadcast_address: info.broadcastAddress,
    broadcast_port: info.storagePort,
    cluster_name: info.clusterName,
    cql_version: CQL_VERSION,
    data_center: info.datacenter,
    gossip_generation: info.gossipGeneration,
    host_id: info.hostId,
    listen_address: info.listenAddress,
    listen_port: info.storagePort,
    native_protocol_version: NATIVE_PROTOCOL_VERSION,
    partitioner: info.partitioner,
    rack: info.rack,
    release_version: RELEASE_VERSION,
    rpc_address: info.rpcAddress,
    rpc_port: info.nativePort,
    schema_version: info.schemaVersion,
    tokens: info.tokens.map((t) => partitioner.tokenToString(t)),
  };
  for (const [name, v] of Object.entries(values)) {
    const column = table.columns.get(name)!;
    writeColumn(r, column, encodeValue(column.type, v), o);
  }
  await engine.apply({ keyspace: table.keyspace, key: KEY, token: b.token, updates: [b.build()] });
}

/** Rewrites just the schema version (after a schema change). */
export async function writeSchemaVersion(engine: StorageEngine, partitioner: Partitioner, version: string, timestampMicros: number, nowSec: number): Promise<void> {
  const table = systemTable('local');
  const b = new UpdateBuilder(table, KEY, partitioner.tokenOf(KEY));
  writeColumn(b.row(Buffer.alloc(0)), table.columns.get('schema_version')!, encodeValue(CqlTypes.uuid, version), { timestampMicros, ttlSec: 0, nowSec });
  await engine.apply({ keyspace: table.keyspace, key: KEY, token: b.token, updates: [b.build()] });
}

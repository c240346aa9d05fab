/**
 * What the CQL layer asks of a coordinator: apply mutations and read partitions at a consistency
 * level, answering Unavailable / timeouts as Cassandra's StorageProxy does. The query processor
 * depends on this interface only; LocalCoordinator serves a one-node ring, the replicating
 * coordinator implements the same interface over the transport.
 */
import type { WriteType } from '../cql-lite/index.js';
import type { ConsistencyLevel } from '../ring/index.js';
import type { KeyspaceMetadata, TableMetadata } from '../schema/index.js';
import type { LivePartition, Mutation, ReadQuery, ScanQuery, ScanRange } from '../storage/index.js';

export interface Coordinator {
  /** Applies mutations of one keyspace; resolves once `cl` replicas acknowledged each. */
  write(keyspace: KeyspaceMetadata, mutations: readonly Mutation[], cl: ConsistencyLevel, writeType: WriteType): Promise<void>;
  /** One partition's live data, read at `cl`. */
  read(table: TableMetadata, keyspace: KeyspaceMetadata, key: Buffer, token: bigint, query: ReadQuery, cl: ConsistencyLevel): Promise<LivePartition | null>;
  /** Partitions in a token range, in ring order, read at `cl`. */
  scan(table: TableMetadata, keyspace: KeyspaceMetadata, range: ScanRange, query: ScanQuery, cl: ConsistencyLevel): Promise<LivePartition[]>;
  /** Removes every row of a table on every replica. */
  truncate(table: TableMetadata): Promise<void>;
}

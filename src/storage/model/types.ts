/**
 * The storage data model (DESIGN.md, "Data model"). Plain values shared by the memtable, the
 * SSTables, the commit log and the read path. Storage knows nothing of CQL types: values are the
 * native-protocol bytes of each column, clusterings are already byte-comparable (see ../encoding),
 * columns are named by string.
 *
 * Units: timestamps are microseconds since the epoch (safe integers; |t| <= 2^53), TTLs and local
 * deletion / expiry times are whole seconds since the epoch, as in Cassandra.
 */

/** localDeletionTime of a cell or liveness that neither expires nor is deleted. */
export const NO_DELETION_TIME = 0x7fffffff;
/** A timestamp lower than any real one: "no deletion". */
export const MIN_TIMESTAMP = Number.MIN_SAFE_INTEGER;

/** A deletion: everything with timestamp <= markedAtMicros is shadowed. */
export interface DeletionTime {
  readonly markedAtMicros: number;
  /** When the deletion happened, in seconds; gc_grace_seconds counts from here. */
  readonly localDeletionTimeSec: number;
}

/** "Not deleted": shadows nothing. */
export const LIVE: DeletionTime = Object.freeze({ markedAtMicros: MIN_TIMESTAMP, localDeletionTimeSec: NO_DELETION_TIME });

/**
 * Primary-key liveness, written by INSERT (not by UPDATE): a row with live liveness exists even
 * when all its cells are null or deleted.
 */
export interface LivenessInfo {
  readonly timestampMicros: number;
  /** 0 when not expiring. */
  readonly ttlSec: number;
  /** Expiry time in seconds, or NO_DELETION_TIME when not expiring. */
  readonly expiresAtSec: number;
}

/**
 * One cell: a simple column's value, or one element of a non-frozen collection (path = the
 * element's key: the list cell's timeuuid, the set element, the map key).
 *
 * - live, not expiring: value !== null, ttlSec 0, localDeletionTimeSec NO_DELETION_TIME
 * - expiring: value !== null, ttlSec > 0, localDeletionTimeSec = expiry time
 * - tombstone: value === null, ttlSec 0, localDeletionTimeSec = deletion time
 * An expiring cell past its expiry is read as a tombstone written at its timestamp whose deletion
 * time is (expiry - ttl), as Cassandra does, so gc grace counts from the write.
 */
export interface Cell {
  readonly column: string;
  readonly path: Buffer | null;
  readonly timestampMicros: number;
  readonly ttlSec: number;
  readonly localDeletionTimeSec: number;
  readonly value: Buffer | null;
}

/** A whole-collection deletion for a non-frozen collection column (e.g. `SET l = [...]`). */
export interface ComplexDeletion {
  readonly column: string;
  readonly deletion: DeletionTime;
}

/**
 * A row. `clustering` is the byte-comparable encoding of its clustering values (empty for tables
 * without clustering columns and for the static row). Cells are sorted by (column, path) with
 * path compared bytewise, null first; at most one cell per (column, path).
 */
export interface Row {
  readonly clustering: Buffer;
  readonly liveness: LivenessInfo | null;
  /** Row deletion (DELETE of the whole row); LIVE when none. */
  readonly deletion: DeletionTime;
  readonly cells: readonly Cell[];
  /** Sorted by column; at most one per column. */
  readonly complexDeletions: readonly ComplexDeletion[];
}

/**
 * A range tombstone over clusterings c with start <= c < end (bytewise). Bounds are produced by
 * the clustering encoding's bound helpers, which turn inclusive / exclusive prefix bounds into
 * such half-open byte ranges; an empty start is unbounded below, END_UNBOUNDED unbounded above.
 */
export interface RangeTombstone {
  readonly start: Buffer;
  readonly end: Buffer;
  readonly deletion: DeletionTime;
}

/** Sorts after every encoded clustering (their first byte is always below 0xff). */
export const END_UNBOUNDED: Buffer = Buffer.from([0xff]);

/**
 * All a source knows about one partition (a memtable's, an SSTable's, a mutation's, a merged
 * read's). Rows are sorted by clustering, unique; range tombstones sorted by start.
 */
export interface Partition {
  /** The partition key bytes (DESIGN.md "Partition key bytes"). */
  readonly key: Buffer;
  /** Signed 64-bit token of the key under the cluster's partitioner. */
  readonly token: bigint;
  readonly deletion: DeletionTime;
  readonly staticRow: Row | null;
  readonly rangeTombstones: readonly RangeTombstone[];
  readonly rows: readonly Row[];
}

/** The changes a mutation makes to one table's partition. Same shape as a partition. */
export interface PartitionUpdate extends Partition {
  readonly tableId: string;
}

/**
 * The unit of the commit log, replication, hints and the batchlog: changes to one partition key
 * in one keyspace, across one or more of its tables.
 */
export interface Mutation {
  readonly keyspace: string;
  readonly key: Buffer;
  readonly token: bigint;
  readonly updates: readonly PartitionUpdate[];
}

/**
 * Clusterings c with start <= c < end (bytewise), bounds made like RangeTombstone's. A paging
 * cursor resumes after clustering c with start = exclusiveStartAfter(c) (c followed by 0xff).
 */
export interface ClusteringSlice {
  readonly start: Buffer;
  readonly end: Buffer;
}

export const FULL_SLICE: ClusteringSlice = Object.freeze({ start: Buffer.alloc(0), end: END_UNBOUNDED });

/** A position in the ring order of partitions: by token, then by key bytes. */
export interface PartitionPosition {
  readonly token: bigint;
  readonly key: Buffer;
}

/**
 * What every data source (a memtable, an SSTable) answers; the read path merges sources.
 * Sources return raw data — tombstones, expired cells and shadowed rows included — and never
 * reconcile against other sources.
 */
export interface PartitionSource {
  /**
   * The partition restricted to one slice, or null when this source has nothing for the key.
   * Rows come in ascending clustering order; with maxRows, only the first maxRows rows of the
   * slice (or the last maxRows when fromEnd) are returned. Range tombstones: every one that
   * intersects the slice. Partition deletion and static row: always, when present.
   */
  readPartition(key: Buffer, token: bigint, slice: ClusteringSlice, maxRows: number, fromEnd: boolean): Partition | null;
  /**
   * Keys of partitions with position strictly after `after` (or from the start when null) and
   * token <= endToken, in ring order, at most `limit` of them.
   */
  partitionKeys(after: PartitionPosition | null, endToken: bigint, limit: number): PartitionPosition[];
}

/** Orders partitions by (token, key bytes): the order of memtables, SSTables and scans. */
export function comparePositions(a: PartitionPosition, b: PartitionPosition): number {
  if (a.token !== b.token) return a.token < b.token ? -1 : 1;
  return Buffer.compare(a.key, b.key);
}

/** The exclusive start bound that resumes a slice right after a full clustering. */
export function exclusiveStartAfter(clustering: Buffer): Buffer {
  const out = Buffer.allocUnsafe(clustering.length + 1);
  clustering.copy(out, 0);
  out[clustering.length] = 0xff;
  return out;
}

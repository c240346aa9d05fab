/**
 * SSTable statistics (Statistics.db): what compaction, tombstone purging and the read path want to
 * know without reading Data, plus the column table that Data's cells refer to by number.
 *
 *   Statistics.db := fileHeader("RTST") body xxh32:u32     (xxh32 of every byte before it)
 *   body := partitionCount:u48 rowCount:u48 staticRowCount:u48 cellCount:u48
 *           expiringCellCount:u48 cellTombstoneCount:u48 expiringLivenessCount:u48
 *           rowDeletionCount:u48 rangeTombstoneCount:u48 partitionDeletionCount:u48
 *           complexDeletionCount:u48
 *           minToken:i64 maxToken:i64                      (0 and 0 when partitionCount = 0)
 *           minTimestampMicros:i64 maxTimestampMicros:i64
 *           minLocalDeletionTimeSec:i32 maxLocalDeletionTimeSec:i32 maxTombstoneDeletionTimeSec:i32
 *           dataSizeBytes:u48 maxPartitionSizeBytes:u48
 *           columnCount:varint (nameLength:varint name:utf8){columnCount}
 *
 * Deletion-time conventions follow Cassandra: minLocalDeletionTime is the earliest deletion or
 * expiry time of anything (NO_DELETION_TIME when there is none); maxLocalDeletionTime counts live,
 * non-expiring data as NO_DELETION_TIME, so "maxLocalDeletionTime < gcBefore" means every byte of
 * the SSTable is a purgeable tombstone or expired. Timestamps span every cell, liveness and deletion;
 * with no data min > max.
 */
import { NO_DELETION_TIME } from '../model/types.js';
import { ByteReader, ByteWriter, checkFileHeader, fileHeader, FILE_HEADER_BYTES, sealWholeFile, verifyWholeFile } from './bytes.js';
import { SSTableCorruptError } from './errors.js';

export const STATISTICS_MAGIC = 'RTST';

export interface SSTableStats {
  readonly partitionCount: number;
  /** Clustering rows (static rows not included). */
  readonly rowCount: number;
  readonly staticRowCount: number;
  readonly cellCount: number;
  readonly expiringCellCount: number;
  readonly cellTombstoneCount: number;
  readonly expiringLivenessCount: number;
  readonly rowDeletionCount: number;
  readonly rangeTombstoneCount: number;
  readonly partitionDeletionCount: number;
  readonly complexDeletionCount: number;
  readonly minToken: bigint;
  readonly maxToken: bigint;
  readonly minTimestampMicros: number;
  readonly maxTimestampMicros: number;
  readonly minLocalDeletionTimeSec: number;
  readonly maxLocalDeletionTimeSec: number;
  /** Latest deletion or expiry time among tombstones and expiring data only. */
  readonly maxTombstoneDeletionTimeSec: number;
  readonly dataSizeBytes: number;
  readonly maxPartitionSizeBytes: number;
  /** Tombstones and expiring data (derived, not stored): see tombstoneCount(). */
  readonly tombstoneCount: number;
}

/** Accumulates statistics while the writer encodes; fields are bumped directly on the hot path. */
export class StatsCollector {
  partitionCount = 0;
  rowCount = 0;
  staticRowCount = 0;
  cellCount = 0;
  expiringCellCount = 0;
  cellTombstoneCount = 0;
  expiringLivenessCount = 0;
  rowDeletionCount = 0;
  rangeTombstoneCount = 0;
  partitionDeletionCount = 0;
  complexDeletionCount = 0;
  minToken = 0n;
  maxToken = 0n;
  minTimestampMicros = Number.MAX_SAFE_INTEGER;
  maxTimestampMicros = Number.MIN_SAFE_INTEGER;
  minLocalDeletionTimeSec = NO_DELETION_TIME;
  maxLocalDeletionTimeSec = Number.MIN_SAFE_INTEGER;
  maxTombstoneDeletionTimeSec = Number.MIN_SAFE_INTEGER;
  dataSizeBytes = 0;
  maxPartitionSizeBytes = 0;

  timestamp(t: number): void {
    if (t < this.minTimestampMicros) this.minTimestampMicros = t;
    if (t > this.maxTimestampMicros) this.maxTimestampMicros = t;
  }

  /** A deletion or expiry time: tombstones, deletions, expiring cells and liveness. */
  deletionTime(sec: number): void {
    if (sec < this.minLocalDeletionTimeSec) this.minLocalDeletionTimeSec = sec;
    if (sec > this.maxLocalDeletionTimeSec) this.maxLocalDeletionTimeSec = sec;
    if (sec > this.maxTombstoneDeletionTimeSec) this.maxTombstoneDeletionTimeSec = sec;
  }

  /** Live data that never expires. */
  liveForever(): void {
    this.maxLocalDeletionTimeSec = NO_DELETION_TIME;
  }

  finish(): SSTableStats {
    const empty = this.minTimestampMicros > this.maxTimestampMicros;
    return {
      ...this,
      tombstoneCount: tombstoneCount(this),
      maxLocalDeletionTimeSec: this.maxLocalDeletionTimeSec === Number.MIN_SAFE_INTEGER ? NO_DELETION_TIME : this.maxLocalDeletionTimeSec,
      maxTombstoneDeletionTimeSec: this.maxTombstoneDeletionTimeSec === Number.MIN_SAFE_INTEGER ? NO_DELETION_TIME : this.maxTombstoneDeletionTimeSec,
      minTimestampMicros: empty ? Number.MAX_SAFE_INTEGER : this.minTimestampMicros,
      maxTimestampMicros: empty ? Number.MIN_SAFE_INTEGER : this.maxTimestampMicros,
    };
  }
}

/** Tombstones and expiring data: everything that becomes purgeable with time. */
export function tombstoneCount(s: Omit<SSTableStats, 'tombstoneCount'>): number {
  return s.cellTombstoneCount + s.expiringCellCount + s.expiringLivenessCount + s.rowDeletionCount + s.rangeTombstoneCount + s.partitionDeletionCount + s.complexDeletionCount;
}

/**
 * Estimated number of tombstones with deletion time before gcBeforeSec, assuming deletion times
 * spread evenly over [minLocalDeletionTimeSec, maxTombstoneDeletionTimeSec] (no histogram kept).
 */
export function estimatedDroppableTombstones(s: SSTableStats, gcBeforeSec: number): number {
  const n = tombstoneCount(s);
  if (n === 0) return 0;
  const lo = s.minLocalDeletionTimeSec;
  const hi = s.maxTombstoneDeletionTimeSec;
  if (gcBeforeSec <= lo) return 0;
  if (gcBeforeSec > hi) return n;
  return Math.round((n * (gcBeforeSec - lo)) / (hi - lo + 1));
}

/** Droppable tombstones over all cells and deletions, in [0, 1]: the tombstone-compaction trigger. */
export function droppableTombstoneRatio(s: SSTableStats, gcBeforeSec: number): number {
  const atoms = s.cellCount + s.expiringLivenessCount + s.rowDeletionCount + s.rangeTombstoneCount + s.partitionDeletionCount + s.complexDeletionCount;
  return atoms === 0 ? 0 : estimatedDroppableTombstones(s, gcBeforeSec) / atoms;
}

const COUNT_FIELDS = [
  'partitionCount',
  'rowCount',
  'staticRowCount',
  'cellCount',
  'expiringCellCount',
  'cellTombstoneCount',
  'expiringLivenessCount',
  'rowDeletionCount',
  'rangeTombstoneCount',
  'partitionDeletionCount',
  'complexDeletionCount',
] as const;

export function encodeStatistics(s: SSTableStats, columns: readonly string[]): Buffer {
  const w = new ByteWriter(256);
  w.bytes(fileHeader(STATISTICS_MAGIC));
  for (const f of COUNT_FIELDS) w.u48(s[f]);
  w.bigI64(s.minToken);
  w.bigI64(s.maxToken);
  w.i64(s.minTimestampMicros);
  w.i64(s.maxTimestampMicros);
  w.i32(s.minLocalDeletionTimeSec);
  w.i32(s.maxLocalDeletionTimeSec);
  w.i32(s.maxTombstoneDeletionTimeSec);
  w.u48(s.dataSizeBytes);
  w.u48(s.maxPartitionSizeBytes);
  w.varint(columns.length);
  for (const c of columns) w.lenBytes(Buffer.from(c, 'utf8'));
  sealWholeFile(w);
  return Buffer.from(w.buf.subarray(0, w.pos));
}

export function decodeStatistics(buf: Buffer, path: string): { stats: SSTableStats; columns: string[] } {
  verifyWholeFile(buf, path);
  checkFileHeader(buf, STATISTICS_MAGIC, path);
  const r = new ByteReader(buf, FILE_HEADER_BYTES, buf.length - 4);
  try {
    const counts = {} as Record<(typeof COUNT_FIELDS)[number], number>;
    for (const f of COUNT_FIELDS) counts[f] = r.u48();
    const fields = {
      ...counts,
      minToken: r.bigI64(),
      maxToken: r.bigI64(),
      minTimestampMicros: r.i64(),
      maxTimestampMicros: r.i64(),
      minLocalDeletionTimeSec: r.i32(),
      maxLocalDeletionTimeSec: r.i32(),
      maxTombstoneDeletionTimeSec: r.i32(),
      dataSizeBytes: r.u48(),
      maxPartitionSizeBytes: r.u48(),
    };
    const stats: SSTableStats = { ...fields, tombstoneCount: tombstoneCount(fields) };
    const n = r.varint();
    const columns: string[] = [];
    for (let i = 0; i < n; i++) columns.push(r.lenBytes().toString('utf8'));
    if (r.pos !== r.end) throw new RangeError('trailing bytes');
    return { stats, columns };
  } catch (err) {
    if (err instanceof SSTableCorruptError) throw err;
    throw new SSTableCorruptError(path, 0, buf.length, `undecodable statistics: ${(err as Error).message}`);
  }
}

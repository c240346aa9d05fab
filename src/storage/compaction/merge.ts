/**
 * The compaction task: merge SSTables' partitions in ring order, reconcile, purge what may be
 * purged, and hand the result to a writer. Purging a tombstone is allowed only when no data it
 * shadows can exist outside this merge: `maxPurgeableMicros(key)` is the lowest timestamp any
 * other source (memtables, SSTables not in this compaction) may hold for the key.
 */
import { comparePositions, mergePartitions, purgePartition } from '../model/index.js';
import type { Partition } from '../model/index.js';

export interface CompactionContext {
  readonly nowSec: number;
  /** Tombstones whose local deletion time is before this may be dropped. */
  readonly gcBeforeSec: number;
  maxPurgeableMicros(key: Buffer): number;
  /** Called between partitions so writes and reads keep flowing. */
  yieldNow(): Promise<void>;
  /** Checked between partitions; true abandons the merge. */
  cancelled(): boolean;
}

export interface CompactionStats {
  partitionsIn: number;
  partitionsOut: number;
}

/** Merges sorted partition streams; emits each surviving partition to `write`. */
export async function mergeForCompaction(
  inputs: ReadonlyArray<Iterator<Partition>>,
  write: (p: Partition) => void,
  ctx: CompactionContext,
): Promise<CompactionStats | null> {
  const heads: Array<Partition | null> = inputs.map((it) => next(it));
  const stats: CompactionStats = { partitionsIn: 0, partitionsOut: 0 };
  for (let step = 0; ; step++) {
    let min: Partition | null = null;
    for (const h of heads) if (h !== null && (min === null || comparePositions(h, min) < 0)) min = h;
    if (min === null) break;
    let merged: Partition | null = null;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h !== null && comparePositions(h, min) === 0) {
        merged = merged === null ? h : mergePartitions(merged, h);
        heads[i] = next(inputs[i]);
        stats.partitionsIn++;
      }
    }
    const purged = purgePartition(merged!, ctx.nowSec, ctx.gcBeforeSec, ctx.maxPurgeableMicros(merged!.key));
    if (purged !== null) {
      write(purged);
      stats.partitionsOut++;
    }
    if ((step & 255) === 255) {
      await ctx.yieldNow();
      if (ctx.cancelled()) return null;
    }
  }
  return stats;
}

function next(it: Iterator<Partition>): Partition | null {
  const r = it.next();
  return r.done === true ? null : r.value;
}

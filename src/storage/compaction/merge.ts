/**
 * The compaction task: merge SSTables' partitions in ring order, reconcile, purge what may be
 * purged, and hand the result to a writer. Purging a tombstone is allowed only when no data it
 * shadows can exist outside this merge: `maxPurgeableMicros(key, token)` is the lowest timestamp any
 * other source (memtables, SSTables not in this compaction) may hold for the key.
 *
 * A partition found in one input only, which purging could not change (see
 * CompactionInput.copyable), is copied as the bytes it is stored in, not decoded and encoded
 * again: with random keys, that is nearly every partition of a size-tiered merge.
 */
import { isLiveDeletion } from '../model/index.js';
import type { Partition, Row } from '../model/index.js';
import { mergePartitions, purgePartition } from '../model/index.js';

export interface CompactionContext {
  readonly nowSec: number;
  /** Tombstones whose local deletion time is before this may be dropped. */
  readonly gcBeforeSec: number;
  maxPurgeableMicros(key: Buffer, token: bigint): number;
  /** Called between partitions so writes and reads keep flowing. */
  yieldNow(): Promise<void>;
  /** Checked between partitions; true abandons the merge. */
  cancelled(): boolean;
}

/** One sorted input: a cursor over partitions in ring order. */
export interface CompactionInput {
  /** Moves to the next partition; false when there is none. */
  next(): boolean;
  readonly token: bigint;
  readonly key: Buffer;
  /** The current partition, decoded. */
  partition(): Partition;
  /**
   * True when the current partition, alone in the merge, would come out of reconciliation and
   * purging exactly as it is stored (no tombstone, no expiring data, no empty row), and its bytes
   * mean the same in the output: CompactionOutput.copy may then take it as it is.
   */
  copyable(): boolean;
}

export interface CompactionOutput {
  write(p: Partition): void;
  /** Writes the input's current partition as it is stored (it is copyable()). */
  copy(input: CompactionInput): void;
}

export interface CompactionStats {
  partitionsIn: number;
  partitionsOut: number;
  /** Partitions copied as bytes (counted in partitionsIn and partitionsOut too). */
  partitionsCopied: number;
}

/** Merges sorted inputs; emits each surviving partition to `output`. */
export async function mergeForCompaction(inputs: readonly CompactionInput[], output: CompactionOutput, ctx: CompactionContext): Promise<CompactionStats | null> {
  const active: CompactionInput[] = inputs.filter((i) => i.next());
  const stats: CompactionStats = { partitionsIn: 0, partitionsOut: 0, partitionsCopied: 0 };
  const same: CompactionInput[] = [];
  for (let step = 0; active.length > 0; step++) {
    let min = active[0];
    same.length = 0;
    same.push(min);
    for (let i = 1; i < active.length; i++) {
      const h = active[i];
      const c = h.token === min.token ? Buffer.compare(h.key, min.key) : h.token < min.token ? -1 : 1;
      if (c < 0) {
        min = h;
        same.length = 0;
        same.push(h);
      } else if (c === 0) {
        same.push(h);
      }
    }
    if (same.length === 1 && min.copyable()) {
      output.copy(min);
      stats.partitionsIn++;
      stats.partitionsOut++;
      stats.partitionsCopied++;
    } else {
      let merged: Partition | null = null;
      for (const h of same) {
        const p = h.partition();
        merged = merged === null ? p : mergePartitions(merged, p);
        stats.partitionsIn++;
      }
      // Only deletions, tombstones and expiring data depend on the purge horizon, which costs a
      // bloom-filter probe per other SSTable: without them any value gives the same result.
      const horizon = mayPurge(merged!) ? ctx.maxPurgeableMicros(merged!.key, merged!.token) : Number.MIN_SAFE_INTEGER;
      const purged = purgePartition(merged!, ctx.nowSec, ctx.gcBeforeSec, horizon);
      if (purged !== null) {
        output.write(purged);
        stats.partitionsOut++;
      }
    }
    for (const h of same) {
      if (!h.next()) active.splice(active.indexOf(h), 1);
    }
    if ((step & 255) === 255) {
      await ctx.yieldNow();
      if (ctx.cancelled()) return null;
    }
  }
  return stats;
}

/** Whether anything in p is a deletion, a tombstone or expiring. */
function mayPurge(p: Partition): boolean {
  if (!isLiveDeletion(p.deletion) || p.rangeTombstones.length > 0) return true;
  if (p.staticRow !== null && rowMayPurge(p.staticRow)) return true;
  for (const r of p.rows) if (rowMayPurge(r)) return true;
  return false;
}

function rowMayPurge(r: Row): boolean {
  if (r.complexDeletions.length > 0 || !isLiveDeletion(r.deletion)) return true;
  if (r.liveness !== null && r.liveness.ttlSec > 0) return true;
  for (const c of r.cells) if (c.value === null || c.ttlSec > 0) return true;
  return false;
}

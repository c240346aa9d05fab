/**
 * Size-tiered compaction's choice of what to merge, as Cassandra's SizeTieredCompactionStrategy
 * makes it: SSTables of similar size form buckets; a bucket of at least minThreshold is merged,
 * at most maxThreshold at a time, smallest bucket first (merging small files is cheap and cuts the
 * number of files a read touches the most).
 */
export interface SizeTieredOptions {
  readonly minThreshold: number;
  readonly maxThreshold: number;
  /** A file joins a bucket when its size is within [low, high] × the bucket's average. */
  readonly bucketLow: number;
  readonly bucketHigh: number;
  /** Files below this size all share one bucket, whatever their ratio. */
  readonly minSSTableSizeBytes: number;
}

export const DEFAULT_SIZE_TIERED: SizeTieredOptions = Object.freeze({
  minThreshold: 4,
  maxThreshold: 32,
  bucketLow: 0.5,
  bucketHigh: 1.5,
  minSSTableSizeBytes: 50 * 1024 * 1024,
});

export interface Sized<T> {
  readonly item: T;
  readonly sizeBytes: number;
}

/** Groups files into size buckets (each bucket sorted by size). */
export function sizeBuckets<T>(files: readonly Sized<T>[], opts: SizeTieredOptions): Array<Array<Sized<T>>> {
  const sorted = [...files].sort((a, b) => a.sizeBytes - b.sizeBytes);
  const buckets: Array<{ files: Array<Sized<T>>; avg: number }> = [];
  for (const f of sorted) {
    let placed = false;
    for (const b of buckets) {
      const fits =
        (f.sizeBytes >= b.avg * opts.bucketLow && f.sizeBytes <= b.avg * opts.bucketHigh) ||
        (f.sizeBytes < opts.minSSTableSizeBytes && b.avg < opts.minSSTableSizeBytes);
      if (fits) {
        b.avg = (b.avg * b.files.length + f.sizeBytes) / (b.files.length + 1);
        b.files.push(f);
        placed = true;
        break;
      }
    }
    if (!placed) buckets.push({ files: [f], avg: f.sizeBytes });
  }
  return buckets.map((b) => b.files);
}

/** The files to merge next, or null when no bucket is full enough. */
export function chooseCompaction<T>(files: readonly Sized<T>[], opts: SizeTieredOptions = DEFAULT_SIZE_TIERED): T[] | null {
  const candidates = sizeBuckets(files, opts).filter((b) => b.length >= opts.minThreshold);
  if (candidates.length === 0) return null;
  const avg = (b: Array<Sized<T>>): number => b.reduce((s, f) => s + f.sizeBytes, 0) / b.length;
  candidates.sort((a, b) => avg(a) - avg(b));
  return candidates[0].slice(0, opts.maxThreshold).map((f) => f.item);
}

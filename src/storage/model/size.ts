/**
 * Cheap size estimates for memtable accounting: the bytes held in Buffers and names plus a fixed
 * overhead per object, standing in for object headers, fields and array slots. Meant to be
 * proportional to the real heap cost, not equal to it; it must stay O(cells) and allocation-free.
 */
import type { Partition, Row } from './types.js';

/** Per cell: the object (six fields), its slot in the row's array, a share of Buffer headers. */
export const CELL_OVERHEAD_BYTES = 64;
/** Per row: the object, its liveness and deletion objects, two arrays, its slot in the partition. */
export const ROW_OVERHEAD_BYTES = 96;
/** Per range tombstone or complex deletion: the object and its deletion. */
export const DELETION_OVERHEAD_BYTES = 48;
/** Per partition: the object, its arrays and key Buffer header, and a memtable entry. */
export const PARTITION_OVERHEAD_BYTES = 128;

export function estimatedRowSizeBytes(row: Row): number {
  let size = ROW_OVERHEAD_BYTES + row.clustering.length;
  const cells = row.cells;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    size += CELL_OVERHEAD_BYTES + c.column.length;
    if (c.path !== null) size += c.path.length;
    if (c.value !== null) size += c.value.length;
  }
  const cds = row.complexDeletions;
  for (let i = 0; i < cds.length; i++) size += DELETION_OVERHEAD_BYTES + cds[i]!.column.length;
  return size;
}

export function estimatedPartitionSizeBytes(p: Partition): number {
  let size = PARTITION_OVERHEAD_BYTES + p.key.length;
  if (p.staticRow !== null) size += estimatedRowSizeBytes(p.staticRow);
  const rts = p.rangeTombstones;
  for (let i = 0; i < rts.length; i++) size += DELETION_OVERHEAD_BYTES + rts[i]!.start.length + rts[i]!.end.length;
  const rows = p.rows;
  for (let i = 0; i < rows.length; i++) size += estimatedRowSizeBytes(rows[i]!);
  return size;
}

/** The estimate for a row, or for a partition (update) with everything in it. */
export function estimatedSizeBytes(x: Row | Partition): number {
  return 'rows' in x ? estimatedPartitionSizeBytes(x) : estimatedRowSizeBytes(x);
}

/** The storage data model: values (types.ts), reconciliation, the read view, purging, the codec. */
export * from './types.js';
export { CorruptDataError, ModelInvariantError } from './errors.js';
export type { CorruptReason } from './errors.js';
export { compareCellKeys, comparePaths, compareDeletionTimes, compareRangeTombstones, isLiveDeletion, deletes } from './order.js';
export {
  reconcileCells,
  mergeDeletion,
  mergeLiveness,
  mergeCells,
  mergeRows,
  mergeRowLists,
  mergeRangeTombstones,
  normalizeRangeTombstones,
  mergePartitions,
} from './reconcile.js';
export { isCellLive, isLivenessLive, liveRow, liveStaticRow, livePartition, coveringDeletion, RangeTombstoneSweep } from './view.js';
export { purgePartition } from './purge.js';
export { serializePartitionUpdate, deserializePartitionUpdate, serializeMutation, deserializeMutation } from './serialize.js';
export {
  cell,
  tombstoneCell,
  liveness,
  deletionTime,
  complexDeletion,
  row,
  staticRow,
  rangeTombstone,
  partition,
  emptyPartition,
  partitionUpdate,
  mutation,
} from './builders.js';
export type { CellOptions, RowOptions, PartitionContents } from './builders.js';
export {
  estimatedSizeBytes,
  estimatedRowSizeBytes,
  estimatedPartitionSizeBytes,
  CELL_OVERHEAD_BYTES,
  ROW_OVERHEAD_BYTES,
  DELETION_OVERHEAD_BYTES,
  PARTITION_OVERHEAD_BYTES,
} from './size.js';

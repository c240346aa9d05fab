/** The commit log of the storage engine: segments, group commit, replay. See README.md. */
export { CommitLog, DEFAULT_SEGMENT_SIZE_BYTES, DEFAULT_SYNC_PERIOD_MS } from './commit-log.js';
export type { CommitLogMetrics, CommitLogOptions, OpenedCommitLog, SyncMode } from './commit-log.js';
export type { CommitLogPosition, Position } from './position.js';
export { MIN_POSITION, comparePositions, formatPosition } from './position.js';
export type { BadSpot, ReplayReport, ReplayedRecord, TornTail } from './replay.js';
export {
  CommitLogClosedError,
  CommitLogCorruptError,
  CommitLogError,
  CommitLogFailedError,
  CommitLogRecordSizeError,
} from './errors.js';
export type { CommitLogErrorCode } from './errors.js';
export type { BadReason } from './format.js';
export { HEADER_BYTES, RECORD_OVERHEAD_BYTES, segmentFileName } from './format.js';

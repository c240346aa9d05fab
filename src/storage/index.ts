/**
 * The storage engine: one node's LSM store. The server, the coordinator and the schema use
 * StorageEngine; the model types describe what flows in and out.
 */
export { StorageEngine, UnknownTableError } from './engine/engine.js';
export type { EngineMetrics, EngineOptions, ScanQuery, ScanRange } from './engine/engine.js';
export type { LivePartition, ReadQuery } from './engine/read.js';
export type { TableSpec } from './engine/table-store.js';
export * from './model/index.js';
export * from './encoding/index.js';
export { CommitLogRecordSizeError } from './commitlog/index.js';

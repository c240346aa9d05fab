/** SSTables: immutable sorted files of partitions, with index, summary, bloom filter and statistics. */
export { SSTableWriter, DEFAULT_BLOOM_FILTER_FP_CHANCE, DEFAULT_INDEX_INTERVAL, DEFAULT_ROW_INDEX_BLOCK_BYTES } from './writer.js';
export type { SSTableWriterOptions } from './writer.js';
export { PartitionCursor, SSTableReader } from './reader.js';
export { SSTableSet, listGenerations, openTableDirectory } from './sstable-set.js';
export type { DirectoryListing } from './sstable-set.js';
export type { SSTableStats } from './statistics.js';
export { estimatedDroppableTombstones, droppableTombstoneRatio, tombstoneCount } from './statistics.js';
export { SSTableError, SSTableCorruptError, SSTableUsageError } from './errors.js';
export type { SSTableErrorCode } from './errors.js';
export { ALL_COMPONENTS, COMPONENTS, componentPath, parseComponentName } from './descriptor.js';
export type { Component, ParsedName } from './descriptor.js';
export { FORMAT_VERSION } from './bytes.js';

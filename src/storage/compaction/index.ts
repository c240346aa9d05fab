export { chooseCompaction, sizeBuckets, DEFAULT_SIZE_TIERED } from './size-tiered.js';
export type { SizeTieredOptions, Sized } from './size-tiered.js';
export { mergeForCompaction } from './merge.js';
export type { CompactionContext, CompactionInput, CompactionOutput, CompactionStats } from './merge.js';

/**
 * Byte-comparable clustering encoding: native-protocol values in, bytes whose Buffer.compare
 * order is Cassandra's clustering order out, plus the prefix bounds and slices built on them.
 */
export type {
  ByteRange,
  ClusteringColumnType,
  CompositeKind,
  ScalarKind,
  TupleBound,
  ValueBound,
  ValueKind,
  ValueType,
} from './types.js';
export { EncodingError } from './errors.js';
export type { EncodingErrorCode } from './errors.js';
export { decodeComponent, encodeComponent } from './component.js';
export { AFTER_PREFIX, decodeClustering, encodeClustering, endBound, sliceFor, startBound, tupleSlices } from './clustering.js';

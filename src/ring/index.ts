/**
 * The token ring and replication: partitioners, the immutable Ring, replication strategies,
 * token allocation, pending ranges and range movements, consistency arithmetic.
 * Pure values: no sockets, no clock, no files. See README.md.
 */
export { RingError, type RingErrorCode } from './errors.js';
export {
  MIN_TOKEN,
  MAX_TOKEN,
  RING_SIZE,
  parseToken,
  tokenToString,
  isToken,
  wrapToken,
  rangeSize,
  rangeFraction,
  addToToken,
  midpoint,
  compareTokens,
  type Token,
} from './token.js';
export {
  tokenRange,
  FULL_RING,
  isWrapAround,
  rangeContains,
  rangeTokenCount,
  unwrap,
  intersection,
  rangesIntersect,
  rangeToString,
  type TokenRange,
} from './range.js';
export { partitionKeyBytes, splitPartitionKey } from './partition-key.js';
export {
  XxHash64Partitioner,
  Murmur3Partitioner,
  DEFAULT_PARTITIONER,
  MURMUR3_PARTITIONER,
  partitionerByName,
  type Partitioner,
} from './partitioner.js';
export { endpoint, ownsTokens, type Endpoint, type EndpointStatus } from './endpoint.js';
export {
  simpleStrategy,
  networkTopologyStrategy,
  LOCAL_STRATEGY,
  parseReplication,
  replicationMap,
  totalReplicationFactor,
  type ReplicationStrategy,
  type SimpleStrategy,
  type NetworkTopologyStrategy,
  type LocalStrategy,
  type ParseReplicationOptions,
} from './strategy.js';
export { Ring, type RingMember, type RingOptions } from './ring.js';
export {
  planMovements,
  MovementConflictError,
  type Movement,
  type MovementPlan,
  type RangeChange,
  type Stream,
  type StreamEdge,
  type ConflictReason,
  type PlanOptions,
} from './movement.js';
export {
  allocateRandomTokens,
  allocateBalancedTokens,
  ownershipSpread,
  type BalancedOptions,
  type OwnershipSpread,
} from './allocation.js';
export {
  ConsistencyLevel,
  consistencyFromCode,
  consistencyFromName,
  consistencyName,
  isDatacenterLocal,
  isSerial,
  readLevelError,
  writeLevelError,
  quorumFor,
  localQuorumFor,
  blockFor,
  blockForWrite,
  availability,
  canSatisfy,
  type Availability,
  type AvailabilityRequest,
} from './consistency.js';

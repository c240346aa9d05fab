/**
 * Errors of the ring module. Each carries a stable `code` that callers branch on (and that the
 * server maps to a CQL error), and a message written for the operator.
 */

/** Why a ring value, a replication option or a movement was refused. Codes never change meaning. */
export type RingErrorCode =
  /** A replication map named a class we do not know. */
  | 'UNKNOWN_STRATEGY'
  /** A replication map is malformed: missing or bad replication_factor, unknown option. */
  | 'BAD_REPLICATION_OPTION'
  /** A partitioner name we do not know. */
  | 'UNKNOWN_PARTITIONER'
  /** A token string that is not a signed 64-bit decimal integer. */
  | 'BAD_TOKEN'
  /** Building a Ring from inconsistent parts: duplicate tokens, unknown host id, no tokens. */
  | 'BAD_RING'
  /** A range movement that cannot run, alone or beside another one. */
  | 'MOVEMENT_CONFLICT'
  /** A strategy that needs something the ring does not have (LocalStrategy without a local node). */
  | 'NO_REPLICAS'
  /** Partition key bytes that do not follow the composite grammar, or a component too long. */
  | 'BAD_PARTITION_KEY'
  /** An unknown consistency level name or code. */
  | 'BAD_CONSISTENCY';

export class RingError extends Error {
  readonly code: RingErrorCode;

  constructor(code: RingErrorCode, message: string) {
    super(message);
    this.name = 'RingError';
    this.code = code;
  }
}

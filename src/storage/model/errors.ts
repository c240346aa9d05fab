/** Errors of the data model. Each carries a stable `code` (and a `reason` for corruption). */

/** Why a buffer was rejected; stable names, safe to match on and to count in metrics. */
export type CorruptReason =
  | 'truncated'
  | 'bad-varint'
  | 'bad-flags'
  | 'bad-column-ref'
  | 'bad-value'
  | 'out-of-order'
  | 'trailing-bytes'
  | 'unsupported-version';

/**
 * Encoded data that cannot be decoded: truncated, garbage, or violating the model's invariants.
 * `offset` is the byte position in the decoded buffer where the problem was found.
 */
export class CorruptDataError extends Error {
  readonly code = 'CORRUPT_DATA';
  constructor(
    readonly reason: CorruptReason,
    readonly offset: number,
    detail?: string,
  ) {
    super(`corrupt data at offset ${offset}: ${reason}${detail === undefined ? '' : ` (${detail})`}`);
    this.name = 'CorruptDataError';
  }
}

/**
 * A value handed to the model breaks its contract (e.g. a live cell with a deletion time, cells
 * out of order). A bug in the caller, never a property of stored data.
 */
export class ModelInvariantError extends Error {
  readonly code = 'MODEL_INVARIANT';
  constructor(message: string) {
    super(message);
    this.name = 'ModelInvariantError';
  }
}

/**
 * The types the clustering encoding understands. Kinds are CQL type names; the CQL layer maps its
 * own type descriptions onto these. Values are always native-protocol-v4 bytes (doc
 * native_protocol_v4.spec section 6): the storage layer never sees JS values.
 */

/** Types with a single native value. `varchar` is an alias of `text`. */
export type ScalarKind =
  | 'ascii'
  | 'text'
  | 'varchar'
  | 'int'
  | 'bigint'
  | 'smallint'
  | 'tinyint'
  | 'boolean'
  | 'float'
  | 'double'
  | 'decimal'
  | 'varint'
  | 'uuid'
  | 'timeuuid'
  | 'timestamp'
  | 'date'
  | 'time'
  | 'blob'
  | 'inet';

/**
 * Frozen collections and tuples. `udt` is a frozen user-defined type: the same wire format and the
 * same comparator as a tuple of its field types (Cassandra's UserType extends TupleType).
 */
export type CompositeKind = 'list' | 'set' | 'map' | 'tuple' | 'udt';

export type ValueKind = ScalarKind | CompositeKind;

/**
 * A value type. `elements` is required for composites: list and set [element], map [key, value],
 * tuple and udt the field types in order (at least one). Scalars have none.
 */
export interface ValueType {
  readonly kind: ValueKind;
  readonly elements?: readonly ValueType[];
}

/** A clustering column's type and its clustering order (DESC inverts the order). */
export interface ClusteringColumnType extends ValueType {
  readonly desc: boolean;
}

/** A half-open byte range: encoded clusterings c with start <= c < end (Buffer.compare). */
export interface ByteRange {
  readonly start: Buffer;
  readonly end: Buffer;
}

/** One side of a single-column restriction, e.g. `c > 5` is `{ value: <5>, inclusive: false }`. */
export interface ValueBound {
  readonly value: Buffer;
  readonly inclusive: boolean;
}

/** One side of a multi-column restriction, e.g. `(a, b) >= (1, 2)`. */
export interface TupleBound {
  readonly values: readonly Buffer[];
  readonly inclusive: boolean;
}

/**
 * The contract between the native protocol server (src/server) and the CQL query processor:
 * requests arrive decoded from their frames, results leave as values the server encodes. Values are
 * native-protocol bytes throughout (a cell is `Buffer | null`), so no JS value is built for a row
 * that is only passed through.
 *
 * Errors are thrown as CqlError (src/cql-lite) or one of its subclasses with extra body fields
 * (UnavailableError, WriteTimeoutError, ReadTimeoutError, AlreadyExistsError, UnpreparedError); any
 * other exception is a server error (0x0000) whose message the server logs.
 */
import type { CqlType } from '../cql-lite/index.js';

/** A bound value: bytes, null, or UNSET (v4 [value] of length -2: "leave this column alone"). */
export const UNSET: unique symbol = Symbol('UNSET');
export type BoundValue = Buffer | null | typeof UNSET;

/** Per-connection state the processor reads and changes (USE). */
export interface Session {
  keyspace: string | null;
}

/** The <query_parameters> of QUERY and EXECUTE (spec v4 section 4.1.4), decoded. */
export interface QueryOptions {
  /** [consistency] code (ConsistencyLevel in src/ring). */
  readonly consistency: number;
  /** Positional values, or values in the order of `names` when names are given. */
  readonly values: readonly BoundValue[];
  /** Names of the values (flag 0x40), lower-cased as CQL folds them; null when positional. */
  readonly names: readonly string[] | null;
  /** Flag 0x02: the client has the result metadata and wants rows without it. */
  readonly skipMetadata: boolean;
  /** Rows per page; null (or <= 0 on the wire) means no paging. */
  readonly pageSize: number | null;
  readonly pagingState: Buffer | null;
  /** [consistency] code of the serial phase, or null. */
  readonly serialConsistency: number | null;
  /** Client-side timestamp in microseconds (flag 0x20), or null. */
  readonly timestampMicros: bigint | null;
}

/** One column of a result or of a prepared statement's bind variables. */
export interface ColumnSpec {
  readonly keyspace: string;
  readonly table: string;
  readonly name: string;
  readonly type: CqlType;
}

export interface RowsResult {
  readonly kind: 'rows';
  readonly columns: readonly ColumnSpec[];
  /** Each row has one cell per column, in column order. */
  readonly rows: readonly (readonly (Buffer | null)[])[];
  /** Set when more pages follow (flag Has_more_pages). */
  readonly pagingState: Buffer | null;
}

export interface VoidResult {
  readonly kind: 'void';
}

export interface SetKeyspaceResult {
  readonly kind: 'setKeyspace';
  readonly keyspace: string;
}

export type SchemaChangeTarget = 'KEYSPACE' | 'TABLE' | 'TYPE' | 'FUNCTION' | 'AGGREGATE';
export type SchemaChangeType = 'CREATED' | 'UPDATED' | 'DROPPED';

/** A schema change, for RESULT Schema_change and EVENT SCHEMA_CHANGE (spec v4 sections 4.2.5.5, 4.2.6). */
export interface SchemaChange {
  readonly change: SchemaChangeType;
  readonly target: SchemaChangeTarget;
  readonly keyspace: string;
  /** The table, type, function or aggregate name; absent for KEYSPACE. */
  readonly name?: string;
  /** Argument types of a FUNCTION or AGGREGATE. */
  readonly argTypes?: readonly string[];
}

export interface SchemaChangeResult {
  readonly kind: 'schemaChange';
  readonly change: SchemaChange;
}

export interface PreparedResult {
  readonly kind: 'prepared';
  /** The statement id (an MD5 digest, 16 bytes). */
  readonly id: Buffer;
  /** The bind variables, in marker order. */
  readonly variables: readonly ColumnSpec[];
  /** Indexes into `variables` of the partition key columns, in partition key order; empty when not all are bound. */
  readonly pkIndexes: readonly number[];
  /** The result columns of a SELECT; empty for other statements (flag No_metadata). */
  readonly resultColumns: readonly ColumnSpec[];
}

export type ResultMessage = RowsResult | VoidResult | SetKeyspaceResult | SchemaChangeResult;

/** One statement of a BATCH message: query text or a prepared id, with its values. */
export type BatchEntry =
  | { readonly kind: 'query'; readonly text: string; readonly values: readonly BoundValue[]; readonly names: readonly string[] | null }
  | { readonly kind: 'prepared'; readonly id: Buffer; readonly values: readonly BoundValue[]; readonly names: readonly string[] | null };

/** BATCH type byte: 0 logged, 1 unlogged, 2 counter. */
export type BatchType = 'logged' | 'unlogged' | 'counter';

export interface BatchOptions {
  readonly consistency: number;
  readonly serialConsistency: number | null;
  readonly timestampMicros: bigint | null;
}

/** What the server calls; the query processor implements it. */
export interface CqlHandler {
  query(text: string, options: QueryOptions, session: Session): Promise<ResultMessage>;
  prepare(text: string, session: Session): Promise<PreparedResult>;
  execute(id: Buffer, options: QueryOptions, session: Session): Promise<ResultMessage>;
  batch(type: BatchType, entries: readonly BatchEntry[], options: BatchOptions, session: Session): Promise<ResultMessage>;
  /** Subscribes to schema changes (for REGISTER'ed connections); returns the unsubscribe function. */
  onSchemaChange(listener: (change: SchemaChange) => void): () => void;
}

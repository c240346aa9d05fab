/**
 * The CQL abstract syntax tree. Plain immutable data without source positions, so that
 * parse(print(ast)) deep-equals ast.
 *
 * Names are canonical: an unquoted identifier is folded to lower case, a quoted one keeps its
 * case ("Foo" -> Foo). Function names likewise (toTimestamp -> totimestamp).
 *
 * Literals keep their source text (`text`) so that a value can be converted for its receiver's
 * type without losing precision (a 30-digit integer for a varint, 0.1 for a decimal); see
 * literalToBytes.
 */
import type { CqlType } from './types.js';

// --- terms ------------------------------------------------------------------------------------

export type LiteralType = 'string' | 'integer' | 'float' | 'boolean' | 'uuid' | 'hex' | 'duration';

/**
 * A constant. `text` is: string -> its unescaped content; integer / float -> the digits as
 * written with their sign ('-12', '1.5e3'; NaN, Infinity and -Infinity spelled so); boolean ->
 * 'true' / 'false'; uuid -> as written; hex -> '0x...' as written; duration -> as written ('1h30m').
 */
export interface Literal {
  readonly kind: 'literal';
  readonly type: LiteralType;
  readonly text: string;
}
export interface NullTerm {
  readonly kind: 'null';
}
/** `?` (name null) or `:name`. index: the marker's position among all markers of the statement (a batch counts across its statements). */
export interface BindMarker {
  readonly kind: 'bind';
  readonly name: string | null;
  readonly index: number;
}
export interface ListLiteral {
  readonly kind: 'list';
  readonly elements: readonly Term[];
}
/** `{a, b}`; also `{}`, which is an empty map when the receiver is a map (as in Cassandra). */
export interface SetLiteral {
  readonly kind: 'set';
  readonly elements: readonly Term[];
}
export interface MapLiteral {
  readonly kind: 'map';
  readonly entries: readonly (readonly [Term, Term])[];
}
export interface TupleLiteral {
  readonly kind: 'tuple';
  readonly elements: readonly Term[];
}
export interface FunctionName {
  readonly keyspace: string | null;
  readonly name: string;
}
/** now(), uuid(), toTimestamp(now()), blobAsText(0x61), ks.f(1): evaluated by the server. */
export interface FunctionCall {
  readonly kind: 'function';
  readonly name: FunctionName;
  readonly args: readonly Term[];
}
/** `(int) 3`: a type hint on a term. */
export interface TypeCast {
  readonly kind: 'cast';
  readonly type: CqlType;
  readonly term: Term;
}
/** The arithmetic operators, by precedence: * / % bind tighter than + -. */
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

/** `1 + 2`, `? * 3`: arithmetic on terms (Cassandra 4.0), evaluated for the receiver's type. */
export interface Operation {
  readonly kind: 'operation';
  readonly op: ArithmeticOp;
  readonly left: Term;
  readonly right: Term;
}

export type Term = Literal | NullTerm | BindMarker | ListLiteral | SetLiteral | MapLiteral | TupleLiteral | FunctionCall | TypeCast | Operation;

// --- names, relations, conditions ---------------------------------------------------------------

export interface QualifiedName {
  readonly keyspace: string | null;
  readonly name: string;
}

export type CompareOp = '=' | '<' | '<=' | '>' | '>=' | '!=';
export type ContainsOp = 'CONTAINS' | 'CONTAINS KEY';

/** IN's right-hand side: a list of terms, or one bind marker for the whole list (`IN ?`). */
export type InValues = readonly Term[] | BindMarker;

export type Relation =
  /** col op term; CONTAINS / CONTAINS KEY on collections. */
  | { readonly kind: 'compare'; readonly column: string; readonly op: CompareOp | ContainsOp; readonly value: Term }
  /** col IN (a, b) | col IN ? */
  | { readonly kind: 'in'; readonly column: string; readonly values: InValues }
  /** m[key] op term */
  | { readonly kind: 'mapElement'; readonly column: string; readonly key: Term; readonly op: CompareOp; readonly value: Term }
  /** (a, b) op (1, 2) | (a, b) op ?  — value is a tuple literal or a bind marker. */
  | { readonly kind: 'multiCompare'; readonly columns: readonly string[]; readonly op: CompareOp; readonly value: Term }
  /** (a, b) IN ((1, 2), (3, 4)) | (a, b) IN (?, ?) | (a, b) IN ? */
  | { readonly kind: 'multiIn'; readonly columns: readonly string[]; readonly values: InValues }
  /** token(a, b) op term — the term is typically token(...), a literal or a marker. */
  | { readonly kind: 'token'; readonly columns: readonly string[]; readonly op: CompareOp; readonly value: Term }
  /** col IS NOT NULL: parsed (materialized views use it) so that a SELECT can refuse it clearly. */
  | { readonly kind: 'isNotNull'; readonly column: string };

/** An LWT condition (IF ...): col op term, col[elem] op term, col IN ..., col CONTAINS [KEY] term. */
export type Condition =
  | {
      readonly kind: 'compare';
      readonly column: string;
      readonly element: Term | null;
      readonly op: CompareOp | ContainsOp;
      readonly value: Term;
    }
  | { readonly kind: 'in'; readonly column: string; readonly element: Term | null; readonly values: InValues };

/** USING TTL / TIMESTAMP; each an integer literal or a bind marker, null when absent. */
export interface UsingClause {
  readonly ttl: Term | null;
  readonly timestamp: Term | null;
}

// --- SELECT ------------------------------------------------------------------------------------

export type Selector =
  | { readonly kind: 'column'; readonly name: string }
  /** COUNT(*) (COUNT(1) is a function call with a literal argument). */
  | { readonly kind: 'countRows' }
  | { readonly kind: 'writetime'; readonly column: string }
  | { readonly kind: 'ttl'; readonly column: string }
  | { readonly kind: 'function'; readonly name: FunctionName; readonly args: readonly Selector[] }
  | { readonly kind: 'cast'; readonly arg: Selector; readonly type: CqlType }
  /** A constant, NULL or a bind marker used as a selector. */
  | { readonly kind: 'term'; readonly term: Term }
  /** a + b, a * 2: arithmetic on selectors (Cassandra 4.0). */
  | { readonly kind: 'operation'; readonly op: ArithmeticOp; readonly left: Selector; readonly right: Selector }
  /** -a */
  | { readonly kind: 'negate'; readonly arg: Selector }
  /** m['k'] or s['e']: one element of a map or set. */
  | { readonly kind: 'element'; readonly arg: Selector; readonly key: Term }
  /** m['a'..'b'], m[..'b'], m['a'..]: the elements between two bounds (inclusive). */
  | { readonly kind: 'slice'; readonly arg: Selector; readonly from: Term | null; readonly to: Term | null };

export interface SelectItem {
  readonly selector: Selector;
  readonly alias: string | null;
}

export interface Ordering {
  readonly column: string;
  readonly direction: 'ASC' | 'DESC';
}

export interface SelectStatement {
  readonly kind: 'select';
  readonly table: QualifiedName;
  readonly json: boolean;
  readonly distinct: boolean;
  /** null for `*`. */
  readonly selection: readonly SelectItem[] | null;
  readonly where: readonly Relation[];
  readonly groupBy: readonly string[];
  readonly orderBy: readonly Ordering[];
  readonly perPartitionLimit: Term | null;
  readonly limit: Term | null;
  readonly allowFiltering: boolean;
}

// --- modifications ------------------------------------------------------------------------------

export interface InsertStatement {
  readonly kind: 'insert';
  readonly table: QualifiedName;
  readonly columns: readonly string[];
  readonly values: readonly Term[];
  readonly ifNotExists: boolean;
  readonly using: UsingClause;
}

/** INSERT INTO t JSON '...': parsed so that the server can refuse it with a clear message. */
export interface InsertJsonStatement {
  readonly kind: 'insertJson';
  readonly table: QualifiedName;
  /** A string literal or a bind marker. */
  readonly json: Term;
  readonly defaultUnset: boolean;
  readonly ifNotExists: boolean;
  readonly using: UsingClause;
}

export type Assignment =
  /** c = v */
  | { readonly kind: 'set'; readonly column: string; readonly value: Term }
  /** c = c + v, c += v (also counters: c = c + 1; and c = c -1, lexed as c, -1) */
  | { readonly kind: 'add'; readonly column: string; readonly value: Term }
  /** c = c - v, c -= v */
  | { readonly kind: 'subtract'; readonly column: string; readonly value: Term }
  /** c = v + c (list prepend) */
  | { readonly kind: 'prepend'; readonly column: string; readonly value: Term }
  /** c[k] = v (list index or map key) */
  | { readonly kind: 'setElement'; readonly column: string; readonly key: Term; readonly value: Term };

export interface UpdateStatement {
  readonly kind: 'update';
  readonly table: QualifiedName;
  readonly using: UsingClause;
  readonly assignments: readonly Assignment[];
  readonly where: readonly Relation[];
  readonly ifExists: boolean;
  readonly conditions: readonly Condition[];
}

/** A DELETE target: a whole column, or one element (c[k]: list index, map key, set element). */
export interface DeleteTarget {
  readonly column: string;
  readonly element: Term | null;
}

export interface DeleteStatement {
  readonly kind: 'delete';
  readonly table: QualifiedName;
  /** Empty: delete rows (or the partition, or a clustering range). */
  readonly targets: readonly DeleteTarget[];
  /** Only `timestamp` can be set (USING TIMESTAMP); ttl is always null. */
  readonly using: UsingClause;
  readonly where: readonly Relation[];
  readonly ifExists: boolean;
  readonly conditions: readonly Condition[];
}

export type ModificationStatement = InsertStatement | InsertJsonStatement | UpdateStatement | DeleteStatement;

export interface BatchStatement {
  readonly kind: 'batch';
  readonly batchType: 'logged' | 'unlogged' | 'counter';
  readonly using: UsingClause;
  readonly statements: readonly ModificationStatement[];
}

// --- keyspaces and tables -----------------------------------------------------------------------

/** An option value: a constant, a bare word (`caching = ALL`), or a map of constants. */
export type OptionValue =
  | Literal
  | { readonly kind: 'identifier'; readonly name: string }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [Literal, Literal])[] };

/** `name = value` in WITH ... AND ...; names are unique within one statement. */
export interface Option {
  readonly name: string;
  readonly value: OptionValue;
}

export interface UseStatement {
  readonly kind: 'use';
  readonly keyspace: string;
}

export interface TruncateStatement {
  readonly kind: 'truncate';
  readonly table: QualifiedName;
}

export interface CreateKeyspaceStatement {
  readonly kind: 'createKeyspace';
  readonly keyspace: string;
  readonly ifNotExists: boolean;
  readonly options: readonly Option[];
}

export interface AlterKeyspaceStatement {
  readonly kind: 'alterKeyspace';
  readonly keyspace: string;
  readonly ifExists: boolean;
  readonly options: readonly Option[];
}

export interface DropKeyspaceStatement {
  readonly kind: 'dropKeyspace';
  readonly keyspace: string;
  readonly ifExists: boolean;
}

export interface ColumnDefinition {
  readonly name: string;
  readonly type: CqlType;
  readonly isStatic: boolean;
}

export interface CreateTableStatement {
  readonly kind: 'createTable';
  readonly table: QualifiedName;
  readonly ifNotExists: boolean;
  /** In declaration order. */
  readonly columns: readonly ColumnDefinition[];
  /** From `PRIMARY KEY ((a, b), c)` or an inline `a int PRIMARY KEY`; never empty. */
  readonly partitionKey: readonly string[];
  readonly clusteringColumns: readonly string[];
  /** WITH CLUSTERING ORDER BY (...), as written (may name fewer columns than clusteringColumns). */
  readonly clusteringOrder: readonly Ordering[];
  /** WITH COMPACT STORAGE: parsed so that it can be refused. */
  readonly compactStorage: boolean;
  readonly options: readonly Option[];
}

export type AlterTableAction =
  | { readonly kind: 'add'; readonly ifNotExists: boolean; readonly columns: readonly ColumnDefinition[] }
  | { readonly kind: 'drop'; readonly ifExists: boolean; readonly columns: readonly string[]; readonly timestamp: Literal | null }
  | { readonly kind: 'rename'; readonly ifExists: boolean; readonly renames: readonly (readonly [string, string])[] }
  | { readonly kind: 'alterType'; readonly column: string; readonly type: CqlType }
  | { readonly kind: 'dropCompactStorage' }
  | { readonly kind: 'options'; readonly options: readonly Option[] };

export interface AlterTableStatement {
  readonly kind: 'alterTable';
  readonly table: QualifiedName;
  readonly ifExists: boolean;
  readonly action: AlterTableAction;
}

export interface DropTableStatement {
  readonly kind: 'dropTable';
  readonly table: QualifiedName;
  readonly ifExists: boolean;
}

/**
 * A statement Ringtail recognizes but does not implement (CREATE INDEX, CREATE TYPE, roles,
 * GRANT, DESCRIBE, ...). Only its leading words are checked; `what` names it ('CREATE INDEX')
 * and `text` is its source, so the server can answer "CREATE INDEX is not supported".
 */
export interface UnsupportedStatement {
  readonly kind: 'unsupported';
  readonly what: string;
  readonly text: string;
}

export type Statement =
  | SelectStatement
  | InsertStatement
  | InsertJsonStatement
  | UpdateStatement
  | DeleteStatement
  | BatchStatement
  | UseStatement
  | TruncateStatement
  | CreateKeyspaceStatement
  | AlterKeyspaceStatement
  | DropKeyspaceStatement
  | CreateTableStatement
  | AlterTableStatement
  | DropTableStatement
  | UnsupportedStatement;

/** One statement of a script: the statement and its source text (without the ';'). */
export interface ScriptStatement {
  readonly statement: Statement;
  readonly text: string;
  /** 1-based line where the statement starts. */
  readonly line: number;
}

/**
 * WHERE clauses: which partitions, which clustering slices, which rows to filter — checked with
 * Cassandra's rules and messages (StatementRestrictions and its restriction sets), then bound per
 * execution into keys, token bounds, byte-comparable slices and row filters.
 *
 * Shapes a SELECT accepts without ALLOW FILTERING:
 *   partition key   every column = or IN (a set of partitions), or token(k..) bounds, or nothing
 *   clustering      a prefix of = / IN columns, then at most one slice (single- or multi-column)
 *   other columns   never (there are no secondary indexes)
 * With ALLOW FILTERING the rest becomes row filters. UPDATE needs the full primary key by = / IN;
 * DELETE a partition key and a clustering prefix, the last column of which may be a slice.
 */
import {
  compareValues,
  invalidRequest,
  listOf,
  typeToString,
  isCollection,
  isFrozen,
  unpackCollection,
  tupleOf,
  CqlTypes,
  type BindMarker,
  type CompareOp,
  type CqlType,
  type InValues,
  type Relation,
  type Term,
} from '../cql-lite/index.js';
import type { Partitioner } from '../ring/index.js';
import { MAX_TOKEN, MIN_TOKEN } from '../ring/index.js';
import { clusteringTypes, partitionKeyOf, type ColumnMetadata, type TableMetadata } from '../schema/index.js';
import { encodeClustering, sliceFor, tupleSlices, FULL_SLICE, type ByteRange, type ClusteringSlice, type TupleBound, type ValueBound } from '../storage/index.js';
import { UNSET, type BoundValue, type ColumnSpec } from './api.js';
import { prepareTerm, spec, Variables, type EvalContext, type TermFn } from './terms.js';

export const ALLOW_FILTERING_MESSAGE =
  'Cannot execute this query as it might involve data filtering and thus may have unpredictable performance. If you want to execute this query despite the performance unpredictability, use ALLOW FILTERING';

export type StatementKind = 'select' | 'update' | 'delete';

interface Bound {
  readonly value: TermFn;
  readonly inclusive: boolean;
}

/** One column's restriction from single-column relations. */
type SingleRestriction =
  | { readonly kind: 'eq'; readonly value: TermFn }
  | { readonly kind: 'in'; readonly values: TermFn[] }
  | { readonly kind: 'inList'; readonly list: TermFn }
  | { kind: 'slice'; lower?: Bound; upper?: Bound };

/** A restriction on several clustering columns at once: (c1, c2) op (...). */
type MultiRestriction =
  | { readonly kind: 'multiEq'; readonly columns: readonly ColumnMetadata[]; readonly value: TermFn }
  | { readonly kind: 'multiIn'; readonly columns: readonly ColumnMetadata[]; readonly values: TermFn[] | null; readonly list: TermFn | null }
  | { kind: 'multiSlice'; readonly columns: readonly ColumnMetadata[]; lower?: { value: TermFn; inclusive: boolean; width: number }; upper?: { value: TermFn; inclusive: boolean; width: number } };

/** A row filter (ALLOW FILTERING, or a restriction that cannot use the clustering order). */
export interface Filter {
  readonly column: ColumnMetadata;
  readonly op: CompareOp | 'IN' | 'CONTAINS' | 'CONTAINS KEY' | 'MAP_ELEMENT';
  readonly value: TermFn;
  /** IN: each value; MAP_ELEMENT: the key. */
  readonly values?: TermFn[];
  readonly key?: TermFn;
}

export interface BoundFilter {
  readonly column: ColumnMetadata;
  readonly op: Filter['op'];
  readonly value: Buffer | null;
  readonly values?: (Buffer | null)[];
  readonly key?: Buffer | null;
}

export class WhereClause {
  /** Partition key columns restricted by = / IN, by position; all or none of them. */
  readonly partitionKey: (SingleRestriction | undefined)[];
  tokenLower: Bound | null = null;
  tokenUpper: Bound | null = null;
  tokenEq: TermFn | null = null;
  /** Clustering restrictions usable as slices, by column position (single) or as one multi. */
  readonly clustering: (SingleRestriction | undefined)[];
  multi: MultiRestriction | null = null;
  readonly filters: Filter[] = [];
  /** Whether the partition key selects specific partitions (else: a token-range scan). */
  keyLookup = false;
  hasClusteringRestrictions = false;

  constructor(readonly table: TableMetadata) {
    this.partitionKey = new Array(table.partitionKey.length);
    this.clustering = new Array(table.clustering.length);
  }

  /** Columns of the where clause by restriction kind, for statement-specific checks. */
  isPartitionKeyFullyRestricted(): boolean {
    return this.keyLookup;
  }

  /** True when the clustering restrictions (if any) pin every clustering column by = / IN. */
  clusteringFullyEq(): boolean {
    if (this.multi !== null) {
      if (this.multi.kind === 'multiSlice') return false;
      const fixed = this.clustering.filter((r) => r !== undefined).length + this.multi.columns.length;
      return fixed === this.table.clustering.length;
    }
    return this.clustering.every((r) => r !== undefined && r.kind !== 'slice');
  }

  clusteringHasSlice(): boolean {
    return this.multi?.kind === 'multiSlice' || this.clustering.some((r) => r?.kind === 'slice');
  }
}

function columnSpec(table: TableMetadata, c: ColumnMetadata): ColumnSpec {
  return { keyspace: table.keyspace, table: table.name, name: c.name, type: c.type };
}

function undefinedColumn(table: TableMetadata, name: string): Error {
  return invalidRequest(`Undefined column name ${name} in table ${table.keyspace}.${table.name}`);
}

function prepareInValues(values: InValues, receiver: ColumnSpec, vars: Variables): { values: TermFn[] | null; list: TermFn | null } {
  if (!Array.isArray(values)) {
    const marker = values as BindMarker;
    return { values: null, list: prepareTerm(marker, spec(receiver, `in(${receiver.name})`, listOf(receiver.type)), vars) };
  }
  return { values: (values as readonly Term[]).map((t) => prepareTerm(t, receiver, vars)), list: null };
}

function singleOpName(op: string): string {
  return op;
}

/**
 * Checks a WHERE clause and prepares its terms. `allowFiltering` is the SELECT's ALLOW FILTERING
 * (false for modifications).
 */
export function prepareWhere(table: TableMetadata, where: readonly Relation[], kind: StatementKind, allowFiltering: boolean, vars: Variables): WhereClause {
  const w = new WhereClause(table);
  const pkRestricted: (SingleRestriction | undefined)[] = new Array(table.partitionKey.length);
  const ckSingle: (SingleRestriction | undefined)[] = new Array(table.clustering.length);
  const pkFilters: Filter[] = [];
  let tokenSeen = false;
  const multis: MultiRestriction[] = [];

  const addSlice = (target: (SingleRestriction | undefined)[], pos: number, column: ColumnMetadata, op: CompareOp, value: TermFn): void => {
    const existing = target[pos];
    if (existing !== undefined && existing.kind !== 'slice') {
      throw invalidRequest(`Column "${column.name}" cannot be restricted by both an equality and an inequality relation`);
    }
    const s: { kind: 'slice'; lower?: Bound; upper?: Bound } = existing ?? { kind: 'slice' };
    const isLower = op === '>' || op === '>=';
    if (isLower && s.lower !== undefined) throw invalidRequest(`More than one restriction was found for the start bound on ${column.name}`);
    if (!isLower && s.upper !== undefined) throw invalidRequest(`More than one restriction was found for the end bound on ${column.name}`);
    const b = { value, inclusive: op === '>=' || op === '<=' };
    if (isLower) s.lower = b;
    else s.upper = b;
    target[pos] = s;
  };

  const addEq = (target: (SingleRestriction | undefined)[], pos: number, column: ColumnMetadata, r: SingleRestriction): void => {
    const existing = target[pos];
    if (existing !== undefined) {
      if (existing.kind === 'slice') throw invalidRequest(`Column "${column.name}" cannot be restricted by both an equality and an inequality relation`);
      if (r.kind === 'eq') throw invalidRequest(`${column.name} cannot be restricted by more than one relation if it includes an Equal`);
      throw invalidRequest(`${column.name} cannot be restricted by more than one relation if it includes a IN`);
    }
    target[pos] = r;
  };

  for (const rel of where) {
    switch (rel.kind) {
      case 'token': {
        if (kind !== 'select') throw invalidRequest(`The token function cannot be used in WHERE clauses for ${kind === 'update' ? 'UPDATE' : 'DELETE'} statements`);
        const cols = rel.columns.map((n) => {
          const c = table.columns.get(n);
          if (c === undefined) throw undefinedColumn(table, n);
          return c;
        });
        if (cols.some((c) => c.kind !== 'partition_key') || cols.length !== table.partitionKey.length) {
          if (cols.every((c) => c.kind === 'partition_key')) throw invalidRequest(`The token() function must be applied to all partition key components or none of them`);
          throw invalidRequest(`The token function arguments must be in the partition key order: ${table.partitionKey.map((c) => c.name).join(', ')}`);
        }
        if (cols.some((c, i) => c.position !== i)) {
          throw invalidRequest(`The token function arguments must be in the partition key order: ${table.partitionKey.map((c) => c.name).join(', ')}`);
        }
        if (rel.op === '!=') throw invalidRequest(`Unsupported "!=" relation: token(${rel.columns.join(', ')}) != ...`);
        const receiver: ColumnSpec = { keyspace: table.keyspace, table: table.name, name: 'partition key token', type: CqlTypes.bigint };
        const value = prepareTokenTerm(rel.value, table, receiver, vars);
        tokenSeen = true;
        if (rel.op === '=') {
          if (w.tokenEq !== null || w.tokenLower !== null || w.tokenUpper !== null) throw invalidRequest('More than one restriction was found for the token');
          w.tokenEq = value;
        } else if (rel.op === '>' || rel.op === '>=') {
          if (w.tokenLower !== null || w.tokenEq !== null) throw invalidRequest('More than one restriction was found for the start bound on the token');
          w.tokenLower = { value, inclusive: rel.op === '>=' };
        } else {
          if (w.tokenUpper !== null || w.tokenEq !== null) throw invalidRequest('More than one restriction was found for the end bound on the token');
          w.tokenUpper = { value, inclusive: rel.op === '<=' };
        }
        break;
      }
      case 'multiCompare':
      case 'multiIn': {
        const cols = rel.columns.map((n) => {
          const c = table.columns.get(n);
          if (c === undefined) throw undefinedColumn(table, n);
          if (c.kind !== 'clustering') throw invalidRequest(`Multi-column relations can only be applied to clustering columns but was applied to: ${c.name}`);
          return c;
        });
        for (let i = 1; i < cols.length; i++) {
          if (cols[i]!.position !== cols[i - 1]!.position + 1) {
            throw invalidRequest(`Clustering columns must appear in the PRIMARY KEY order in multi-column relations: (${rel.columns.join(', ')})`);
          }
        }
        const tupleType = tupleOf(cols.map((c) => c.type));
        const receiver: ColumnSpec = { keyspace: table.keyspace, table: table.name, name: `(${rel.columns.join(',')})`, type: tupleType };
        if (rel.kind === 'multiIn') {
          const { values, list } = prepareInValues(rel.values, receiver, vars);
          multis.push({ kind: 'multiIn', columns: cols, values, list });
        } else if (rel.op === '=') {
          multis.push({ kind: 'multiEq', columns: cols, value: prepareTerm(rel.value, receiver, vars) });
        } else if (rel.op === '!=') {
          throw invalidRequest(`Unsupported "!=" relation: (${rel.columns.join(', ')}) != ...`);
        } else {
          const value = prepareTerm(rel.value, receiver, vars);
          const existing = multis.find((m) => m.kind === 'multiSlice') as Extract<MultiRestriction, { kind: 'multiSlice' }> | undefined;
          const target = existing ?? { kind: 'multiSlice' as const, columns: cols };
          const isLower = rel.op === '>' || rel.op === '>=';
          const b = { value, inclusive: rel.op === '>=' || rel.op === '<=', width: cols.length };
          if (cols[0]!.position !== target.columns[0]!.position) {
            throw invalidRequest(`Mixing single column relations and multi column relations on clustering columns is not allowed`);
          }
          if (isLower) {
            if (target.lower !== undefined) throw invalidRequest(`More than one restriction was found for the start bound on ${cols[0]!.name}`);
            target.lower = b;
          } else {
            if (target.upper !== undefined) throw invalidRequest(`More than one restriction was found for the end bound on ${cols[0]!.name}`);
            target.upper = b;
          }
          if (existing === undefined) multis.push(target);
        }
        break;
      }
      case 'compare':
      case 'in':
      case 'mapElement': {
        const column = table.columns.get(rel.column);
        if (column === undefined) throw undefinedColumn(table, rel.column);
        const receiver = columnSpec(table, column);
        const isKey = column.kind === 'partition_key' || column.kind === 'clustering';
        if (kind !== 'select' && !isKey) {
          throw invalidRequest(`Non PRIMARY KEY columns found in where clause: ${column.name} `.trimEnd());
        }
        if (rel.kind === 'mapElement') {
          if (column.type.kind !== 'map') throw invalidRequest(`Column ${column.name} cannot be used as a map`);
          const key = prepareTerm(rel.key, spec(receiver, `key(${column.name})`, column.type.key), vars);
          const value = prepareTerm(rel.value, spec(receiver, `value(${column.name})`, column.type.value), vars);
          if (rel.op !== '=') throw invalidRequest(`Unsupported "${rel.op}" relation: ${column.name}[...] ${rel.op} ...`);
          w.filters.push({ column, op: 'MAP_ELEMENT', value, key });
          break;
        }
        if (rel.kind === 'compare' && (rel.op === 'CONTAINS' || rel.op === 'CONTAINS KEY')) {
          if (!isCollection(column.type)) throw invalidRequest(`Cannot use ${rel.op} on non-collection column ${column.name}`);
          if (rel.op === 'CONTAINS KEY' && column.type.kind !== 'map') throw invalidRequest(`Cannot use CONTAINS KEY on non-map column ${column.name}`);
          const t = column.type;
          const elementType = rel.op === 'CONTAINS KEY' ? (t as { key: CqlType }).key : t.kind === 'map' ? t.value : (t as { element: CqlType }).element;
          const value = prepareTerm(rel.value, spec(receiver, `value(${column.name})`, elementType), vars);
          w.filters.push({ column, op: rel.op, value });
          break;
        }
        if (rel.kind === 'compare' && rel.op === '!=') throw invalidRequest(`Unsupported "!=" relation: ${column.name} != ${'...'}`);
        if (isCollection(column.type) && !isFrozen(column.type)) {
          throw invalidRequest(`Collection column '${column.name}' (${typeToString(column.type)}) cannot be restricted by a '${rel.kind === 'in' ? 'IN' : (rel as { op: string }).op}' relation`);
        }
        let r: SingleRestriction;
        if (rel.kind === 'in') {
          const { values, list } = prepareInValues(rel.values, receiver, vars);
          r = values !== null ? { kind: 'in', values } : { kind: 'inList', list: list! };
        } else {
          const value = prepareTerm(rel.value, receiver, vars);
          if (rel.op === '=') r = { kind: 'eq', value };
          else {
            // A slice: collected per column below.
            if (column.kind === 'partition_key') {
              if (kind !== 'select' || !allowFiltering) {
                throw invalidRequest('Only EQ and IN relation are supported on the partition key (unless you use the token() function)');
              }
              pkFilters.push({ column, op: rel.op as CompareOp, value });
              break;
            }
            if (column.kind === 'clustering') {
              if (kind === 'update') throw invalidRequest(`Slice restrictions are not supported on the clustering columns in UPDATE statements`);
              addSlice(ckSingle, column.position, column, rel.op as CompareOp, value);
            } else {
              w.filters.push({ column, op: rel.op as CompareOp, value });
            }
            break;
          }
        }
        if (column.kind === 'partition_key') addEq(pkRestricted, column.position, column, r);
        else if (column.kind === 'clustering') addEq(ckSingle, column.position, column, r);
        else if (r.kind === 'eq') w.filters.push({ column, op: '=', value: r.value });
        else if (r.kind === 'in') w.filters.push({ column, op: 'IN', value: r.values[0] ?? (() => null), values: r.values });
        else w.filters.push({ column, op: 'IN', value: r.list, values: undefined });
        break;
      }
    }
  }

  // Partition key.
  const pkCount = pkRestricted.filter((r) => r !== undefined).length;
  if (tokenSeen && pkCount > 0) {
    throw invalidRequest(`Columns "${table.partitionKey.filter((_, i) => pkRestricted[i] !== undefined).map((c) => c.name).join(', ')}" cannot be restricted by both a normal relation and a token relation`);
  }
  if (pkCount === table.partitionKey.length) {
    w.keyLookup = true;
    pkRestricted.forEach((r, i) => (w.partitionKey[i] = r));
  } else if (kind !== 'select') {
    const missing = table.partitionKey.filter((_, i) => pkRestricted[i] === undefined).map((c) => c.name);
    throw invalidRequest(`Some partition key parts are missing: ${missing.join(', ')}`);
  } else if (pkCount > 0 || pkFilters.length > 0) {
    if (!allowFiltering) throw invalidRequest(ALLOW_FILTERING_MESSAGE);
    pkRestricted.forEach((r, i) => {
      if (r === undefined) return;
      const column = table.partitionKey[i]!;
      if (r.kind === 'eq') w.filters.push({ column, op: '=', value: r.value });
      else if (r.kind === 'in') w.filters.push({ column, op: 'IN', value: r.values[0] ?? (() => null), values: r.values });
      else w.filters.push({ column, op: 'IN', value: (r as Extract<SingleRestriction, { kind: 'inList' }>).list });
    });
  }
  w.filters.push(...pkFilters);

  // Clustering columns.
  if (multis.length > 0) {
    if (ckSingle.some((r, i) => r !== undefined && i >= multis[0]!.columns[0]!.position)) {
      throw invalidRequest('Mixing single column relations and multi column relations on clustering columns is not allowed');
    }
    if (multis.length > 1) throw invalidRequest(`${multis[0]!.columns[0]!.name} cannot be restricted by more than one relation if it includes an Equal`);
  }
  const multi = multis[0] ?? null;
  // The usable prefix: = / IN columns from the first one on, then at most one slice.
  let prefixEnd = 0;
  let sliceAt = -1;
  const clusteringFilters: number[] = [];
  const firstMulti = multi === null ? Infinity : multi.columns[0]!.position;
  for (let i = 0; i < table.clustering.length; i++) {
    const r = ckSingle[i];
    if (i >= firstMulti) break;
    if (r === undefined) continue;
    const column = table.clustering[i]!;
    const precedingGap = prefixEnd < i;
    const afterSlice = sliceAt >= 0;
    if (precedingGap || afterSlice) {
      const reasonColumn = afterSlice ? table.clustering[sliceAt]! : table.clustering[prefixEnd]!;
      if (kind === 'select' && allowFiltering) {
        clusteringFilters.push(i);
        continue;
      }
      if (afterSlice) throw invalidRequest(`Clustering column "${column.name}" cannot be restricted (preceding column "${reasonColumn.name}" is restricted by a non-EQ relation)`);
      throw invalidRequest(`PRIMARY KEY column "${column.name}" cannot be restricted as preceding column "${reasonColumn.name}" is not restricted`);
    }
    if (r.kind === 'slice') sliceAt = i;
    prefixEnd = i + 1;
  }
  if (multi !== null) {
    if (firstMulti !== prefixEnd || sliceAt >= 0) {
      const preceding = table.clustering[sliceAt >= 0 ? sliceAt : prefixEnd]!;
      throw invalidRequest(`PRIMARY KEY column "${multi.columns[0]!.name}" cannot be restricted as preceding column "${preceding.name}" is not restricted`);
    }
    w.multi = multi;
  }
  for (let i = 0; i < table.clustering.length; i++) {
    const r = ckSingle[i];
    if (r === undefined) continue;
    if (clusteringFilters.includes(i)) {
      const column = table.clustering[i]!;
      if (r.kind === 'eq') w.filters.push({ column, op: '=', value: r.value });
      else if (r.kind === 'in') w.filters.push({ column, op: 'IN', value: r.values[0] ?? (() => null), values: r.values });
      else if (r.kind === 'inList') w.filters.push({ column, op: 'IN', value: r.list });
      else {
        if (r.lower) w.filters.push({ column, op: r.lower.inclusive ? '>=' : '>', value: r.lower.value });
        if (r.upper) w.filters.push({ column, op: r.upper.inclusive ? '<=' : '<', value: r.upper.value });
      }
    } else {
      w.clustering[i] = r;
    }
  }
  w.hasClusteringRestrictions = w.clustering.some((r) => r !== undefined) || w.multi !== null;

  if (kind === 'select') {
    const needsFiltering = w.filters.length > 0 || (!w.keyLookup && w.hasClusteringRestrictions);
    if (needsFiltering && !allowFiltering) throw invalidRequest(ALLOW_FILTERING_MESSAGE);
  }
  if (kind === 'update' && multi?.kind === 'multiSlice') throw invalidRequest('Slice restrictions are not supported on the clustering columns in UPDATE statements');
  void singleOpName;
  return w;
}

/** token(k) op X: X is a token literal or marker, or token(values...) of literal key values. */
function prepareTokenTerm(term: Term, table: TableMetadata, receiver: ColumnSpec, vars: Variables): TermFn {
  if (term.kind === 'function' && term.name.name === 'token' && term.name.keyspace === null) {
    if (term.args.length !== table.partitionKey.length) {
      throw invalidRequest(`Invalid number of arguments in call to function token: ${table.partitionKey.length} required but ${term.args.length} provided`);
    }
    const parts = term.args.map((a, i) => prepareTerm(a, columnSpec(table, table.partitionKey[i]!), vars));
    return (ctx) => {
      const values = parts.map((p) => p(ctx));
      if (values.some((v) => v === null || v === UNSET)) return null;
      const token = (ctx as BindContext).partitioner.tokenOf(partitionKeyOf(table, values as Buffer[]));
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(token, 0);
      return b;
    };
  }
  return prepareTerm(term, receiver, vars);
}

/** What binding a WHERE clause needs beyond the terms' context. */
export interface BindContext extends EvalContext {
  readonly partitioner: Partitioner;
}

function required(v: BoundValue, column: ColumnMetadata, what: 'partition' | 'clustering'): Buffer {
  if (v === UNSET) throw invalidRequest(`Invalid unset value for column ${column.name}`);
  if (v === null) throw invalidRequest(what === 'partition' ? `Invalid null value for partition key part ${column.name}` : `Invalid null value for clustering key part ${column.name}`);
  return v;
}

function listValues(list: BoundValue, column: ColumnMetadata): Buffer[] {
  if (list === UNSET) throw invalidRequest(`Invalid unset value for column ${column.name}`);
  if (list === null) throw invalidRequest(`Invalid null value for column ${column.name}`);
  return unpackCollection(list, false);
}

function inValues(r: Extract<SingleRestriction, { kind: 'in' | 'inList' }>, column: ColumnMetadata, ctx: BindContext): Buffer[] {
  const raw = r.kind === 'in' ? r.values.map((v) => v(ctx)) : listValues(r.list(ctx), column);
  const out: Buffer[] = [];
  for (const v of raw) {
    if (v === UNSET) throw invalidRequest(`Invalid unset value for column ${column.name}`);
    if (v === null) throw invalidRequest(`Invalid null value in condition for column ${column.name}`);
    out.push(v);
  }
  // IN values are a set: sorted in the column type's order, duplicates removed (Cassandra's InRestriction).
  out.sort((a, b) => compareValues(column.type, a, b));
  return out.filter((v, i) => i === 0 || compareValues(column.type, out[i - 1]!, v) !== 0);
}

function valuesOf(r: SingleRestriction, column: ColumnMetadata, ctx: BindContext, what: 'partition' | 'clustering'): Buffer[] {
  if (r.kind === 'eq') return [required(r.value(ctx), column, what)];
  if (r.kind === 'in' || r.kind === 'inList') return inValues(r, column, ctx);
  throw new Error('a slice has no values');
}

export interface BoundKey {
  readonly key: Buffer;
  readonly token: bigint;
}

/** The partition keys a key-lookup WHERE selects, in token order, without duplicates. */
export function bindKeys(w: WhereClause, ctx: BindContext): BoundKey[] {
  const table = w.table;
  let combos: Buffer[][] = [[]];
  for (let i = 0; i < table.partitionKey.length; i++) {
    const column = table.partitionKey[i]!;
    const values = valuesOf(w.partitionKey[i]!, column, ctx, 'partition');
    const next: Buffer[][] = [];
    for (const c of combos) for (const v of values) next.push([...c, v]);
    combos = next;
  }
  const out: BoundKey[] = [];
  const seen = new Set<string>();
  for (const values of combos) {
    const key = partitionKeyOf(table, values);
    if (key.length === 0) throw invalidRequest('Key may not be empty');
    if (key.length > 0xffff) throw invalidRequest(`Key length of ${key.length} is longer than maximum of 65535`);
    const k = key.toString('latin1');
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ key, token: ctx.partitioner.tokenOf(key) });
  }
  return out;
}

/** Inclusive token bounds of a token() restriction; null when it selects nothing. */
export function bindTokenRange(w: WhereClause, ctx: BindContext): { start: bigint; end: bigint } | null {
  const read = (f: TermFn): bigint => {
    const v = f(ctx);
    if (v === null || v === UNSET) throw invalidRequest('Invalid null value for partition key token');
    return v.readBigInt64BE(0);
  };
  let start = MIN_TOKEN + 1n;
  let end = MAX_TOKEN;
  if (w.tokenEq !== null) {
    const t = read(w.tokenEq);
    start = t;
    end = t;
  }
  if (w.tokenLower !== null) {
    const t = read(w.tokenLower.value);
    start = w.tokenLower.inclusive ? t : t + 1n;
  }
  if (w.tokenUpper !== null) {
    const t = read(w.tokenUpper.value);
    end = w.tokenUpper.inclusive ? t : t - 1n;
  }
  if (start <= MIN_TOKEN) start = MIN_TOKEN + 1n;
  // Cassandra reads token(k) > a AND token(k) <= b with a >= b as a wrapping range only for
  // internal queries; a CQL query with start > end selects nothing.
  if (start > end) return null;
  return { start, end };
}

function boundOf(b: Bound | undefined, ctx: BindContext, column: ColumnMetadata): ValueBound | undefined {
  if (b === undefined) return undefined;
  return { value: required(b.value(ctx), column, 'clustering'), inclusive: b.inclusive };
}

function tupleComponents(v: BoundValue, width: number, what: string): Buffer[] {
  if (v === UNSET || v === null) throw invalidRequest(`Invalid ${v === null ? 'null' : 'unset'} value for ${what}`);
  const out: Buffer[] = [];
  let pos = 0;
  for (let i = 0; i < width && pos < v.length; i++) {
    const len = v.readInt32BE(pos);
    if (len < 0) throw invalidRequest(`Invalid null value in condition for column ${what}`);
    out.push(v.subarray(pos + 4, pos + 4 + len));
    pos += 4 + len;
  }
  if (out.length !== width) throw invalidRequest(`Expected ${width} elements in value tuple, but got ${out.length}`);
  return out;
}

/**
 * The byte ranges of clusterings selected, sorted and disjoint. Without clustering restrictions,
 * the whole partition. An empty list selects no row.
 */
export function bindSlices(w: WhereClause, ctx: BindContext): ClusteringSlice[] {
  const table = w.table;
  if (!w.hasClusteringRestrictions) return [FULL_SLICE];
  const types = clusteringTypes(table);
  let prefixes: Buffer[][] = [[]];
  let i = 0;
  let ranges: ByteRange[] | null = null;
  for (; i < table.clustering.length; i++) {
    const r = w.clustering[i];
    if (r === undefined) break;
    const column = table.clustering[i]!;
    if (r.kind === 'slice') {
      const lower = boundOf(r.lower, ctx, column);
      const upper = boundOf(r.upper, ctx, column);
      ranges = prefixes.map((p) => sliceFor(types, p, lower, upper));
      break;
    }
    const values = valuesOf(r, column, ctx, 'clustering');
    const next: Buffer[][] = [];
    for (const p of prefixes) for (const v of values) next.push([...p, v]);
    prefixes = next;
  }
  if (ranges === null && w.multi !== null) {
    const m = w.multi;
    const names = `(${m.columns.map((c) => c.name).join(',')})`;
    if (m.kind === 'multiEq' || m.kind === 'multiIn') {
      const tuples: BoundValue[] = m.kind === 'multiEq' ? [m.value(ctx)] : m.values !== null ? m.values.map((v) => v(ctx)) : listValues(m.list!(ctx), m.columns[0]!);
      const next: Buffer[][] = [];
      for (const p of prefixes) for (const t of tuples) next.push([...p, ...tupleComponents(t, m.columns.length, names)]);
      prefixes = next;
    } else {
      const tb = (b: { value: TermFn; inclusive: boolean; width: number } | undefined): TupleBound | undefined =>
        b === undefined ? undefined : { values: tupleComponents(b.value(ctx), b.width, names), inclusive: b.inclusive };
      const lower = tb(m.lower);
      const upper = tb(m.upper);
      ranges = prefixes.flatMap((p) => tupleSlices(types, p, lower, upper));
    }
  }
  if (ranges === null) ranges = prefixes.map((p) => sliceFor(types, p));
  const nonEmpty = ranges.filter((r) => Buffer.compare(r.start, r.end) < 0);
  nonEmpty.sort((a, b) => Buffer.compare(a.start, b.start));
  const out: ClusteringSlice[] = [];
  for (const r of nonEmpty) {
    const last = out[out.length - 1];
    if (last !== undefined && Buffer.compare(r.start, last.end) <= 0) {
      if (Buffer.compare(r.end, last.end) > 0) out[out.length - 1] = { start: last.start, end: r.end };
    } else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** The full clusterings of an UPDATE (or a row DELETE): every combination of = / IN values. */
export function bindClusterings(w: WhereClause, ctx: BindContext): Buffer[] {
  const table = w.table;
  let combos: Buffer[][] = [[]];
  for (let i = 0; i < table.clustering.length; i++) {
    const r = w.clustering[i];
    if (r === undefined) break;
    const values = valuesOf(r, table.clustering[i]!, ctx, 'clustering');
    const next: Buffer[][] = [];
    for (const c of combos) for (const v of values) next.push([...c, v]);
    combos = next;
  }
  if (w.multi !== null && w.multi.kind !== 'multiSlice') {
    const m = w.multi;
    const names = `(${m.columns.map((c) => c.name).join(',')})`;
    const tuples: BoundValue[] = m.kind === 'multiEq' ? [m.value(ctx)] : m.values !== null ? m.values.map((v) => v(ctx)) : listValues(m.list!(ctx), m.columns[0]!);
    const next: Buffer[][] = [];
    for (const c of combos) for (const t of tuples) next.push([...c, ...tupleComponents(t, m.columns.length, names)]);
    combos = next;
  }
  const types = clusteringTypes(table);
  const seen = new Set<string>();
  const out: Buffer[] = [];
  for (const values of combos) {
    const enc = encodeClustering(types, values);
    const k = enc.toString('latin1');
    if (!seen.has(k)) {
      seen.add(k);
      out.push(enc);
    }
  }
  return out.sort(Buffer.compare);
}

export function bindFilters(filters: readonly Filter[], ctx: BindContext): BoundFilter[] {
  return filters.map((f) => {
    const v = f.value(ctx);
    if (v === UNSET) throw invalidRequest(`Invalid unset value for column ${f.column.name}`);
    let values: (Buffer | null)[] | undefined;
    if (f.op === 'IN') {
      if (f.values !== undefined) values = f.values.map((x) => {
        const b = x(ctx);
        return b === UNSET ? null : b;
      });
      else values = v === null ? [] : unpackCollection(v, false);
    }
    const key = f.key === undefined ? undefined : f.key(ctx);
    return { column: f.column, op: f.op, value: v, values, key: key === UNSET ? null : key };
  });
}

/** Whether a column value passes a bound filter (null passes nothing, as in Cassandra). */
export function passes(f: BoundFilter, value: Buffer | null): boolean {
  if (value === null) return false;
  const t = f.column.type;
  switch (f.op) {
    case '=':
      return f.value !== null && compareValues(t, value, f.value) === 0;
    case '<':
      return f.value !== null && compareValues(t, value, f.value) < 0;
    case '<=':
      return f.value !== null && compareValues(t, value, f.value) <= 0;
    case '>':
      return f.value !== null && compareValues(t, value, f.value) > 0;
    case '>=':
      return f.value !== null && compareValues(t, value, f.value) >= 0;
    case '!=':
      return f.value !== null && compareValues(t, value, f.value) !== 0;
    case 'IN':
      return (f.values ?? []).some((v) => v !== null && compareValues(t, value, v) === 0);
    case 'CONTAINS': {
      if (f.value === null) return false;
      const isMap = t.kind === 'map';
      const parts = unpackCollection(value, isMap);
      const et = t.kind === 'map' ? t.value : (t as { element: CqlType }).element;
      for (let i = isMap ? 1 : 0; i < parts.length; i += isMap ? 2 : 1) if (compareValues(et, parts[i]!, f.value) === 0) return true;
      return false;
    }
    case 'CONTAINS KEY': {
      if (f.value === null || t.kind !== 'map') return false;
      const parts = unpackCollection(value, true);
      for (let i = 0; i < parts.length; i += 2) if (compareValues(t.key, parts[i]!, f.value) === 0) return true;
      return false;
    }
    case 'MAP_ELEMENT': {
      if (f.value === null || f.key === null || f.key === undefined || t.kind !== 'map') return false;
      const parts = unpackCollection(value, true);
      for (let i = 0; i < parts.length; i += 2) if (compareValues(t.key, parts[i]!, f.key) === 0) return compareValues(t.value, parts[i + 1]!, f.value) === 0;
      return false;
    }
  }
}

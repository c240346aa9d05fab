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
  printRelation,
  printTerm,
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
import { encodeClustering, sliceFor, tupleSlices, FULL_SLICE, type ByteRange, type ClusteringSlice, type TupleBound } from '../storage/index.js';
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

/**
 * Clustering restrictions usable by the clustering order, from single- or multi-column relations:
 * = / IN parts covering consecutive columns from the first one, then at most one slice starting
 * at the next column, whose bounds may span different numbers of columns ((b, c) > (1, 2) AND b < 5).
 */
interface EqPart {
  readonly start: number;
  readonly width: number;
  /** Single column: its restriction; multi-column: tuples. */
  readonly single: Extract<SingleRestriction, { kind: 'eq' | 'in' | 'inList' }> | null;
  readonly tuples: { readonly values: TermFn[] | null; readonly list: TermFn | null } | null;
}

interface SliceBound {
  readonly value: TermFn;
  readonly inclusive: boolean;
  readonly width: number;
  /** A single-column bound: the value is the column's, not a tuple. */
  readonly single: boolean;
}

interface SlicePart {
  readonly start: number;
  lower?: SliceBound;
  upper?: SliceBound;
}

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
  /** The = / IN prefix of the clustering, in column order. */
  eqParts: EqPart[] = [];
  /** The slice after the prefix, if any. */
  slice: SlicePart | null = null;
  readonly filters: Filter[] = [];
  /** Whether the partition key selects specific partitions (else: a token-range scan). */
  keyLookup = false;
  /** Key lookup whose keys must also fall within the token bounds. */
  tokenFilter = false;
  hasClusteringRestrictions = false;
  /** Clustering columns restricted by any relation (usable or filtered), for the "missing" messages. */
  readonly restrictedClustering = new Set<number>();

  constructor(readonly table: TableMetadata) {
    this.partitionKey = new Array(table.partitionKey.length);
  }

  /** Columns covered by the = / IN prefix. */
  eqWidth(): number {
    let w = 0;
    for (const p of this.eqParts) w += p.width;
    return w;
  }

  /** True when the clustering restrictions pin every clustering column by = / IN. */
  clusteringFullyEq(): boolean {
    return this.slice === null && this.eqWidth() === this.table.clustering.length;
  }

  clusteringHasSlice(): boolean {
    return this.slice !== null;
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


/**
 * Checks a WHERE clause and prepares its terms. `allowFiltering` is the SELECT's ALLOW FILTERING
 * (false for modifications).
 */
export function prepareWhere(table: TableMetadata, where: readonly Relation[], kind: StatementKind, allowFiltering: boolean, vars: Variables): WhereClause {
  const w = new WhereClause(table);
  const pkRestricted: (SingleRestriction | undefined)[] = new Array(table.partitionKey.length);
  const ckSingle: (SingleRestriction | undefined)[] = new Array(table.clustering.length);
  const multiEq: EqPart[] = [];
  let multiSlice: (SlicePart & { width: number }) | null = null;
  const pkFilters: Filter[] = [];
  let tokenSeen = false;
  const filtering = kind === 'select' && allowFiltering;

  const addSlice = (target: (SingleRestriction | undefined)[], pos: number, column: ColumnMetadata, op: CompareOp, value: TermFn): void => {
    const existing = target[pos];
    if (existing !== undefined && existing.kind !== 'slice') {
      throw invalidRequest(`${column.name} cannot be restricted by more than one relation if it includes ${existing.kind === 'eq' ? 'an Equal' : 'a IN'}`);
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
      throw invalidRequest(`${column.name} cannot be restricted by more than one relation if it includes ${existing.kind === 'eq' ? 'an Equal' : 'a IN'}`);
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
        if (cols.some((c) => c.kind !== 'partition_key')) throw invalidRequest('The token() function must contains only partition key components');
        if (cols.length !== table.partitionKey.length) throw invalidRequest('The token() function must be applied to all partition key components or none of them');
        if (cols.some((c, i) => c.position !== i)) {
          throw invalidRequest(`The token function arguments must be in the partition key order: ${table.partitionKey.map((c) => c.name).join(', ')}`);
        }
        if (rel.op === '!=') throw invalidRequest(`Unsupported "!=" relation: ${printRelation(rel)}`);
        const receiver: ColumnSpec = { keyspace: table.keyspace, table: table.name, name: 'partition key token', type: CqlTypes.bigint };
        const value = prepareTokenTerm(rel.value, table, receiver, vars);
        const names = table.partitionKey.map((c) => c.name).join(', ');
        tokenSeen = true;
        // Cassandra's TokenRestriction merge messages.
        if (rel.op === '=') {
          if (w.tokenEq !== null) throw invalidRequest(`${names} cannot be restricted by more than one relation if it includes an Equal`);
          if (w.tokenLower !== null || w.tokenUpper !== null) throw invalidRequest(`Columns "${names}" cannot be restricted by both an equality and an inequality relation`);
          w.tokenEq = value;
        } else {
          if (w.tokenEq !== null) throw invalidRequest(`${names} cannot be restricted by more than one relation if it includes an Equal`);
          if (rel.op === '>' || rel.op === '>=') {
            if (w.tokenLower !== null) throw invalidRequest(`More than one restriction was found for the start bound on ${names}`);
            w.tokenLower = { value, inclusive: rel.op === '>=' };
          } else {
            if (w.tokenUpper !== null) throw invalidRequest(`More than one restriction was found for the end bound on ${names}`);
            w.tokenUpper = { value, inclusive: rel.op === '<=' };
          }
        }
        break;
      }
      case 'isNotNull':
        throw invalidRequest(`Unsupported restriction: ${printRelation(rel)}`);
      case 'multiCompare':
      case 'multiIn': {
        if (rel.kind === 'multiCompare' && rel.op === '!=') throw invalidRequest(`Unsupported "!=" relation: ${printRelation(rel)}`);
        const cols = rel.columns.map((n) => {
          const c = table.columns.get(n);
          if (c === undefined) throw undefinedColumn(table, n);
          if (c.kind !== 'clustering') throw invalidRequest(`Multi-column relations can only be applied to clustering columns but was applied to: ${c.name}`);
          return c;
        });
        for (let i = 1; i < cols.length; i++) {
          if (cols[i]!.position !== cols[i - 1]!.position + 1) {
            throw invalidRequest(`Clustering columns must appear in the PRIMARY KEY order in multi-column relations: ${printRelation(rel)}`);
          }
        }
        const checkWidth = (t: Term): void => {
          if (t.kind === 'tuple' && t.elements.length !== cols.length) {
            throw invalidRequest(`Expected ${cols.length} elements in value tuple, but got ${t.elements.length}: ${printTerm(t)}`);
          }
        };
        const tupleType = tupleOf(cols.map((c) => c.type));
        const receiver: ColumnSpec = { keyspace: table.keyspace, table: table.name, name: `(${rel.columns.join(',')})`, type: tupleType };
        for (const c of cols) w.restrictedClustering.add(c.position);
        const start = cols[0]!.position;
        if (rel.kind === 'multiIn') {
          if (Array.isArray(rel.values)) (rel.values as readonly Term[]).forEach(checkWidth);
          multiEq.push({ start, width: cols.length, single: null, tuples: prepareInValues(rel.values, receiver, vars) });
        } else if (rel.op === '=') {
          checkWidth(rel.value);
          multiEq.push({ start, width: cols.length, single: null, tuples: { values: [prepareTerm(rel.value, receiver, vars)], list: null } });
        } else {
          checkWidth(rel.value);
          const value = prepareTerm(rel.value, receiver, vars);
          if (multiSlice !== null && multiSlice.start !== start) {
            const later = table.clustering[Math.max(multiSlice.start, start)]!;
            throw invalidRequest(`Column "${later.name}" cannot be restricted by two inequalities not starting with the same column`);
          }
          multiSlice ??= { start, width: cols.length };
          multiSlice.width = Math.max(multiSlice.width, cols.length);
          const isLower = rel.op === '>' || rel.op === '>=';
          const b: SliceBound = { value, inclusive: rel.op === '>=' || rel.op === '<=', width: cols.length, single: false };
          if (isLower) {
            if (multiSlice.lower !== undefined) throw invalidRequest(`More than one restriction was found for the start bound on ${cols[0]!.name}`);
            multiSlice.lower = b;
          } else {
            if (multiSlice.upper !== undefined) throw invalidRequest(`More than one restriction was found for the end bound on ${cols[0]!.name}`);
            multiSlice.upper = b;
          }
        }
        break;
      }
      case 'compare':
      case 'in':
      case 'mapElement': {
        const column = table.columns.get(rel.column);
        if (column === undefined) throw undefinedColumn(table, rel.column);
        if (rel.kind === 'compare' && rel.op === '!=') throw invalidRequest(`Unsupported "!=" relation: ${printRelation(rel)}`);
        const receiver = columnSpec(table, column);
        const isKey = column.kind === 'partition_key' || column.kind === 'clustering';
        if (kind !== 'select' && !isKey) throw invalidRequest(`Non PRIMARY KEY columns found in where clause: ${column.name}`);
        if (column.kind === 'clustering') w.restrictedClustering.add(column.position);
        if (rel.kind === 'mapElement') {
          if (column.type.kind !== 'map') throw invalidRequest(`Column ${column.name} cannot be used as a map`);
          const key = prepareTerm(rel.key, spec(receiver, `key(${column.name})`, column.type.key), vars);
          const value = prepareTerm(rel.value, spec(receiver, `value(${column.name})`, column.type.value), vars);
          if (rel.op !== '=') throw invalidRequest(`Unsupported "${rel.op}" relation: ${printRelation(rel)}`);
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
        if (isCollection(column.type) && !isFrozen(column.type)) {
          throw invalidRequest(`Collection column '${column.name}' (${typeToString(column.type)}) cannot be restricted by a '${rel.kind === 'in' ? 'IN' : (rel as { op: string }).op}' relation`);
        }
        let r: SingleRestriction;
        if (rel.kind === 'in') {
          const { values, list } = prepareInValues(rel.values, receiver, vars);
          r = values !== null ? { kind: 'in', values } : { kind: 'inList', list: list! };
        } else {
          const value = prepareTerm(rel.value, receiver, vars);
          if (rel.op !== '=') {
            if (column.kind === 'partition_key') {
              if (kind !== 'select') throw invalidRequest('Only EQ and IN relation are supported on the partition key (unless you use the token() function)');
              pkFilters.push({ column, op: rel.op as CompareOp, value });
            } else if (column.kind === 'clustering') {
              if (kind === 'update') throw invalidRequest(`Slice restrictions are not supported on the clustering columns in UPDATE statements`);
              addSlice(ckSingle, column.position, column, rel.op as CompareOp, value);
            } else {
              w.filters.push({ column, op: rel.op as CompareOp, value });
            }
            break;
          }
          r = { kind: 'eq', value };
        }
        if (column.kind === 'partition_key') addEq(pkRestricted, column.position, column, r);
        else if (column.kind === 'clustering') addEq(ckSingle, column.position, column, r);
        else w.filters.push(filterOf(column, r));
        break;
      }
    }
  }

  // Partition key.
  const pkCount = pkRestricted.filter((r) => r !== undefined).length;
  // token() beside = / IN on the whole partition key filters the keys (Cassandra's TokenFilter).
  if (tokenSeen && pkCount > 0 && pkCount < table.partitionKey.length) {
    throw invalidRequest(`Columns "${table.partitionKey.filter((_, i) => pkRestricted[i] !== undefined).map((c) => c.name).join(', ')}" cannot be restricted by both a normal relation and a token relation`);
  }
  w.tokenFilter = tokenSeen && pkCount > 0;
  if (pkCount === table.partitionKey.length && pkFilters.length === 0) {
    w.keyLookup = true;
    pkRestricted.forEach((r, i) => (w.partitionKey[i] = r));
  } else if (kind !== 'select') {
    const missing = table.partitionKey.filter((_, i) => pkRestricted[i] === undefined).map((c) => c.name);
    throw invalidRequest(`Some partition key parts are missing: ${missing.join(', ')}`);
  } else if (pkCount > 0 || pkFilters.length > 0) {
    if (!allowFiltering) throw invalidRequest(ALLOW_FILTERING_MESSAGE);
    pkRestricted.forEach((r, i) => {
      if (r !== undefined) w.filters.push(filterOf(table.partitionKey[i]!, r));
    });
  }
  w.filters.push(...pkFilters);

  // Clustering columns: merge single-column relations into the multi-column parts they touch.
  const n = table.clustering.length;
  const eqAt = new Map<number, EqPart>();
  for (const m of multiEq) {
    for (let i = m.start; i < m.start + m.width; i++) {
      const single = ckSingle[i];
      if (single !== undefined || (i !== m.start && eqAt.has(i)) || eqAt.has(m.start)) {
        throw invalidRequest(`${table.clustering[i]!.name} cannot be restricted by more than one relation if it includes an Equal`);
      }
    }
    eqAt.set(m.start, m);
  }
  let slice: SlicePart | null = null;
  if (multiSlice !== null) {
    const ms = multiSlice as SlicePart & { width: number };
    for (const m of multiEq) {
      if (ms.start >= m.start && ms.start < m.start + m.width) {
        throw invalidRequest(`${table.clustering[ms.start]!.name} cannot be restricted by more than one relation if it includes an Equal`);
      }
    }
    for (let i = ms.start; i < ms.start + ms.width; i++) {
      const single = ckSingle[i];
      if (single === undefined) continue;
      const column = table.clustering[i]!;
      if (single.kind !== 'slice') throw invalidRequest(`Column "${column.name}" cannot be restricted by both an equality and an inequality relation`);
      if (i !== ms.start) throw invalidRequest(`Column "${column.name}" cannot be restricted by two inequalities not starting with the same column`);
      if (single.lower !== undefined) {
        if (ms.lower !== undefined) throw invalidRequest(`More than one restriction was found for the start bound on ${column.name}`);
        ms.lower = { value: single.lower.value, inclusive: single.lower.inclusive, width: 1, single: true };
      }
      if (single.upper !== undefined) {
        if (ms.upper !== undefined) throw invalidRequest(`More than one restriction was found for the end bound on ${column.name}`);
        ms.upper = { value: single.upper.value, inclusive: single.upper.inclusive, width: 1, single: true };
      }
      ckSingle[i] = undefined;
    }
    slice = { start: ms.start, ...(ms.lower ? { lower: ms.lower } : {}), ...(ms.upper ? { upper: ms.upper } : {}) };
  }

  // The usable prefix, in column order; whatever is left is a filter (ALLOW FILTERING) or an error.
  let pos = 0;
  let sliceUsed: SlicePart | null = null;
  let stopReason: { column: ColumnMetadata; afterSlice: boolean } | null = null;
  while (pos < n) {
    const m = eqAt.get(pos);
    const single = ckSingle[pos];
    if (m !== undefined) {
      w.eqParts.push(m);
      eqAt.delete(pos);
      pos += m.width;
      continue;
    }
    if (single !== undefined && single.kind !== 'slice') {
      w.eqParts.push({ start: pos, width: 1, single, tuples: null });
      ckSingle[pos] = undefined;
      pos++;
      continue;
    }
    if (slice !== null && slice.start === pos) {
      sliceUsed = slice;
      slice = null;
      stopReason = { column: table.clustering[pos]!, afterSlice: true };
      break;
    }
    if (single !== undefined && single.kind === 'slice') {
      sliceUsed = { start: pos, ...(single.lower ? { lower: { ...single.lower, width: 1, single: true } } : {}), ...(single.upper ? { upper: { ...single.upper, width: 1, single: true } } : {}) };
      ckSingle[pos] = undefined;
      stopReason = { column: table.clustering[pos]!, afterSlice: true };
      break;
    }
    stopReason = { column: table.clustering[pos]!, afterSlice: false };
    break;
  }
  w.slice = sliceUsed;
  const leftovers: number[] = [];
  for (let i = 0; i < n; i++) if (ckSingle[i] !== undefined || eqAt.has(i) || (slice !== null && slice.start === i)) leftovers.push(i);
  for (const i of leftovers) {
    const column = table.clustering[i]!;
    const single = ckSingle[i];
    const canFilter = single !== undefined && !eqAt.has(i) && !(slice !== null && slice.start === i);
    if (filtering && canFilter) {
      if (single.kind === 'slice') {
        if (single.lower) w.filters.push({ column, op: single.lower.inclusive ? '>=' : '>', value: single.lower.value });
        if (single.upper) w.filters.push({ column, op: single.upper.inclusive ? '<=' : '<', value: single.upper.value });
      } else {
        w.filters.push(filterOf(column, single));
      }
      continue;
    }
    if (kind === 'update') continue; // "Some clustering keys are missing" says it better (checked by the statement)
    const reason = stopReason ?? { column: table.clustering[i]!, afterSlice: false };
    if (reason.afterSlice) throw invalidRequest(`Clustering column "${column.name}" cannot be restricted (preceding column "${reason.column.name}" is restricted by a non-EQ relation)`);
    throw invalidRequest(`PRIMARY KEY column "${column.name}" cannot be restricted as preceding column "${reason.column.name}" is not restricted`);
  }
  w.hasClusteringRestrictions = w.eqParts.length > 0 || w.slice !== null;

  if (kind === 'select') {
    const needsFiltering = w.filters.length > 0 || (!w.keyLookup && w.hasClusteringRestrictions);
    if (needsFiltering && !allowFiltering) throw invalidRequest(ALLOW_FILTERING_MESSAGE);
  }
  if (kind === 'update' && w.slice !== null) throw invalidRequest('Slice restrictions are not supported on the clustering columns in UPDATE statements');
  return w;
}

function filterOf(column: ColumnMetadata, r: SingleRestriction): Filter {
  switch (r.kind) {
    case 'eq':
      return { column, op: '=', value: r.value };
    case 'in':
      return { column, op: 'IN', value: r.values[0] ?? (() => null), values: r.values };
    case 'inList':
      return { column, op: 'IN', value: r.list };
    case 'slice':
      throw new Error('a slice is not one filter');
  }
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

function required(v: BoundValue, column: ColumnMetadata, _what: 'partition' | 'clustering'): Buffer {
  if (v === UNSET) throw invalidRequest(`Invalid unset value for column ${column.name}`);
  if (v === null) throw invalidRequest(`Invalid null value in condition for column ${column.name}`);
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
  if (table.partitionKey.length === 1 && w.partitionKey[0]!.kind === 'eq') {
    // The common case, one partition by =, without the combination machinery.
    const key = required((w.partitionKey[0] as { value: TermFn }).value(ctx), table.partitionKey[0]!, 'partition');
    if (key.length === 0) throw invalidRequest('Key may not be empty');
    return [{ key, token: ctx.partitioner.tokenOf(key) }];
  }
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

/** Every combination of the = / IN prefix's values, in order. */
function eqPrefixes(w: WhereClause, ctx: BindContext): Buffer[][] {
  const table = w.table;
  let combos: Buffer[][] = [[]];
  for (const part of w.eqParts) {
    let options: Buffer[][];
    if (part.single !== null) {
      options = valuesOf(part.single, table.clustering[part.start]!, ctx, 'clustering').map((v) => [v]);
    } else {
      const cols = table.clustering.slice(part.start, part.start + part.width);
      const names = `(${cols.map((c) => c.name).join(',')})`;
      const t = part.tuples!;
      const tuples: BoundValue[] = t.values !== null ? t.values.map((v) => v(ctx)) : listValues(t.list!(ctx), cols[0]!);
      options = tuples.map((v) => tupleComponents(v, part.width, names));
    }
    const next: Buffer[][] = [];
    for (const c of combos) for (const o of options) next.push([...c, ...o]);
    combos = next;
  }
  return combos;
}

function sliceBound(b: SliceBound | undefined, ctx: BindContext, table: TableMetadata, start: number): TupleBound | undefined {
  if (b === undefined) return undefined;
  const column = table.clustering[start]!;
  const v = b.value(ctx);
  if (b.single) return { values: [required(v, column, 'clustering')], inclusive: b.inclusive };
  const names = `(${table.clustering.slice(start, start + b.width).map((c) => c.name).join(',')})`;
  return { values: tupleComponents(v, b.width, names), inclusive: b.inclusive };
}

/**
 * The byte ranges of clusterings selected, sorted and disjoint. Without clustering restrictions,
 * the whole partition. An empty list selects no row.
 */
export function bindSlices(w: WhereClause, ctx: BindContext): ClusteringSlice[] {
  const table = w.table;
  if (!w.hasClusteringRestrictions) return [FULL_SLICE];
  const types = clusteringTypes(table);
  const prefixes = eqPrefixes(w, ctx);
  let ranges: ByteRange[];
  if (w.slice !== null) {
    const lower = sliceBound(w.slice.lower, ctx, table, w.slice.start);
    const upper = sliceBound(w.slice.upper, ctx, table, w.slice.start);
    ranges = prefixes.flatMap((p) => tupleSlices(types, p, lower, upper));
  } else {
    ranges = prefixes.map((p) => sliceFor(types, p));
  }
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

/** The full clusterings of an UPDATE (or a row DELETE): every combination of = / IN values, sorted, without duplicates. */
export function bindClusterings(w: WhereClause, ctx: BindContext): Buffer[] {
  const types = clusteringTypes(w.table);
  const seen = new Set<string>();
  const out: Buffer[] = [];
  for (const values of eqPrefixes(w, ctx)) {
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
    const name = f.column.name;
    if (v === UNSET) throw invalidRequest(`Invalid unset value for column ${name}`);
    let values: (Buffer | null)[] | undefined;
    if (f.op === 'IN') {
      if (f.values !== undefined) {
        values = f.values.map((x) => {
          const b = x(ctx);
          if (b === UNSET) throw invalidRequest(`Invalid unset value for column ${name}`);
          return b;
        });
      } else {
        if (v === null) throw invalidRequest(`Invalid null value for column ${name}`);
        values = unpackCollection(v, false);
      }
    } else if (v === null) {
      throw invalidRequest(f.op === 'MAP_ELEMENT' ? `Unsupported null map value for column ${name}` : `Unsupported null value for column ${name}`);
    }
    const key = f.key === undefined ? undefined : f.key(ctx);
    if (f.op === 'MAP_ELEMENT' && (key === null || key === UNSET)) throw invalidRequest(`Unsupported null map key for column ${name}`);
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

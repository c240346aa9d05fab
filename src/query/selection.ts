/**
 * The SELECT clause: result columns (names and types as Cassandra reports them), the projection
 * of each row, and aggregates (count, min, max, sum, avg), which fold every row into one.
 *
 * Names: a column is its name; writetime(v) "writetime(v)"; ttl(v) "ttl(v)"; COUNT(*) "count";
 * another function "system.f(args)"; an alias replaces any of them.
 */
import {
  compareValues,
  decimalFromBytes,
  decodeValue,
  encodeValue,
  varintToBytes,
  invalidRequest,
  isCollection,
  isFrozen,
  typeEquals,
  typeToString,
  CqlTypes,
  type CqlType,
  packCollection,
  printTerm,
  termToBytes,
  unpackCollection,
  type SelectItem,
  type Selector,
  type Term,
} from '../cql-lite/index.js';
import type { Partitioner } from '../ring/index.js';
import { partitionKeyOf, slotValue, cellIndex, type ColumnMetadata, type RowSlots, type TableMetadata } from '../schema/index.js';
import type { Cell } from '../storage/index.js';
import type { ColumnSpec } from './api.js';
import { int32, int64 } from './bytes.js';
import { isNumeric, negate, operate, operationType } from './arithmetic.js';
import { castConversion } from './cast.js';
import { resolveCall, type CallArg, type FunctionContext } from './functions.js';
import { termFits } from './terms.js';

/** One candidate result row, before projection. */
export interface RowInput {
  readonly keyValues: readonly Buffer[];
  /** null for the static-only row of a partition without rows. */
  readonly clusteringValues: readonly Buffer[] | null;
  readonly staticSlots: RowSlots | null;
  readonly rowSlots: RowSlots | null;
  readonly nowSec: number;
  readonly fn: FunctionContext;
}

type Eval = (row: RowInput) => Buffer | null;

interface Aggregator {
  add(row: RowInput): void;
  result(): Buffer | null;
}

type AggregateFactory = () => Aggregator;

interface PreparedSelector {
  readonly name: string;
  readonly type: CqlType;
  /** Set for a plain value; aggregate otherwise. */
  readonly eval?: Eval;
  readonly aggregate?: AggregateFactory;
  /** The table column it reads directly, when it is one (ORDER BY checks, DISTINCT checks). */
  readonly column?: ColumnMetadata;
}

export function columnValueOf(table: TableMetadata, column: ColumnMetadata): Eval {
  switch (column.kind) {
    case 'partition_key': {
      const pos = column.position;
      return (r) => r.keyValues[pos] ?? null;
    }
    case 'clustering': {
      const pos = column.position;
      return (r) => r.clusteringValues?.[pos] ?? null;
    }
    default: {
      const slot = cellIndex(table).slotOf.get(column.name)!;
      const isStatic = column.kind === 'static';
      return (r) => {
        const slots = isStatic ? r.staticSlots : r.rowSlots;
        return slots === null ? null : slotValue(column, slots[slot]);
      };
    }
  }
}

function cellOf(table: TableMetadata, column: ColumnMetadata): (r: RowInput) => Cell | undefined {
  const slot = cellIndex(table).slotOf.get(column.name)!;
  const isStatic = column.kind === 'static';
  return (r) => {
    const slots = isStatic ? r.staticSlots : r.rowSlots;
    const e = slots === null ? undefined : slots[slot];
    return Array.isArray(e) ? undefined : e;
  };
}

const NUMERIC = new Set(['tinyint', 'smallint', 'int', 'bigint', 'varint', 'float', 'double', 'decimal', 'counter']);

function readNumber(t: CqlType, b: Buffer): number | bigint {
  return decodeValue(t, b) as number | bigint;
}

/** A sum back as a value of the column's type; integers wrap as Java's arithmetic does. */
function writeNumber(t: CqlType, v: number | bigint): Buffer {
  if (t.kind === 'float' || t.kind === 'double') return encodeValue(t, Number(v))!;
  const bits = t.kind === 'tinyint' ? 8 : t.kind === 'smallint' ? 16 : t.kind === 'int' ? 32 : t.kind === 'varint' ? 0 : 64;
  const x = bits === 0 ? BigInt(v) : BigInt.asIntN(bits, BigInt(v));
  return encodeValue(t, bits === 64 || bits === 0 ? x : Number(x))!;
}

function sumAggregate(t: CqlType, arg: Eval, average: boolean): AggregateFactory {
  if (t.kind === 'decimal') {
    return () => {
      let unscaled = 0n;
      let scale = 0;
      let n = 0n;
      return {
        add(r) {
          const b = arg(r);
          if (b === null || b.length === 0) return;
          const d = decimalFromBytes(b);
          if (d.scale > scale) {
            unscaled *= 10n ** BigInt(d.scale - scale);
            scale = d.scale;
          }
          unscaled += d.unscaled * 10n ** BigInt(scale - d.scale);
          n++;
        },
        result() {
          let u = unscaled;
          if (average && n > 0n) {
            // Cassandra divides with the sum's scale, rounding half even; keep the scale and truncate.
            u = unscaled / n;
          }
          const body = varintToBytes(u);
          const out = Buffer.allocUnsafe(4 + body.length);
          out.writeInt32BE(scale, 0);
          body.copy(out, 4);
          return out;
        },
      };
    };
  }
  const integral = t.kind !== 'float' && t.kind !== 'double';
  return () => {
    let sumI = 0n;
    let sumF = 0;
    let n = 0;
    return {
      add(r) {
        const b = arg(r);
        if (b === null || b.length === 0) return;
        const v = readNumber(t, b);
        if (integral) sumI += BigInt(v);
        else sumF += Number(v);
        n++;
      },
      result() {
        if (integral) return writeNumber(t, average ? (n === 0 ? 0n : sumI / BigInt(n)) : sumI);
        return writeNumber(t, average ? (n === 0 ? 0 : sumF / n) : sumF);
      },
    };
  };
}

export class Selection {
  readonly columns: ColumnSpec[];
  readonly isAggregate: boolean;
  private readonly selectors: PreparedSelector[];

  constructor(
    readonly table: TableMetadata,
    selectors: PreparedSelector[],
  ) {
    this.selectors = selectors;
    this.columns = selectors.map((s) => ({ keyspace: table.keyspace, table: table.name, name: s.name, type: s.type }));
    this.isAggregate = selectors.some((s) => s.aggregate !== undefined);
  }

  /** The table columns selected directly, in order (undefined for computed selectors). */
  directColumns(): (ColumnMetadata | undefined)[] {
    return this.selectors.map((s) => s.column);
  }

  project(row: RowInput): (Buffer | null)[] {
    const out = new Array<Buffer | null>(this.selectors.length);
    for (let i = 0; i < this.selectors.length; i++) out[i] = this.selectors[i]!.eval!(row);
    return out;
  }

  /** Folds rows into the one row an aggregate query returns; plain selectors keep the first row's values. */
  aggregator(): { add(row: RowInput): void; result(): (Buffer | null)[] } {
    const aggs = this.selectors.map((s) => s.aggregate?.() ?? null);
    let first: (Buffer | null)[] | null = null;
    return {
      add: (row) => {
        for (const a of aggs) a?.add(row);
        if (first === null) first = this.selectors.map((s) => (s.eval === undefined ? null : s.eval(row)));
      },
      result: () => this.selectors.map((_, i) => (aggs[i] !== null ? aggs[i]!.result() : (first?.[i] ?? null))),
    };
  }
}

export interface SelectionOptions {
  readonly partitioner: Partitioner;
}

function requireColumn(table: TableMetadata, name: string): ColumnMetadata {
  const c = table.columns.get(name);
  if (c === undefined) throw invalidRequest(`Undefined column name ${name} in selection clause`);
  return c;
}

function selectorText(s: Selector): string {
  switch (s.kind) {
    case 'column':
      return s.name;
    case 'countRows':
      return 'count';
    case 'writetime':
      return `writetime(${s.column})`;
    case 'ttl':
      return `ttl(${s.column})`;
    case 'function':
      return `system.${s.name.name}(${s.args.map(selectorText).join(', ')})`;
    case 'cast':
      return `cast(${selectorText(s.arg)} as ${typeToString(s.type)})`;
    case 'term':
      return printTerm(s.term);
    case 'operation':
      return `${selectorText(s.left)} ${s.op} ${selectorText(s.right)}`;
    case 'negate':
      return `-${selectorText(s.arg)}`;
    case 'element':
      return `${selectorText(s.arg)}[${printTerm(s.key)}]`;
    case 'slice':
      return `${selectorText(s.arg)}[${s.from === null ? '' : printTerm(s.from)}..${s.to === null ? '' : printTerm(s.to)}]`;
  }
}

/** A selector whose values are another's, transformed (aggregates transform their result). */
function mapSelector(arg: PreparedSelector, name: string, type: CqlType, f: (v: Buffer | null) => Buffer | null): PreparedSelector {
  if (arg.eval !== undefined) {
    const e = arg.eval;
    return { name, type, eval: (r) => f(e(r)) };
  }
  const agg = arg.aggregate!;
  return {
    name,
    type,
    aggregate: () => {
      const a = agg();
      return { add: (r) => a.add(r), result: () => f(a.result()) };
    },
  };
}

/**
 * a + b, a * 2: the operands' values combined (arithmetic.ts). A constant operand takes the other
 * operand's type, as Cassandra infers it.
 */
function prepareOperation(table: TableMetadata, s: Extract<Selector, { kind: 'operation' }>, opts: SelectionOptions, nested: boolean): PreparedSelector {
  const side = (sel: Selector, other: Selector): PreparedSelector => {
    if (sel.kind !== 'term' || sel.term.kind === 'cast') return prepareSelector(table, sel, opts, nested);
    if (other.kind === 'term') throw invalidRequest(`Cannot infer type for term ${printTerm(sel.term)} in selection clause (try using a cast to force a type)`);
    const otherType = prepareSelector(table, other, opts, nested).type;
    if (sel.term.kind === 'bind') throw invalidRequest('Bind markers in the selection clause are not supported yet');
    const term = sel.term;
    return { name: printTerm(term), type: otherType, eval: (r) => termToBytes(otherType, term, { receiver: printTerm(term), nowMs: () => r.fn.nowMs }) };
  };
  const left = side(s.left, s.right);
  const right = side(s.right, s.left);
  const type = operationType(s.op, left.type, right.type);
  const name = selectorText(s);
  const op = s.op;
  if (left.eval !== undefined && right.eval !== undefined) {
    const l = left.eval;
    const r = right.eval;
    return { name, type, eval: (row) => operate(op, left.type, l(row), right.type, r(row)) };
  }
  // Aggregates on either side: combine their results (a plain side keeps its first row's value).
  return {
    name,
    type,
    aggregate: () => {
      const a = left.aggregate?.() ?? firstValue(left.eval!);
      const b = right.aggregate?.() ?? firstValue(right.eval!);
      return {
        add: (row) => {
          a.add(row);
          b.add(row);
        },
        result: () => operate(op, left.type, a.result(), right.type, b.result()),
      };
    },
  };
}

/** m['k'], s['e'], m['a'..'b']: elements of a map or set value (Cassandra 4's ElementsSelector). */
function prepareElements(table: TableMetadata, s: Extract<Selector, { kind: 'element' | 'slice' }>, opts: SelectionOptions, nested: boolean): PreparedSelector {
  const arg = prepareSelector(table, s.arg, opts, nested);
  const t = arg.type;
  const argText = selectorText(s.arg);
  if (t.kind === 'list') throw invalidRequest(`${s.kind === 'element' ? 'Element' : 'Slice'} selection is only allowed on sets and maps, but ${argText} is a list`);
  if (t.kind !== 'map' && t.kind !== 'set') throw invalidRequest(`Invalid ${s.kind === 'element' ? 'element' : 'slice'} selection: ${argText} is of type ${typeToString(t)} is not a collection`);
  if (arg.eval === undefined) throw invalidRequest('Element and slice selection of aggregates is not supported');
  const keyType = t.kind === 'map' ? t.key : t.element;
  const isMap = t.kind === 'map';
  const step = isMap ? 2 : 1;
  const bound = (term: Term | null): Buffer | null => {
    if (term === null) return null;
    if (term.kind === 'bind') throw invalidRequest('Bind markers in the selection clause are not supported yet');
    const b = termToBytes(keyType, term, { receiver: `key(${argText})` });
    if (b === null) throw invalidRequest(`Invalid null value for ${s.kind === 'element' ? 'element' : 'slice bound'} selection on ${argText}`);
    return b;
  };
  const e = arg.eval;
  const label = selectorText(s);
  if (s.kind === 'element') {
    const key = bound(s.key)!;
    return {
      name: label,
      type: isMap ? (t as { value: CqlType }).value : keyType,
      eval: (r) => {
        const v = e(r);
        if (v === null) return null;
        const parts = unpackCollection(v, isMap);
        for (let i = 0; i < parts.length; i += step) if (compareValues(keyType, parts[i]!, key) === 0) return parts[i + step - 1]!;
        return null;
      },
    };
  }
  const from = bound(s.from);
  const to = bound(s.to);
  return {
    name: label,
    type: t,
    eval: (r) => {
      const v = e(r);
      if (v === null) return null;
      const parts = unpackCollection(v, isMap);
      const kept: Buffer[] = [];
      for (let i = 0; i < parts.length; i += step) {
        const k = parts[i]!;
        if (from !== null && compareValues(keyType, k, from) < 0) continue;
        if (to !== null && compareValues(keyType, k, to) > 0) continue;
        for (let j = 0; j < step; j++) kept.push(parts[i + j]!);
      }
      return packCollection(kept, kept.length / step);
    },
  };
}

function prepareSelector(table: TableMetadata, s: Selector, opts: SelectionOptions, nested: boolean): PreparedSelector {
  switch (s.kind) {
    case 'column': {
      const column = requireColumn(table, s.name);
      return { name: column.name, type: column.type, eval: columnValueOf(table, column), column };
    }
    case 'countRows':
      return { name: 'count', type: CqlTypes.bigint, aggregate: countAggregate(null) };
    case 'writetime':
    case 'ttl': {
      const column = requireColumn(table, s.column);
      const fname = s.kind === 'writetime' ? 'writeTime' : 'ttl';
      if (column.kind === 'partition_key' || column.kind === 'clustering') throw invalidRequest(`Cannot use selection function ${fname} on PRIMARY KEY part ${column.name}`);
      if (isCollection(column.type) && !isFrozen(column.type)) throw invalidRequest(`Cannot use selection function ${fname} on collections`);
      const cell = cellOf(table, column);
      if (s.kind === 'writetime') {
        return { name: `writetime(${column.name})`, type: CqlTypes.bigint, eval: (r) => { const c = cell(r); return c === undefined ? null : int64(BigInt(c.timestampMicros)); } };
      }
      return {
        name: `ttl(${column.name})`,
        type: CqlTypes.int,
        eval: (r) => {
          const c = cell(r);
          if (c === undefined || c.ttlSec === 0) return null;
          return int32(Math.max(0, c.localDeletionTimeSec - r.nowSec));
        },
      };
    }
    case 'function': {
      const name = s.name.name;
      if (s.name.keyspace !== null && s.name.keyspace !== 'system') throw invalidRequest(`Unknown function '${s.name.keyspace}.${name}'`);
      if (name === 'token') {
        const cols = s.args.map((a) => {
          if (a.kind !== 'column') throw invalidRequest('The token function arguments must be columns');
          return requireColumn(table, a.name);
        });
        if (cols.length !== table.partitionKey.length || cols.some((c, i) => c.kind !== 'partition_key' || c.position !== i)) {
          throw invalidRequest(`Invalid number of arguments in call to function token: ${table.partitionKey.length} required but ${cols.length} provided`);
        }
        return {
          name: selectorText(s),
          type: CqlTypes.bigint,
          eval: (r) => int64(opts.partitioner.tokenOf(partitionKeyOf(table, r.keyValues))),
        };
      }
      if (name === 'count' || name === 'min' || name === 'max' || name === 'sum' || name === 'avg') {
        if (nested) throw invalidRequest('aggregate functions cannot be used as arguments of aggregate functions');
        if (s.args.length !== 1) throw invalidRequest(`Invalid number of arguments in call to function ${name}: 1 required but ${s.args.length} provided`);
        const argSel = s.args[0]!;
        if (name === 'count' && argSel.kind === 'term') {
          return { name: 'count', type: CqlTypes.bigint, aggregate: countAggregate(null) };
        }
        const arg = prepareSelector(table, argSel, opts, true);
        if (arg.eval === undefined) throw invalidRequest('aggregate functions cannot be used as arguments of aggregate functions');
        const label = `system.${name}(${selectorText(argSel)})`;
        if (name === 'count') return { name: label, type: CqlTypes.bigint, aggregate: countAggregate(arg.eval) };
        if (name === 'min' || name === 'max') {
          const t = arg.type;
          const e = arg.eval;
          const sign = name === 'min' ? -1 : 1;
          return {
            name: label,
            type: t,
            aggregate: () => {
              let best: Buffer | null = null;
              return {
                add(r) {
                  const v = e(r);
                  if (v === null) return;
                  if (best === null || compareValues(t, v, best) * sign > 0) best = v;
                },
                result: () => best,
              };
            },
          };
        }
        if (!NUMERIC.has(arg.type.kind)) throw invalidRequest(`Invalid call to function ${name}, none of its type signatures match (known type signatures: numeric types only, got ${typeToString(arg.type)})`);
        return { name: label, type: arg.type, aggregate: sumAggregate(arg.type, arg.eval, name === 'avg') };
      }
      // Arguments: selectors of known type, or terms whose type the signature gives.
      const args = s.args.map((a) => (a.kind === 'term' ? null : prepareSelector(table, a, opts, nested)));
      const sig = resolveCall(
        name,
        s.args.map((a, i): CallArg => {
          if (a.kind !== 'term') return { text: selectorText(a), type: args[i]!.type };
          if (a.term.kind === 'bind') throw invalidRequest('Bind markers in the selection clause are not supported yet');
          if (a.term.kind === 'cast') return { text: printTerm(a.term), type: a.term.type };
          const term = a.term;
          return { text: printTerm(term), type: null, fits: (t) => termFits(term, t) };
        }),
      );
      const argEvals: Eval[] = s.args.map((a, i) => {
        const p = args[i];
        if (p !== null && p !== undefined) return p.eval ?? (() => null);
        const term = (a as { term: Term }).term;
        const t = sig.args[i]!;
        return (r) => termToBytes(t, term, { receiver: `arg${i}(system.${name})`, nowMs: () => r.fn.nowMs });
      });
      const label = selectorText(s);
      if (!args.some((a) => a?.aggregate !== undefined)) {
        return { name: label, type: sig.returns, eval: (r) => sig.exec(argEvals.map((e) => e(r)), r.fn) };
      }
      // A scalar function of aggregates (toUnixTimestamp(max(b))): applied to their results.
      return {
        name: label,
        type: sig.returns,
        aggregate: () => {
          const parts = args.map((a, i) => (a?.aggregate !== undefined ? a.aggregate() : firstValue(argEvals[i]!)));
          let fn: FunctionContext | null = null;
          return {
            add(r) {
              fn ??= r.fn;
              for (const p of parts) p.add(r);
            },
            result: () => (fn === null ? null : sig.exec(parts.map((p) => p.result()), fn)),
          };
        },
      };
    }
    case 'cast': {
      const arg = prepareSelector(table, s.arg, opts, nested);
      // A cast to the type it already has is the selector itself, name included (Cassandra's rule).
      if (typeEquals(arg.type, s.type)) return arg;
      const convert = castConversion(selectorText(s.arg), arg.type, s.type);
      const label = `cast(${selectorText(s.arg)} as ${typeToString(s.type)})`;
      if (arg.eval !== undefined) {
        const e = arg.eval;
        return { name: label, type: s.type, eval: (r) => {
          const v = e(r);
          return v === null ? null : convert(v);
        } };
      }
      const agg = arg.aggregate!;
      return {
        name: label,
        type: s.type,
        aggregate: () => {
          const a = agg();
          return { add: (r) => a.add(r), result: () => {
            const v = a.result();
            return v === null ? null : convert(v);
          } };
        },
      };
    }
    case 'element':
    case 'slice':
      return prepareElements(table, s, opts, nested);
    case 'operation':
      return prepareOperation(table, s, opts, nested);
    case 'negate': {
      const arg = prepareSelector(table, s.arg, opts, nested);
      const t = arg.type;
      if (!isNumeric(t)) throw invalidRequest(`the '-' operation is not supported for ${typeToString(t)}`);
      return mapSelector(arg, selectorText(s), t, (v) => negate(t, v));
    }
    case 'term':
      if (s.term.kind === 'cast') {
        // A typed constant: the same value on every row, named after its text.
        const type = s.term.type;
        const inner = s.term.term;
        const name = `(${typeToString(type)})${printTerm(inner)}`;
        return { name, type, eval: (r) => termToBytes(type, inner, { receiver: name, nowMs: () => r.fn.nowMs }) };
      }
      throw invalidRequest(`Cannot infer type for term ${printTerm(s.term)} in selection clause (try using a cast to force a type)`);
  }
}

/** The value of the first row, for a plain argument beside aggregates. */
function firstValue(e: Eval): Aggregator {
  let seen = false;
  let v: Buffer | null = null;
  return {
    add(r) {
      if (!seen) {
        seen = true;
        v = e(r);
      }
    },
    result: () => v,
  };
}

function countAggregate(arg: Eval | null): AggregateFactory {
  return () => {
    let n = 0n;
    return {
      add(r) {
        if (arg === null || arg(r) !== null) n++;
      },
      result: () => int64(n),
    };
  };
}

export function prepareSelection(table: TableMetadata, items: readonly SelectItem[] | null, opts: SelectionOptions): Selection {
  if (items === null) {
    return new Selection(table, table.selectOrder.map((c) => ({ name: c.name, type: c.type, eval: columnValueOf(table, c), column: c })));
  }
  const selectors = items.map((it) => {
    const p = prepareSelector(table, it.selector, opts, false);
    return it.alias === null ? p : { ...p, name: it.alias };
  });
  return new Selection(table, selectors);
}

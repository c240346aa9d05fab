/**
 * Terms (literals, bind markers, collection literals, function calls) prepared against their
 * receiver: preparation records each bind marker's ColumnSpec (what PREPARE returns and EXECUTE
 * values are checked against) and yields an evaluator run per execution.
 *
 * Bind variable names follow Cassandra's: the receiving column ("k"), "value(l)" / "key(m)" for
 * collection parts, "[limit]", "[ttl]", "[timestamp]", "partition key token"; a named marker
 * (`:name`) is named by itself.
 */
import {
  assignable,
  invalidRequest,
  printTerm,
  termToBytes,
  validateValue,
  type BindMarker,
  type CqlType,
  type FunctionCall,
  type Operation,
  type Term,
  typeToString,
} from '../cql-lite/index.js';
import { isNumeric, operate } from './arithmetic.js';
import { UNSET, type BoundValue, type ColumnSpec } from './api.js';
import { functionSignatures, resolveCall, valueCompatible, type CallArg, type FunctionContext, type Signature } from './functions.js';

export interface EvalContext extends FunctionContext {
  /** Bound values by marker index. */
  readonly values: readonly BoundValue[];
}

export type TermFn = (ctx: EvalContext) => BoundValue;

/** The bind variables of a statement being prepared, by marker index. */
export class Variables {
  readonly specs: (ColumnSpec | undefined)[] = [];

  constructor(count: number) {
    this.specs.length = count;
  }

  set(marker: BindMarker, spec: ColumnSpec): void {
    this.specs[marker.index] = marker.name === null ? spec : { ...spec, name: marker.name };
  }

  list(): ColumnSpec[] {
    return this.specs.map((s, i) => {
      if (s === undefined) throw new Error(`bind marker ${i} has no receiver`);
      return s;
    });
  }
}

export function spec(receiver: ColumnSpec, name: string, type: CqlType): ColumnSpec {
  return { keyspace: receiver.keyspace, table: receiver.table, name, type };
}

/** Checks a bound value against its receiver's type (Cassandra validates bound bytes the same way). */
export function checkBound(v: BoundValue, receiver: ColumnSpec): BoundValue {
  if (v === null || v === UNSET) return v;
  validateValue(receiver.type, v);
  return v;
}

function collectionPartSpecs(receiver: ColumnSpec): { element: ColumnSpec; key: ColumnSpec; value: ColumnSpec } | null {
  const t = receiver.type;
  if (t.kind === 'list' || t.kind === 'set') {
    const element = spec(receiver, `value(${receiver.name})`, t.element);
    return { element, key: element, value: element };
  }
  if (t.kind === 'map') {
    return { element: spec(receiver, `key(${receiver.name})`, t.key), key: spec(receiver, `key(${receiver.name})`, t.key), value: spec(receiver, `value(${receiver.name})`, t.value) };
  }
  return null;
}

/** Records the specs of the markers inside a term, as Cassandra assigns their receivers. */
function collect(term: Term, receiver: ColumnSpec, vars: Variables): void {
  switch (term.kind) {
    case 'bind':
      vars.set(term, receiver);
      return;
    case 'list':
    case 'set': {
      const parts = collectionPartSpecs(receiver);
      for (const e of term.elements) collect(e, parts?.element ?? receiver, vars);
      return;
    }
    case 'map': {
      const parts = collectionPartSpecs(receiver);
      for (const [k, v] of term.entries) {
        collect(k, parts?.key ?? receiver, vars);
        collect(v, parts?.value ?? receiver, vars);
      }
      return;
    }
    case 'tuple': {
      const t = receiver.type;
      term.elements.forEach((e, i) => collect(e, t.kind === 'tuple' && i < t.elements.length ? spec(receiver, `${receiver.name}[${i}]`, t.elements[i]!) : receiver, vars));
      return;
    }
    case 'cast':
      collect(term.term, spec(receiver, receiver.name, term.type), vars);
      return;
    case 'function': {
      const sig = chooseSignature(term, receiver);
      term.args.forEach((a, i) => collect(a, spec(receiver, `arg${i}(system.${term.name.name})`, sig.args[i]!), vars));
      return;
    }
    case 'operation':
      collect(term.left, receiver, vars);
      collect(term.right, receiver, vars);
      return;
    default:
      return;
  }
}

/** Whether a term or any term inside it satisfies `pred`. */
function someTerm(term: Term, pred: (t: Term) => boolean): boolean {
  if (pred(term)) return true;
  switch (term.kind) {
    case 'list':
    case 'set':
    case 'tuple':
      return term.elements.some((e) => someTerm(e, pred));
    case 'map':
      return term.entries.some(([k, v]) => someTerm(k, pred) || someTerm(v, pred));
    case 'cast':
      return someTerm(term.term, pred);
    case 'function':
      return term.args.some((a) => someTerm(a, pred));
    case 'operation':
      return someTerm(term.left, pred) || someTerm(term.right, pred);
    default:
      return false;
  }
}

const isMarker = (t: Term): boolean => t.kind === 'bind';
const isCall = (t: Term): boolean => t.kind === 'function';

function hasMarker(term: Term): boolean {
  return someTerm(term, isMarker);
}

/** Whether a term can be evaluated for a type without error (Cassandra's testAssignment, approximated by trying). */
export function termFits(term: Term, type: CqlType): boolean {
  if (term.kind === 'bind') return true;
  if (term.kind === 'function') {
    const sigs = functionSignatures(term.name.name);
    return sigs !== undefined && sigs.some((s) => valueCompatible(type, s.returns) && s.args.length === term.args.length);
  }
  if (term.kind === 'operation') return isNumeric(type);
  // By kind, as Cassandra tests assignment: a string fits a timestamp and a date alike.
  return assignable(type, term);
}

/** A call's arguments as the resolver sees them: typed (calls, casts) or terms to infer. */
function callArgs(call: FunctionCall): CallArg[] {
  return call.args.map((a) => {
    if (a.kind === 'bind') return { text: printTerm(a), type: null, marker: true };
    if (a.kind === 'function') return { text: printTerm(a), type: chooseSignature(a, null).returns };
    if (a.kind === 'cast') return { text: printTerm(a), type: a.type };
    return { text: printTerm(a), type: null, fits: (t: CqlType) => termFits(a, t) };
  });
}

/** The signature of a call whose result goes to `receiver` (null: any result type). */
export function chooseSignature(call: FunctionCall, receiver: { name: string; type: CqlType } | null): Signature {
  const name = call.name.name;
  if (call.name.keyspace !== null && call.name.keyspace !== 'system') throw invalidRequest(`Unknown function '${call.name.keyspace}.${name}'`);
  return resolveCall(name, callArgs(call), receiver);
}

function evalCall(call: FunctionCall, type: CqlType, receiver: ColumnSpec, ctx: EvalContext): Buffer | null {
  const sig = chooseSignature(call, { name: receiver.name, type });
  const args = call.args.map((a, i) => {
    const v = evaluate(a, spec(receiver, `arg${i}`, sig.args[i]!), ctx);
    if (v === UNSET) throw invalidRequest(`Invalid unset value for argument in call to function ${call.name.name}`);
    return v;
  });
  return sig.exec(args, ctx);
}

/** An operation on terms, computed in the receiver's (numeric) type. */
function evalOperation(term: Operation, type: CqlType, receiver: ColumnSpec, ctx: EvalContext): Buffer | null {
  if (!isNumeric(type)) throw invalidRequest(`the '${term.op}' operation is not supported for ${receiver.name} of type ${typeToString(type)}`);
  const side = (t: Term): Buffer | null => {
    const v = evaluate(t, spec(receiver, receiver.name, type), ctx);
    if (v === UNSET) throw invalidRequest(`Invalid unset value in an operation on ${receiver.name}`);
    return v;
  };
  return operate(term.op, type, side(term.left), type, side(term.right));
}

function evaluate(term: Term, receiver: ColumnSpec, ctx: EvalContext): BoundValue {
  if (term.kind === 'bind') return checkBound(ctx.values[term.index] ?? null, receiver);
  if (term.kind === 'function') return evalCall(term, receiver.type, receiver, ctx);
  if (term.kind === 'operation') return evalOperation(term, receiver.type, receiver, ctx);
  return termToBytes(receiver.type, term, {
    receiver: receiver.name,
    nowMs: () => ctx.nowMs,
    resolve: (t, type) => {
      const inner = spec(receiver, receiver.name, type);
      const v = t.kind === 'bind' ? checkBound(ctx.values[t.index] ?? null, inner) : t.kind === 'operation' ? evalOperation(t, type, inner, ctx) : evalCall(t, type, inner, ctx);
      if (v === UNSET) throw invalidRequest(`Invalid unset value for ${printTerm(t)} in ${receiver.name}`);
      return v;
    },
  });
}

/**
 * Prepares a term for a receiver: records its markers' specs and returns its evaluator. A term
 * without markers or functions is checked now, so a bad literal is refused at PREPARE time.
 */
export function prepareTerm(term: Term, receiver: ColumnSpec, vars: Variables): TermFn {
  collect(term, receiver, vars);
  if (term.kind === 'bind') {
    const index = term.index;
    return (ctx) => checkBound(ctx.values[index] ?? null, receiver);
  }
  if (!hasMarker(term) && !hasFunction(term) && !(term.kind === 'literal' && term.type === 'string' && term.text.toLowerCase() === 'now')) {
    const constant = evaluate(term, receiver, { values: [], nowMs: 0, timeUuids: null as never, random: null as never });
    return () => constant;
  }
  return (ctx) => evaluate(term, receiver, ctx);
}

function hasFunction(term: Term): boolean {
  return someTerm(term, isCall);
}

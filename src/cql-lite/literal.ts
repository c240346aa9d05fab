/**
 * CQL terms -> value bytes for a receiver's type, and values -> CQL literal text.
 *
 * termToBytes follows Cassandra's Constants.Literal: which kind of constant a type accepts
 * (a string for text, inet, date, time and timestamp; an integer for every number and for date,
 * time and timestamp; a float for float, double and decimal; ...), then the type's fromString.
 * A mismatch is "Invalid STRING constant (x) for "c" of type int"; a value that does not convert
 * ("Unable to make int from '3000000000'") is a marshal error; both are InvalidRequest.
 */
import type { BindMarker, FunctionCall, Literal, Operation, Term } from './ast.js';
import {
  EMPTY,
  decodeValue,
  packCollection,
  packMap,
  packSet,
  packTuple,
  uuidFromString,
  type CqlValue,
} from './codec.js';
import { invalidRequest, marshalError } from './errors.js';
import { formatInet, parseInet } from './inet.js';
import { quoteString } from './lexer.js';
import { decimalToBytes, durationToBytes, formatDecimal, formatDuration, parseDecimal, parseDuration, varintToBytes, type Decimal, type Duration } from './numbers.js';
import { printTerm } from './printer.js';
import { formatDate, formatTime, formatTimestamp, parseDate, parseTime, parseTimestamp } from './temporal.js';
import { isNative, typeEquals, typeToString, type CqlType, type NativeKind } from './types.js';

export interface TermContext {
  /** The receiving column's (or marker's) name, for error messages. */
  readonly receiver?: string;
  /** The current time, for the timestamp literal 'now'; without it 'now' is refused. */
  readonly nowMs?: () => number;
  /**
   * Bytes for the terms that are not constants: bind markers and function calls (the server binds
   * and evaluates them). Without it such terms are refused. Return null for a null value.
   */
  readonly resolve?: (term: BindMarker | FunctionCall | Operation, type: CqlType) => Buffer | null;
}

const CONSTANT_NAME: Readonly<Record<Literal['type'], string>> = {
  string: 'STRING',
  integer: 'INTEGER',
  float: 'FLOAT',
  boolean: 'BOOLEAN',
  uuid: 'UUID',
  hex: 'HEX',
  duration: 'DURATION',
};

/** Which native types accept which constant (Cassandra's Constants.Literal.testAssignment). */
const ACCEPTS: Readonly<Record<Literal['type'], ReadonlySet<NativeKind>>> = {
  string: new Set<NativeKind>(['ascii', 'text', 'inet', 'date', 'time', 'timestamp']),
  integer: new Set<NativeKind>(['bigint', 'counter', 'date', 'decimal', 'double', 'duration', 'float', 'int', 'smallint', 'time', 'timestamp', 'tinyint', 'varint']),
  float: new Set<NativeKind>(['decimal', 'double', 'float']),
  boolean: new Set<NativeKind>(['boolean']),
  uuid: new Set<NativeKind>(['uuid', 'timeuuid']),
  hex: new Set<NativeKind>(['blob']),
  duration: new Set<NativeKind>(['duration']),
};

function receiverName(ctx: TermContext): string {
  return ctx.receiver ?? 'value';
}

/**
 * The bytes of a term for a receiver of type `type`: null for NULL (or a resolver's null). Throws
 * an InvalidRequest CqlError when the term does not fit the type.
 */
export function termToBytes(type: CqlType, term: Term, ctx: TermContext = {}): Buffer | null {
  switch (term.kind) {
    case 'null':
      return null;
    case 'bind':
    case 'function':
    case 'operation':
      if (ctx.resolve === undefined) throw invalidRequest(`${printTerm(term)} cannot be evaluated here`);
      return ctx.resolve(term, type);
    case 'cast': {
      if (!typeEquals(term.type, type) && !(isNative(term.type) && isNative(type) && term.type.kind === type.kind)) {
        throw invalidRequest(`Type error: ${printTerm(term)} is not of type ${typeToString(type)} (for ${receiverName(ctx)})`);
      }
      return termToBytes(type, term.term, ctx);
    }
    case 'literal':
      return literalToBytes(type, term, ctx);
    case 'list': {
      if (type.kind !== 'list') throw invalidRequest(`Invalid list literal for ${receiverName(ctx)} of type ${typeToString(type)}`);
      checkParts('list', type.element, term.elements, ctx);
      const elements = term.elements.map((e) => elementBytes(type.element, e, ctx));
      return packCollection(elements, elements.length);
    }
    case 'set': {
      if (type.kind === 'map' && term.elements.length === 0) return packCollection([], 0);
      if (type.kind !== 'set') throw invalidRequest(`Invalid set literal for ${receiverName(ctx)} of type ${typeToString(type)}`);
      checkParts('set', type.element, term.elements, ctx);
      return packSet(type.element, term.elements.map((e) => elementBytes(type.element, e, ctx)));
    }
    case 'map': {
      if (type.kind !== 'map') throw invalidRequest(`Invalid map literal for ${receiverName(ctx)} of type ${typeToString(type)}`);
      checkParts('map key', type.key, term.entries.map(([k]) => k), ctx);
      checkParts('map value', type.value, term.entries.map(([, v]) => v), ctx);
      return packMap(
        type.key,
        term.entries.map(([k, v]): [Buffer, Buffer] => [elementBytes(type.key, k, ctx), elementBytes(type.value, v, ctx)]),
      );
    }
    case 'tuple': {
      if (type.kind !== 'tuple') throw invalidRequest(`Invalid tuple type literal for ${receiverName(ctx)} of type ${typeToString(type)}`);
      if (term.elements.length > type.elements.length) {
        throw invalidRequest(
          `Invalid tuple literal for ${receiverName(ctx)}: too many elements. Type ${typeToString(type)} expects ${type.elements.length} but got ${term.elements.length}`,
        );
      }
      term.elements.forEach((e, i) => {
        if (!assignable(type.elements[i]!, e)) {
          throw invalidRequest(`Invalid tuple literal for ${receiverName(ctx)}: component ${i} is not of type ${typeToString(type.elements[i]!)}`);
        }
      });
      return packTuple(term.elements.map((e, i) => termToBytes(type.elements[i]!, e, ctx)));
    }
  }
}

/**
 * Whether a term's kind can be assigned to a type (Cassandra's testAssignment, by kind only: a
 * string fits a timestamp before its content is parsed). A string also fits a tuple, which
 * Cassandra then parses with TupleType.fromString.
 */
export function assignable(type: CqlType, term: Term): boolean {
  switch (term.kind) {
    case 'literal':
      if (term.type === 'string' && type.kind === 'tuple') return true;
      return isNative(type) && ACCEPTS[term.type].has(type.kind);
    case 'list':
      return type.kind === 'list';
    case 'set':
      return type.kind === 'set' || (type.kind === 'map' && term.elements.length === 0);
    case 'map':
      return type.kind === 'map';
    case 'tuple':
      return type.kind === 'tuple';
    default:
      return true;
  }
}

/** Checks each part of a collection or tuple literal, with Cassandra's messages for a part of the wrong kind. */
function checkParts(kind: 'list' | 'set' | 'map key' | 'map value', type: CqlType, terms: readonly Term[], ctx: TermContext): void {
  terms.forEach((e) => {
    if (assignable(type, e)) return;
    const literal = kind === 'map key' || kind === 'map value' ? 'map' : kind;
    const what = kind === 'map key' ? `key ${printTerm(e)}` : `value ${printTerm(e)}`;
    throw invalidRequest(`Invalid ${literal} literal for ${receiverName(ctx)}: ${what} is not of type ${typeToString(type)}`);
  });
}

function elementBytes(type: CqlType, term: Term, ctx: TermContext): Buffer {
  const b = termToBytes(type, term, ctx);
  if (b === null) throw invalidRequest('null is not supported inside collections');
  return b;
}

/** The literal kind a native type reads its text form as (for TupleType.fromString components). */
function textKind(kind: NativeKind): Literal['type'] {
  switch (kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'counter':
    case 'varint':
      return 'integer';
    case 'float':
    case 'double':
    case 'decimal':
      return 'float';
    case 'boolean':
      return 'boolean';
    case 'uuid':
    case 'timeuuid':
      return 'uuid';
    case 'blob':
      return 'hex';
    case 'duration':
      return 'duration';
    default:
      return 'string';
  }
}

/**
 * A tuple from its string form, as Cassandra's TupleType.fromString reads it: components separated
 * by ':', '\\:' for a colon inside one, '@' alone for null.
 */
function tupleFromString(type: Extract<CqlType, { kind: 'tuple' }>, text: string, ctx: TermContext): Buffer {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) cur += text[++i];
    else if (ch === ':') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  if (parts.length > type.elements.length) throw marshalError(`Invalid tuple literal: too many elements. Type ${typeToString(type)} expects ${type.elements.length} but got ${parts.length}`);
  return packTuple(
    parts.map((p, i) => {
      const t = type.elements[i]!;
      if (p === '@') return null;
      if (!isNative(t)) throw marshalError(`Invalid tuple literal for ${receiverName(ctx)}: component ${i} cannot be read from text`);
      const kind = textKind(t.kind);
      if (kind === 'integer' && !/^-?\d+$/.test(p)) throw marshalError(`Unable to make ${JAVA_INT_NAMES[t.kind] ?? t.kind} from '${p}'`);
      return literalToBytes(t, { kind: 'literal', type: kind, text: kind === 'hex' ? `0x${p}` : p }, ctx);
    }),
  );
}

const JAVA_INT_NAMES: Partial<Record<NativeKind, string>> = { tinyint: 'byte', smallint: 'short', int: 'int', bigint: 'long', counter: 'long', varint: 'varint' };

function fixedInt(text: string, bytes: 1 | 2 | 4 | 8, javaName: string): Buffer {
  const v = BigInt(text);
  const limit = 1n << BigInt(bytes * 8 - 1);
  if (v < -limit || v >= limit) throw marshalError(`Unable to make ${javaName} from '${text}'`);
  const out = Buffer.allocUnsafe(bytes);
  if (bytes === 8) out.writeBigInt64BE(v, 0);
  else if (bytes === 4) out.writeInt32BE(Number(v), 0);
  else if (bytes === 2) out.writeInt16BE(Number(v), 0);
  else out.writeInt8(Number(v), 0);
  return out;
}

function literalToBytes(type: CqlType, lit: Literal, ctx: TermContext): Buffer {
  if (type.kind === 'tuple' && lit.type === 'string') return tupleFromString(type, lit.text, ctx);
  if (!isNative(type) || !ACCEPTS[lit.type].has(type.kind)) {
    throw invalidRequest(`Invalid ${CONSTANT_NAME[lit.type]} constant (${lit.text}) for "${receiverName(ctx)}" of type ${typeToString(type)}`);
  }
  const text = lit.text;
  switch (type.kind) {
    case 'ascii': {
      for (let i = 0; i < text.length; i++) {
        if (text.charCodeAt(i) > 0x7f) throw marshalError(`Invalid ASCII character in string literal ${quoteString(text)}`);
      }
      return Buffer.from(text, 'latin1');
    }
    case 'text':
      return Buffer.from(text, 'utf8');
    case 'blob': {
      const hex = text.slice(2);
      if (hex.length % 2 !== 0) throw marshalError(`cannot parse '${hex}' as hex bytes`);
      return Buffer.from(hex, 'hex');
    }
    case 'boolean':
      return Buffer.from([text === 'true' ? 1 : 0]);
    case 'tinyint':
      return fixedInt(text, 1, 'byte');
    case 'smallint':
      return fixedInt(text, 2, 'short');
    case 'int':
      return fixedInt(text, 4, 'int');
    case 'bigint':
    case 'counter':
      return fixedInt(text, 8, 'long');
    case 'varint':
      return varintToBytes(BigInt(text));
    case 'decimal': {
      const d = parseDecimal(text);
      if (d === null) throw marshalError(`unable to make BigDecimal from '${text}'`);
      return decimalToBytes(d);
    }
    case 'float': {
      const out = Buffer.allocUnsafe(4);
      out.writeFloatBE(Number(text), 0);
      return out;
    }
    case 'double': {
      const out = Buffer.allocUnsafe(8);
      out.writeDoubleBE(Number(text), 0);
      return out;
    }
    case 'timestamp': {
      // An empty string is the empty value (TimestampType.fromString).
      if (text === '' && lit.type === 'string') return Buffer.alloc(0);
      const ms = parseTimestamp(text, ctx.nowMs);
      if (ms === null) {
        throw marshalError(lit.type === 'integer' ? `Unable to make long (for date) from: '${text}'` : `Unable to parse a date/time from '${text}'`);
      }
      const out = Buffer.allocUnsafe(8);
      out.writeBigInt64BE(ms, 0);
      return out;
    }
    case 'date': {
      const days = parseDate(text);
      if (days === null) {
        throw marshalError(lit.type === 'integer' ? `Unable to make unsigned int (for date) from: '${text}'` : `Unable to coerce '${text}' to a formatted date (long)`);
      }
      const out = Buffer.allocUnsafe(4);
      out.writeUInt32BE(days + 0x80000000, 0);
      return out;
    }
    case 'time': {
      const nanos = parseTime(text);
      if (nanos === null) {
        throw marshalError(lit.type === 'integer' ? `Unable to make long (for time) from: '${text}'` : `(TimeType) Unable to coerce '${text}' to a formatted time (long)`);
      }
      const out = Buffer.allocUnsafe(8);
      out.writeBigInt64BE(nanos, 0);
      return out;
    }
    case 'uuid':
    case 'timeuuid': {
      const b = uuidFromString(text);
      if (b === null) throw marshalError(`Unable to make UUID from '${text}'`);
      if (type.kind === 'timeuuid' && b[6]! >> 4 !== 1) throw marshalError('TimeUUID supports only version 1 UUIDs');
      return b;
    }
    case 'inet': {
      if (text === '') return Buffer.alloc(0); // the empty value (InetAddressType.fromString)
      const b = parseInet(text);
      if (b === null) throw marshalError(`Unable to make inet address from '${text}'`);
      // Java's InetAddress.getByName reads an IPv4-mapped IPv6 address as the IPv4 address.
      if (b.length === 16 && b.readUInt32BE(0) === 0 && b.readUInt32BE(4) === 0 && b.readUInt32BE(8) === 0xffff) return Buffer.from(b.subarray(12));
      return b;
    }
    case 'duration': {
      const d = parseDuration(text);
      if (d === null) throw marshalError(`Unable to convert '${text}' to a duration`);
      return durationToBytes(d);
    }
  }
}

// --- values -> CQL text ---------------------------------------------------------------------------

function formatFloat32(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  // The shortest decimal that reads back as the same float32.
  let s = String(v);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(v.toPrecision(p));
    if (Math.fround(candidate) === v) {
      s = String(candidate);
      break;
    }
  }
  return withPoint(s, v);
}

function formatFloat64(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return withPoint(String(v), v);
}

/** 5 -> 5.0 (and -0 -> -0.0), so the text reads as a floating-point constant. */
function withPoint(s: string, v: number): string {
  if (Object.is(v, -0)) return '-0.0';
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/**
 * The value as a CQL literal of the type: what a printer or the shell writes, and what
 * termToBytes reads back to the same bytes (timestamps as UTC text, sets sorted as given).
 * EMPTY is written as blobAs<type>(0x), the function call that makes it.
 */
export function formatValue(type: CqlType, value: CqlValue): string {
  if (value === null) return 'null';
  if (value === EMPTY) {
    if (type.kind === 'tuple') return `(${type.elements.map(() => 'null').join(', ')})`;
    return `blobAs${type.kind[0]!.toUpperCase()}${type.kind.slice(1)}(0x)`;
  }
  switch (type.kind) {
    case 'ascii':
    case 'text':
      return quoteString(value as string);
    case 'blob':
      return '0x' + (value as Buffer).toString('hex');
    case 'boolean':
      return value ? 'true' : 'false';
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'counter':
    case 'varint':
      return String(value);
    case 'float':
      return formatFloat32(value as number);
    case 'double':
      return formatFloat64(value as number);
    case 'decimal':
      return formatDecimal(value as Decimal);
    case 'timestamp':
      return quoteString(formatTimestamp(value as bigint));
    case 'date':
      return quoteString(formatDate(value as number));
    case 'time':
      return quoteString(formatTime(value as bigint));
    case 'uuid':
    case 'timeuuid':
      return value as string;
    case 'inet':
      return quoteString(typeof value === 'string' ? value : formatInet(value as Buffer));
    case 'duration':
      return formatDuration(value as Duration);
    case 'list':
      return `[${(value as readonly CqlValue[]).map((e) => formatValue(type.element, e)).join(', ')}]`;
    case 'set':
      return `{${(value as readonly CqlValue[]).map((e) => formatValue(type.element, e)).join(', ')}}`;
    case 'map':
      return `{${[...(value as ReadonlyMap<CqlValue, CqlValue>).entries()].map(([k, v]) => `${formatValue(type.key, k)}: ${formatValue(type.value, v)}`).join(', ')}}`;
    case 'tuple':
      return `(${type.elements.map((et, i) => formatValue(et, (value as readonly CqlValue[])[i] ?? null)).join(', ')})`;
  }
}

/** Bytes (or null) as a CQL literal of the type. */
export function formatBytes(type: CqlType, bytes: Buffer | null): string {
  return bytes === null ? 'null' : formatValue(type, decodeValue(type, bytes));
}

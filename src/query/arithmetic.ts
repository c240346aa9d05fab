/**
 * Arithmetic on numbers (+ - * / %), as Cassandra 4.0's OperationFcts does it: the result has the
 * wider operand's type (tinyint < smallint < int < bigint, float < double, decimal and varint
 * above both; a floating operand makes the result floating), computed with Java's semantics —
 * fixed-width integers wrap, integer division truncates, float arithmetic rounds to 32 bits,
 * decimal division keeps 34 significant digits (MathContext.DECIMAL128, half-even).
 */
import {
  CqlError,
  CqlTypes,
  ErrorCode,
  decimalFromBytes,
  decimalToBytes,
  decodeValue,
  encodeValue,
  invalidRequest,
  parseDecimal,
  typeToString,
  varintFromBytes,
  varintToBytes,
  type ArithmeticOp,
  type CqlType,
  type Decimal,
  type NativeKind,
} from '../cql-lite/index.js';
import { javaFloatString } from './cast.js';

const SIZES: Partial<Record<NativeKind, number>> = {
  tinyint: 1,
  smallint: 2,
  int: 4,
  bigint: 8,
  counter: 8,
  float: 4,
  double: 8,
  varint: Infinity,
  decimal: Infinity,
};

export function isNumeric(t: CqlType): boolean {
  return SIZES[t.kind as NativeKind] !== undefined;
}

const isFloating = (k: string): boolean => k === 'float' || k === 'double' || k === 'decimal';

/** The type of `l op r` (OperationFcts.returnType), or an InvalidRequest for non-numbers. */
export function operationType(op: ArithmeticOp, l: CqlType, r: CqlType): CqlType {
  const ls = SIZES[l.kind as NativeKind];
  const rs = SIZES[r.kind as NativeKind];
  if (ls === undefined || rs === undefined) {
    throw invalidRequest(`the '${op}' operation is not supported between ${typeToString(l)} and ${typeToString(r)}`);
  }
  const size = Math.max(ls, rs);
  if (isFloating(l.kind) || isFloating(r.kind)) return size === 4 ? CqlTypes.float : size === 8 ? CqlTypes.double : CqlTypes.decimal;
  return size === 1 ? CqlTypes.tinyint : size === 2 ? CqlTypes.smallint : size === 4 ? CqlTypes.int : size === 8 ? CqlTypes.bigint : CqlTypes.varint;
}

function failure(op: ArithmeticOp, l: CqlType, r: CqlType, why: string): CqlError {
  return new CqlError(ErrorCode.FUNCTION_FAILURE, `the operation '${typeToString(l)} ${op} ${typeToString(r)}' failed: ${why}`, 'invalid');
}

// --- decimals (java.math.BigDecimal's rules) ---------------------------------------------------------

const PRECISION = 34;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function digits(v: bigint): number {
  return (v < 0n ? -v : v).toString().length;
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.unscaled * pow10(scale - a.scale), b.unscaled * pow10(scale - b.scale), scale];
}

/** BigDecimal.divide(divisor, MathContext.DECIMAL128). */
function divideDecimal(a: Decimal, b: Decimal): Decimal {
  const preferred = a.scale - b.scale;
  if (a.unscaled === 0n) return { unscaled: 0n, scale: Math.max(Math.min(preferred, 2147483647), -2147483648) };
  const negative = a.unscaled < 0n !== b.unscaled < 0n;
  const ua = a.unscaled < 0n ? -a.unscaled : a.unscaled;
  const ub = b.unscaled < 0n ? -b.unscaled : b.unscaled;
  const k = Math.max(0, PRECISION + digits(ub) - digits(ua) + 1);
  const num = ua * pow10(k);
  let q = num / ub;
  let rem = num % ub;
  let scale = k + a.scale - b.scale;
  const extra = digits(q) - PRECISION;
  if (extra > 0) {
    const div = pow10(extra);
    const dropped = q % div;
    q /= div;
    scale -= extra;
    const half = div / 2n;
    // Half-even on the dropped digits, with the remainder deciding ties beyond them.
    const above = dropped > half || (dropped === half && rem > 0n);
    const tie = dropped === half && rem === 0n;
    if (above || (tie && q % 2n === 1n)) q += 1n;
    if (dropped !== 0n) rem = 1n;
  }
  if (rem === 0n) {
    while (scale > preferred && q % 10n === 0n) {
      q /= 10n;
      scale--;
    }
  }
  return { unscaled: negative ? -q : q, scale };
}

function decimalOp(op: ArithmeticOp, a: Decimal, b: Decimal, fail: (why: string) => CqlError): Decimal {
  switch (op) {
    case '+':
    case '-': {
      const [x, y, scale] = align(a, b);
      return { unscaled: op === '+' ? x + y : x - y, scale };
    }
    case '*':
      return { unscaled: a.unscaled * b.unscaled, scale: a.scale + b.scale };
    case '/':
      if (b.unscaled === 0n) throw fail(a.unscaled === 0n ? 'Division undefined' : 'Division by zero');
      return divideDecimal(a, b);
    case '%': {
      if (b.unscaled === 0n) throw fail('Division by zero');
      const [x, y, scale] = align(a, b);
      const q = x / y;
      return { unscaled: x - q * y, scale };
    }
  }
}

/** A value as a BigDecimal, the way Cassandra widens it: fixed-width numbers go through a double. */
function asDecimal(t: CqlType, b: Buffer): Decimal {
  switch (t.kind) {
    case 'decimal':
      return decimalFromBytes(b);
    case 'varint':
      return { unscaled: varintFromBytes(b), scale: 0 };
    default: {
      const v = Number(decodeValue(t, b) as number | bigint);
      return parseDecimal(javaFloatString(v, false))!;
    }
  }
}

// --- the operation ------------------------------------------------------------------------------------

function asBigInt(t: CqlType, b: Buffer): bigint {
  return t.kind === 'varint' ? varintFromBytes(b) : BigInt(decodeValue(t, b) as number | bigint);
}

/** `l op r` in type `out` (operationType of the operand types); null when either is null. */
export function operate(op: ArithmeticOp, lt: CqlType, l: Buffer | null, rt: CqlType, r: Buffer | null): Buffer | null {
  if (l === null || r === null || l.length === 0 || r.length === 0) return null;
  const out = operationType(op, lt, rt);
  const fail = (why: string): CqlError => failure(op, lt, rt, why);
  switch (out.kind) {
    case 'decimal':
      return decimalToBytes(decimalOp(op, asDecimal(lt, l), asDecimal(rt, r), fail));
    case 'float':
    case 'double': {
      const x = Number(decodeValue(lt, l) as number | bigint);
      const y = Number(decodeValue(rt, r) as number | bigint);
      const f = out.kind === 'float' ? Math.fround : (v: number): number => v;
      const a = f(x);
      const b = f(y);
      const v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
      return encodeValue(out, f(v));
    }
    default: {
      const a = asBigInt(lt, l);
      const b = asBigInt(rt, r);
      if ((op === '/' || op === '%') && b === 0n) throw fail(out.kind === 'varint' ? 'BigInteger divide by zero' : '/ by zero');
      let v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
      if (out.kind === 'varint') return varintToBytes(v);
      const bits = out.kind === 'tinyint' ? 8 : out.kind === 'smallint' ? 16 : out.kind === 'int' ? 32 : 64;
      v = BigInt.asIntN(bits, v);
      return encodeValue(out, bits === 64 ? v : Number(v));
    }
  }
}

/** -x in the value's own type (Java's negation: the smallest fixed-width integer stays itself). */
export function negate(t: CqlType, b: Buffer | null): Buffer | null {
  if (b === null || b.length === 0) return null;
  if (!isNumeric(t)) throw invalidRequest(`the '-' operation is not supported for ${typeToString(t)}`);
  if (t.kind === 'float' || t.kind === 'double') return encodeValue(t, -(decodeValue(t, b) as number));
  const zero = encodeValue(t, t.kind === 'decimal' ? '0' : t.kind === 'varint' || t.kind === 'bigint' || t.kind === 'counter' ? 0n : 0)!;
  return operate('-', t, zero, t, b);
}

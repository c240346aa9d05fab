/**
 * CAST(x AS type) in selections, as Cassandra's CastFcts defines it: numbers to numbers (Java's
 * narrowing: truncation, then the low bits), anything native to text or ascii (the value's Java
 * toString), and the time types among themselves (timeuuid -> timestamp / date, timestamp <->
 * date). Anything else is refused when the statement is prepared.
 */
import {
  decimalFromBytes,
  decodeValue,
  encodeValue,
  formatDate,
  formatDecimal,
  formatInet,
  formatTime,
  formatTimestamp,
  invalidRequest,
  isNative,
  typeToString,
  uuidToString,
  varintFromBytes,
  varintToBytes,
  type CqlType,
  type NativeKind,
} from '../cql-lite/index.js';
import { int64, uint32 } from './bytes.js';
import { unixMillisOfUuid } from './timeuuid.js';

type Conversion = (b: Buffer) => Buffer | null;

const INTEGRAL = new Set<NativeKind>(['tinyint', 'smallint', 'int', 'bigint', 'counter', 'varint']);
const NUMERIC = new Set<NativeKind>([...INTEGRAL, 'float', 'double', 'decimal']);
const MS_PER_DAY = 86_400_000n;
const DATE_EPOCH = 0x80000000n;

/** Java's Float/Double.toString: plain between 10^-3 and 10^7, else d.dddE±n; always a fraction digit. */
export function javaFloatString(v: number, float32: boolean): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  let digits = String(v);
  if (float32) {
    for (let p = 1; p <= 9; p++) {
      const c = Number(v.toPrecision(p));
      if (Math.fround(c) === v) {
        digits = String(c);
        break;
      }
    }
  }
  const x = Number(digits);
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = abs.toString().includes('e') ? x.toFixed(20).replace(/0+$/, '') : String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exp] = x.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exp)}`;
}

function numberOf(t: NativeKind, b: Buffer): { int: bigint | null; real: number } {
  switch (t) {
    case 'tinyint':
    case 'smallint':
    case 'int': {
      const n = decodeValue({ kind: t }, b) as number;
      return { int: BigInt(n), real: n };
    }
    case 'bigint':
    case 'counter': {
      const n = b.readBigInt64BE(0);
      return { int: n, real: Number(n) };
    }
    case 'varint': {
      const n = varintFromBytes(b);
      return { int: n, real: Number(n) };
    }
    case 'float':
      return { int: null, real: b.readFloatBE(0) };
    case 'double':
      return { int: null, real: b.readDoubleBE(0) };
    default: {
      const d = decimalFromBytes(b);
      return { int: null, real: Number(formatDecimal(d)) };
    }
  }
}

/** Java's (long) of a double: truncation toward zero, NaN to 0, saturated at the long range. */
function truncate(v: number): bigint {
  if (Number.isNaN(v)) return 0n;
  if (v >= 9.223372036854776e18) return (1n << 63n) - 1n;
  if (v <= -9.223372036854776e18) return -(1n << 63n);
  return BigInt(Math.trunc(v));
}

function toNumber(from: NativeKind, to: NativeKind): Conversion {
  return (b) => {
    const n = numberOf(from, b);
    switch (to) {
      case 'float':
      case 'double':
        return encodeValue({ kind: to }, n.int !== null && from === 'varint' ? Number(n.int) : n.real);
      case 'decimal':
        return encodeValue({ kind: 'decimal' }, n.int !== null ? `${n.int}` : javaFloatString(n.real, from === 'float'));
      case 'varint':
        return varintToBytes(n.int ?? truncate(n.real));
      default: {
        const whole = n.int ?? truncate(n.real);
        const bits = to === 'tinyint' ? 8 : to === 'smallint' ? 16 : to === 'int' ? 32 : 64;
        const wrapped = BigInt.asIntN(bits, whole);
        return encodeValue({ kind: to }, bits === 64 ? wrapped : Number(wrapped));
      }
    }
  };
}

/** The text Cassandra's CAST(x AS text) gives: the value's Java toString. */
function toText(from: NativeKind): (b: Buffer) => string {
  switch (from) {
    case 'ascii':
    case 'text':
      return (b) => b.toString('utf8');
    case 'float':
      return (b) => javaFloatString(b.readFloatBE(0), true);
    case 'double':
      return (b) => javaFloatString(b.readDoubleBE(0), false);
    case 'decimal':
      return (b) => formatDecimal(decimalFromBytes(b));
    case 'timestamp':
      return (b) => formatTimestamp(b.readBigInt64BE(0));
    case 'date':
      return (b) => formatDate(b.readUInt32BE(0) - 0x80000000);
    case 'time':
      return (b) => formatTime(b.readBigInt64BE(0));
    case 'uuid':
    case 'timeuuid':
      return (b) => uuidToString(b);
    case 'inet':
      return (b) => formatInet(b);
    case 'blob':
      return (b) => b.toString('hex');
    default:
      return (b) => String(decodeValue({ kind: from }, b));
  }
}

/** The conversion of a CAST, or an InvalidRequest naming what cannot be cast. */
export function castConversion(argText: string, from: CqlType, to: CqlType): Conversion {
  const refuse = (): never => {
    throw invalidRequest(`${argText} cannot be cast to ${typeToString(to)}`);
  };
  if (!isNative(from) || !isNative(to)) return refuse();
  const f = from.kind;
  const t = to.kind;
  const wrap = (c: Conversion): Conversion => (b) => (b.length === 0 ? null : c(b));
  if (NUMERIC.has(f) && NUMERIC.has(t) && t !== 'counter') return wrap(toNumber(f, t));
  if (t === 'text' || t === 'ascii') {
    if (f === 'duration') return refuse();
    const text = toText(f);
    return (b) => Buffer.from(text(b), t === 'ascii' ? 'latin1' : 'utf8');
  }
  if (t === 'timestamp' && (f === 'timeuuid' || f === 'date')) {
    return wrap((b) => int64(f === 'timeuuid' ? unixMillisOfUuid(b) : (BigInt(b.readUInt32BE(0)) - DATE_EPOCH) * MS_PER_DAY));
  }
  if (t === 'date' && (f === 'timeuuid' || f === 'timestamp')) {
    return wrap((b) => {
      const ms = f === 'timeuuid' ? unixMillisOfUuid(b) : b.readBigInt64BE(0);
      const days = ms >= 0n ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1n) / MS_PER_DAY);
      return uint32(days + DATE_EPOCH);
    });
  }
  return refuse();
}

/**
 * Arbitrary-precision numbers and durations in their native-protocol encodings (spec section 6).
 *
 *   varint    minimal-ish two's complement, big-endian: 0 -> 00, 128 -> 00 80, -1 -> ff, -129 -> ff 7f
 *   decimal   [int scale] <varint unscaled>; the value is unscaled * 10^-scale
 *   duration  <vint months> <vint days> <vint nanoseconds>, each zig-zag signed (protocol v5 section
 *             6.x; v4 carries it as the custom DurationType). A vint's first byte has as many leading
 *             1 bits as extra bytes follow; the value's high bits fill the rest, big-endian.
 */
import { marshalError } from './errors.js';

/** A decimal: unscaled * 10^-scale (scale is a 32-bit signed integer). */
export interface Decimal {
  readonly unscaled: bigint;
  readonly scale: number;
}

/** A duration: months, days and nanoseconds, all of the same sign. */
export interface Duration {
  readonly months: number;
  readonly days: number;
  readonly nanoseconds: bigint;
}

// --- varint -------------------------------------------------------------------------------------

export function varintToBytes(v: bigint): Buffer {
  // Bits needed for the magnitude (of ~v for negatives), plus one sign bit.
  const magnitude = v < 0n ? ~v : v;
  const bits = magnitude === 0n ? 0 : magnitude.toString(2).length;
  const n = Math.floor(bits / 8) + 1;
  const unsigned = v < 0n ? (1n << BigInt(8 * n)) + v : v;
  return Buffer.from(unsigned.toString(16).padStart(2 * n, '0'), 'hex');
}

/** Reads a two's complement big-endian integer of any length (empty reads as 0). */
export function varintFromBytes(b: Buffer, start = 0, end = b.length): bigint {
  if (end <= start) return 0n;
  const u = BigInt('0x' + b.toString('hex', start, end));
  return b[start]! >= 0x80 ? u - (1n << BigInt(8 * (end - start))) : u;
}

// --- decimal ------------------------------------------------------------------------------------

export function decimalToBytes(d: Decimal): Buffer {
  if (!Number.isInteger(d.scale) || d.scale < -0x80000000 || d.scale > 0x7fffffff) {
    throw marshalError(`Decimal scale out of range: ${d.scale}`);
  }
  const u = varintToBytes(d.unscaled);
  const out = Buffer.allocUnsafe(4 + u.length);
  out.writeInt32BE(d.scale, 0);
  u.copy(out, 4);
  return out;
}

export function decimalFromBytes(b: Buffer): Decimal {
  return { scale: b.readInt32BE(0), unscaled: varintFromBytes(b, 4) };
}

/**
 * Parses a decimal as Java's BigDecimal(String) does: [+-]digits[.digits][(e|E)[+-]digits].
 * Returns null when the text is not a decimal number.
 */
export function parseDecimal(text: string): Decimal | null {
  let i = 0;
  const n = text.length;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  let digits = '';
  let fraction = 0;
  let seenDigit = false;
  while (i < n && text[i]! >= '0' && text[i]! <= '9') {
    digits += text[i++];
    seenDigit = true;
  }
  if (text[i] === '.') {
    i++;
    while (i < n && text[i]! >= '0' && text[i]! <= '9') {
      digits += text[i++];
      fraction++;
      seenDigit = true;
    }
  }
  if (!seenDigit) return null;
  let exponent = 0;
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    let expText = '';
    if (text[i] === '+' || text[i] === '-') expText += text[i++];
    const expStart = i;
    while (i < n && text[i]! >= '0' && text[i]! <= '9') expText += text[i++];
    if (i === expStart || i - expStart > 10) return null;
    exponent = Number(expText);
  }
  if (i !== n) return null;
  const scale = fraction - exponent;
  if (scale < -0x80000000 || scale > 0x7fffffff) return null;
  const unscaled = BigInt(digits);
  return { unscaled: negative ? -unscaled : unscaled, scale };
}

/** The decimal as Java's BigDecimal.toString writes it ('1.50', '-0.005', '5E+3'). */
export function formatDecimal(d: Decimal): string {
  const negative = d.unscaled < 0n;
  const digits = (negative ? -d.unscaled : d.unscaled).toString();
  const sign = negative ? '-' : '';
  const adjusted = -d.scale + (digits.length - 1);
  if (d.scale >= 0 && adjusted >= -6) {
    if (d.scale === 0) return sign + digits;
    if (digits.length > d.scale) return `${sign}${digits.slice(0, digits.length - d.scale)}.${digits.slice(digits.length - d.scale)}`;
    return `${sign}0.${'0'.repeat(d.scale - digits.length)}${digits}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

// --- vint and duration --------------------------------------------------------------------------

function writeUnsignedVInt(v: bigint, out: number[]): void {
  // Number of bytes: 1 for < 2^7, then one more per 7 bits, 9 for anything >= 2^56.
  let size = 1;
  while (size < 9 && v >= 1n << BigInt(7 * size)) size++;
  if (size === 1) {
    out.push(Number(v));
    return;
  }
  const bytes: number[] = new Array<number>(size);
  let x = v;
  for (let i = size - 1; i >= 0; i--) {
    bytes[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  const extra = size - 1;
  bytes[0] = bytes[0]! | (~(0xff >> extra) & 0xff);
  out.push(...bytes);
}

function readUnsignedVInt(b: Buffer, r: { pos: number }): bigint {
  if (r.pos >= b.length) throw marshalError('Not enough bytes to read a duration');
  const first = b[r.pos++]!;
  let extra = 0;
  while (extra < 8 && (first & (0x80 >> extra)) !== 0) extra++;
  if (r.pos + extra > b.length) throw marshalError('Not enough bytes to read a duration');
  let v = BigInt(first & (0xff >> extra));
  for (let i = 0; i < extra; i++) v = (v << 8n) | BigInt(b[r.pos++]!);
  return v;
}

const MASK64 = (1n << 64n) - 1n;

function zigzag(v: bigint): bigint {
  return ((v << 1n) ^ (v >> 63n)) & MASK64;
}
function unzigzag(u: bigint): bigint {
  return (u >> 1n) ^ -(u & 1n);
}

export function durationToBytes(d: Duration): Buffer {
  checkDuration(d);
  const out: number[] = [];
  writeUnsignedVInt(zigzag(BigInt(d.months)), out);
  writeUnsignedVInt(zigzag(BigInt(d.days)), out);
  writeUnsignedVInt(zigzag(d.nanoseconds), out);
  return Buffer.from(out);
}

export function durationFromBytes(b: Buffer): Duration {
  const r = { pos: 0 };
  const months = unzigzag(readUnsignedVInt(b, r));
  const days = unzigzag(readUnsignedVInt(b, r));
  const nanoseconds = BigInt.asIntN(64, unzigzag(readUnsignedVInt(b, r)));
  if (r.pos !== b.length) throw marshalError('Unexpected extraneous bytes after duration value');
  const int32 = (v: bigint) => v >= -0x80000000n && v <= 0x7fffffffn;
  if (!int32(months) || !int32(days)) throw marshalError('Duration months or days out of range');
  const d = { months: Number(months), days: Number(days), nanoseconds };
  checkDuration(d);
  return d;
}

function checkDuration(d: Duration): void {
  const int32 = (v: number) => Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
  if (!int32(d.months) || !int32(d.days)) throw marshalError('Duration months and days must be 32-bit integers');
  if (d.nanoseconds < -(1n << 63n) || d.nanoseconds >= 1n << 63n) throw marshalError('Duration nanoseconds must be a 64-bit integer');
  const neg = d.months < 0 || d.days < 0 || d.nanoseconds < 0n;
  const pos = d.months > 0 || d.days > 0 || d.nanoseconds > 0n;
  if (neg && pos) throw marshalError('The duration months, days and nanoseconds must be all of the same sign');
}

const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
  h: 3_600_000_000_000n,
  m: 60_000_000_000n,
  s: 1_000_000_000n,
  ms: 1_000_000n,
  us: 1_000n,
  'µs': 1_000n,
  ns: 1n,
};

/** Parses Cassandra's duration literal form (`1y2mo3w4d5h6m7s8ms9us10ns`, optionally negative). */
export function parseDuration(text: string): Duration | null {
  let i = 0;
  const negative = text.startsWith('-');
  if (negative) i++;
  let months = 0n;
  let days = 0n;
  let nanos = 0n;
  if (i >= text.length) return null;
  while (i < text.length) {
    const start = i;
    while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
    if (i === start) return null;
    const amount = BigInt(text.slice(start, i));
    const u0 = (text[i] ?? '').toLowerCase();
    const u1 = (text[i + 1] ?? '').toLowerCase();
    let unit: string;
    if (u0 === 'm' && (u1 === 'o' || u1 === 's')) unit = u0 + u1;
    else if ((u0 === 'u' || u0 === 'µ' || u0 === 'n') && u1 === 's') unit = u0 + u1;
    else unit = u0;
    i += unit.length;
    if (unit === 'y') months += amount * 12n;
    else if (unit === 'mo') months += amount;
    else if (unit === 'w') days += amount * 7n;
    else if (unit === 'd') days += amount;
    else if (NANOS_PER_UNIT[unit] !== undefined) nanos += amount * NANOS_PER_UNIT[unit]!;
    else return null;
  }
  if (negative) {
    months = -months;
    days = -days;
    nanos = -nanos;
  }
  if (months < -0x80000000n || months > 0x7fffffffn || days < -0x80000000n || days > 0x7fffffffn) return null;
  if (nanos < -(1n << 63n) || nanos >= 1n << 63n) return null;
  return { months: Number(months), days: Number(days), nanoseconds: nanos };
}

/** The duration as Cassandra prints it: 1y2mo3d4h5m6s7ms8us9ns, '-' first when negative, 0s when zero. */
export function formatDuration(d: Duration): string {
  const negative = d.months < 0 || d.days < 0 || d.nanoseconds < 0n;
  let months = Math.abs(d.months);
  const days = Math.abs(d.days);
  let nanos = d.nanoseconds < 0n ? -d.nanoseconds : d.nanoseconds;
  let out = negative ? '-' : '';
  if (months >= 12) out += `${Math.floor(months / 12)}y`;
  months %= 12;
  if (months > 0) out += `${months}mo`;
  if (days > 0) out += `${days}d`;
  for (const [unit, size] of [['h', 3_600_000_000_000n], ['m', 60_000_000_000n], ['s', 1_000_000_000n], ['ms', 1_000_000n], ['us', 1_000n], ['ns', 1n]] as const) {
    if (nanos >= size) {
      out += `${nanos / size}${unit}`;
      nanos %= size;
    }
  }
  return out === '' || out === '-' ? '0s' : out;
}

/**
 * Arbitrary-precision numbers: varint (IntegerType) and decimal (DecimalType), both ordered by
 * numeric value as Cassandra orders them, whatever the redundant bytes or the scale.
 *
 *   Varint := 0x80+L  B[L]           L <= 0x7e, value >= 0
 *           | 0xff    u32(L) B[L]    L >  0x7e, value >= 0
 *           | 0x7f-L  B[L]           L <= 0x7e, value <  0
 *           | 0x00    u32(~L) B[L]   L >  0x7e, value <  0
 *   B is the minimal big-endian two's complement form of the value (L >= 1 bytes). Longer means
 *   larger for non-negative values and smaller for negative ones; at equal length the two's
 *   complement bytes compare like the numbers.
 *
 *   Decimal := 0x80                                   zero (any scale)
 *            | Magnitude                              value > 0
 *            | ~Magnitude                             value < 0 (every byte inverted)
 *   Magnitude := Class [u48(E + 2^40)] Pair+ 0x00
 *     the value is 0.d1d2d3... x 10^E with d1 != 0 and no trailing zero digit;
 *     Class = 0xc0+E for -62 <= E <= 62, 0x81 (then u48) for E < -62, 0xff (then u48) for E > 62;
 *     Pair = 1 + 10*d(i) + d(i+1) for i = 1, 3, 5, ... (a missing last digit counts as 0).
 *   At equal E, comparing the digit pairs then the 0x00 terminator (below every pair) is comparing
 *   the digit strings, which is comparing the magnitudes.
 *
 * Canonical forms returned by the decoders (Cassandra compares these equal to every other form):
 * varint without redundant sign bytes; decimal with trailing zeros stripped from the unscaled
 * value (BigDecimal.stripTrailingZeros: 1.50 -> 15 scale 1), but integral values with scale 0
 * (100 -> 100 scale 0, not 1 scale -2) up to 32 trailing zeros; zero as unscaled 0 with scale 0.
 */
import { type Cursor, byteAt, invertRange, takeMasked } from './bytes.js';
import { corrupt, invalidValue } from './errors.js';

const SMALL_LENGTH_MAX = 0x7e;
const MAX_INTEGRAL_PADDING = 32;
const ZERO_CLASS = 0x80;
const EXP_SMALL_MAX = 62;
const EXP_OFFSET = 2 ** 40;
const EXT_NEGATIVE_EXP = 0x81;
const EXT_POSITIVE_EXP = 0xff;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** Bounds zero padding when a stripped decimal's scale would fall below int32 (see readDecimal). */
const MAX_DECIMAL_PADDING = 1 << 24;

const DIGIT_PAIRS: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));

/** Index of the first byte of the minimal two's complement form of v[from..] (v.length > from). */
export function minimalStart(v: Buffer, from: number): number {
  const last = v.length - 1;
  let i = from;
  while (i < last) {
    const b0 = v[i]!;
    const b1 = v[i + 1]!;
    if ((b0 === 0x00 && b1 < 0x80) || (b0 === 0xff && b1 >= 0x80)) i++;
    else break;
  }
  return i;
}

export function varintSize(v: Buffer): number {
  const length = v.length - minimalStart(v, 0);
  return (length <= SMALL_LENGTH_MAX ? 1 : 5) + length;
}

export function writeVarint(v: Buffer, out: Buffer, off: number): number {
  const start = minimalStart(v, 0);
  const length = v.length - start;
  const negative = v[start]! >= 0x80;
  if (length <= SMALL_LENGTH_MAX) {
    out[off++] = negative ? 0x7f - length : 0x80 + length;
  } else {
    out[off++] = negative ? 0x00 : 0xff;
    out.writeUInt32BE(negative ? ~length >>> 0 : length, off);
    off += 4;
  }
  return off + v.copy(out, off, start);
}

export function readVarint(buf: Buffer, cur: Cursor, mask: number): Buffer {
  const c = byteAt(buf, cur.pos++, mask);
  const negative = c < 0x80;
  let length: number;
  if (c === 0xff) length = readUIntMasked(buf, cur, 4, mask);
  else if (c === 0x00) length = ~readUIntMasked(buf, cur, 4, mask) >>> 0;
  else length = negative ? 0x7f - c : c - 0x80;
  if (length === 0 || ((c === 0xff || c === 0x00) && length <= SMALL_LENGTH_MAX)) throw corrupt(`bad varint class 0x${c.toString(16)}`);
  const out = takeMasked(buf, cur, length, mask);
  if (out[0]! >= 0x80 !== negative) throw corrupt('varint sign does not match its class');
  return out;
}

/**
 * The whole decimal payload, computed at once: the digit string needs the unscaled value in
 * base 10, which for long values means a bigint.
 */
export function decimalPayload(v: Buffer): Buffer {
  if (v.length < 5) throw invalidValue('decimal', `${v.length} bytes; needs a 4-byte scale and an unscaled value`);
  const scale = v.readInt32BE(0);
  const start = minimalStart(v, 4);
  const length = v.length - start;
  const negative = v[start]! >= 0x80;
  let digits: string;
  if (length <= 6) {
    const n = v.readIntBE(start, length);
    digits = (negative ? -n : n).toString();
  } else {
    let big = BigInt('0x' + v.toString('hex', start));
    if (negative) big = (1n << BigInt(8 * length)) - big;
    digits = big.toString();
  }
  if (digits === '0') return Buffer.from([ZERO_CLASS]);
  let n = digits.length;
  while (digits.charCodeAt(n - 1) === 48) n--;
  const exponent = digits.length - scale;
  const extended = exponent < -EXP_SMALL_MAX || exponent > EXP_SMALL_MAX;
  const size = 1 + (extended ? 6 : 0) + ((n + 1) >> 1) + 1;
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  if (extended) {
    out[off++] = exponent < 0 ? EXT_NEGATIVE_EXP : EXT_POSITIVE_EXP;
    out.writeUIntBE(exponent + EXP_OFFSET, off, 6);
    off += 6;
  } else {
    out[off++] = 0xc0 + exponent;
  }
  for (let i = 0; i < n; i += 2) {
    const hi = digits.charCodeAt(i) - 48;
    const lo = i + 1 < n ? digits.charCodeAt(i + 1) - 48 : 0;
    out[off++] = 1 + hi * 10 + lo;
  }
  out[off++] = 0x00;
  if (negative) invertRange(out, 0, size);
  return out;
}

export function readDecimal(buf: Buffer, cur: Cursor, mask: number): Buffer {
  let c = byteAt(buf, cur.pos++, mask);
  if (c === ZERO_CLASS) return Buffer.from([0, 0, 0, 0, 0]);
  const negative = c < 0x80;
  const m = negative ? mask ^ 0xff : mask;
  if (negative) c ^= 0xff;
  if (c <= ZERO_CLASS) throw corrupt(`bad decimal class 0x${c.toString(16)}`);
  let exponent: number;
  if (c === EXT_NEGATIVE_EXP || c === EXT_POSITIVE_EXP) {
    exponent = readUIntMasked(buf, cur, 6, m) - EXP_OFFSET;
    if (c === EXT_NEGATIVE_EXP ? exponent >= -EXP_SMALL_MAX : exponent <= EXP_SMALL_MAX) {
      throw corrupt(`decimal exponent ${exponent} in the wrong class`);
    }
  } else {
    exponent = c - 0xc0;
  }
  let digits = '';
  for (;;) {
    const b = byteAt(buf, cur.pos++, m);
    if (b === 0x00) break;
    if (b > 100) throw corrupt(`bad decimal digit pair 0x${b.toString(16)}`);
    digits += DIGIT_PAIRS[b - 1];
  }
  let n = digits.length;
  while (digits.charCodeAt(n - 1) === 48) n--;
  if (n === 0) throw corrupt('decimal without digits');
  if (digits.charCodeAt(0) === 48) throw corrupt('decimal with a leading zero digit');
  digits = digits.slice(0, n);
  let scale = n - exponent;
  // An integral value comes back with scale 0 (10, not 1E+1) — the form it is usually written in —
  // unless that would take more than a few dozen zeros.
  if (scale < 0 && scale >= -MAX_INTEGRAL_PADDING) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  if (scale > INT32_MAX) throw corrupt(`decimal scale ${scale} out of range`);
  if (scale < INT32_MIN) {
    // Stripping trailing zeros pushed the scale below int32: keep just enough of them.
    const pad = INT32_MIN - scale;
    if (pad > MAX_DECIMAL_PADDING) throw corrupt(`decimal scale ${scale} out of range`);
    digits += '0'.repeat(pad);
    scale = INT32_MIN;
  }
  const unscaled = digits.length <= 14 ? smallToVarint(negative ? -Number(digits) : Number(digits)) : bigToVarint(negative ? -BigInt(digits) : BigInt(digits));
  const out = Buffer.allocUnsafe(4 + unscaled.length);
  out.writeInt32BE(scale, 0);
  unscaled.copy(out, 4);
  return out;
}

/** Minimal two's complement bytes of a safe integer with |n| < 2^47. */
function smallToVarint(n: number): Buffer {
  let length = 1;
  while (length < 6 && (n < -(2 ** (8 * length - 1)) || n >= 2 ** (8 * length - 1))) length++;
  const out = Buffer.allocUnsafe(length);
  out.writeIntBE(n, 0, length);
  return out;
}

/** Minimal two's complement bytes of any integer. */
export function bigToVarint(v: bigint): Buffer {
  const negative = v < 0n;
  // A negative v is the bitwise complement of -v - 1 >= 0, whose bytes need the same length.
  const magnitude = negative ? -v - 1n : v;
  let hex = magnitude.toString(16);
  if (hex.length & 1) hex = '0' + hex;
  if (hex.charCodeAt(0) >= 56) hex = '00' + hex; // '8'..'f': the top bit would read as a sign
  const out = Buffer.from(hex, 'hex');
  if (negative) invertRange(out, 0, out.length);
  return out;
}

/** An unsigned big-endian integer of n <= 6 bytes, read through the mask. */
function readUIntMasked(buf: Buffer, cur: Cursor, n: number, mask: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + byteAt(buf, cur.pos++, mask);
  return v;
}

/**
 * Signed 64-bit integers (tokens) to and from big-endian bytes and 32-bit words without bigint
 * arithmetic: Buffer's readBigInt64BE / writeBigInt64BE and shifts on a bigint allocate several
 * intermediate bigints, and every write, flush and read moves a token. A bigint is converted
 * through one shared BigInt64Array aliased by an Int32Array.
 */
const big = new BigInt64Array(1);
const words = new Int32Array(big.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

/** The high 32-bit word of a signed 64-bit bigint, signed. */
export function int64Hi(v: bigint): number {
  big[0] = v;
  return words[HI];
}

/** The low 32-bit word of a signed 64-bit bigint, unsigned. */
export function int64Lo(v: bigint): number {
  big[0] = v;
  return words[LO] >>> 0;
}

/** The signed 64-bit bigint of two 32-bit words (hi signed or not, lo unsigned or not). */
export function int64FromWords(hi: number, lo: number): bigint {
  words[HI] = hi;
  words[LO] = lo;
  return big[0];
}

/** Writes v (signed 64-bit) big-endian at buf[pos, pos + 8); the caller checked the room. */
export function writeInt64BE(buf: Uint8Array, pos: number, v: bigint): void {
  big[0] = v;
  const hi = words[HI];
  const lo = words[LO];
  buf[pos] = hi >>> 24;
  buf[pos + 1] = hi >>> 16;
  buf[pos + 2] = hi >>> 8;
  buf[pos + 3] = hi;
  buf[pos + 4] = lo >>> 24;
  buf[pos + 5] = lo >>> 16;
  buf[pos + 6] = lo >>> 8;
  buf[pos + 7] = lo;
}

/** Reads a signed 64-bit big-endian integer at buf[pos, pos + 8); the caller checked the bounds. */
export function readInt64BE(buf: Uint8Array, pos: number): bigint {
  words[HI] = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
  words[LO] = (buf[pos + 4] << 24) | (buf[pos + 5] << 16) | (buf[pos + 6] << 8) | buf[pos + 7];
  return big[0];
}

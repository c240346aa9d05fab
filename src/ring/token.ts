/**
 * Tokens: positions on the ring, signed 64-bit integers held as bigint at the API.
 *
 * Both partitioners share this space: [MIN_TOKEN, MAX_TOKEN], ordered as signed integers, with
 * the ring closing from MAX_TOKEN back to MIN_TOKEN. MIN_TOKEN is the ring's start sentinel and is
 * never the token of a key (a hash that lands on it is mapped to MAX_TOKEN, as Cassandra's
 * Murmur3Partitioner does), so a scan of (MIN_TOKEN, MIN_TOKEN] or of (MIN_TOKEN, t] misses nothing.
 */
import { RingError } from './errors.js';

export type Token = bigint;

export const MIN_TOKEN: Token = -(1n << 63n);
export const MAX_TOKEN: Token = (1n << 63n) - 1n;
/** The number of positions on the ring: the size of the full range (t, t]. */
export const RING_SIZE = 1n << 64n;
/** RING_SIZE as a float, for ownership fractions. */
export const RING_SIZE_F64 = 18446744073709551616;

const DECIMAL = /^-?\d{1,20}$/;

/** Parse a token from its decimal form (system.local.tokens, gossip TOKENS, CQL token() literals). */
export function parseToken(text: string): Token {
  if (!DECIMAL.test(text)) throw new RingError('BAD_TOKEN', `not a 64-bit token: '${text}'`);
  const value = BigInt(text);
  if (value < MIN_TOKEN || value > MAX_TOKEN) throw new RingError('BAD_TOKEN', `token out of the signed 64-bit range: '${text}'`);
  return value;
}

export function tokenToString(token: Token): string {
  return token.toString();
}

/** True when the bigint is a valid signed 64-bit token. */
export function isToken(value: unknown): value is Token {
  return typeof value === 'bigint' && value >= MIN_TOKEN && value <= MAX_TOKEN;
}

/** Wrap any integer onto the ring (arithmetic modulo 2^64, read as signed). */
export function wrapToken(value: bigint): Token {
  return BigInt.asIntN(64, value);
}

/**
 * The number of tokens in the range (left, right], walking clockwise. left === right means the
 * whole ring (2^64), as in Cassandra: a single-token ring owns everything.
 */
export function rangeSize(left: Token, right: Token): bigint {
  const d = BigInt.asUintN(64, right - left);
  return d === 0n ? RING_SIZE : d;
}

/** The fraction of the ring that (left, right] covers, in (0, 1]. */
export function rangeFraction(left: Token, right: Token): number {
  return Number(rangeSize(left, right)) / RING_SIZE_F64;
}

/** The token `offset` positions clockwise from `from`. */
export function addToToken(from: Token, offset: bigint): Token {
  return BigInt.asIntN(64, from + offset);
}

/** The token at the middle of (left, right] (rounded towards left), for splitting ranges. */
export function midpoint(left: Token, right: Token): Token {
  return addToToken(left, rangeSize(left, right) / 2n);
}

/** Compare two tokens as signed integers. */
export function compareTokens(a: Token, b: Token): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Token ranges, always (left, right]: left excluded, right included, walking clockwise.
 *
 * Wrap-around, spelled out:
 * - left < right: the plain interval, left < t <= right.
 * - left > right: wraps past MAX_TOKEN: t > left or t <= right.
 * - left === right: the whole ring (a one-token ring owns everything, as in Cassandra).
 * - right === MIN_TOKEN with left > MIN_TOKEN: "from left to the end of the ring" (only MIN_TOKEN
 *   itself is taken from the far side, and no key has that token). unwrap() produces these.
 */
import { MIN_TOKEN, rangeSize, type Token } from './token.js';

export interface TokenRange {
  readonly left: Token;
  readonly right: Token;
}

export function tokenRange(left: Token, right: Token): TokenRange {
  return Object.freeze({ left, right });
}

export const FULL_RING: TokenRange = tokenRange(MIN_TOKEN, MIN_TOKEN);

/** True when the range passes MAX_TOKEN -> MIN_TOKEN (the full ring counts as wrapping). */
export function isWrapAround(r: TokenRange): boolean {
  return r.left >= r.right;
}

export function rangeContains(r: TokenRange, token: Token): boolean {
  if (r.left < r.right) return token > r.left && token <= r.right;
  if (r.left > r.right) return token > r.left || token <= r.right;
  return true;
}

/** The number of tokens in the range. */
export function rangeTokenCount(r: TokenRange): bigint {
  return rangeSize(r.left, r.right);
}

/**
 * Split a range into pieces that do not wrap (each piece has left < right, or right === MIN_TOKEN
 * meaning "to the end of the ring"), in ring order starting from MIN_TOKEN's side last: the piece
 * that ends at the end of the ring comes first, as Cassandra's Range.unwrap does.
 */
export function unwrap(r: TokenRange): TokenRange[] {
  if (r.left < r.right || r.right === MIN_TOKEN) return [r];
  // (left, right] with left >= right and right > MIN: (left, end] and (MIN, right].
  return [tokenRange(r.left, MIN_TOKEN), tokenRange(MIN_TOKEN, r.right)];
}

/** Upper bound of a non-wrapping piece as an orderable bigint: MIN_TOKEN as a right end means the end of the ring. */
function endOf(piece: TokenRange): bigint {
  return piece.right === MIN_TOKEN ? 1n << 63n : piece.right;
}

/** The parts of the ring that both ranges cover, as non-wrapping pieces in token order. */
export function intersection(a: TokenRange, b: TokenRange): TokenRange[] {
  const out: TokenRange[] = [];
  for (const pa of unwrap(a)) {
    for (const pb of unwrap(b)) {
      const left = pa.left > pb.left ? pa.left : pb.left;
      const end = endOf(pa) < endOf(pb) ? endOf(pa) : endOf(pb);
      if (left < end) out.push(tokenRange(left, end === 1n << 63n ? MIN_TOKEN : end));
    }
  }
  out.sort((x, y) => (x.left < y.left ? -1 : x.left > y.left ? 1 : 0));
  return out;
}

export function rangesIntersect(a: TokenRange, b: TokenRange): boolean {
  return intersection(a, b).length > 0;
}

export function rangeToString(r: TokenRange): string {
  return `(${r.left}, ${r.right}]`;
}

/**
 * Partitioners: partition key bytes -> token. Chosen once per cluster (the `partitioner` setting)
 * and never changed, because every SSTable and every replica placement depends on it.
 *
 * - XxHash64Partitioner (the default): token = xxHash64(key bytes, seed 0) read as signed 64-bit.
 * - Murmur3Partitioner: bit-exact with Apache Cassandra's, so stock drivers' token-aware routing,
 *   which hashes keys with Cassandra's Murmur3, picks a real replica.
 *
 * Both use the signed 64-bit token space of ./token.ts and map a hash equal to MIN_TOKEN to
 * MAX_TOKEN (Cassandra's normalisation), so MIN_TOKEN stays a pure sentinel.
 */
import { xxh64 } from '../hash/index.js';
import type { Random } from '../seams/index.js';
import { RingError } from './errors.js';
import { murmur3Into, type Int64Out } from './murmur3.js';
import { MAX_TOKEN, MIN_TOKEN, parseToken, rangeFraction, rangeSize, type Token } from './token.js';

export interface Partitioner {
  /** The class-like name clients see in system.local.partitioner. */
  readonly name: string;
  /** The short name accepted in configuration. */
  readonly shortName: string;
  /** The ring's start sentinel; never the token of a key. */
  readonly minToken: Token;
  readonly maxToken: Token;
  /** The token of a partition key (see partitionKeyBytes for composite keys). */
  tokenOf(key: Uint8Array): Token;
  /**
   * Number(tokenOf(key)) computed without allocating a bigint where possible: the hot path of
   * replica lookups. Equal doubles may hide distinct tokens; callers break such ties with tokenOf.
   */
  approxTokenOf(key: Uint8Array): number;
  parseToken(text: string): Token;
  tokenToString(token: Token): string;
  /** Tokens in (left, right]; left === right is the whole ring. */
  rangeSize(left: Token, right: Token): bigint;
  /**
   * For tokens sorted ascending, the fraction of the ring each one's primary range
   * (previous token, token] covers. Sums to 1.
   */
  ownershipFractions(sortedTokens: readonly Token[]): number[];
  /** A uniformly random token other than the sentinel. */
  randomToken(random: Random): Token;
}

abstract class SignedInt64Partitioner implements Partitioner {
  abstract readonly name: string;
  abstract readonly shortName: string;
  readonly minToken = MIN_TOKEN;
  readonly maxToken = MAX_TOKEN;
  abstract tokenOf(key: Uint8Array): Token;
  abstract approxTokenOf(key: Uint8Array): number;

  parseToken(text: string): Token {
    return parseToken(text);
  }

  tokenToString(token: Token): string {
    return token.toString();
  }

  rangeSize(left: Token, right: Token): bigint {
    return rangeSize(left, right);
  }

  ownershipFractions(sortedTokens: readonly Token[]): number[] {
    const n = sortedTokens.length;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = rangeFraction(sortedTokens[(i + n - 1) % n]!, sortedTokens[i]!);
    return out;
  }

  randomToken(random: Random): Token {
    for (;;) {
      const t = random.bytes(8).readBigInt64LE(0);
      if (t !== MIN_TOKEN) return t;
    }
  }
}

const MIN_TOKEN_F64 = -9223372036854775808;
const TWO_POW_32 = 4294967296;

export class XxHash64Partitioner extends SignedInt64Partitioner {
  readonly name = 'org.ringtail.dht.XxHash64Partitioner';
  readonly shortName = 'XxHash64Partitioner';

  tokenOf(key: Uint8Array): Token {
    const t = BigInt.asIntN(64, xxh64(key));
    return t === MIN_TOKEN ? MAX_TOKEN : t;
  }

  approxTokenOf(key: Uint8Array): number {
    const d = Number(BigInt.asIntN(64, xxh64(key)));
    // Number(MIN_TOKEN) is -2^63 exactly; only MIN_TOKEN itself and its close neighbours round
    // to it, so settle those exactly.
    return d === MIN_TOKEN_F64 ? Number(this.tokenOf(key)) : d;
  }
}

export class Murmur3Partitioner extends SignedInt64Partitioner {
  readonly name = 'org.apache.cassandra.dht.Murmur3Partitioner';
  readonly shortName = 'Murmur3Partitioner';
  private readonly scratch: Int64Out = { hi: 0, lo: 0 };

  tokenOf(key: Uint8Array): Token {
    murmur3Into(key, this.scratch);
    const { hi, lo } = this.scratch;
    if (hi === -2147483648 && lo === 0) return MAX_TOKEN;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  approxTokenOf(key: Uint8Array): number {
    murmur3Into(key, this.scratch);
    const { hi, lo } = this.scratch;
    if (hi === -2147483648 && lo === 0) return Number(MAX_TOKEN);
    // hi * 2^32 is exact and the addition rounds once, so this equals Number(token).
    return hi * TWO_POW_32 + lo;
  }
}

/** The default partitioner of a new cluster. */
export const DEFAULT_PARTITIONER: Partitioner = new XxHash64Partitioner();
export const MURMUR3_PARTITIONER: Partitioner = new Murmur3Partitioner();

const BY_NAME = new Map<string, Partitioner>();
for (const p of [DEFAULT_PARTITIONER, MURMUR3_PARTITIONER]) {
  BY_NAME.set(p.name, p);
  BY_NAME.set(p.shortName, p);
}

/**
 * The partitioner for a `partitioner` setting: its class name as clients see it, or the short
 * name ('Murmur3Partitioner', 'XxHash64Partitioner').
 */
export function partitionerByName(name: string): Partitioner {
  const p = BY_NAME.get(name.trim());
  if (p === undefined) {
    throw new RingError('UNKNOWN_PARTITIONER', `unknown partitioner '${name}'; known: ${[...BY_NAME.keys()].join(', ')}`);
  }
  return p;
}

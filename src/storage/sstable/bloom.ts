/**
 * The bloom filter over partition keys (Filter.db), so a read skips SSTables that cannot hold a key.
 *
 *   Filter.db := fileHeader("RTBB") hashCount:u8 blockCount:u32 bits[64 * blockCount] xxh32:u32   (blocked)
 *              | fileHeader("RTBF") hashCount:u8 bitCount:u48 bits[ceil(bitCount / 8)] xxh32:u32  (classic, read only)
 *
 * Blocked (what the writer writes) hashes the partition's token, which the partitioner already
 * made a 64-bit hash of the key (xxh64 or Murmur3): as Cassandra reuses the token's hash for its
 * filters, this spares a hash of every key at every flush and read. Keys sharing a token share
 * their bits: a false positive, never a false negative. The token's words are mixed first
 * (h1 = fmix32(lo xor (hi * 0x9e3779b1)), h2 = fmix32(hi xor (h1 * 0x85ebca6b)), fmix32 being
 * MurmurHash3's finalizer), so that a structured token still spreads. A key's bits all fall in one 512-bit block, block
 * floor(h1 * blockCount / 2^32), at the positions blockBit(x_i) for i < hashCount, where
 * x_0 = h2 xor (h1 * 0x85ebca6b) and x_(i+1) = (x_i xor (x_i >>> 15)) * 0x2c1b3c6d (32-bit
 * arithmetic), blockBit(x) = x >>> 23 (its top 9 bits; two probes of one key may coincide, as in
 * any bloom filter). Fresh bits per probe: double hashing within 512 bits leaves probes of
 * different keys too correlated (measured: 2.6x the target rate at 0.001). A probe then touches
 * one cache line instead of hashCount of them: with a filter per SSTable probed on every read,
 * the cache misses of a classic filter cost more than the rest of the probe. The price is some
 * accuracy for the bits (blocks fill unevenly), so the filter is sized with the false-positive
 * rate of a blocked filter, not the classic formula: see blockedBitsPerKey.
 *
 * Classic (older files) hashes the key: h1 and h2 are the low and high 32 bits of xxh64 of its
 * bytes; probe i tests bit (h1 + i * h2) mod bitCount, sized by the textbook optimum
 * bits = n * -ln(p) / ln(2)^2, hashes = round(bits / n * ln 2).
 *
 * Bit b of a bit array lives in byte b >> 3 at mask 1 << (b & 7). The trailing xxh32 covers every
 * byte before it. The magics are on disk: never reuse them for another layout.
 */
import { xxh64 } from '../../hash/index.js';
import { int64Hi, int64Lo } from '../model/int64.js';
import { ByteWriter, checkFileHeader, fileHeader, sealWholeFile, verifyWholeFile } from './bytes.js';
import { SSTableCorruptError } from './errors.js';

export const FILTER_MAGIC = 'RTBB';
export const CLASSIC_FILTER_MAGIC = 'RTBF';
const MIN_BITS = 64;
const MAX_HASHES = 20;
const BLOCK_BITS = 512;
const TWO_32 = 4294967296;

/** False-positive rate of a blocked filter at `bitsPerKey` and k hashes (blocks fill as Poisson). */
function blockedFpRate(bitsPerKey: number, k: number): number {
  const lambda = BLOCK_BITS / bitsPerKey;
  let rate = 0;
  let term = Math.exp(-lambda);
  for (let i = 0; i < 6 * lambda + 20; i++) {
    if (i > 0) term *= lambda / i;
    rate += term * (1 - Math.exp((-k * i) / BLOCK_BITS)) ** k;
  }
  return rate;
}

/** The bits per key (and hash count) at which a blocked filter's false-positive rate is at most p. */
export function blockedBitsPerKey(p: number): { bitsPerKey: number; hashCount: number } {
  let bitsPerKey = Math.max(1, -Math.log(p) / (Math.LN2 * Math.LN2));
  for (;;) {
    const hashCount = Math.min(MAX_HASHES, Math.max(1, Math.round(bitsPerKey * Math.LN2)));
    if (blockedFpRate(bitsPerKey, hashCount) <= p || bitsPerKey > 64) return { bitsPerKey, hashCount };
    bitsPerKey += 0.25;
  }
}

export class BloomFilter {
  private constructor(
    readonly hashCount: number,
    /** Blocked: the number of 512-bit blocks; 0 for a classic filter. */
    readonly blockCount: number,
    readonly bitCount: number,
    private readonly bits: Uint8Array,
  ) {}

  /** Builds a blocked filter holding the keys whose hashes are pairs (h1, h2) in hashes[0, 2 * count). */
  static build(hashes: Uint32Array, count: number, fpChance: number): BloomFilter {
    const p = Math.min(Math.max(fpChance, 1e-9), 1);
    const { bitsPerKey, hashCount } = blockedBitsPerKey(p);
    const blockCount = Math.max(1, Math.ceil((count * bitsPerKey) / BLOCK_BITS));
    const bits = new Uint8Array(blockCount * (BLOCK_BITS / 8));
    const k = count === 0 ? 1 : hashCount;
    for (let j = 0; j < count; j++) {
      const h1 = hashes[2 * j];
      const h2 = hashes[2 * j + 1];
      const base = Math.floor((h1 * blockCount) / TWO_32) * (BLOCK_BITS / 8);
      let x = h2 ^ Math.imul(h1, 0x85ebca6b);
      for (let i = 0; i < k; i++) {
        x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d);
        const bit = x >>> 23;
        bits[base + (bit >>> 3)] |= 1 << (bit & 7);
      }
    }
    return new BloomFilter(k, blockCount, blockCount * BLOCK_BITS, bits);
  }

  /** False means the partition (key, token) is certainly absent. */
  mayContain(key: Uint8Array, token: bigint): boolean {
    const bits = this.bits;
    if (this.blockCount > 0) {
      tokenWords(token);
      const h1 = tokenH1;
      const h2 = tokenH2;
      const base = Math.floor((h1 * this.blockCount) / TWO_32) * (BLOCK_BITS / 8);
      let x = h2 ^ Math.imul(h1, 0x85ebca6b);
      for (let i = 0; i < this.hashCount; i++) {
        x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d);
        const bit = x >>> 23;
        if ((bits[base + (bit >>> 3)] & (1 << (bit & 7))) === 0) return false;
      }
      return true;
    }
    hashKey(key);
    const h1 = lastH1;
    const h2 = lastH2;
    const m = this.bitCount;
    for (let i = 0; i < this.hashCount; i++) {
      const bit = (h1 + i * h2) % m;
      if ((bits[bit >>> 3] & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }

  encode(): Buffer {
    if (this.blockCount === 0) throw new Error('BloomFilter.encode: only blocked filters are written');
    const w = new ByteWriter(this.bits.length + 32);
    w.bytes(fileHeader(FILTER_MAGIC));
    w.u8(this.hashCount);
    w.u32(this.blockCount);
    w.bytes(this.bits);
    sealWholeFile(w);
    return Buffer.from(w.buf.subarray(0, w.pos));
  }

  static decode(buf: Buffer, path: string): BloomFilter {
    verifyWholeFile(buf, path);
    const classic = buf.length >= 4 && buf.toString('latin1', 0, 4) === CLASSIC_FILTER_MAGIC;
    checkFileHeader(buf, classic ? CLASSIC_FILTER_MAGIC : FILTER_MAGIC, path);
    const hashCount = buf[12];
    if (classic) {
      const bitCount = buf.readUIntBE(13, 6);
      const bytes = Math.ceil(bitCount / 8);
      if (hashCount < 1 || hashCount > MAX_HASHES || bitCount < MIN_BITS || 19 + bytes + 4 !== buf.length) {
        throw new SSTableCorruptError(path, 12, 7, 'inconsistent filter parameters');
      }
      return new BloomFilter(hashCount, 0, bitCount, buf.subarray(19, 19 + bytes));
    }
    const blockCount = buf.readUInt32BE(13);
    const bytes = blockCount * (BLOCK_BITS / 8);
    if (hashCount < 1 || hashCount > MAX_HASHES || blockCount < 1 || 17 + bytes + 4 !== buf.length) {
      throw new SSTableCorruptError(path, 12, 5, 'inconsistent filter parameters');
    }
    return new BloomFilter(hashCount, blockCount, blockCount * BLOCK_BITS, buf.subarray(17, 17 + bytes));
  }
}

// A read probes the filter of every SSTable with the same key: the last key's hashes are kept
// (compared by content, so a reused buffer is never mistaken for the key it held before).
let lastKey = new Uint8Array(64);
let lastKeyLength = -1;
let lastH1 = 0;
let lastH2 = 0;

function hashKey(key: Uint8Array): void {
  const n = key.length;
  if (n === lastKeyLength) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (key[i] !== lastKey[i]) {
        same = false;
        break;
      }
    }
    if (same) return;
  }
  const h = xxh64(key);
  // The 64-bit hash's words, unsigned (as Number(h & 0xffffffffn) and Number(h >> 32n), without
  // the intermediate bigints).
  lastH1 = int64Lo(h);
  lastH2 = int64Hi(h) >>> 0;
  if (n > lastKey.length) lastKey = new Uint8Array(n);
  lastKey.set(key);
  lastKeyLength = n;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

let lastToken: bigint | null = null;
let tokenH1 = 0;
let tokenH2 = 0;

/** The blocked filter's two hash words of a token, into tokenH1 / tokenH2 (kept: a read probes every SSTable's filter with one token). */
function tokenWords(token: bigint): void {
  if (token === lastToken) return;
  lastToken = token;
  const hi = int64Hi(token);
  const lo = int64Lo(token);
  tokenH1 = fmix32(lo ^ Math.imul(hi, 0x9e3779b1));
  tokenH2 = fmix32(hi ^ Math.imul(tokenH1, 0x85ebca6b));
}

/** Appends the two 32-bit filter hashes of a partition's token to out at pair index k, growing it as needed. */
export function addTokenHashes(out: Uint32Array, k: number, token: bigint): Uint32Array {
  let arr = out;
  if (2 * k + 2 > arr.length) {
    arr = new Uint32Array(Math.max(64, arr.length * 2));
    arr.set(out);
  }
  tokenWords(token);
  arr[2 * k] = tokenH1;
  arr[2 * k + 1] = tokenH2;
  return arr;
}

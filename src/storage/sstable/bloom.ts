/**
 * The bloom filter over partition keys (Filter.db), so a read skips SSTables that cannot hold a key.
 *
 *   Filter.db := fileHeader("RTBF") hashCount:u8 bitCount:u48 bits[ceil(bitCount / 8)] xxh32:u32
 *
 * Bit b lives in byte b >> 3 at mask 1 << (b & 7). Hashing is double hashing over xxh64 of the key
 * bytes: h1 = low 32 bits, h2 = high 32 bits, probe i sets bit (h1 + i * h2) mod bitCount (exact in
 * doubles: the sum stays below 2^53). The trailing xxh32 covers every byte before it.
 *
 * Sizing follows the textbook optimum for n keys and false-positive chance p:
 * bits = n * -ln(p) / ln(2)^2, hashes = round(bits / n * ln 2). The writer keeps the two 32-bit
 * hashes of each key and sizes the filter at the end, when n is known exactly.
 */
import { xxh64 } from '../../hash/index.js';
import { int64Hi, int64Lo } from '../model/int64.js';
import { ByteWriter, checkFileHeader, fileHeader, sealWholeFile, verifyWholeFile } from './bytes.js';
import { SSTableCorruptError } from './errors.js';

export const FILTER_MAGIC = 'RTBF';
const MIN_BITS = 64;
const MAX_HASHES = 20;

export class BloomFilter {
  private constructor(
    readonly hashCount: number,
    readonly bitCount: number,
    private readonly bits: Uint8Array,
  ) {}

  /** Builds a filter holding the keys whose hashes are pairs (h1, h2) in hashes[0, 2 * count). */
  static build(hashes: Uint32Array, count: number, fpChance: number): BloomFilter {
    const p = Math.min(Math.max(fpChance, 1e-9), 1);
    const bitCount = Math.max(MIN_BITS, Math.ceil((count * -Math.log(p)) / (Math.LN2 * Math.LN2)));
    const hashCount = count === 0 ? 1 : Math.min(MAX_HASHES, Math.max(1, Math.round((bitCount / count) * Math.LN2)));
    const bits = new Uint8Array(Math.ceil(bitCount / 8));
    for (let k = 0; k < count; k++) {
      const h1 = hashes[2 * k];
      const h2 = hashes[2 * k + 1];
      for (let i = 0; i < hashCount; i++) {
        const b = (h1 + i * h2) % bitCount;
        bits[b >>> 3] |= 1 << (b & 7);
      }
    }
    return new BloomFilter(hashCount, bitCount, bits);
  }

  mayContain(key: Uint8Array): boolean {
    hashKey(key);
    const h1 = lastH1;
    const h2 = lastH2;
    const bits = this.bits;
    const m = this.bitCount;
    for (let i = 0; i < this.hashCount; i++) {
      const b = (h1 + i * h2) % m;
      if ((bits[b >>> 3] & (1 << (b & 7))) === 0) return false;
    }
    return true;
  }

  encode(): Buffer {
    const w = new ByteWriter(this.bits.length + 32);
    w.bytes(fileHeader(FILTER_MAGIC));
    w.u8(this.hashCount);
    w.u48(this.bitCount);
    w.bytes(this.bits);
    sealWholeFile(w);
    return Buffer.from(w.buf.subarray(0, w.pos));
  }

  static decode(buf: Buffer, path: string): BloomFilter {
    verifyWholeFile(buf, path);
    checkFileHeader(buf, FILTER_MAGIC, path);
    const hashCount = buf[12];
    const bitCount = buf.readUIntBE(13, 6);
    const bytes = Math.ceil(bitCount / 8);
    if (hashCount < 1 || hashCount > MAX_HASHES || bitCount < MIN_BITS || 19 + bytes + 4 !== buf.length) {
      throw new SSTableCorruptError(path, 12, 7, 'inconsistent filter parameters');
    }
    return new BloomFilter(hashCount, bitCount, buf.subarray(19, 19 + bytes));
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

/** Appends the two 32-bit hashes of key to out at pair index k, growing it as needed. */
export function addKeyHashes(out: Uint32Array, k: number, key: Uint8Array): Uint32Array {
  let arr = out;
  if (2 * k + 2 > arr.length) {
    arr = new Uint32Array(Math.max(64, arr.length * 2));
    arr.set(out);
  }
  const h = xxh64(key);
  arr[2 * k] = int64Lo(h);
  arr[2 * k + 1] = int64Hi(h) >>> 0;
  return arr;
}

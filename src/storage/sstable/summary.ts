/**
 * Summary.db: the first key and position of every Index.db entry block (every indexInterval-th
 * partition), plus the SSTable's first and last key. The reader holds it in memory as flat arrays
 * and binary-searches it, so a point read goes straight to one index block.
 *
 *   Summary.db := fileHeader("RTSU") indexInterval:u32 partitionCount:u48 entryCount:u32
 *                 [firstToken:i64 firstKeyLength:u16 firstKey lastToken:i64 lastKeyLength:u16 lastKey]
 *                                                      (only when partitionCount > 0)
 *                 entry{entryCount} xxh32:u32          (xxh32 of every byte before it)
 *   entry      := token:i64 keyLength:u16 key blockOffset:u48 blockLength:u32
 *
 * blockOffset / blockLength address the entry block's whole chunk in Index.db.
 */
import { ByteReader, ByteWriter, checkFileHeader, compareRange, fileHeader, FILE_HEADER_BYTES, sealWholeFile, verifyWholeFile } from './bytes.js';
import { SSTableCorruptError } from './errors.js';
import { int64Hi, int64Lo } from '../model/int64.js';

export const SUMMARY_MAGIC = 'RTSU';

export class SummaryBuilder {
  private readonly entries = new ByteWriter(1 << 16);
  private count = 0;

  add(token: bigint, key: Buffer, blockOffset: number, blockLength: number): void {
    const w = this.entries;
    w.bigI64(token);
    w.u16(key.length);
    w.bytes(key);
    w.u48(blockOffset);
    w.u32(blockLength);
    this.count++;
  }

  encode(indexInterval: number, partitionCount: number, first: { token: bigint; key: Buffer } | null, last: { token: bigint; key: Buffer } | null): Buffer {
    const w = new ByteWriter(this.entries.pos + 256);
    w.bytes(fileHeader(SUMMARY_MAGIC));
    w.u32(indexInterval);
    w.u48(partitionCount);
    w.u32(this.count);
    if (partitionCount > 0 && first !== null && last !== null) {
      w.bigI64(first.token);
      w.u16(first.key.length);
      w.bytes(first.key);
      w.bigI64(last.token);
      w.u16(last.key.length);
      w.bytes(last.key);
    }
    w.bytes(this.entries.buf.subarray(0, this.entries.pos));
    sealWholeFile(w);
    return Buffer.from(w.buf.subarray(0, w.pos));
  }
}

/** The in-memory summary: token halves, keys packed in one buffer, block positions. */
export class Summary {
  readonly indexInterval: number;
  readonly partitionCount: number;
  readonly count: number;
  readonly firstToken: bigint;
  readonly firstKey: Buffer;
  readonly lastToken: bigint;
  readonly lastKey: Buffer;
  private readonly tokenHi: Int32Array;
  private readonly tokenLo: Uint32Array;
  private readonly keys: Buffer;
  private readonly keyStart: Uint32Array;
  readonly blockOffset: Float64Array;
  readonly blockLength: Uint32Array;

  constructor(buf: Buffer, path: string) {
    verifyWholeFile(buf, path);
    checkFileHeader(buf, SUMMARY_MAGIC, path);
    const r = new ByteReader(buf, FILE_HEADER_BYTES, buf.length - 4);
    try {
      this.indexInterval = r.u32();
      this.partitionCount = r.u48();
      const n = r.u32();
      if (n > buf.length) throw new RangeError('entry count larger than the file');
      this.count = n;
      if (this.partitionCount > 0) {
        this.firstToken = r.bigI64();
        this.firstKey = Buffer.from(r.bytes(r.u16()));
        this.lastToken = r.bigI64();
        this.lastKey = Buffer.from(r.bytes(r.u16()));
      } else {
        this.firstToken = 0n;
        this.firstKey = Buffer.alloc(0);
        this.lastToken = 0n;
        this.lastKey = Buffer.alloc(0);
      }
      this.tokenHi = new Int32Array(n);
      this.tokenLo = new Uint32Array(n);
      this.keyStart = new Uint32Array(n + 1);
      this.blockOffset = new Float64Array(n);
      this.blockLength = new Uint32Array(n);
      const keyParts: Buffer[] = [];
      let keyBytes = 0;
      for (let i = 0; i < n; i++) {
        r.need(10);
        this.tokenHi[i] = buf.readInt32BE(r.pos);
        this.tokenLo[i] = buf.readUInt32BE(r.pos + 4);
        r.pos += 8;
        const key = r.bytes(r.u16());
        keyParts.push(key);
        this.keyStart[i] = keyBytes;
        keyBytes += key.length;
        this.blockOffset[i] = r.u48();
        this.blockLength[i] = r.u32();
      }
      this.keyStart[n] = keyBytes;
      this.keys = Buffer.concat(keyParts, keyBytes);
      if (r.pos !== r.end) throw new RangeError('trailing bytes');
      if ((n === 0) !== (this.partitionCount === 0)) throw new RangeError('entry count and partition count disagree');
    } catch (err) {
      if (err instanceof SSTableCorruptError) throw err;
      throw new SSTableCorruptError(path, 0, buf.length, `undecodable summary: ${(err as Error).message}`);
    }
  }

  /** Compares summary entry i with (hi:lo, key): negative when the entry sorts first. */
  private compareAt(i: number, hi: number, lo: number, key: Buffer): number {
    const h = this.tokenHi[i];
    if (h !== hi) return h < hi ? -1 : 1;
    const l = this.tokenLo[i];
    if (l !== lo) return l < lo ? -1 : 1;
    return compareRange(this.keys, this.keyStart[i], this.keyStart[i + 1], key, 0, key.length);
  }

  /** Index of the last block whose first position is <= (hi:lo, key), or -1. */
  floor(hi: number, lo: number, key: Buffer): number {
    let lo_ = 0;
    let hi_ = this.count - 1;
    let found = -1;
    while (lo_ <= hi_) {
      const mid = (lo_ + hi_) >>> 1;
      if (this.compareAt(mid, hi, lo, key) <= 0) {
        found = mid;
        lo_ = mid + 1;
      } else {
        hi_ = mid - 1;
      }
    }
    return found;
  }

  /** Bytes held in memory, for accounting. */
  get memoryBytes(): number {
    return this.keys.length + this.count * (4 + 4 + 4 + 8 + 4);
  }
}

/** Splits a signed 64-bit token into its high (signed) and low (unsigned) 32-bit words. */
export const tokenHi = int64Hi;
export const tokenLo = int64Lo;

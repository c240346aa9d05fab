/**
 * Index.db: where each partition lives in Data.db, in ring order, in checksummed chunks (framing in
 * bytes.ts) of two kinds.
 *
 *   Index.db    := fileHeader("RTIX") (chunk(entryBlock) | chunk(rowIndex))*
 *   entryBlock  := kind:u8 = 1 | entryCount:u16 | entry{entryCount}
 *   entry       := token:i64 keyLength:u16 key dataOffset:u48 dataLength:u48
 *                  rowIndexOffset:u48 rowIndexLength:u32           (rowIndexLength 0: no row index)
 *   rowIndex    := kind:u8 = 2 | partitionOffset:u48 | headerLength:u32 | blockCount:varint
 *                  (firstLength:varint first lastLength:varint last offset:u48 width:u32){blockCount}
 *
 * Entry blocks hold `indexInterval` consecutive partitions each (the last one may hold fewer); the
 * Summary keeps the first key and the position of every block, so a point read costs one block read.
 * A wide partition's row index is a chunk of its own, written just before the entry block that
 * refers to it, so point reads of narrow partitions never read row indexes. In a row index,
 * `offset` is relative to the partition's first byte in Data.db and `width` is the block's chunk
 * size; `headerLength` is the size of the partition's header chunk. Chunk kinds are on disk:
 * never renumber.
 */
import type { ByteWriter } from './bytes.js';
import { ByteReader, compareRange } from './bytes.js';

export const INDEX_MAGIC = 'RTIX';
export const KIND_ENTRY_BLOCK = 1;
export const KIND_ROW_INDEX = 2;
const ENTRY_FIXED_BYTES = 8 + 2 + 6 + 6 + 6 + 4;

/** Where a found partition lives; filled in place by findEntry to keep the point read allocation-free. */
export interface EntryHit {
  dataOffset: number;
  dataLength: number;
  rowIndexOffset: number;
  rowIndexLength: number;
}

export interface IndexEntry extends EntryHit {
  token: bigint;
  key: Buffer;
}

export function writeEntry(w: ByteWriter, token: bigint, key: Buffer, dataOffset: number, dataLength: number, rowIndexOffset: number, rowIndexLength: number): void {
  writeEntryAt(w, token, key, 0, key.length, dataOffset, dataLength, rowIndexOffset, rowIndexLength);
}

/** writeEntry with the key given as keyBuf[keyStart, keyEnd). */
export function writeEntryAt(w: ByteWriter, token: bigint, keyBuf: Buffer, keyStart: number, keyEnd: number, dataOffset: number, dataLength: number, rowIndexOffset: number, rowIndexLength: number): void {
  w.bigI64(token);
  w.u16(keyEnd - keyStart);
  w.copyFrom(keyBuf, keyStart, keyEnd);
  w.u48(dataOffset);
  w.u48(dataLength);
  w.u48(rowIndexOffset);
  w.u32(rowIndexLength);
}

/**
 * Scans a verified entry-block payload buf[pos, end) for (token = hi:lo, key). Entries are sorted,
 * so the scan stops at the first entry past the key. Throws RangeError on a malformed block.
 */
export function findEntry(buf: Buffer, pos: number, end: number, hi: number, lo: number, key: Buffer, hit: EntryHit): boolean {
  if (end - pos < 3 || buf[pos] !== KIND_ENTRY_BLOCK) throw new RangeError('not an entry block');
  // Bytes are read directly: Buffer's read*BE methods check their arguments on every call, and a
  // point read passes half a block of entries on average. Bounds are checked per entry.
  const count = (buf[pos + 1] << 8) | buf[pos + 2];
  pos += 3;
  for (let i = 0; i < count; i++) {
    if (pos + ENTRY_FIXED_BYTES > end) throw new RangeError('entry past the end of its block');
    const keyLen = (buf[pos + 8] << 8) | buf[pos + 9];
    const keyAt = pos + 10;
    const next = keyAt + keyLen + 22;
    if (next > end) throw new RangeError('entry past the end of its block');
    const eh = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
    if (eh !== hi) {
      if (eh > hi) return false;
      pos = next;
      continue;
    }
    const el = ((buf[pos + 4] << 24) | (buf[pos + 5] << 16) | (buf[pos + 6] << 8) | buf[pos + 7]) >>> 0;
    if (el !== lo) {
      if (el > lo) return false;
      pos = next;
      continue;
    }
    const c = compareRange(buf, keyAt, keyAt + keyLen, key, 0, key.length);
    if (c < 0) {
      pos = next;
      continue;
    }
    if (c > 0) return false;
    const at = keyAt + keyLen;
    hit.dataOffset = u48At(buf, at);
    hit.dataLength = u48At(buf, at + 6);
    hit.rowIndexOffset = u48At(buf, at + 12);
    hit.rowIndexLength = buf[at + 18] * 0x1000000 + ((buf[at + 19] << 16) | (buf[at + 20] << 8) | buf[at + 21]);
    return true;
  }
  return false;
}

function u48At(buf: Buffer, at: number): number {
  return ((buf[at] << 8) | buf[at + 1]) * 0x100000000 + buf[at + 2] * 0x1000000 + ((buf[at + 3] << 16) | (buf[at + 4] << 8) | buf[at + 5]);
}

/** Decodes every entry of a verified entry-block payload buf[pos, end); keys are copied. */
export function decodeEntries(buf: Buffer, pos: number, end: number): IndexEntry[] {
  const r = new ByteReader(buf, pos, end);
  if (r.u8() !== KIND_ENTRY_BLOCK) throw new RangeError('not an entry block');
  const count = r.u16();
  const out: IndexEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const token = r.bigI64();
    const key = Buffer.from(r.bytes(r.u16()));
    out[i] = { token, key, dataOffset: r.u48(), dataLength: r.u48(), rowIndexOffset: r.u48(), rowIndexLength: r.u32() };
  }
  if (r.pos !== end) throw new RangeError('trailing bytes after the last entry');
  return out;
}

/** A wide partition's row index, decoded. Clusterings are views into the chunk read. */
export interface RowIndex {
  partitionOffset: number;
  headerLength: number;
  first: Buffer[];
  last: Buffer[];
  offset: number[];
  width: number[];
}

export function writeRowIndex(w: ByteWriter, partitionOffset: number, headerLength: number, blocks: ReadonlyArray<{ first: Buffer; last: Buffer; offset: number; width: number }>): void {
  w.u8(KIND_ROW_INDEX);
  w.u48(partitionOffset);
  w.u32(headerLength);
  w.varint(blocks.length);
  for (const b of blocks) {
    w.lenBytes(b.first);
    w.lenBytes(b.last);
    w.u48(b.offset);
    w.u32(b.width);
  }
}

export function decodeRowIndex(buf: Buffer, pos: number, end: number): RowIndex {
  const r = new ByteReader(buf, pos, end);
  if (r.u8() !== KIND_ROW_INDEX) throw new RangeError('not a row index');
  const partitionOffset = r.u48();
  const headerLength = r.u32();
  const n = r.varint();
  const ri: RowIndex = { partitionOffset, headerLength, first: [], last: [], offset: [], width: [] };
  for (let i = 0; i < n; i++) {
    ri.first.push(r.lenBytes());
    ri.last.push(r.lenBytes());
    ri.offset.push(r.u48());
    ri.width.push(r.u32());
  }
  if (r.pos !== end) throw new RangeError('trailing bytes after the row index');
  return ri;
}

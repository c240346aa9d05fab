/**
 * Byte-level building blocks shared by every SSTable component: a growable writer, a cursor
 * reader, the file header and the checksummed chunk frame.
 *
 * Integer encodings (all big-endian):
 *   u8, u16, u32, i32          fixed width
 *   u48                        6 bytes, file offsets and counts (up to 256 TiB)
 *   i64                        int32 high word, uint32 low word; carries a safe integer
 *                              (timestamps) or a bigint (tokens)
 *   varint                     unsigned LEB128, 7 bits a byte, low group first; lengths and counts
 *
 * File header, first 12 bytes of every binary component:
 *   header := magic:4 (ASCII) | formatVersion:u16 | reserved:u16 (0) | xxh32(first 8 bytes):u32
 *
 * Chunk, the unit of verification in Data and Index:
 *   chunk := length:u32 | payload[length] | xxh32(length bytes and payload):u32
 * The checksum covers the length too, so a damaged length is caught like damaged payload.
 */
import { xxh32, xxh32Range } from '../../hash/index.js';
import { int64Hi, int64Lo, readInt64BE, writeInt64BE } from '../model/int64.js';
import { SSTableCorruptError } from './errors.js';

/** The on-disk format version written in every component's header. Bump on any layout change. */
export const FORMAT_VERSION = 1;
export const FILE_HEADER_BYTES = 12;
export const CHUNK_OVERHEAD_BYTES = 8;

const TWO_32 = 4294967296;

/** The high (signed) 32-bit word of a signed 64-bit bigint. */
export const bigHi = int64Hi;
/** The low 32-bit word of a signed 64-bit bigint, unsigned. */
export const bigLo = int64Lo;

/** A growable output buffer. `pos` is the write position; bytes [0, pos) are the content. */
export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 4096) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  reset(): void {
    this.pos = 0;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  // The fixed-width writers store bytes directly: Buffer's write*BE methods check their
  // arguments on every call, and these run several times per row. Callers pass values in range.

  u16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
  }

  u32(v: number): void {
    this.ensure(4);
    put32(this.buf, this.pos, v);
    this.pos += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    put32(this.buf, this.pos, v);
    this.pos += 4;
  }

  u48(v: number): void {
    this.ensure(6);
    const b = this.buf;
    const p = this.pos;
    const hi = Math.floor(v / TWO_32);
    b[p] = hi >>> 8;
    b[p + 1] = hi;
    put32(b, p + 2, v - hi * TWO_32);
    this.pos = p + 6;
  }

  /** A safe integer as i64. */
  i64(v: number): void {
    this.ensure(8);
    const hi = Math.floor(v / TWO_32);
    put32(this.buf, this.pos, hi);
    put32(this.buf, this.pos + 4, v - hi * TWO_32);
    this.pos += 8;
  }

  /** A signed 64-bit bigint as i64. */
  bigI64(v: bigint): void {
    this.ensure(8);
    writeInt64BE(this.buf, this.pos, v);
    this.pos += 8;
  }

  varint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    copyBytes(b, 0, b.length, this.buf, this.pos);
    this.pos += b.length;
  }

  /** Copies src[start, end). */
  copyFrom(src: Buffer, start: number, end: number): void {
    this.ensure(end - start);
    copyBytes(src, start, end, this.buf, this.pos);
    this.pos += end - start;
  }

  /** varint length, then the bytes. */
  lenBytes(b: Uint8Array): void {
    this.varint(b.length);
    this.bytes(b);
  }

  /** Starts a chunk: reserves its length field. Returns the chunk's start for endChunk. */
  beginChunk(): number {
    this.ensure(4);
    const start = this.pos;
    this.pos += 4;
    return start;
  }

  /** Ends the chunk begun at start: fills in its length and appends its checksum. */
  endChunk(start: number): void {
    this.buf.writeUInt32BE(this.pos - start - 4, start);
    const sum = xxh32Range(this.buf, start, this.pos);
    this.u32(sum);
  }
}

const EMPTY_BYTES = Buffer.alloc(0);

/** Stores the low 32 bits of v big-endian at b[p, p + 4). */
function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

/** Below this length a byte loop beats TypedArray.set (~70 ns whatever the length; a loop ~1.6 ns a byte). */
const SMALL_COPY_BYTES = 32;

/** Copies src[start, end) to dst at at. */
export function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): void {
  const n = end - start;
  if (n <= SMALL_COPY_BYTES) {
    for (let i = 0; i < n; i++) dst[at + i] = src[start + i];
  } else if (start === 0 && end === src.length) {
    dst.set(src, at);
  } else {
    dst.set(src.subarray(start, end), at);
  }
}

/**
 * a[aStart, aEnd) vs b[bStart, bEnd), bytewise (negative when a's sorts first). Keys are short: a
 * loop beats the native Buffer.compare with offsets, which checks its arguments first.
 */
export function compareRange(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const n = aEnd - aStart;
  const m = bEnd - bStart;
  const l = n < m ? n : m;
  if (l > 64) return Buffer.compare(a.subarray(aStart, aEnd), b.subarray(bStart, bEnd));
  for (let i = 0; i < l; i++) {
    const d = a[aStart + i] - b[bStart + i];
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return n === m ? 0 : n < m ? -1 : 1;
}

/**
 * A cursor over a verified payload, `end` never past the end of `buf`. Reads past `end` throw
 * RangeError (`need`); callers turn that into an SSTableCorruptError naming the region. Bytes are
 * read directly, not through Buffer's read methods, which check their arguments on every call.
 */
export class ByteReader {
  constructor(
    public buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError(`read of ${n} bytes at ${this.pos} past end ${this.end}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u16(): number {
    this.need(2);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  i32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }

  u48(): number {
    this.need(6);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 6;
    return ((b[p] << 8) | b[p + 1]) * TWO_32 + b[p + 2] * 0x1000000 + ((b[p + 3] << 16) | (b[p + 4] << 8) | b[p + 5]);
  }

  i64(): number {
    this.need(8);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 8;
    const hi = (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    return hi * TWO_32 + b[p + 4] * 0x1000000 + ((b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]);
  }

  bigI64(): bigint {
    this.need(8);
    const v = readInt64BE(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new RangeError('varint past end');
      const b = this.buf[this.pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
      if (mul > 2 ** 49) throw new RangeError('varint too long');
    }
  }

  /** A view (no copy) of the next n bytes; every empty one is the same empty buffer. */
  bytes(n: number): Buffer {
    if (n === 0) return EMPTY_BYTES;
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  lenBytes(): Buffer {
    return this.bytes(this.varint());
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

export function fileHeader(magic: string): Buffer {
  const b = Buffer.alloc(FILE_HEADER_BYTES);
  b.write(magic, 0, 4, 'latin1');
  b.writeUInt16BE(FORMAT_VERSION, 4);
  b.writeUInt32BE(xxh32(b.subarray(0, 8)), 8);
  return b;
}

/** Throws SSTableCorruptError unless buf starts with a valid header for magic. */
export function checkFileHeader(buf: Buffer, magic: string, path: string): void {
  if (buf.length < FILE_HEADER_BYTES) throw new SSTableCorruptError(path, 0, buf.length, 'file shorter than its header');
  if (buf.readUInt32BE(8) !== xxh32(buf.subarray(0, 8))) throw new SSTableCorruptError(path, 0, FILE_HEADER_BYTES, 'header checksum mismatch');
  if (buf.toString('latin1', 0, 4) !== magic) throw new SSTableCorruptError(path, 0, 4, `bad magic, expected ${magic}`);
  const version = buf.readUInt16BE(4);
  if (version !== FORMAT_VERSION) throw new SSTableCorruptError(path, 4, 2, `unsupported format version ${version}`);
}

/**
 * Checks the chunk at buf[at, at + expectedBytes) whose file position is filePos. With
 * expectedBytes < 0 the chunk's own length decides (sequential scans). Returns the chunk's total
 * size. The payload is buf[at + 4, at + total - 4).
 */
export function verifyChunk(buf: Buffer, at: number, expectedBytes: number, path: string, filePos: number): number {
  if (buf.length - at < 4) throw new SSTableCorruptError(path, filePos, buf.length - at, 'chunk length field cut short');
  const len = buf[at] * 0x1000000 + ((buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]);
  const total = len + CHUNK_OVERHEAD_BYTES;
  if (expectedBytes >= 0 && total !== expectedBytes) {
    throw new SSTableCorruptError(path, filePos, Math.max(4, Math.min(expectedBytes, buf.length - at)), `chunk length ${len} does not match the expected ${expectedBytes - CHUNK_OVERHEAD_BYTES}`);
  }
  if (total > buf.length - at) throw new SSTableCorruptError(path, filePos, Math.min(total, buf.length - at), `chunk of ${len} bytes runs past the end of the data read`);
  const s = at + 4 + len;
  // Compared as signed words: neither side becomes a heap number.
  const sum = (buf[s] << 24) | (buf[s + 1] << 16) | (buf[s + 2] << 8) | buf[s + 3];
  if (sum !== (xxh32Range(buf, at, s) | 0)) throw new SSTableCorruptError(path, filePos, total, 'chunk checksum mismatch');
  return total;
}

/** Verifies a file checksummed as a whole: its last 4 bytes are xxh32 of everything before. */
export function verifyWholeFile(buf: Buffer, path: string): void {
  if (buf.length < FILE_HEADER_BYTES + 4) throw new SSTableCorruptError(path, 0, buf.length, 'file too short');
  const end = buf.length - 4;
  if (buf.readUInt32BE(end) !== xxh32(buf.subarray(0, end))) throw new SSTableCorruptError(path, 0, buf.length, 'file checksum mismatch');
}

/** Appends the whole-file checksum to w. */
export function sealWholeFile(w: ByteWriter): void {
  w.u32(xxh32(w.buf.subarray(0, w.pos)));
}

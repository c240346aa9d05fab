/**
 * SSTableReader: one finished generation, opened for reads.
 *
 * open() reads the TOC, checks every component's size against it, and loads the Summary, the
 * bloom filter and the Statistics into memory (each verified whole). A point read then costs: a
 * token-bounds check, a bloom probe, a binary search of the in-memory summary, one Index read (an
 * entry block of indexInterval partitions) and one Data read — plus, for a wide partition, one
 * row-index read and one read per row block the slice touches. Every chunk read is verified
 * against its checksum before it is decoded, so damage surfaces as SSTableCorruptError naming the
 * file and region, never as wrong rows.
 */
import type { Fs, ReadFile } from '../../seams/index.js';
import type { ClusteringSlice, Partition, PartitionPosition, PartitionSource, RangeTombstone, Row } from '../model/types.js';
import { comparePositions } from '../model/types.js';
import { BloomFilter } from './bloom.js';
import { ByteReader, checkFileHeader, compareRange, FILE_HEADER_BYTES, verifyChunk } from './bytes.js';
import { DATA_MAGIC, decodeHeader, readRowArray, readRows, scanBackward, scanForward, type PartitionHeader } from './data-format.js';
import { COMPONENTS, componentPath, TOC_COMPONENT, type BinaryComponent } from './descriptor.js';
import { SSTableCorruptError, SSTableUsageError } from './errors.js';
import { decodeEntries, decodeRowIndex, findEntry, INDEX_MAGIC, KIND_ENTRY_BLOCK, KIND_ROW_INDEX, type EntryHit, type IndexEntry, type RowIndex } from './index-format.js';
import { decodeStatistics, droppableTombstoneRatio, estimatedDroppableTombstones, type SSTableStats } from './statistics.js';
import { Summary, tokenHi, tokenLo } from './summary.js';
import { decodeToc, type ComponentSizes } from './toc.js';

const SCAN_WINDOW_BYTES = 1 << 20;
const SCAN_FIRST_WINDOW_BYTES = 64 * 1024;

/** Re-throws decoding failures of a verified region as corruption of that region. */
function asCorrupt(err: unknown, path: string, offset: number, length: number): Error {
  if (err instanceof SSTableCorruptError) return err;
  if (err instanceof RangeError || err instanceof TypeError) return new SSTableCorruptError(path, offset, length, `undecodable: ${err.message}`);
  return err as Error;
}

function intersects(rt: RangeTombstone, slice: ClusteringSlice): boolean {
  return Buffer.compare(rt.start, slice.end) < 0 && Buffer.compare(slice.start, rt.end) < 0;
}

/** Reads verified chunks front to back through a large window (scans, iteration, verify). */
class ChunkCursor {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  /**
   * `windowBytes` is the first read's size; each refill doubles it up to SCAN_WINDOW_BYTES, so a
   * short scan (a small page) does not read a megabyte per SSTable.
   */
  constructor(
    private readonly file: ReadFile,
    private readonly path: string,
    private readonly end: number,
    private windowBytes = SCAN_WINDOW_BYTES,
  ) {}

  private ensure(pos: number, n: number): Buffer {
    if (pos < this.windowStart || pos + n > this.windowStart + this.window.length) {
      this.window = this.file.read(pos, Math.max(n, this.windowBytes));
      this.windowBytes = Math.min(SCAN_WINDOW_BYTES, this.windowBytes * 2);
      this.windowStart = pos;
      if (this.window.length < n) throw new SSTableCorruptError(this.path, pos, n, `short read: ${this.window.length} of ${n} bytes`);
    }
    return this.window;
  }

  /**
   * The verified chunk at pos (whole chunk: length, payload, checksum): a view into the window.
   * Windows are never written to (a refill reads into a new buffer), so views stay valid; what
   * they pin is at most a window each.
   */
  chunk(pos: number): Buffer {
    const at = this.locate(pos);
    return this.window.subarray(at, at + this.lastLength);
  }

  /** Length of the chunk the last locate() found. */
  lastLength = 0;

  /** The window holding the chunk the last locate() found. */
  get buf(): Buffer {
    return this.window;
  }

  /** Verifies the chunk at pos and returns where it starts in `buf` (its length: lastLength). No view is made. */
  locate(pos: number): number {
    if (pos + 4 > this.end) throw new SSTableCorruptError(this.path, pos, this.end - pos, 'chunk length field cut short');
    let w = this.ensure(pos, 4);
    const p = pos - this.windowStart;
    const len = w[p] * 0x1000000 + ((w[p + 1] << 16) | (w[p + 2] << 8) | w[p + 3]);
    const total = len + 8;
    if (pos + total > this.end) throw new SSTableCorruptError(this.path, pos, this.end - pos, `chunk of ${len} bytes runs past the end of the file`);
    w = this.ensure(pos, total);
    const at = pos - this.windowStart;
    verifyChunk(w, at, total, this.path, pos);
    this.lastLength = total;
    return at;
  }
}

/**
 * Walks Data.db front to back one partition at a time: the sequential path of compaction and
 * scans. Partitions stay bytes (verified chunks) until partition() is asked for, so compaction can
 * copy a narrow one without decoding it and a scan can read a wide one through the row index
 * instead (SSTableReader.readPartition) when it wants only some of its rows.
 */
export class PartitionCursor {
  token = 0n;
  /** The token's words (hi signed, lo unsigned): numbers a merge compares cheaply. */
  hi = 0;
  lo = 0;
  key: Buffer = Buffer.alloc(0);
  /** Offset in Data.db of the current partition. */
  offset = 0;
  /** The current partition's header (static row and range tombstones decoded). */
  header: PartitionHeader | null = null;
  /** The current partition's header chunk: hBuf[hAt, hAt + hLength) (no view made unless asked for). */
  private hBuf: Buffer = Buffer.alloc(0);
  private hAt = 0;
  private hLength = 0;
  /** Where the narrow current partition's rows start in hBuf. */
  private rowsStart = 0;
  private narrow = false;
  private chunkView: Buffer | null = null;
  /** The wide current partition's row blocks (verified chunks) and their offsets in Data.db. */
  private blocks: Buffer[] = [];
  private blockOffsets: number[] = [];
  private decoded: Partition | null = null;
  private readonly r = new ByteReader(Buffer.alloc(0), 0, 0);
  private pos: number;

  constructor(
    private readonly reader: SSTableReader,
    private readonly cur: ChunkCursor,
    from: number,
    private readonly end: number,
    readonly columns: readonly string[],
    private readonly path: string,
  ) {
    this.pos = from;
  }

  /** Moves to the next partition; false at the end of the file. */
  next(): boolean {
    // The consumer may run between partitions (compaction yields): the SSTable may be closed by then.
    this.reader.assertOpen();
    this.decoded = null;
    if (this.blocks.length !== 0) {
      this.blocks.length = 0;
      this.blockOffsets.length = 0;
    }
    this.chunkView = null;
    if (this.pos >= this.end) {
      this.header = null;
      this.narrow = false;
      return false;
    }
    const start = this.pos;
    const at = this.cur.locate(start);
    const length = this.cur.lastLength;
    const hb = this.cur.buf;
    let pos = start + length;
    let h: PartitionHeader;
    let rowsAt = 0;
    try {
      const r = this.r;
      r.buf = hb;
      r.pos = at + 4;
      r.end = at + length - 4;
      h = decodeHeader(r, this.columns);
      rowsAt = r.pos;
      if (h.blockCount === 0 && h.rowCount === 0 && r.pos !== r.end) throw new RangeError('trailing bytes in the partition header');
      if (h.blockCount > 0 && r.pos !== r.end) throw new RangeError('trailing bytes in the partition header');
    } catch (err) {
      throw asCorrupt(err, this.path, start, length);
    }
    this.hBuf = hb;
    this.hAt = at;
    this.hLength = length;
    // The token leads the header: its words straight from the bytes.
    const t = at + 4;
    this.hi = (hb[t] << 24) | (hb[t + 1] << 16) | (hb[t + 2] << 8) | hb[t + 3];
    this.lo = (hb[t + 4] * 0x1000000 + ((hb[t + 5] << 16) | (hb[t + 6] << 8) | hb[t + 7]));
    if (h.blockCount > 0) {
      // Verified as they are passed, decoded only if asked for.
      for (let i = 0; i < h.blockCount; i++) {
        const bc = this.cur.chunk(pos);
        this.blocks.push(bc);
        this.blockOffsets.push(pos);
        pos += bc.length;
      }
      this.narrow = false;
    } else {
      this.narrow = true;
      this.rowsStart = rowsAt;
    }
    this.token = h.token;
    this.key = h.key;
    this.header = h;
    this.offset = start;
    this.pos = pos;
    return true;
  }

  /** True when the current partition has row blocks (and a row index). */
  get wide(): boolean {
    return !this.narrow;
  }

  /** A narrow current partition: its whole header chunk (a view, made on the first call); null for a wide one. */
  get chunk(): Buffer | null {
    if (!this.narrow) return null;
    if (this.chunkView === null) this.chunkView = this.hBuf.subarray(this.hAt, this.hAt + this.hLength);
    return this.chunkView;
  }

  /** Where the rows of the narrow current partition start in `chunk`. */
  get rowsAt(): number {
    return this.rowsStart - this.hAt;
  }

  /** The current partition, decoded (once). */
  partition(): Partition {
    if (this.decoded !== null) return this.decoded;
    const h = this.header;
    if (h === null) throw new SSTableUsageError('cursor is not on a partition');
    let rows: Row[] = [];
    const r = this.r;
    if (this.narrow) {
      try {
        r.buf = this.hBuf;
        r.pos = this.rowsStart;
        r.end = this.hAt + this.hLength - 4;
        if (h.rowCount > this.hLength) throw new RangeError(`row count ${h.rowCount} larger than the chunk`);
        rows = readRowArray(r, h.rowCount, this.columns);
        if (r.pos !== r.end) throw new RangeError('trailing bytes in the partition header');
      } catch (err) {
        throw asCorrupt(err, this.path, this.offset, this.hLength);
      }
    } else {
      for (let i = 0; i < this.blocks.length; i++) {
        const bc = this.blocks[i];
        try {
          r.buf = bc;
          r.pos = 4;
          r.end = bc.length - 4;
          readRows(r, r.varint(), this.columns, rows);
          if (r.pos !== r.end) throw new RangeError('trailing bytes in a row block');
        } catch (err) {
          throw asCorrupt(err, this.path, this.blockOffsets[i], bc.length);
        }
      }
      if (rows.length !== h.rowCount) throw new SSTableCorruptError(this.path, this.offset, this.pos - this.offset, `partition declares ${h.rowCount} rows, holds ${rows.length}`);
    }
    this.decoded = { key: h.key, token: h.token, deletion: h.deletion, staticRow: h.staticRow, rangeTombstones: h.rangeTombstones, rows };
    return this.decoded;
  }
}

export class SSTableReader implements PartitionSource {
  readonly stats: SSTableStats;
  /** Total bytes of all components on disk. */
  readonly sizeBytes: number;
  private readonly columns: readonly string[];
  private readonly bloom: BloomFilter;
  private readonly summary: Summary;
  private readonly dataFile: ReadFile;
  private readonly indexFile: ReadFile;
  private readonly dataPath: string;
  private readonly indexPath: string;
  private readonly dataSize: number;
  private readonly indexSize: number;
  private readonly hit: EntryHit = { dataOffset: 0, dataLength: 0, rowIndexOffset: 0, rowIndexLength: 0 };
  private closed = false;

  private constructor(
    private readonly fs: Fs,
    readonly dir: string,
    readonly generation: number,
  ) {
    const sizes = readToc(fs, dir, generation);
    this.sizeBytes = COMPONENTS.reduce((n, c) => n + sizes[c], 0) + fs.size(componentPath(dir, generation, TOC_COMPONENT));
    const { stats, columns } = decodeStatistics(fs.readFile(componentPath(dir, generation, 'Statistics.db')), componentPath(dir, generation, 'Statistics.db'));
    this.stats = stats;
    this.columns = columns;
    this.bloom = BloomFilter.decode(fs.readFile(componentPath(dir, generation, 'Filter.db')), componentPath(dir, generation, 'Filter.db'));
    const summaryPath = componentPath(dir, generation, 'Summary.db');
    this.summary = new Summary(fs.readFile(summaryPath), summaryPath);
    if (this.summary.partitionCount !== stats.partitionCount) throw new SSTableCorruptError(summaryPath, 0, sizes['Summary.db'], `summary counts ${this.summary.partitionCount} partitions, statistics ${stats.partitionCount}`);
    this.dataPath = componentPath(dir, generation, 'Data.db');
    this.indexPath = componentPath(dir, generation, 'Index.db');
    this.dataSize = sizes['Data.db'];
    this.indexSize = sizes['Index.db'];
    this.dataFile = fs.openRead(this.dataPath);
    try {
      this.indexFile = fs.openRead(this.indexPath);
    } catch (err) {
      this.dataFile.close();
      throw err;
    }
    try {
      checkFileHeader(this.dataFile.read(0, FILE_HEADER_BYTES), DATA_MAGIC, this.dataPath);
      checkFileHeader(this.indexFile.read(0, FILE_HEADER_BYTES), INDEX_MAGIC, this.indexPath);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Opens a complete generation (its TOC exists). Throws SSTableCorruptError for damaged metadata. */
  static open(fs: Fs, dir: string, generation: number): SSTableReader {
    return new SSTableReader(fs, dir, generation);
  }

  get partitionCount(): number {
    return this.stats.partitionCount;
  }

  get firstPosition(): PartitionPosition | null {
    return this.stats.partitionCount === 0 ? null : { token: this.summary.firstToken, key: this.summary.firstKey };
  }

  get lastPosition(): PartitionPosition | null {
    return this.stats.partitionCount === 0 ? null : { token: this.summary.lastToken, key: this.summary.lastKey };
  }

  /** The column names cells of this SSTable refer to. */
  get columnNames(): readonly string[] {
    return this.columns;
  }

  /** Bytes the reader keeps in memory (summary and bloom filter). */
  get memoryBytes(): number {
    return this.summary.memoryBytes + this.bloom.bitCount / 8;
  }

  estimatedDroppableTombstones(gcBeforeSec: number): number {
    return estimatedDroppableTombstones(this.stats, gcBeforeSec);
  }

  droppableTombstoneRatio(gcBeforeSec: number): number {
    return droppableTombstoneRatio(this.stats, gcBeforeSec);
  }

  /** False means the key is certainly absent; true means it may be present. */
  mayContain(key: Buffer, token: bigint): boolean {
    return this.bloom.mayContain(key, token);
  }

  private checkOpen(): void {
    if (this.closed) throw new SSTableUsageError(`SSTable ${this.dataPath} is closed`);
  }

  readPartition(key: Buffer, token: bigint, slice: ClusteringSlice, maxRows: number, fromEnd: boolean): Partition | null {
    this.checkOpen();
    const stats = this.stats;
    if (stats.partitionCount === 0 || token < stats.minToken || token > stats.maxToken) return null;
    if (!this.bloom.mayContain(key, token)) return null;
    const hit = this.hit;
    if (!this.locate(key, token, hit)) return null;
    if (hit.rowIndexLength === 0) return this.readNarrow(hit.dataOffset, hit.dataLength, key, token, slice, maxRows, fromEnd);
    return this.readWide(hit.dataOffset, hit.dataLength, hit.rowIndexOffset, hit.rowIndexLength, key, token, slice, maxRows, fromEnd);
  }

  /** Finds key's index entry: summary search, then one entry-block read. */
  private locate(key: Buffer, token: bigint, hit: EntryHit): boolean {
    const hi = tokenHi(token);
    const lo = tokenLo(token);
    const b = this.summary.floor(hi, lo, key);
    if (b < 0) return false;
    const off = this.summary.blockOffset[b];
    const len = this.summary.blockLength[b];
    const buf = this.readExact(this.indexFile, this.indexPath, off, len);
    verifyChunk(buf, 0, len, this.indexPath, off);
    let found: boolean;
    try {
      found = findEntry(buf, 4, len - 4, hi, lo, key, hit);
    } catch (err) {
      throw asCorrupt(err, this.indexPath, off, len);
    }
    if (found && (hit.dataOffset < FILE_HEADER_BYTES || hit.dataOffset + hit.dataLength > this.dataSize || hit.rowIndexOffset + hit.rowIndexLength > this.indexSize)) {
      throw new SSTableCorruptError(this.indexPath, off, len, 'index entry points outside its files');
    }
    return found;
  }

  private readExact(file: ReadFile, path: string, offset: number, length: number): Buffer {
    const buf = file.read(offset, length);
    if (buf.length < length) throw new SSTableCorruptError(path, offset, length, `short read: ${buf.length} of ${length} bytes`);
    return buf;
  }

  private checkHeader(h: PartitionHeader, key: Buffer, token: bigint, offset: number, length: number): void {
    if (h.token !== token || compareRange(h.key, 0, h.key.length, key, 0, key.length) !== 0) throw new SSTableCorruptError(this.dataPath, offset, length, 'partition key differs from the index entry that points here');
  }

  private readNarrow(offset: number, length: number, key: Buffer, token: bigint, slice: ClusteringSlice, maxRows: number, fromEnd: boolean): Partition {
    const buf = this.readExact(this.dataFile, this.dataPath, offset, length);
    verifyChunk(buf, 0, length, this.dataPath, offset);
    try {
      const r = new ByteReader(buf, 4, length - 4);
      const h = decodeHeader(r, this.columns);
      this.checkHeader(h, key, token, offset, length);
      if (h.blockCount !== 0) throw new RangeError('a partition without a row index has row blocks');
      let rows: Row[];
      if (Buffer.compare(slice.start, slice.end) >= 0 || maxRows <= 0) {
        rows = [];
      } else if (!fromEnd) {
        rows = [];
        scanForward(r, h.rowCount, slice.start, slice.end, maxRows, this.columns, rows);
      } else {
        rows = scanBackward(r, h.rowCount, slice.start, slice.end, maxRows, this.columns).rows;
      }
      return this.partition(h, token, slice, rows);
    } catch (err) {
      throw asCorrupt(err, this.dataPath, offset, length);
    }
  }

  private partition(h: PartitionHeader, token: bigint, slice: ClusteringSlice, rows: Row[]): Partition {
    const rts = h.rangeTombstones.length === 0 ? h.rangeTombstones : h.rangeTombstones.filter((rt) => intersects(rt, slice));
    return { key: h.key, token, deletion: h.deletion, staticRow: h.staticRow, rangeTombstones: rts, rows };
  }

  private readRowIndex(offset: number, length: number, partitionOffset: number): RowIndex {
    const buf = this.readExact(this.indexFile, this.indexPath, offset, length);
    verifyChunk(buf, 0, length, this.indexPath, offset);
    let ri: RowIndex;
    try {
      ri = decodeRowIndex(buf, 4, length - 4);
    } catch (err) {
      throw asCorrupt(err, this.indexPath, offset, length);
    }
    if (ri.partitionOffset !== partitionOffset) throw new SSTableCorruptError(this.indexPath, offset, length, 'row index belongs to another partition');
    return ri;
  }

  /** Reads and verifies row block i of a wide partition; returns a reader positioned at its rows. */
  private readBlock(partitionOffset: number, partitionLength: number, ri: RowIndex, i: number): { r: ByteReader; count: number; offset: number; width: number } {
    const offset = partitionOffset + ri.offset[i];
    const width = ri.width[i];
    if (ri.offset[i] + width > partitionLength) throw new SSTableCorruptError(this.indexPath, partitionOffset, 0, 'row index block outside its partition');
    const buf = this.readExact(this.dataFile, this.dataPath, offset, width);
    verifyChunk(buf, 0, width, this.dataPath, offset);
    try {
      const r = new ByteReader(buf, 4, width - 4);
      return { r, count: r.varint(), offset, width };
    } catch (err) {
      throw asCorrupt(err, this.dataPath, offset, width);
    }
  }

  private readWide(
    offset: number,
    length: number,
    riOffset: number,
    riLength: number,
    key: Buffer,
    token: bigint,
    slice: ClusteringSlice,
    maxRows: number,
    fromEnd: boolean,
  ): Partition {
    const ri = this.readRowIndex(riOffset, riLength, offset);
    const hLen = ri.headerLength;
    if (hLen > length) throw new SSTableCorruptError(this.indexPath, riOffset, riLength, 'header length beyond the partition');
    const hbuf = this.readExact(this.dataFile, this.dataPath, offset, hLen);
    verifyChunk(hbuf, 0, hLen, this.dataPath, offset);
    let h: PartitionHeader;
    try {
      h = decodeHeader(new ByteReader(hbuf, 4, hLen - 4), this.columns);
    } catch (err) {
      throw asCorrupt(err, this.dataPath, offset, hLen);
    }
    this.checkHeader(h, key, token, offset, hLen);
    const blocks = ri.first.length;
    if (h.blockCount !== blocks) throw new SSTableCorruptError(this.dataPath, offset, hLen, `header says ${h.blockCount} row blocks, row index ${blocks}`);

    const { start, end } = slice;
    const rows: Row[] = [];
    if (Buffer.compare(start, end) >= 0 || maxRows <= 0) return this.partition(h, token, slice, rows);
    if (!fromEnd) {
      // First block whose last clustering is >= start.
      let lo = 0;
      let hi = blocks;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (Buffer.compare(ri.last[mid], start) < 0) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < blocks; i++) {
        if (Buffer.compare(ri.first[i], end) >= 0) break;
        const b = this.readBlock(offset, length, ri, i);
        let done: boolean;
        try {
          done = scanForward(b.r, b.count, start, end, maxRows, this.columns, rows);
        } catch (err) {
          throw asCorrupt(err, this.dataPath, b.offset, b.width);
        }
        if (done) break;
      }
      return this.partition(h, token, slice, rows);
    }
    // Last block whose first clustering is < end, walking back.
    let lo = 0;
    let hi = blocks;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(ri.first[mid], end) < 0) lo = mid + 1;
      else hi = mid;
    }
    const parts: Row[][] = [];
    let got = 0;
    for (let i = lo - 1; i >= 0 && got < maxRows; i--) {
      if (Buffer.compare(ri.last[i], start) < 0) break;
      const b = this.readBlock(offset, length, ri, i);
      let res: { rows: Row[]; sawBeforeStart: boolean };
      try {
        res = scanBackward(b.r, b.count, start, end, maxRows - got, this.columns);
      } catch (err) {
        throw asCorrupt(err, this.dataPath, b.offset, b.width);
      }
      parts.push(res.rows);
      got += res.rows.length;
      if (res.sawBeforeStart) break;
    }
    for (let p = parts.length - 1; p >= 0; p--) for (const row of parts[p]) rows.push(row);
    return this.partition(h, token, slice, rows);
  }

  /** Reads and decodes entry block b of the summary. */
  private entryBlock(b: number): IndexEntry[] {
    const off = this.summary.blockOffset[b];
    const len = this.summary.blockLength[b];
    const buf = this.readExact(this.indexFile, this.indexPath, off, len);
    verifyChunk(buf, 0, len, this.indexPath, off);
    try {
      return decodeEntries(buf, 4, len - 4);
    } catch (err) {
      throw asCorrupt(err, this.indexPath, off, len);
    }
  }

  partitionKeys(after: PartitionPosition | null, endToken: bigint, limit: number): PartitionPosition[] {
    this.checkOpen();
    const out: PartitionPosition[] = [];
    if (this.stats.partitionCount === 0 || limit <= 0 || endToken < this.stats.minToken) return out;
    let b = 0;
    if (after !== null) {
      if (comparePositions(after, { token: this.summary.lastToken, key: this.summary.lastKey }) >= 0) return out;
      b = Math.max(0, this.summary.floor(tokenHi(after.token), tokenLo(after.token), after.key));
    }
    for (; b < this.summary.count; b++) {
      for (const e of this.entryBlock(b)) {
        if (after !== null && comparePositions(e, after) <= 0) continue;
        if (e.token > endToken) return out;
        out.push({ token: e.token, key: e.key });
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  /** Every partition in ring order, whole, read sequentially from Data (for compaction and streaming). */
  *partitions(): Generator<Partition> {
    const cursor = this.cursor();
    while (cursor.next()) yield cursor.partition();
  }

  /**
   * A cursor over Data.db from its first partition, or from the partition at data offset
   * `fromOffset` (an index entry's), reading sequentially through a large window.
   */
  cursor(fromOffset = FILE_HEADER_BYTES, firstWindowBytes = SCAN_WINDOW_BYTES): PartitionCursor {
    this.checkOpen();
    if (fromOffset < FILE_HEADER_BYTES || fromOffset > this.dataSize) throw new SSTableUsageError(`data offset ${fromOffset} outside ${this.dataPath}`);
    return new PartitionCursor(this, new ChunkCursor(this.dataFile, this.dataPath, this.dataSize, firstWindowBytes), fromOffset, this.dataSize, this.columns, this.dataPath);
  }

  /**
   * A cursor from the first partition after `after` (from the start when null): a scan's. Its
   * reads start small and grow, so a short scan reads little.
   */
  scanCursor(after: PartitionPosition | null): PartitionCursor {
    return this.cursor(after === null ? FILE_HEADER_BYTES : this.dataOffsetAfter(after), SCAN_FIRST_WINDOW_BYTES);
  }

  /** Data offset of the first partition after `after`, or the end of Data. */
  private dataOffsetAfter(after: PartitionPosition): number {
    this.checkOpen();
    if (this.stats.partitionCount === 0) return this.dataSize;
    if (comparePositions(after, { token: this.summary.lastToken, key: this.summary.lastKey }) >= 0) return this.dataSize;
    for (let b = Math.max(0, this.summary.floor(tokenHi(after.token), tokenLo(after.token), after.key)); b < this.summary.count; b++) {
      for (const e of this.entryBlock(b)) if (comparePositions(e, after) > 0) return e.dataOffset;
    }
    return this.dataSize;
  }

  /** @internal For PartitionCursor: throws once the SSTable is closed. */
  assertOpen(): void {
    this.checkOpen();
  }

  /**
   * Re-reads every byte of every component from disk and checks checksums and the agreement of
   * Index, Summary, Statistics and Data. Throws SSTableCorruptError at the first damage found.
   */
  verify(): void {
    this.checkOpen();
    const fs = this.fs;
    const dir = this.dir;
    const gen = this.generation;
    readToc(fs, dir, gen);
    const path = (c: BinaryComponent): string => componentPath(dir, gen, c);
    const { stats } = decodeStatistics(fs.readFile(path('Statistics.db')), path('Statistics.db'));
    BloomFilter.decode(fs.readFile(path('Filter.db')), path('Filter.db'));
    const summary = new Summary(fs.readFile(path('Summary.db')), path('Summary.db'));
    checkFileHeader(this.dataFile.read(0, FILE_HEADER_BYTES), DATA_MAGIC, this.dataPath);
    checkFileHeader(this.indexFile.read(0, FILE_HEADER_BYTES), INDEX_MAGIC, this.indexPath);

    const icur = new ChunkCursor(this.indexFile, this.indexPath, this.indexSize);
    const dcur = new ChunkCursor(this.dataFile, this.dataPath, this.dataSize);
    let ipos = FILE_HEADER_BYTES;
    let dpos = FILE_HEADER_BYTES;
    let block = 0;
    let partitions = 0;
    let rowIndexChunks = 0;
    let rowIndexRefs = 0;
    let prev: IndexEntry | null = null;
    while (ipos < this.indexSize) {
      const chunk = icur.chunk(ipos);
      const kind = chunk[4];
      if (kind === KIND_ROW_INDEX) {
        try {
          decodeRowIndex(chunk, 4, chunk.length - 4);
        } catch (err) {
          throw asCorrupt(err, this.indexPath, ipos, chunk.length);
        }
        rowIndexChunks++;
      } else if (kind === KIND_ENTRY_BLOCK) {
        let entries: IndexEntry[];
        try {
          entries = decodeEntries(chunk, 4, chunk.length - 4);
        } catch (err) {
          throw asCorrupt(err, this.indexPath, ipos, chunk.length);
        }
        const bad = (why: string): SSTableCorruptError => new SSTableCorruptError(this.indexPath, ipos, chunk.length, why);
        if (entries.length === 0) throw bad('empty entry block');
        if (block >= summary.count || summary.blockOffset[block] !== ipos || summary.blockLength[block] !== chunk.length) throw bad(`entry block not where summary entry ${block} says`);
        const e0 = entries[0];
        if (summary.floor(tokenHi(e0.token), tokenLo(e0.token), e0.key) !== block) throw bad(`first key differs from summary entry ${block}`);
        block++;
        for (const e of entries) {
          if (prev !== null && comparePositions(prev, e) >= 0) throw bad('entries out of order');
          if (e.dataOffset !== dpos) throw bad(`entry points at ${e.dataOffset}, the next partition is at ${dpos}`);
          if (e.rowIndexLength > 0) rowIndexRefs++;
          dpos += this.verifyPartition(dcur, e, ipos, chunk.length);
          partitions++;
          prev = e;
        }
      } else {
        throw new SSTableCorruptError(this.indexPath, ipos, chunk.length, `unknown index chunk kind ${kind}`);
      }
      ipos += chunk.length;
    }
    if (dpos !== this.dataSize) throw new SSTableCorruptError(this.dataPath, dpos, this.dataSize - dpos, 'bytes after the last indexed partition');
    if (block !== summary.count) throw new SSTableCorruptError(this.indexPath, ipos, 0, `index has ${block} entry blocks, summary ${summary.count}`);
    if (partitions !== stats.partitionCount) throw new SSTableCorruptError(this.indexPath, ipos, 0, `index has ${partitions} partitions, statistics ${stats.partitionCount}`);
    if (rowIndexChunks !== rowIndexRefs) throw new SSTableCorruptError(this.indexPath, ipos, 0, `${rowIndexChunks} row indexes, ${rowIndexRefs} referenced`);
  }

  /** Verifies the partition of entry e at e.dataOffset; returns its size. */
  private verifyPartition(cur: ChunkCursor, e: IndexEntry, entryBlockOffset: number, entryBlockLength: number): number {
    const start = e.dataOffset;
    const hc = cur.chunk(start);
    let h: PartitionHeader;
    let rowCount = 0;
    let lastRow: Buffer | null = null;
    const checkRows = (rows: Row[], at: number, len: number): void => {
      for (const row of rows) {
        if (lastRow !== null && Buffer.compare(lastRow, row.clustering) >= 0) throw new SSTableCorruptError(this.dataPath, at, len, 'rows out of order');
        lastRow = row.clustering;
      }
      rowCount += rows.length;
    };
    try {
      const r = new ByteReader(hc, 4, hc.length - 4);
      h = decodeHeader(r, this.columns);
      const rows: Row[] = [];
      if (h.blockCount === 0) readRows(r, h.rowCount, this.columns, rows);
      if (r.pos !== r.end) throw new RangeError('trailing bytes in the partition header');
      checkRows(rows, start, hc.length);
    } catch (err) {
      throw asCorrupt(err, this.dataPath, start, hc.length);
    }
    this.checkHeader(h, e.key, e.token, start, hc.length);
    let pos = start + hc.length;
    if (h.blockCount === 0) {
      if (e.rowIndexLength !== 0) throw new SSTableCorruptError(this.indexPath, entryBlockOffset, entryBlockLength, 'row index for a narrow partition');
    } else {
      if (e.rowIndexLength === 0) throw new SSTableCorruptError(this.indexPath, entryBlockOffset, entryBlockLength, 'wide partition without a row index');
      const ri = this.readRowIndex(e.rowIndexOffset, e.rowIndexLength, start);
      const riBad = (why: string): SSTableCorruptError => new SSTableCorruptError(this.indexPath, e.rowIndexOffset, e.rowIndexLength, why);
      if (ri.headerLength !== hc.length || ri.first.length !== h.blockCount) throw riBad('row index disagrees with the partition header');
      for (let i = 0; i < h.blockCount; i++) {
        if (ri.offset[i] !== pos - start) throw riBad(`row block ${i} is not at the offset the row index gives`);
        const bc = cur.chunk(pos);
        if (bc.length !== ri.width[i]) throw riBad(`row block ${i} width differs`);
        try {
          const r = new ByteReader(bc, 4, bc.length - 4);
          const rows: Row[] = [];
          readRows(r, r.varint(), this.columns, rows);
          if (r.pos !== r.end) throw new RangeError('trailing bytes in a row block');
          if (rows.length === 0) throw new RangeError('empty row block');
          checkRows(rows, pos, bc.length);
          if (!rows[0].clustering.equals(ri.first[i]) || !rows[rows.length - 1].clustering.equals(ri.last[i])) throw riBad(`row block ${i} bounds differ`);
        } catch (err) {
          throw asCorrupt(err, this.dataPath, pos, bc.length);
        }
        pos += bc.length;
      }
    }
    if (rowCount !== h.rowCount) throw new SSTableCorruptError(this.dataPath, start, pos - start, `partition declares ${h.rowCount} rows, holds ${rowCount}`);
    if (pos - start !== e.dataLength) throw new SSTableCorruptError(this.indexPath, entryBlockOffset, entryBlockLength, 'entry length differs from the partition');
    return pos - start;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dataFile.close();
    this.indexFile.close();
  }

  /** Closes and removes every component, the TOC first, so a crash midway leaves an incomplete generation. */
  async delete(): Promise<void> {
    this.close();
    const toc = componentPath(this.dir, this.generation, TOC_COMPONENT);
    if (this.fs.exists(toc)) this.fs.unlink(toc);
    await this.fs.syncDir(this.dir);
    for (const c of COMPONENTS) {
      const p = componentPath(this.dir, this.generation, c);
      if (this.fs.exists(p)) this.fs.unlink(p);
    }
    await this.fs.syncDir(this.dir);
  }
}

/** Reads the TOC and checks every component's size against it. */
function readToc(fs: Fs, dir: string, generation: number): ComponentSizes {
  const tocPath = componentPath(dir, generation, TOC_COMPONENT);
  if (!fs.exists(tocPath)) throw new SSTableUsageError(`no SSTable generation ${generation} in ${dir} (no ${tocPath})`);
  const sizes = decodeToc(fs.readFile(tocPath), tocPath);
  for (const c of COMPONENTS) {
    const p = componentPath(dir, generation, c);
    if (!fs.exists(p)) throw new SSTableCorruptError(p, 0, 0, 'component listed in the TOC is missing');
    const actual = fs.size(p);
    if (actual !== sizes[c]) throw new SSTableCorruptError(p, Math.min(actual, sizes[c]), Math.abs(actual - sizes[c]), `file has ${actual} bytes, the TOC says ${sizes[c]}`);
  }
  return sizes;
}

/**
 * SSTableWriter: streams partitions, in ring order, into one new SSTable generation.
 *
 * Crash safety (DESIGN.md "SSTable"): every component is written under a temporary name
 * (rt-<gen>-tmp-*), fsynced, then renamed to its final name; the directory is synced; only then
 * is the TOC written, fsynced, renamed into place and the directory synced again. A generation
 * exists exactly when its final TOC does, and by then every other component is durable, so a
 * crash at any point leaves either the whole SSTable or a TOC-less leftover that SSTableSet
 * deletes on open.
 *
 * Data and Index bytes are buffered and appended in large writes; the Summary, Filter and
 * Statistics are built in memory and written at finish().
 */
import type { AppendFile, Fs } from '../../seams/index.js';
import type { DeletionTime, Partition, RangeTombstone, Row } from '../model/types.js';
import { addTokenHashes, BloomFilter } from './bloom.js';
import { ByteWriter, compareRange, fileHeader } from './bytes.js';
import { addEncodedRowStats, compareEncodedClusterings, DATA_MAGIC, DataEncoder, encodedClustering, MAX_KEY_BYTES } from './data-format.js';
import type { EncodedPartition } from './data-format.js';
import { COMPONENTS, componentPath, tempComponentPath, TOC_COMPONENT, type BinaryComponent } from './descriptor.js';
import { SSTableUsageError } from './errors.js';
import { INDEX_MAGIC, KIND_ENTRY_BLOCK, writeEntryAt, writeRowIndex } from './index-format.js';
import { SSTableReader } from './reader.js';
import { encodeStatistics, StatsCollector } from './statistics.js';
import { SummaryBuilder } from './summary.js';
import { encodeToc, type ComponentSizes } from './toc.js';

export interface SSTableWriterOptions {
  /** Target false-positive chance of the bloom filter (the table's bloom_filter_fp_chance). */
  readonly bloomFilterFpChance?: number;
  /** Partitions per index block, and so per summary entry (1..65535). */
  readonly indexInterval?: number;
  /** A partition whose rows exceed this gets a row index with a block about every this many bytes. */
  readonly rowIndexBlockBytes?: number;
  /** Bytes of Data / Index buffered before each append to the file. */
  readonly writeBufferBytes?: number;
  /** A guess at the partition count, to size buffers up front; the filter is sized exactly anyway. */
  readonly expectedPartitions?: number;
  /**
   * The start of the column table: the ids that rows given to appendEncoded refer to (a
   * memtable's or an input SSTable's columns). Columns met later get the next ids.
   */
  readonly columns?: readonly string[];
}

export const DEFAULT_BLOOM_FILTER_FP_CHANCE = 0.01;
/**
 * Partitions per index block and summary entry. 16, not more: a point read reads and checksums
 * one block, and halving it from 32 made reads ~20% faster; the summary it costs is ~4 bytes of
 * memory per partition (a billion partitions would want a larger interval, as Cassandra's 128).
 */
export const DEFAULT_INDEX_INTERVAL = 16;
export const DEFAULT_ROW_INDEX_BLOCK_BYTES = 64 * 1024;
const DEFAULT_WRITE_BUFFER_BYTES = 1 << 20;

interface BlockMeta {
  first: Buffer;
  last: Buffer;
  offset: number;
  width: number;
}

type State = 'open' | 'finishing' | 'done' | 'failed';

export class SSTableWriter {
  private state: State = 'open';
  private readonly fpChance: number;
  private readonly indexInterval: number;
  private readonly rowBlockBytes: number;
  private readonly bufferBytes: number;

  private readonly dataFile: AppendFile;
  private readonly indexFile: AppendFile;
  private readonly data = new ByteWriter(1 << 20);
  private readonly index = new ByteWriter(1 << 16);
  private dataFlushed = 0;
  private indexFlushed = 0;

  private readonly rows = new ByteWriter(1 << 16);
  private readonly entries = new ByteWriter(1 << 12);
  private entryCount = 0;
  private blockFirst: { token: bigint; key: Buffer } | null = null;

  private readonly summary = new SummaryBuilder();
  private readonly stats = new StatsCollector();
  private readonly encoder: DataEncoder;
  /** End offset in `rows` of each row of the partition being appended. */
  private readonly rowEnds: number[] = [];
  private hashes: Uint32Array;
  private first: { token: bigint; key: Buffer } | null = null;
  private prevToken = 0n;
  /** The last partition's key: prevKeyBuf[prevKeyStart, prevKeyEnd) (no view made per partition). */
  private prevKeyBuf: Buffer | null = null;
  private prevKeyStart = 0;
  private prevKeyEnd = 0;
  private readonly blockBounds: number[] = [];

  constructor(
    private readonly fs: Fs,
    readonly dir: string,
    readonly generation: number,
    options: SSTableWriterOptions = {},
  ) {
    this.fpChance = options.bloomFilterFpChance ?? DEFAULT_BLOOM_FILTER_FP_CHANCE;
    this.indexInterval = options.indexInterval ?? DEFAULT_INDEX_INTERVAL;
    this.rowBlockBytes = options.rowIndexBlockBytes ?? DEFAULT_ROW_INDEX_BLOCK_BYTES;
    this.bufferBytes = options.writeBufferBytes ?? DEFAULT_WRITE_BUFFER_BYTES;
    this.hashes = new Uint32Array(2 * Math.min(Math.max(options.expectedPartitions ?? 512, 16), 1 << 22));
    if (!Number.isInteger(generation) || generation < 1) throw new SSTableUsageError(`bad generation ${generation}`);
    if (!(this.fpChance > 0 && this.fpChance <= 1)) throw new SSTableUsageError(`bloom_filter_fp_chance ${this.fpChance} outside (0, 1]`);
    if (!Number.isInteger(this.indexInterval) || this.indexInterval < 1 || this.indexInterval > 0xffff) throw new SSTableUsageError(`index interval ${this.indexInterval} outside 1..65535`);
    if (!(this.rowBlockBytes >= 1)) throw new SSTableUsageError(`row index block size ${this.rowBlockBytes}`);
    const columns = options.columns ?? [];
    if (new Set(columns).size !== columns.length) throw new SSTableUsageError('duplicate names in the initial column table');
    this.encoder = new DataEncoder(this.stats, columns);
    fs.mkdirp(dir);
    if (fs.exists(componentPath(dir, generation, TOC_COMPONENT))) throw new SSTableUsageError(`generation ${generation} already exists in ${dir}`);
    this.dataFile = fs.create(tempComponentPath(dir, generation, 'Data.db'));
    this.indexFile = fs.create(tempComponentPath(dir, generation, 'Index.db'));
    this.data.bytes(fileHeader(DATA_MAGIC));
    this.index.bytes(fileHeader(INDEX_MAGIC));
  }

  /** Starts writing generation `generation` in dir (same as the constructor). */
  static create(fs: Fs, dir: string, generation: number, options: SSTableWriterOptions = {}): SSTableWriter {
    return new SSTableWriter(fs, dir, generation, options);
  }

  /** True once the writer finished or failed: nothing more will be written under its generation. */
  get settled(): boolean {
    return this.state === 'done' || this.state === 'failed';
  }

  get partitionCount(): number {
    return this.stats.partitionCount;
  }

  /** Bytes of Data written so far (buffered included). */
  get dataSizeBytes(): number {
    return this.dataFlushed + this.data.pos;
  }

  /**
   * Appends one partition. Partitions must come in strictly increasing (token, key) order, rows in
   * strictly increasing clustering order. A rejected partition leaves the writer failed: abort it.
   */
  append(p: Partition): void {
    if (this.state !== 'open') throw new SSTableUsageError(`append to a ${this.state} writer`);
    try {
      this.checkPosition(p.token, p.key);
      // Rows go to a scratch buffer first: only once they are encoded is it known whether the
      // partition is narrow (rows inline in the header chunk) or wide (row blocks + a row index).
      const rowsW = this.rows;
      rowsW.reset();
      const ends = this.rowEnds;
      ends.length = 0;
      const rows = p.rows;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        if (i > 0 && Buffer.compare(rows[i - 1].clustering, row.clustering) >= 0) throw new SSTableUsageError('rows must be in strictly increasing clustering order');
        this.encoder.row(rowsW, row);
        ends.push(rowsW.pos);
      }
      this.appendPartition(p.token, p.key, p.deletion, p.staticRow, p.rangeTombstones);
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  /**
   * Appends one partition whose rows are already encoded with this writer's column ids (see
   * SSTableWriterOptions.columns): they are copied, not decoded and encoded again; statistics
   * come from a scan of their bytes. Same ordering rules as append().
   */
  appendEncoded(p: EncodedPartition): void {
    if (this.state !== 'open') throw new SSTableUsageError(`append to a ${this.state} writer`);
    try {
      this.checkPosition(p.token, p.key);
      const n = p.rowCount;
      // Wide exactly when append() would split the rows into blocks: the rows before the last
      // reach a block's worth of bytes.
      let before = 0;
      for (let i = 0; i < n - 1; i++) before += p.rowEnds[i] - p.rowStarts[i];
      if (before < this.rowBlockBytes) {
        this.appendNarrowEncoded(p);
        return;
      }
      const rowsW = this.rows;
      rowsW.reset();
      const ends = this.rowEnds;
      ends.length = 0;
      for (let i = 0; i < n; i++) {
        const at = rowsW.pos;
        rowsW.copyFrom(p.rowBufs[i], p.rowStarts[i], p.rowEnds[i]);
        this.checkEncodedRow(rowsW.buf, at, rowsW.pos, i === 0 ? -1 : ends.length === 1 ? 0 : ends[ends.length - 2]);
        ends.push(rowsW.pos);
      }
      this.appendPartition(p.token, p.key, p.deletion, p.staticRow, p.rangeTombstones);
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  /**
   * appendEncoded of a partition of exactly one encoded row, buf[start, end), and nothing else
   * (no partition deletion, static row or range tombstone): the same bytes, without the arrays.
   * Most partitions of a flush are these.
   */
  appendOneRow(token: bigint, key: Buffer, buf: Buffer, start: number, end: number): void {
    this.appendOneRowAt(token, key, 0, key.length, buf, start, end);
  }

  /** appendOneRow with the key given as keyBuf[keyStart, keyEnd) (a memtable's slab): no view is made for it. */
  appendOneRowAt(token: bigint, keyBuf: Buffer, keyStart: number, keyEnd: number, buf: Buffer, start: number, end: number): void {
    if (this.state !== 'open') throw new SSTableUsageError(`append to a ${this.state} writer`);
    try {
      this.checkPositionAt(token, keyBuf, keyStart, keyEnd);
      const d = this.data;
      const partitionStart = this.dataFlushed + d.pos;
      const h = d.beginChunk();
      d.bigI64(token);
      d.u16(keyEnd - keyStart);
      d.copyFrom(keyBuf, keyStart, keyEnd);
      // headerFields of nothing (flags 0), then rowCount 1 and blockCount 0.
      d.u8(0);
      d.u8(1);
      d.u8(0);
      const at = d.pos;
      d.copyFrom(buf, start, end);
      this.checkEncodedRow(d.buf, at, d.pos, -1);
      d.endChunk(h);
      this.stats.rowCount++;
      this.endPartitionAt(token, keyBuf, keyStart, keyEnd, partitionStart, 0, 0);
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  /** A narrow partition of encoded rows: the rows go straight into its header chunk. */
  private appendNarrowEncoded(p: EncodedPartition): void {
    const n = p.rowCount;
    const d = this.data;
    const start = this.dataFlushed + d.pos;
    const h = d.beginChunk();
    d.bigI64(p.token);
    d.u16(p.key.length);
    d.bytes(p.key);
    this.encoder.headerFields(d, p.deletion, p.staticRow, p.rangeTombstones);
    d.varint(n);
    d.varint(0);
    let prev = -1;
    for (let i = 0; i < n; i++) {
      const at = d.pos;
      d.copyFrom(p.rowBufs[i], p.rowStarts[i], p.rowEnds[i]);
      this.checkEncodedRow(d.buf, at, d.pos, prev);
      prev = at;
    }
    d.endChunk(h);
    this.stats.rowCount += n;
    this.endPartition(p.token, p.key, start, 0, 0);
  }

  /**
   * Counts the statistics of the encoded row at buf[at, end), checking it is one well-formed row
   * with known column ids that sorts after the row at buf[prev...) (prev < 0: the first row).
   */
  private checkEncodedRow(buf: Buffer, at: number, end: number, prev: number): void {
    try {
      if (addEncodedRowStats(buf, at, end, this.encoder.columns.length, this.stats) !== end) throw new RangeError('bytes after the row');
    } catch (err) {
      if (err instanceof RangeError) throw new SSTableUsageError(`malformed encoded row: ${err.message}`);
      throw err;
    }
    if (prev >= 0 && compareEncodedClusterings(buf, prev, buf, at) >= 0) throw new SSTableUsageError('rows must be in strictly increasing clustering order');
  }

  private checkPosition(token: bigint, key: Buffer): void {
    this.checkPositionAt(token, key, 0, key.length);
  }

  private checkPositionAt(token: bigint, keyBuf: Buffer, keyStart: number, keyEnd: number): void {
    if (keyEnd - keyStart > MAX_KEY_BYTES) throw new SSTableUsageError(`partition key of ${keyEnd - keyStart} bytes exceeds ${MAX_KEY_BYTES}`);
    const prev = this.prevKeyBuf;
    if (prev !== null && (token < this.prevToken || (token === this.prevToken && compareRange(prev, this.prevKeyStart, this.prevKeyEnd, keyBuf, keyStart, keyEnd) >= 0))) {
      throw new SSTableUsageError('partitions must be appended in strictly increasing (token, key) order');
    }
  }

  /** Writes the partition whose rows are encoded in `rows`, ending at `rowEnds`. */
  private appendPartition(token: bigint, key: Buffer, deletion: DeletionTime, staticRow: Row | null, rangeTombstones: readonly RangeTombstone[]): void {
    const stats = this.stats;
    const enc = this.encoder;
    const start = this.dataFlushed + this.data.pos;
    const rowsW = this.rows;
    const ends = this.rowEnds;
    const n = ends.length;
    const bounds = this.blockBounds;
    bounds.length = 0;
    let blockStart = 0;
    let blockFirstRow = 0;
    for (let i = 0; i < n - 1; i++) {
      if (ends[i] - blockStart >= this.rowBlockBytes) {
        bounds.push(blockStart, ends[i], blockFirstRow, i);
        blockStart = ends[i];
        blockFirstRow = i + 1;
      }
    }
    const wide = bounds.length > 0;
    if (wide) bounds.push(blockStart, rowsW.pos, blockFirstRow, n - 1);
    stats.rowCount += n;

    const d = this.data;
    const h = d.beginChunk();
    d.bigI64(token);
    d.u16(key.length);
    d.bytes(key);
    enc.headerFields(d, deletion, staticRow, rangeTombstones);
    d.varint(n);
    let rowIndexOffset = 0;
    let rowIndexLength = 0;
    if (!wide) {
      d.varint(0);
      d.copyFrom(rowsW.buf, 0, rowsW.pos);
      d.endChunk(h);
    } else {
      const blockCount = bounds.length / 4;
      d.varint(blockCount);
      d.endChunk(h);
      const headerLength = d.pos - h;
      const metas: BlockMeta[] = [];
      for (let b = 0; b < bounds.length; b += 4) {
        this.maybeFlushData();
        const offset = this.dataFlushed + this.data.pos - start;
        const c = d.beginChunk();
        d.varint(bounds[b + 3] - bounds[b + 2] + 1);
        d.copyFrom(rowsW.buf, bounds[b], bounds[b + 1]);
        d.endChunk(c);
        // Views into the scratch rows: writeRowIndex copies them before the next partition.
        const firstAt = bounds[b + 2] === 0 ? 0 : ends[bounds[b + 2] - 1];
        const lastAt = bounds[b + 3] === 0 ? 0 : ends[bounds[b + 3] - 1];
        metas.push({ first: encodedClustering(rowsW.buf, firstAt), last: encodedClustering(rowsW.buf, lastAt), offset, width: d.pos - c });
      }
      const ix = this.index;
      rowIndexOffset = this.indexFlushed + ix.pos;
      const c = ix.beginChunk();
      writeRowIndex(ix, start, headerLength, metas);
      ix.endChunk(c);
      rowIndexLength = ix.pos - c;
    }
    this.endPartition(token, key, start, rowIndexOffset, rowIndexLength);
  }

  /**
   * Appends a narrow partition as the verified header chunk another SSTable holds it in (a
   * compaction copying a partition that merging and purging would leave as it is): the chunk is
   * copied whole, checksum included. Its column ids must mean what they mean here (the writer was
   * created with that SSTable's column table, or one it is a prefix of). `header` is the chunk's
   * decoded header and `rowsAt` where its rows start in the chunk; statistics come from a scan of
   * the rows and from the header objects.
   */
  appendCopy(token: bigint, key: Buffer, chunk: Buffer, rowsAt: number, header: Pick<Partition, 'deletion' | 'staticRow' | 'rangeTombstones'> & { rowCount: number }): void {
    if (this.state !== 'open') throw new SSTableUsageError(`append to a ${this.state} writer`);
    try {
      this.checkPosition(token, key);
      const stats = this.stats;
      const payloadEnd = chunk.length - 4;
      const rowCount = header.rowCount;
      // Encoded into scratch only for their statistics (same ids: the column tables agree).
      this.rows.reset();
      this.encoder.headerFields(this.rows, header.deletion, header.staticRow, header.rangeTombstones);
      const columnCount = this.encoder.columns.length;
      let at = rowsAt;
      let prev = -1;
      try {
        for (let i = 0; i < rowCount; i++) {
          const next = addEncodedRowStats(chunk, at, payloadEnd, columnCount, stats);
          if (prev >= 0 && compareEncodedClusterings(chunk, prev, chunk, at) >= 0) throw new SSTableUsageError('rows must be in strictly increasing clustering order');
          prev = at;
          at = next;
        }
        if (at !== payloadEnd) throw new RangeError('bytes after the last row');
      } catch (err) {
        if (err instanceof RangeError) throw new SSTableUsageError(`malformed partition chunk: ${err.message}`);
        throw err;
      }
      stats.rowCount += rowCount;
      const start = this.dataFlushed + this.data.pos;
      this.data.copyFrom(chunk, 0, chunk.length);
      this.endPartition(token, key, start, 0, 0);
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  /** Index entry, bloom hashes and statistics of the partition just written at `start`. */
  private endPartition(token: bigint, key: Buffer, start: number, rowIndexOffset: number, rowIndexLength: number): void {
    this.endPartitionAt(token, key, 0, key.length, start, rowIndexOffset, rowIndexLength);
  }

  private endPartitionAt(token: bigint, keyBuf: Buffer, keyStart: number, keyEnd: number, start: number, rowIndexOffset: number, rowIndexLength: number): void {
    const stats = this.stats;
    const dataLength = this.dataFlushed + this.data.pos - start;

    // Views of the key only where one is kept: the first of each entry block, the first overall.
    if (this.entryCount === 0) this.blockFirst = { token, key: keyBuf.subarray(keyStart, keyEnd) };
    writeEntryAt(this.entries, token, keyBuf, keyStart, keyEnd, start, dataLength, rowIndexOffset, rowIndexLength);
    if (++this.entryCount === this.indexInterval) this.flushEntryBlock();

    this.hashes = addTokenHashes(this.hashes, stats.partitionCount, token);
    if (stats.partitionCount === 0) {
      this.first = { token, key: keyBuf.subarray(keyStart, keyEnd) };
      stats.minToken = token;
    }
    stats.maxToken = token;
    stats.partitionCount++;
    stats.dataSizeBytes += dataLength;
    if (dataLength > stats.maxPartitionSizeBytes) stats.maxPartitionSizeBytes = dataLength;
    this.prevToken = token;
    this.prevKeyBuf = keyBuf;
    this.prevKeyStart = keyStart;
    this.prevKeyEnd = keyEnd;
    this.maybeFlushData();
    if (this.index.pos >= this.bufferBytes) this.flushIndex();
  }

  private flushEntryBlock(): void {
    const ix = this.index;
    const blockOffset = this.indexFlushed + ix.pos;
    const c = ix.beginChunk();
    ix.u8(KIND_ENTRY_BLOCK);
    ix.u16(this.entryCount);
    ix.bytes(this.entries.buf.subarray(0, this.entries.pos));
    ix.endChunk(c);
    const first = this.blockFirst;
    if (first === null) throw new Error('entry block without a first entry');
    this.summary.add(first.token, first.key, blockOffset, ix.pos - c);
    this.entries.reset();
    this.entryCount = 0;
    this.blockFirst = null;
  }

  private maybeFlushData(): void {
    if (this.data.pos >= this.bufferBytes) this.flushData();
  }

  private flushData(): void {
    this.dataFlushed += this.data.pos;
    handOver(this.dataFile, this.data, this.bufferBytes);
  }

  private flushIndex(): void {
    this.indexFlushed += this.index.pos;
    handOver(this.indexFile, this.index, this.bufferBytes);
  }

  /** Writes the remaining components, makes everything durable and opens the new SSTable. */
  async finish(): Promise<SSTableReader> {
    await this.finishFiles();
    return SSTableReader.open(this.fs, this.dir, this.generation);
  }

  /** finish() without opening the SSTable: a flush worker writes it, the event loop opens it. */
  async finishFiles(): Promise<void> {
    if (this.state !== 'open') throw new SSTableUsageError(`finish of a ${this.state} writer`);
    this.state = 'finishing';
    try {
      if (this.entryCount > 0) this.flushEntryBlock();
      this.flushData();
      this.flushIndex();
      const stats = this.stats.finish();
      const count = stats.partitionCount;
      const last = this.prevKeyBuf === null ? null : { token: this.prevToken, key: this.prevKeyBuf.subarray(this.prevKeyStart, this.prevKeyEnd) };
      const small: Array<[BinaryComponent, Buffer]> = [
        ['Summary.db', this.summary.encode(this.indexInterval, count, this.first, last)],
        ['Filter.db', BloomFilter.build(this.hashes, count, this.fpChance).encode()],
        ['Statistics.db', encodeStatistics(stats, this.encoder.columns)],
      ];
      const files: Array<[BinaryComponent, AppendFile]> = [
        ['Data.db', this.dataFile],
        ['Index.db', this.indexFile],
      ];
      for (const [c, bytes] of small) {
        const f = this.fs.create(tempComponentPath(this.dir, this.generation, c));
        f.write(bytes);
        files.push([c, f]);
      }
      await Promise.all(files.map(([, f]) => f.sync()));
      const sizes = {} as ComponentSizes;
      for (const [c, f] of files) {
        sizes[c] = f.sizeBytes;
        f.close();
      }
      for (const c of COMPONENTS) this.fs.rename(tempComponentPath(this.dir, this.generation, c), componentPath(this.dir, this.generation, c));
      await this.fs.syncDir(this.dir);

      const tocTmp = tempComponentPath(this.dir, this.generation, TOC_COMPONENT);
      const toc = this.fs.create(tocTmp);
      toc.write(encodeToc(sizes));
      await toc.sync();
      toc.close();
      this.fs.rename(tocTmp, componentPath(this.dir, this.generation, TOC_COMPONENT));
      await this.fs.syncDir(this.dir);
      this.state = 'done';
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  /**
   * Abandons the write: removes every file of this generation. Not allowed after finish(). No
   * directory sync is needed: a removal lost in a crash leaves a TOC-less generation, which the
   * next open of the directory removes again.
   */
  abort(): void {
    if (this.state === 'done') throw new SSTableUsageError('abort of a finished writer');
    this.state = 'failed';
    this.dataFile.close();
    this.indexFile.close();
    // The TOC goes first: without it the rest is an incomplete generation, never a damaged one.
    for (const c of [TOC_COMPONENT, ...COMPONENTS] as const) {
      for (const path of [tempComponentPath(this.dir, this.generation, c), componentPath(this.dir, this.generation, c)]) {
        if (this.fs.exists(path)) this.fs.unlink(path);
      }
    }
  }
}

/**
 * Appends w's bytes to f and empties w. Where the file can write in the background, the buffer
 * itself is handed over (it is never written to again) and w starts a new one: the copy into the
 * page cache then runs beside the encoding of the next megabyte instead of before it.
 */
function handOver(f: AppendFile, w: ByteWriter, bufferBytes: number): void {
  if (w.pos === 0) return;
  if (f.writeDetached !== undefined) {
    f.writeDetached(w.buf.subarray(0, w.pos));
    w.buf = Buffer.allocUnsafeSlow(Math.max(w.buf.length, bufferBytes + (bufferBytes >> 3)));
  } else {
    f.write(w.buf.subarray(0, w.pos));
  }
  w.reset();
}

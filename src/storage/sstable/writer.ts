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
import type { Partition } from '../model/types.js';
import { addKeyHashes, BloomFilter } from './bloom.js';
import { ByteWriter, fileHeader } from './bytes.js';
import { DATA_MAGIC, DataEncoder, MAX_KEY_BYTES } from './data-format.js';
import { COMPONENTS, componentPath, tempComponentPath, TOC_COMPONENT, type BinaryComponent } from './descriptor.js';
import { SSTableUsageError } from './errors.js';
import { INDEX_MAGIC, KIND_ENTRY_BLOCK, writeEntry, writeRowIndex } from './index-format.js';
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
}

export const DEFAULT_BLOOM_FILTER_FP_CHANCE = 0.01;
export const DEFAULT_INDEX_INTERVAL = 32;
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
  private readonly encoder = new DataEncoder(this.stats);
  private hashes: Uint32Array;
  private first: { token: bigint; key: Buffer } | null = null;
  private prevToken = 0n;
  private prevKey: Buffer | null = null;
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
      this.appendPartition(p);
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
  }

  private appendPartition(p: Partition): void {
    const key = p.key;
    const token = p.token;
    if (key.length > MAX_KEY_BYTES) throw new SSTableUsageError(`partition key of ${key.length} bytes exceeds ${MAX_KEY_BYTES}`);
    if (this.prevKey !== null && (token < this.prevToken || (token === this.prevToken && Buffer.compare(this.prevKey, key) >= 0))) {
      throw new SSTableUsageError('partitions must be appended in strictly increasing (token, key) order');
    }
    const stats = this.stats;
    const enc = this.encoder;
    const start = this.dataFlushed + this.data.pos;

    // Rows go to a scratch buffer first: only once they are encoded is it known whether the
    // partition is narrow (rows inline in the header chunk) or wide (row blocks + a row index).
    const rowsW = this.rows;
    rowsW.reset();
    const bounds = this.blockBounds;
    bounds.length = 0;
    const rows = p.rows;
    const n = rows.length;
    let blockStart = 0;
    let blockFirstRow = 0;
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      if (i > 0 && Buffer.compare(rows[i - 1].clustering, row.clustering) >= 0) throw new SSTableUsageError('rows must be in strictly increasing clustering order');
      enc.row(rowsW, row);
      if (rowsW.pos - blockStart >= this.rowBlockBytes && i < n - 1) {
        bounds.push(blockStart, rowsW.pos, blockFirstRow, i);
        blockStart = rowsW.pos;
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
    enc.headerFields(d, p.deletion, p.staticRow, p.rangeTombstones);
    d.varint(n);
    let rowIndexOffset = 0;
    let rowIndexLength = 0;
    if (!wide) {
      d.varint(0);
      d.bytes(rowsW.buf.subarray(0, rowsW.pos));
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
        d.bytes(rowsW.buf.subarray(bounds[b], bounds[b + 1]));
        d.endChunk(c);
        metas.push({ first: rows[bounds[b + 2]].clustering, last: rows[bounds[b + 3]].clustering, offset, width: d.pos - c });
      }
      const ix = this.index;
      rowIndexOffset = this.indexFlushed + ix.pos;
      const c = ix.beginChunk();
      writeRowIndex(ix, start, headerLength, metas);
      ix.endChunk(c);
      rowIndexLength = ix.pos - c;
    }
    const dataLength = this.dataFlushed + this.data.pos - start;

    if (this.entryCount === 0) this.blockFirst = { token, key };
    writeEntry(this.entries, token, key, start, dataLength, rowIndexOffset, rowIndexLength);
    if (++this.entryCount === this.indexInterval) this.flushEntryBlock();

    this.hashes = addKeyHashes(this.hashes, stats.partitionCount, key);
    if (stats.partitionCount === 0) {
      this.first = { token, key };
      stats.minToken = token;
    }
    stats.maxToken = token;
    stats.partitionCount++;
    stats.dataSizeBytes += dataLength;
    if (dataLength > stats.maxPartitionSizeBytes) stats.maxPartitionSizeBytes = dataLength;
    this.prevToken = token;
    this.prevKey = key;
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
    this.dataFile.write(this.data.buf.subarray(0, this.data.pos));
    this.dataFlushed += this.data.pos;
    this.data.reset();
  }

  private flushIndex(): void {
    this.indexFile.write(this.index.buf.subarray(0, this.index.pos));
    this.indexFlushed += this.index.pos;
    this.index.reset();
  }

  /** Writes the remaining components, makes everything durable and opens the new SSTable. */
  async finish(): Promise<SSTableReader> {
    if (this.state !== 'open') throw new SSTableUsageError(`finish of a ${this.state} writer`);
    this.state = 'finishing';
    try {
      if (this.entryCount > 0) this.flushEntryBlock();
      this.flushData();
      this.flushIndex();
      const stats = this.stats.finish();
      const count = stats.partitionCount;
      const last = this.prevKey === null ? null : { token: this.prevToken, key: this.prevKey };
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
    return SSTableReader.open(this.fs, this.dir, this.generation);
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

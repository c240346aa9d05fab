/**
 * One table's files: its SSTables (newest first), flushes into new ones, and compactions that
 * replace several with one. The set of SSTables only ever changes synchronously, so a read (which
 * is synchronous) always sees a consistent set.
 *
 * A compaction's inputs are removed as one step that survives crashes: once the output SSTable is
 * complete, `compaction-<output>.log` names the inputs durably, then they are deleted, then the log.
 * On open, a leftover log finishes the deletions. Without it, a crash between deleting an input
 * holding a tombstone and another holding the data it shadows could resurrect that data.
 */
import type { Clock, Fs, Logger } from '../../seams/index.js';
import { joinPath, writeFileAtomic } from '../../seams/index.js';
import { DEFAULT_SIZE_TIERED, chooseCompaction, mergeForCompaction } from '../compaction/index.js';
import type { CompactionInput, CompactionOutput, SizeTieredOptions } from '../compaction/index.js';
import type { FlushWorker } from '../flush-worker/index.js';
import type { Memtable } from '../memtable/index.js';
import { isLiveDeletion } from '../model/index.js';
import type { Partition, PartitionSource, Row } from '../model/index.js';
import { SSTableReader, SSTableWriter, openTableDirectory } from '../sstable/index.js';
import type { PartitionCursor } from '../sstable/index.js';
import { hasEmptyRow } from '../sstable/data-format.js';

export interface TableSpec {
  /** Stable table UUID. */
  readonly id: string;
  readonly keyspace: string;
  readonly name: string;
  readonly gcGraceSeconds: number;
  readonly bloomFilterFpChance?: number;
  readonly compaction?: Partial<SizeTieredOptions> & { readonly enabled?: boolean };
}

const COMPACTION_LOG = /^compaction-(\d+)\.log$/;

export class TableStore {
  /** Newest first: on equal timestamps it does not matter, reconciliation decides. */
  private readers: SSTableReader[];
  private nextGeneration: number;
  private compacting = new Set<SSTableReader>();
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  /** Bumped by truncate: a compaction that started before must not bring its output back. */
  private epoch = 0;
  compactionsDone = 0;

  private constructor(
    private readonly fs: Fs,
    private readonly clock: Clock,
    readonly dir: string,
    public spec: TableSpec,
    private readonly logger: Logger,
    readers: SSTableReader[],
    nextGeneration: number,
  ) {
    this.readers = readers;
    this.nextGeneration = nextGeneration;
  }

  static open(fs: Fs, clock: Clock, dataDir: string, spec: TableSpec, logger: Logger): TableStore {
    const dir = tableDirectory(dataDir, spec);
    fs.mkdirp(dir);
    const { readers, nextGeneration } = openTableDirectory(fs, dir, logger);
    readers.sort((a, b) => b.generation - a.generation);
    return new TableStore(fs, clock, dir, spec, logger, readers, nextGeneration);
  }

  get sstableCount(): number {
    return this.readers.length;
  }

  get sstableBytes(): number {
    return this.readers.reduce((n, r) => n + r.sizeBytes, 0);
  }

  get pendingCompactions(): number {
    return this.queued;
  }

  sources(): readonly PartitionSource[] {
    return this.readers;
  }

  /** Lowest timestamp in SSTables that may hold `key` and are not among `excluding`. */
  minTimestampOutside(excluding: ReadonlySet<SSTableReader>, key: Buffer, token: bigint): number {
    let min = Number.MAX_SAFE_INTEGER;
    for (const r of this.readers) {
      if (excluding.has(r) || !r.mayContain(key, token)) continue;
      const ts = r.stats.minTimestampMicros;
      if (ts < min) min = ts;
    }
    return min;
  }

  async finishInterruptedCompactions(): Promise<void> {
    for (const name of this.fs.list(this.dir)) {
      const m = COMPACTION_LOG.exec(name);
      if (m === null) continue;
      const path = joinPath(this.dir, name);
      const { inputs } = JSON.parse(this.fs.readFile(path).toString('utf8')) as { inputs: number[] };
      // The log is written only once the output is complete, so its inputs can always go.
      for (const gen of inputs) {
        const r = this.readers.find((x) => x.generation === gen);
        if (r === undefined) continue;
        this.readers = this.readers.filter((x) => x !== r);
        await r.delete();
      }
      this.logger.info({ table: this.spec.name, output: Number(m[1]), inputs }, 'finished an interrupted compaction');
      this.fs.unlink(path);
      await this.fs.syncDir(this.dir);
    }
  }

  /**
   * Writes a memtable to a new durable SSTable, not yet visible: see install(). With a flush
   * worker the bytes are written on its thread and the SSTable is opened here.
   */
  async writeMemtable(memtable: Memtable, worker: FlushWorker | null = null): Promise<SSTableReader> {
    const generation = this.nextGeneration++;
    const fpChance = this.spec.bloomFilterFpChance ?? 0.01;
    if (worker !== null) {
      await worker.write(this.dir, generation, fpChance, memtable.flushSnapshot());
      return SSTableReader.open(this.fs, this.dir, generation);
    }
    const writer = SSTableWriter.create(this.fs, this.dir, generation, {
      bloomFilterFpChance: fpChance,
      expectedPartitions: memtable.partitionCount,
      columns: memtable.columns,
    });
    // The memtable's rows are already in Data's row format: they are copied, not re-encoded.
    for (const _ of memtable.writeTo(writer, 1024)) await this.clock.yieldNow();
    return writer.finish();
  }

  /** Makes a flushed SSTable visible to reads and compaction. */
  install(reader: SSTableReader): void {
    this.readers = [reader, ...this.readers];
  }

  /** Queues background compaction if the strategy finds a bucket worth merging. */
  scheduleCompaction(enabled: boolean, othersMin: (key: Buffer) => number): void {
    if (!enabled || this.spec.compaction?.enabled === false) return;
    if (this.queued > 0) return;
    this.queued++;
    this.chain = this.chain
      .then(() => this.compactWhileWorthIt(othersMin))
      .catch((err: unknown) => this.logger.error({ err, table: this.spec.name }, 'compaction failed'))
      .finally(() => {
        this.queued--;
      });
  }

  /** Compacts now: a major compaction merges every SSTable into one. */
  compact(major: boolean, othersMin: (key: Buffer) => number): Promise<void> {
    this.queued++;
    const run = this.chain.then(async () => {
      if (major) {
        if (this.readers.length > 1 || this.readers.some((r) => r.stats.tombstoneCount > 0)) await this.compactSet([...this.readers], othersMin);
      } else {
        await this.compactWhileWorthIt(othersMin);
      }
    });
    this.chain = run.catch(() => undefined).finally(() => {
      this.queued--;
    });
    return run;
  }

  idle(): Promise<void> {
    return this.chain;
  }

  /** Deletes every SSTable (truncate). */
  async removeAllSSTables(): Promise<void> {
    await this.chain;
    this.epoch++;
    const old = this.readers;
    this.readers = [];
    for (const r of old) await r.delete();
  }

  async removeDirectory(): Promise<void> {
    await this.removeAllSSTables();
    this.fs.rmrf(this.dir);
  }

  async close(): Promise<void> {
    this.epoch++;
    await this.chain;
    for (const r of this.readers) r.close();
  }

  private async compactWhileWorthIt(othersMin: (key: Buffer) => number): Promise<void> {
    const options: SizeTieredOptions = { ...DEFAULT_SIZE_TIERED, ...this.spec.compaction };
    for (let i = 0; i < 100; i++) {
      const candidates = this.readers.filter((r) => !this.compacting.has(r)).map((r) => ({ item: r, sizeBytes: r.sizeBytes }));
      const chosen = chooseCompaction(candidates, options);
      if (chosen === null) return;
      await this.compactSet(chosen, othersMin);
    }
  }

  private async compactSet(inputs: SSTableReader[], othersMin: (key: Buffer) => number): Promise<void> {
    if (inputs.length === 0) return;
    const epoch = this.epoch;
    const inputSet = new Set(inputs);
    for (const r of inputs) this.compacting.add(r);
    const generation = this.nextGeneration++;
    // The output starts with the longest input column table; inputs whose tables are a prefix
    // of it may have partitions copied as bytes (their column ids mean the same there).
    let columns: readonly string[] = [];
    for (const r of inputs) if (r.columnNames.length > columns.length) columns = r.columnNames;
    const writer = SSTableWriter.create(this.fs, this.dir, generation, {
      bloomFilterFpChance: this.spec.bloomFilterFpChance ?? 0.01,
      expectedPartitions: inputs.reduce((n, r) => n + r.stats.partitionCount, 0),
      columns,
    });
    try {
      const nowSec = this.clock.nowSeconds();
      const sink: CompactionOutput = {
        write: (p) => writer.append(p),
        copy: (input) => (input as SSTableInput).copyTo(writer),
      };
      const stats = await mergeForCompaction(
        inputs.map((r) => new SSTableInput(r, columns)),
        sink,
        {
          nowSec,
          gcBeforeSec: nowSec - this.spec.gcGraceSeconds,
          maxPurgeableMicros: (key, token) => Math.min(othersMin(key), this.minTimestampOutside(inputSet, key, token)),
          yieldNow: () => this.clock.yieldNow(),
          cancelled: () => epoch !== this.epoch,
        },
      );
      if (stats === null || epoch !== this.epoch) {
        writer.abort();
        return;
      }
      const output = stats.partitionsOut > 0 ? await writer.finish() : (writer.abort(), null);
      if (epoch !== this.epoch) {
        if (output !== null) await output.delete();
        return;
      }
      // Swap in one synchronous step, then make the removal of the inputs crash-proof.
      this.readers = [...(output === null ? [] : [output]), ...this.readers.filter((r) => !inputSet.has(r))].sort((a, b) => b.generation - a.generation);
      const logPath = joinPath(this.dir, `compaction-${generation}.log`);
      await writeFileAtomic(this.fs, logPath, Buffer.from(JSON.stringify({ inputs: inputs.map((r) => r.generation) })));
      for (const r of inputs) await r.delete();
      this.fs.unlink(logPath);
      await this.fs.syncDir(this.dir);
      this.compactionsDone++;
      this.logger.debug({ table: this.spec.name, inputs: inputs.length, partitionsIn: stats.partitionsIn, partitionsOut: stats.partitionsOut }, 'compacted');
    } finally {
      for (const r of inputs) this.compacting.delete(r);
    }
  }
}

export function tableDirectory(dataDir: string, spec: TableSpec): string {
  return joinPath(dataDir, spec.keyspace, `${spec.name}-${spec.id.replace(/-/g, '')}`);
}

/** An SSTable as a compaction input: a sequential cursor, and when its partitions may be copied. */
class SSTableInput implements CompactionInput {
  private readonly cursor: PartitionCursor;
  /** No tombstones or expiring data anywhere, and column ids that mean the same in the output. */
  private readonly copyOk: boolean;

  constructor(reader: SSTableReader, outputColumns: readonly string[]) {
    this.cursor = reader.cursor();
    const cols = reader.columnNames;
    this.copyOk = reader.stats.tombstoneCount === 0 && cols.every((c, i) => outputColumns[i] === c);
  }

  get token(): bigint {
    return this.cursor.token;
  }

  get key(): Buffer {
    return this.cursor.key;
  }

  next(): boolean {
    return this.cursor.next();
  }

  partition(): Partition {
    return this.cursor.partition();
  }

  copyable(): boolean {
    if (!this.copyOk) return false;
    const c = this.cursor;
    const h = c.header;
    if (c.chunk === null || h === null) return false;
    if (!isLiveDeletion(h.deletion) || h.rangeTombstones.length > 0) return false;
    // Purging drops empty rows and empty partitions: those take the decoding path.
    if (h.staticRow !== null ? isEmptyRow(h.staticRow) : h.rowCount === 0) return false;
    return !hasEmptyRow(c.chunk, c.rowsAt, h.rowCount);
  }

  copyTo(writer: SSTableWriter): void {
    const c = this.cursor;
    writer.appendCopy(c.token, c.key, c.chunk!, c.rowsAt, c.header!);
  }
}

function isEmptyRow(r: Row): boolean {
  return r.liveness === null && r.cells.length === 0 && r.complexDeletions.length === 0 && isLiveDeletion(r.deletion);
}

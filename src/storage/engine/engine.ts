/**
 * One node's storage engine (DESIGN.md "Storage engine"): mutations in through the commit log and
 * the memtables, rows out by merging memtables and SSTables, flushes and size-tiered compaction in
 * the background.
 *
 * Memtables are switched for all tables at once (one "memtable generation"), so a flush covers a
 * prefix of the commit log. Once its SSTables are durable, the flush records that prefix's end as
 * `replayFrom` in storage-meta.json, and only then lets compaction see the new SSTables.
 *
 * Replay must skip what a flush already wrote, even though reconciliation is idempotent: once a
 * compaction has purged a tombstone together with the data it shadowed, replaying that old data
 * from the log would bring it back.
 */
import type { Clock, Fs, Logger } from '../../seams/index.js';
import { RealFs, joinPath, silentLogger, writeFileAtomic } from '../../seams/index.js';
import { CommitLog, comparePositions as compareLogPositions } from '../commitlog/index.js';
import type { CommitLogPosition } from '../commitlog/index.js';
import { FlushWorker } from '../flush-worker/index.js';
import { Memtable } from '../memtable/index.js';
import { SSTableReader } from '../sstable/index.js';
import { FULL_SLICE, deserializeMutation, mergePartitions } from '../model/index.js';
import type { Mutation, Partition, PartitionPosition, PartitionSource, PartitionUpdate } from '../model/index.js';
import { serializeMutationTransient } from '../model/serialize.js';
import { TableStore } from './table-store.js';
import type { TableSpec } from './table-store.js';
import { mergedPartitionKeys, readLivePartition, scanLivePartitions } from './read.js';
import type { LivePartition, ReadQuery, ScanCursor } from './read.js';

export interface EngineOptions {
  readonly fs: Fs;
  readonly clock: Clock;
  readonly dataDir: string;
  readonly logger?: Logger;
  /** `batch` acknowledges after the covering fsync; `periodic` fsyncs every commitlogSyncPeriodMs. */
  readonly commitlogSync?: 'batch' | 'periodic';
  readonly commitlogSyncPeriodMs?: number;
  readonly commitlogSegmentSizeBytes?: number;
  /** Flush all memtables once their accounted size passes this. */
  readonly memtableFlushThresholdBytes?: number;
  /**
   * Write flushed SSTables on a worker thread, beside the event loop (needs RealFs: the thread
   * opens the files itself). Default false: simulations keep every step on one thread.
   */
  readonly flushOnWorkerThread?: boolean;
  /**
   * With flushOnWorkerThread, memtables smaller than this still flush on the event loop: they
   * take well under a millisecond there, and the schema's small flushes then neither start the
   * thread (its memory) nor wait for it. Default 1 MiB.
   */
  readonly flushWorkerMinBytes?: number;
  /** Run size-tiered compaction automatically after flushes. Default true. */
  readonly autoCompaction?: boolean;
  /** Refuse to start on a corrupt commit log record (default) or skip it with a logged error. */
  readonly skipCorruptCommitLog?: boolean;
}

export interface ScanRange {
  /** Resume strictly after this position; null starts at the lowest token. */
  readonly after: PartitionPosition | null;
  /** Last token included. */
  readonly endToken: bigint;
}

export interface ScanQuery extends ReadQuery {
  /** At most this many partitions with live data. */
  readonly partitionLimit?: number;
  /** At most this many live rows in all (limit is then per partition). */
  readonly totalRowLimit?: number;
}

export interface EngineMetrics {
  memtableBytes: number;
  memtablePartitions: number;
  sstableCount: number;
  sstableBytes: number;
  flushes: number;
  /** Of the flushes' SSTables, those written on the flush worker thread. */
  workerFlushes: number;
  compactions: number;
  pendingCompactions: number;
  writes: number;
  reads: number;
}

interface TruncationRecord {
  segmentId: number;
  offset: number;
}

interface EngineMeta {
  /** Records before this position are in SSTables already. */
  replayFrom: TruncationRecord | null;
  truncations: Record<string, TruncationRecord>;
  dropped: string[];
}

const META_FILE = 'storage-meta.json';
const DEFAULT_FLUSH_WORKER_MIN_BYTES = 1024 * 1024;

export class StorageEngine {
  private readonly logger: Logger;
  private readonly tables = new Map<string, TableStore>();
  /** The memtables taking writes now, by table id. */
  private memtables = new Map<string, Memtable>();
  /** Those of registered tables, as an array; null when memtables or tables changed since. */
  private currentList: Memtable[] | null = null;
  /** Memtable generations being written to SSTables; still read until their SSTables are in. */
  private flushingGenerations: Array<Map<string, Memtable>> = [];
  private flushChain: Promise<void> = Promise.resolve();
  private flushInProgress = false;
  /** The writes of the commit-log group being filled, applied together once it is written. */
  private applyBatch: ApplyBatch | null = null;
  /** The flush maybeFlush started, until it ends: at most one is queued at a time. */
  private backgroundFlush: Promise<void> | null = null;
  /** Writes waiting for memtable space (see awaitMemtableSpace). */
  private spaceWaiters: Array<() => void> = [];
  private closed = false;
  private closing = false;
  private meta: EngineMeta;
  private readonly threshold: number;
  private readonly stats = { flushes: 0, workerFlushes: 0, writes: 0, reads: 0 };
  private readonly flushWorker: FlushWorker | null;

  private constructor(
    private readonly opts: EngineOptions,
    private readonly log: CommitLog,
    meta: EngineMeta,
  ) {
    this.logger = opts.logger ?? silentLogger();
    this.meta = meta;
    this.threshold = opts.memtableFlushThresholdBytes ?? 64 * 1024 * 1024;
    this.flushWorker = opts.flushOnWorkerThread === true ? new FlushWorker() : null;
  }

  /**
   * Opens a data directory: replays the commit log into memtables. Tables are then registered
   * with addTable (the schema lives in the engine's own system tables, so it can be read first);
   * replayed data for a table is kept until the table is registered or known dropped.
   */
  static async open(opts: EngineOptions): Promise<StorageEngine> {
    const { fs, dataDir } = opts;
    const logger = opts.logger ?? silentLogger();
    if (opts.flushOnWorkerThread === true && !(fs instanceof RealFs)) throw new RangeError('flushOnWorkerThread needs RealFs: the worker thread opens the files itself');
    fs.mkdirp(dataDir);
    const meta = readMeta(fs, dataDir);
    const dropped = new Set(meta.dropped);
    const memtables = new Map<string, Memtable>();
    let replayed = 0;
    const opened = await CommitLog.open({
      fs,
      clock: opts.clock,
      dir: joinPath(dataDir, 'commitlog'),
      logger,
      sync: opts.commitlogSync ?? 'batch',
      syncPeriodMs: opts.commitlogSyncPeriodMs ?? 10_000,
      segmentSizeBytes: opts.commitlogSegmentSizeBytes,
      skipCorrupt: opts.skipCorruptCommitLog ?? false,
      // Records are applied as they are read, so replay never holds the whole log in memory.
      onRecord: (payload, position) => {
        if (meta.replayFrom !== null && compareLogPositions(position, meta.replayFrom) < 0) return;
        const mutation = deserializeMutation(payload);
        for (const update of mutation.updates) {
          if (dropped.has(update.tableId)) continue;
          const truncated = meta.truncations[update.tableId];
          if (truncated !== undefined && compareLogPositions(position, truncated) < 0) continue;
          let m = memtables.get(update.tableId);
          if (m === undefined) memtables.set(update.tableId, (m = new Memtable()));
          m.apply(update);
        }
        replayed++;
      },
    });
    if (replayed > 0) logger.info({ records: replayed, tornTail: opened.report.tornTail ?? null }, 'commit log replayed');
    const engine = new StorageEngine(opts, opened.log, meta);
    engine.memtables = memtables;
    engine.currentList = null;
    return engine;
  }

  /** Registers a table (opening its SSTables), or refreshes its options. */
  async addTable(spec: TableSpec): Promise<void> {
    const existing = this.tables.get(spec.id);
    if (existing !== undefined) {
      existing.spec = spec;
      return;
    }
    const store = TableStore.open(this.opts.fs, this.opts.clock, this.opts.dataDir, spec, this.logger);
    await store.finishInterruptedCompactions();
    this.tables.set(spec.id, store);
    this.currentList = null;
  }

  hasTable(tableId: string): boolean {
    return this.tables.has(tableId);
  }

  /** Applies a mutation; resolves when it is durable under the commit log's sync mode. */
  apply(mutation: Mutation, durable = true): Promise<void> {
    try {
      this.checkOpen();
      const updates = mutation.updates;
      if (updates.length !== 1 || !durable || this.memtableFull()) return this.applyAsync(mutation, durable);
      // The common case — one table, durable, room in the memtable — joins a batch: the writes
      // placed in one commit-log group are applied together when the group is written (or
      // synced) and share one promise, instead of each suspending an async function (its frame
      // copied to the heap) on every write.
      const update = updates[0];
      if (!this.tables.has(update.tableId)) throw new UnknownTableError(update.tableId);
      // Routed to this generation's memtable before the append: see applyAsync.
      const target = this.memtableFor(update.tableId);
      const prepared = target.prepare(update);
      const logged = this.log.appendRecord(serializeMutationTransient(mutation));
      target.pendingWrites++;
      let batch = this.applyBatch;
      if (batch === null || batch.logged !== logged) batch = this.startBatch(logged);
      batch.targets.push(target);
      batch.updates.push(update);
      batch.prepared.push(prepared);
      return batch.applied;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The writes whose records share one commit-log group (one promise of appendRecord): applied to
   * their memtables in one step once the group is written (periodic) or synced (batch).
   */
  private startBatch(logged: Promise<void>): ApplyBatch {
    const batch: ApplyBatch = { logged, targets: [], updates: [], prepared: [], applied: RESOLVED };
    batch.applied = logged.then(
      () => this.runBatch(batch),
      (err: unknown) => {
        this.endBatch(batch);
        throw err;
      },
    );
    this.applyBatch = batch;
    return batch;
  }

  private runBatch(batch: ApplyBatch): void {
    let failure: unknown = null;
    try {
      for (let i = 0; i < batch.targets.length; i++) {
        // A memtable refusing data prepare() accepted is a bug; the records are in the log anyway.
        try {
          batch.targets[i].applyPrepared(batch.updates[i], batch.prepared[i]);
        } catch (err) {
          failure ??= err;
        }
      }
    } finally {
      this.endBatch(batch);
    }
    this.stats.writes += batch.targets.length;
    this.maybeFlush();
    if (failure !== null) throw failure;
  }

  private endBatch(batch: ApplyBatch): void {
    if (this.applyBatch === batch) this.applyBatch = null;
    for (const t of batch.targets) t.pendingWrites--;
    if (this.drainWaiters.length > 0) this.notifyDrained();
  }

  /** apply() one write at a time: several tables, not durable, or waiting for memtable space. */
  private async applyAsync(mutation: Mutation, durable: boolean): Promise<void> {
    const updates = mutation.updates;
    if (updates.length !== 1) return this.applyMany(mutation, durable);
    const update = updates[0];
    if (!this.tables.has(update.tableId)) throw new UnknownTableError(update.tableId);
    if (this.memtableFull()) await this.awaitMemtableSpace();
    // Route to this generation's memtable before the commit log append, so a flush that switches
    // memtables while we wait for the fsync still waits for this write (pendingWrites) before
    // writing its SSTables — every record before the switch position lands in them.
    const target = this.memtableFor(update.tableId);
    // Encoded for the memtable before the append: data it would refuse is refused before it is
    // durable, not replayed on every restart. The payload is a transient view: the append copies
    // it at once.
    const prepared = target.prepare(update);
    const payload = durable ? serializeMutationTransient(mutation) : null;
    target.pendingWrites++;
    try {
      if (payload !== null) await this.log.appendRecord(payload);
      target.applyPrepared(update, prepared);
    } finally {
      target.pendingWrites--;
      if (this.drainWaiters.length > 0) this.notifyDrained();
    }
    this.stats.writes++;
    this.maybeFlush();
  }

  /** apply() of a mutation of several tables (or none). */
  private async applyMany(mutation: Mutation, durable: boolean): Promise<void> {
    const updates = mutation.updates;
    for (const update of updates) {
      if (!this.tables.has(update.tableId)) throw new UnknownTableError(update.tableId);
    }
    if (this.memtableFull()) await this.awaitMemtableSpace();
    const targets = updates.map((u) => this.memtableFor(u.tableId));
    const prepared = updates.map((u, i) => targets[i].prepare(u));
    for (const m of targets) m.pendingWrites++;
    try {
      if (durable) await this.log.appendRecord(serializeMutationTransient(mutation));
      for (let i = 0; i < targets.length; i++) targets[i].applyPrepared(updates[i], prepared[i]);
    } finally {
      for (const m of targets) m.pendingWrites--;
      this.notifyDrained();
    }
    this.stats.writes++;
    this.maybeFlush();
  }

  /** Live rows of one partition, or null when it has none. */
  read(tableId: string, key: Buffer, token: bigint, query: ReadQuery): LivePartition | null {
    this.checkOpen();
    this.stats.reads++;
    return readLivePartition(this.sourcesFor(tableId), key, token, query);
  }

  /** The merged raw partition (tombstones included) in a slice: for digests and read repair. */
  readRaw(tableId: string, key: Buffer, token: bigint, query: Pick<ReadQuery, 'slices'>): Partition | null {
    this.checkOpen();
    const sources = this.sourcesFor(tableId);
    let merged: Partition | null = null;
    for (const slice of query.slices ?? [FULL_SLICE]) {
      for (const s of sources) {
        const p = s.readPartition(key, token, slice, Infinity, false);
        if (p !== null) merged = merged === null ? p : mergePartitions(merged, p);
      }
    }
    return merged;
  }

  /** Partitions with live data in a token range, in ring order. */
  scan(tableId: string, range: ScanRange, query: ScanQuery): LivePartition[] {
    this.checkOpen();
    const sources = this.sourcesFor(tableId);
    const cursors: ScanCursor[] = [];
    for (const s of sources) {
      if (s instanceof Memtable || s instanceof SSTableReader) cursors.push(s.scanCursor(range.after));
      else return this.scanByKeys(sources, range, query);
    }
    return scanLivePartitions(sources, cursors, query, {
      endToken: range.endToken,
      partitionLimit: query.partitionLimit ?? Infinity,
      totalRowLimit: query.totalRowLimit ?? Infinity,
    });
  }

  /** scan() over sources without cursors: merge their keys, then read each partition. */
  private scanByKeys(sources: readonly PartitionSource[], range: ScanRange, query: ScanQuery): LivePartition[] {
    const out: LivePartition[] = [];
    const partitionLimit = query.partitionLimit ?? Infinity;
    let rowsLeft = query.totalRowLimit ?? Infinity;
    let after = range.after;
    const batch = 128;
    for (;;) {
      const keys = mergedPartitionKeys(sources, after, range.endToken, batch);
      if (keys.length === 0) break;
      for (const position of keys) {
        const limit = Math.min(query.limit ?? Infinity, rowsLeft);
        const p = readLivePartition(sources, position.key, position.token, { ...query, limit });
        if (p !== null) {
          out.push(p);
          rowsLeft -= p.rows.length;
          if (out.length >= partitionLimit || rowsLeft <= 0) return out;
        }
      }
      after = keys[keys.length - 1];
    }
    return out;
  }

  /** Writes every memtable to SSTables and drops the commit log before them. */
  flush(): Promise<void> {
    this.checkOpen();
    const run = this.flushChain.then(() => this.flushNow());
    this.flushChain = run.catch(() => undefined);
    return run;
  }

  /** Runs size-tiered compaction on a table (or all) until nothing more is worth merging. */
  async compact(tableId?: string, major = false): Promise<void> {
    this.checkOpen();
    const stores = tableId === undefined ? [...this.tables.values()] : [this.requireTable(tableId)];
    for (const store of stores) await store.compact(major, (key) => this.otherSourcesMinTimestamp(store, key));
  }

  /** Waits for background compactions to finish. */
  async waitForCompactions(): Promise<void> {
    for (const store of this.tables.values()) await store.idle();
  }

  /** Empties a table durably: replay will not bring back anything written before. */
  async truncate(tableId: string): Promise<void> {
    const store = this.requireTable(tableId);
    await this.flush();
    await store.idle();
    const position = this.log.currentPosition();
    this.memtables.set(tableId, new Memtable());
    this.currentList = null;
    this.meta.truncations[tableId] = { segmentId: position.segmentId, offset: position.offset };
    await writeMeta(this.opts.fs, this.opts.dataDir, this.meta);
    await store.removeAllSSTables();
  }

  /** Forgets a table and deletes its files. */
  async dropTable(tableId: string): Promise<void> {
    const store = this.requireTable(tableId);
    await this.truncate(tableId);
    this.tables.delete(tableId);
    this.currentList = null;
    this.memtables.delete(tableId);
    this.currentList = null;
    if (!this.meta.dropped.includes(tableId)) this.meta.dropped.push(tableId);
    await writeMeta(this.opts.fs, this.opts.dataDir, this.meta);
    await store.removeDirectory();
  }

  metrics(): EngineMetrics {
    let memtableBytes = 0;
    let memtablePartitions = 0;
    for (const gen of [this.memtables, ...this.flushingGenerations]) {
      for (const m of gen.values()) {
        memtableBytes += m.sizeBytes;
        memtablePartitions += m.partitionCount;
      }
    }
    let sstableCount = 0;
    let sstableBytes = 0;
    let compactions = 0;
    let pendingCompactions = 0;
    for (const store of this.tables.values()) {
      sstableCount += store.sstableCount;
      sstableBytes += store.sstableBytes;
      compactions += store.compactionsDone;
      pendingCompactions += store.pendingCompactions;
    }
    return { memtableBytes, memtablePartitions, sstableCount, sstableBytes, flushes: this.stats.flushes, workerFlushes: this.stats.workerFlushes, compactions, pendingCompactions, writes: this.stats.writes, reads: this.stats.reads };
  }

  /** Flushes nothing: syncs the commit log and closes files. Data in memtables replays next open. */
  async close(options: { flush?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    if (options.flush === true) await this.flush();
    // No background flush may start from here on: one started while close() waits below would
    // outlive it, and write files (even delete commit log segments) under a later engine's feet.
    this.closing = true;
    this.notifySpace();
    let chain: Promise<void>;
    do {
      chain = this.flushChain;
      await chain;
    } while (chain !== this.flushChain);
    for (const store of this.tables.values()) await store.close();
    this.closed = true;
    await this.log.close();
    await this.flushWorker?.close();
  }

  private async flushNow(): Promise<void> {
    const generation = this.memtables;
    if ([...generation.values()].every((m) => m.isEmpty && m.pendingWrites === 0)) return;
    this.flushInProgress = true;
    try {
      this.memtables = new Map();
      this.currentList = null;
      const position: CommitLogPosition = this.log.currentPosition();
      this.flushingGenerations.push(generation);
      this.notifySpace();
      await this.drained(generation);
      let complete = true;
      const written: Array<[TableStore, SSTableReader]> = [];
      for (const [tableId, memtable] of generation) {
        if (memtable.isEmpty) continue;
        const store = this.tables.get(tableId);
        if (store === undefined) {
          if (this.meta.dropped.includes(tableId)) continue;
          // Replayed data of a table not registered yet: keep it in memory and keep its log.
          complete = false;
          const current = this.memtableFor(tableId);
          for (const p of memtable.allPartitions()) current.apply({ ...p, tableId });
          continue;
        }
        const worker = memtable.sizeBytes >= (this.opts.flushWorkerMinBytes ?? DEFAULT_FLUSH_WORKER_MIN_BYTES) ? this.flushWorker : null;
        written.push([store, await store.writeMemtable(memtable, worker)]);
        this.stats.flushes++;
        if (worker !== null) this.stats.workerFlushes++;
      }
      if (complete) {
        this.meta.replayFrom = { segmentId: position.segmentId, offset: position.offset };
        await writeMeta(this.opts.fs, this.opts.dataDir, this.meta);
      }
      // Visible to reads and compaction only now that replay will not re-apply their contents.
      for (const [store, reader] of written) store.install(reader);
      this.flushingGenerations = this.flushingGenerations.filter((g) => g !== generation);
      if (complete) await this.log.discardUpTo(position);
      for (const [tableId] of generation) this.tables.get(tableId)?.scheduleCompaction(this.opts.autoCompaction ?? true, (key) => this.otherSourcesMinTimestamp(this.tables.get(tableId)!, key));
    } finally {
      this.flushInProgress = false;
      this.notifySpace();
    }
  }

  /**
   * Starts a background flush once the memtables taking writes pass the threshold, unless one is
   * already queued or running: a burst of writes past the threshold queues one flush, not one
   * per write (each of which would write a tiny SSTable of whatever arrived meanwhile).
   */
  private maybeFlush(): void {
    if (this.backgroundFlush !== null || this.closed || this.closing) return;
    if (this.currentMemtableBytes() < this.threshold) return;
    this.backgroundFlush = this.flush().then(
      () => {
        this.backgroundFlush = null;
        // Writes may have filled the new memtables while this flush ran.
        this.maybeFlush();
      },
      (err: unknown) => {
        // The next write retries; retrying here at once would spin on a failing disk.
        this.backgroundFlush = null;
        this.logger.error({ err }, 'background flush failed');
      },
    );
  }

  /** Accounted bytes of the memtables taking writes, for the tables registered (those flush). */
  private currentMemtableBytes(): number {
    let total = 0;
    // Twice per write: over a cached array, not a Map iteration (which allocates an entry per table).
    let list = this.currentList;
    if (list === null) {
      list = [];
      for (const [tableId, m] of this.memtables) if (this.tables.has(tableId)) list.push(m);
      this.currentList = list;
    }
    for (let i = 0; i < list.length; i++) total += list[i].sizeBytes;
    return total;
  }

  /**
   * True while a flush is writing one memtable generation and the next is full as well. Writes
   * then wait, as Cassandra's do when memtable space runs out: otherwise writes arriving faster
   * than flushes drain them would grow memory without bound.
   */
  private memtableFull(): boolean {
    return this.flushInProgress && !this.closing && !this.closed && this.currentMemtableBytes() >= this.threshold;
  }

  private async awaitMemtableSpace(): Promise<void> {
    while (this.memtableFull()) await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
  }

  /** Wakes writes waiting for memtable space: a flush switched generations or ended. */
  private notifySpace(): void {
    const waiters = this.spaceWaiters;
    if (waiters.length === 0) return;
    this.spaceWaiters = [];
    for (const w of waiters) w();
  }

  /** Memtables and SSTables of a table, newest first. */
  private sourcesFor(tableId: string): PartitionSource[] {
    const store = this.requireTable(tableId);
    const sources: PartitionSource[] = [];
    const current = this.memtables.get(tableId);
    if (current !== undefined) sources.push(current);
    for (let i = this.flushingGenerations.length - 1; i >= 0; i--) {
      const m = this.flushingGenerations[i].get(tableId);
      if (m !== undefined) sources.push(m);
    }
    for (const s of store.sources()) sources.push(s);
    return sources;
  }

  /** Lowest timestamp that data for `key` outside the SSTables being compacted may carry. */
  private otherSourcesMinTimestamp(store: TableStore, key: Buffer): number {
    let min = Number.MAX_SAFE_INTEGER;
    for (const gen of [this.memtables, ...this.flushingGenerations]) {
      const m = gen.get(store.spec.id);
      if (m !== undefined && !m.isEmpty && m.minTimestampMicros < min) min = m.minTimestampMicros;
    }
    void key;
    return min;
  }

  private memtableFor(tableId: string): Memtable {
    let m = this.memtables.get(tableId);
    if (m === undefined) {
      m = new Memtable();
      this.memtables.set(tableId, m);
      this.currentList = null;
    }
    return m;
  }

  private drainWaiters: Array<() => void> = [];

  private notifyDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private async drained(generation: Map<string, Memtable>): Promise<void> {
    const busy = (): boolean => [...generation.values()].some((m) => m.pendingWrites > 0);
    while (busy()) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private requireTable(tableId: string): TableStore {
    const store = this.tables.get(tableId);
    if (store === undefined) throw new UnknownTableError(tableId);
    return store;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('storage engine is closed');
  }
}

/** Writes sharing one commit-log group, applied together (StorageEngine.startBatch). */
interface ApplyBatch {
  readonly logged: Promise<void>;
  readonly targets: Memtable[];
  readonly updates: PartitionUpdate[];
  readonly prepared: number[];
  applied: Promise<void>;
}

const RESOLVED: Promise<void> = Promise.resolve();

export class UnknownTableError extends Error {
  constructor(readonly tableId: string) {
    super(`unknown table id ${tableId}`);
    this.name = 'UnknownTableError';
  }
}

function readMeta(fs: Fs, dataDir: string): EngineMeta {
  const path = joinPath(dataDir, META_FILE);
  if (!fs.exists(path)) return { replayFrom: null, truncations: {}, dropped: [] };
  const text = fs.readFile(path).toString('utf8');
  try {
    const parsed = JSON.parse(text) as EngineMeta;
    return { replayFrom: parsed.replayFrom ?? null, truncations: parsed.truncations ?? {}, dropped: parsed.dropped ?? [] };
  } catch (err) {
    throw new Error(`${path}: unreadable storage metadata (${(err as Error).message})`);
  }
}

async function writeMeta(fs: Fs, dataDir: string, meta: EngineMeta): Promise<void> {
  await writeFileAtomic(fs, joinPath(dataDir, META_FILE), Buffer.from(JSON.stringify(meta)));
}

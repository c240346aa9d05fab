/**
 * The commit log: durable, ordered appends of opaque records, with group commit.
 *
 * Records are placed synchronously into an in-memory buffer of the active segment (so their
 * position and order are fixed when append() is called), then written with one fs write per group
 * and, in batch mode, acknowledged only after the fsync that covers them. A single serial "sync
 * pass" loop does the writing and syncing: while one fsync is in flight, new records accumulate
 * into the next group, which the next pass writes and syncs with one fsync.
 *
 * Invariants:
 * - batch mode: an append resolves only after an fsync of its segment covering its bytes, and
 *   after a directory fsync covering the segment's name;
 * - nothing is ever acknowledged after an I/O error: the log fails, pending appends reject, and
 *   later appends reject with CommitLogFailedError;
 * - no byte is written to segment N+1 before segment N is completely synced and closed, so a crash
 *   can only tear the newest segment (replay.ts depends on this to tell a torn tail from
 *   corruption);
 * - segment ids only grow, even across restarts and deletions: a new log starts at
 *   max(highest id seen + 1, clock.nowMs()), as Cassandra does, so positions stay comparable with
 *   ones recorded earlier (e.g. in SSTable metadata).
 */
import type { Clock, Fs, Logger, Timer } from '../../seams/index.js';
import { joinPath } from '../../seams/index.js';
import { CommitLogClosedError, CommitLogFailedError, CommitLogRecordSizeError } from './errors.js';
import { HEADER_BYTES, MAX_PAYLOAD_BYTES, RECORD_OVERHEAD_BYTES, encodeRecord, segmentFileName } from './format.js';
import type { Position } from './position.js';
import type { ReplayReport, ReplayedRecord } from './replay.js';
import { replayDirectory } from './replay.js';
import { Group, SegmentWriter } from './segment-writer.js';

export type SyncMode = 'batch' | 'periodic';

export interface CommitLogOptions {
  /** Directory of the segments (created if missing). */
  dir: string;
  fs: Fs;
  clock: Clock;
  logger: Logger;
  /** Default 'batch': an append resolves after the fsync covering it. */
  sync?: SyncMode;
  /** A new segment starts before one would grow past this. Default 32 MiB. */
  segmentSizeBytes?: number;
  /** Largest payload accepted. Default half a segment (Cassandra's max_mutation_size rule). */
  maxRecordBytes?: number;
  /**
   * Batch mode: at most one fsync per this many milliseconds; records arriving meanwhile join the
   * next group. Default 0: the next fsync starts as soon as the previous one ends.
   */
  groupWindowMs?: number;
  /** Periodic mode: fsync interval. Default 10000. */
  syncPeriodMs?: number;
  /** Replay past corruption in non-last segments (logged, reported) instead of refusing to open. */
  skipCorrupt?: boolean;
  /** Receives replayed records one by one instead of collecting them in the report. */
  onRecord?: (payload: Buffer, position: Position) => void;
}

export interface CommitLogMetrics {
  /** Bytes handed to the file system (headers included). */
  bytesWritten: number;
  /** Records appended since open. */
  records: number;
  /** fsyncs of segment files performed since open. */
  syncs: number;
  /** Bytes appended but not yet durable. */
  pendingBytes: number;
  /** Segment files on disk (or about to be created). */
  segments: number;
}

export interface OpenedCommitLog {
  log: CommitLog;
  /** The records to re-apply, in log order (empty when options.onRecord took them). */
  replay: ReplayedRecord[];
  /** What else replay found: a torn tail, skipped corruption, counts. */
  report: ReplayReport;
}

export const DEFAULT_SEGMENT_SIZE_BYTES = 32 * 1024 * 1024;
export const DEFAULT_SYNC_PERIOD_MS = 10_000;

export class CommitLog {
  private readonly fs: Fs;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly dir: string;
  private readonly syncMode: SyncMode;
  private readonly segmentSizeBytes: number;
  private readonly maxRecordBytes: number;
  private readonly groupWindowMs: number;
  private readonly syncPeriodMs: number;

  /** Segments not yet synced and closed, oldest first; the last one is the active segment. */
  private readonly writers: SegmentWriter[] = [];
  /** Every segment file present or to be created, ascending. */
  private liveSegmentIds: number[];
  private nextSegmentId: number;
  private spareBuffer: Buffer | null = null;

  private draining = false;
  private writeScheduled = false;
  private syncRequest: Group | null = null;
  private lastSyncStartMs = Number.NEGATIVE_INFINITY;
  private wakeWindow: (() => void) | null = null;
  private periodicTimer: Timer | null = null;
  private failure: CommitLogFailedError | null = null;
  private closing = false;
  private closed = false;
  private closePromise: Promise<void> | null = null;

  private recordsAppended = 0;
  /** Where place() put the last record. */
  private lastSegmentId = 0;
  private lastOffset = 0;
  private bytesWritten = 0;
  private syncsDone = 0;

  /**
   * Replays every segment in dir (see replay.ts), then starts a fresh segment for new writes: old
   * segments are never appended to. Throws CommitLogCorruptError on corruption outside the last
   * segment unless skipCorrupt.
   */
  static async open(options: CommitLogOptions): Promise<OpenedCommitLog> {
    const dir = trimSlashes(options.dir);
    options.fs.mkdirp(dir);
    const outcome = await replayDirectory({
      fs: options.fs,
      dir,
      logger: options.logger,
      skipCorrupt: options.skipCorrupt ?? false,
      onRecord: options.onRecord,
    });
    const firstId = Math.max(outcome.maxSegmentId + 1, Math.floor(options.clock.nowMs()));
    const log = new CommitLog({ ...options, dir }, outcome.liveSegmentIds, firstId);
    // The first segment's header and name are made durable before anything is acknowledged.
    await log.sync();
    if (log.syncMode === 'periodic') log.armPeriodicTimer();
    options.logger.info(
      { dir, records: outcome.report.recordCount, segments: outcome.report.segmentIds.length, activeSegment: firstId },
      'commit log replayed and open',
    );
    return { log, replay: outcome.records, report: outcome.report };
  }

  private constructor(options: CommitLogOptions, liveSegmentIds: number[], firstSegmentId: number) {
    this.fs = options.fs;
    this.clock = options.clock;
    this.logger = options.logger;
    this.dir = options.dir;
    this.syncMode = options.sync ?? 'batch';
    this.segmentSizeBytes = options.segmentSizeBytes ?? DEFAULT_SEGMENT_SIZE_BYTES;
    this.maxRecordBytes = options.maxRecordBytes ?? Math.floor(this.segmentSizeBytes / 2);
    this.groupWindowMs = options.groupWindowMs ?? 0;
    this.syncPeriodMs = options.syncPeriodMs ?? DEFAULT_SYNC_PERIOD_MS;
    if (this.syncMode !== 'batch' && this.syncMode !== 'periodic') throw new RangeError(`unknown syncMode ${String(this.syncMode)}`);
    if (!(this.maxRecordBytes >= 1 && this.maxRecordBytes <= MAX_PAYLOAD_BYTES)) {
      throw new RangeError(`maxRecordBytes ${this.maxRecordBytes} must be in 1..${MAX_PAYLOAD_BYTES}`);
    }
    if (this.segmentSizeBytes < HEADER_BYTES + RECORD_OVERHEAD_BYTES + this.maxRecordBytes) {
      throw new RangeError(`segmentSizeBytes ${this.segmentSizeBytes} cannot hold a record of maxRecordBytes ${this.maxRecordBytes}`);
    }
    if (!(this.groupWindowMs >= 0) || !(this.syncPeriodMs > 0)) throw new RangeError('groupWindowMs must be >= 0 and syncPeriodMs > 0');
    this.liveSegmentIds = liveSegmentIds;
    this.nextSegmentId = firstSegmentId;
    this.startSegment();
  }

  /**
   * Appends one record. Its position is fixed now, synchronously, in call order; the promise
   * resolves with it once the record is durable (batch) or written to the OS (periodic).
   */
  append(payload: Uint8Array): Promise<Position> {
    const refused = this.refusal(payload.length);
    if (refused !== null) return refused;
    const group = this.place(payload);
    const position: Position = { segmentId: this.lastSegmentId, offset: this.lastOffset };
    return group.promise.then(() => position);
  }

  /**
   * As append(), without the position: resolves once the record is durable (batch) or written to
   * the OS (periodic). The appends of one group share one promise, so this allocates nothing per
   * record — the engine's write path, which never needs the position, uses it.
   */
  appendRecord(payload: Uint8Array): Promise<void> {
    const refused = this.refusal(payload.length);
    if (refused !== null) return refused;
    return this.place(payload).promise;
  }

  private refusal(length: number): Promise<never> | null {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new CommitLogClosedError());
    if (length === 0 || length > this.maxRecordBytes) {
      return Promise.reject(new CommitLogRecordSizeError(length, this.maxRecordBytes));
    }
    return null;
  }

  /** Places a record in the active segment's pending bytes; returns the group it joins. */
  private place(payload: Uint8Array): Group {
    const length = payload.length;
    const sizeBytes = length + RECORD_OVERHEAD_BYTES;
    let w = this.writers[this.writers.length - 1];
    if (w.placedBytes + sizeBytes > this.segmentSizeBytes && w.placedBytes > HEADER_BYTES) {
      w.sealed = true;
      w = this.startSegment();
    }
    const offset = w.placedBytes;
    w.reserve(sizeBytes);
    encodeRecord(w.pending, w.pendingBytes, payload);
    w.pendingBytes += sizeBytes;
    w.placedBytes += sizeBytes;
    this.recordsAppended++;
    let group = w.pendingGroup;
    if (group === null) {
      group = new Group();
      w.pendingGroup = group;
    }
    this.schedule();
    this.lastSegmentId = w.id;
    this.lastOffset = offset;
    return group;
  }

  /** Where the next record will be placed: every record appended so far is before it. */
  currentPosition(): Position {
    const w = this.writers[this.writers.length - 1];
    return { segmentId: w.id, offset: w.placedBytes };
  }

  /** Resolves once every record appended before the call is durable. */
  sync(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new CommitLogClosedError());
    let request = this.syncRequest;
    if (request === null) {
      request = new Group();
      this.syncRequest = request;
    }
    this.kick();
    this.wakeWindow?.();
    return request.promise;
  }

  /**
   * Deletes every segment entirely before position (id < position.segmentId), except the active
   * one and any not yet synced, and makes the deletions durable. Call it once every memtable
   * holding data from before position is flushed. Returns the ids deleted.
   */
  async discardUpTo(position: Position): Promise<number[]> {
    if (this.failure !== null) throw this.failure;
    if (this.writers.length > 1 && this.writers[0].id < position.segmentId) await this.sync();
    const unfinished = new Set<number>();
    for (const w of this.writers) unfinished.add(w.id);
    const doomed = this.liveSegmentIds.filter((id) => id < position.segmentId && !unfinished.has(id));
    if (doomed.length === 0) return doomed;
    // Forgotten first, so that a discard running meanwhile does not pick them again. A segment
    // whose removal fails is still on disk: the next open lists and replays it (replayFrom skips
    // its records).
    const gone = new Set(doomed);
    this.liveSegmentIds = this.liveSegmentIds.filter((id) => !gone.has(id));
    const fs = this.fs;
    // Freeing a 32 MiB segment's blocks costs milliseconds: off the writers' thread where possible.
    if (fs.unlinkInBackground !== undefined) await Promise.all(doomed.map((id) => fs.unlinkInBackground!(this.segmentPath(id))));
    else for (const id of doomed) fs.unlink(this.segmentPath(id));
    await this.fs.syncDir(this.dir);
    this.logger.debug({ dir: this.dir, deleted: doomed }, 'commit log segments discarded');
    return doomed;
  }

  /** Syncs everything and closes the files. Rejects with the failure if the log had failed. */
  close(): Promise<void> {
    if (this.closePromise === null) this.closePromise = this.doClose();
    return this.closePromise;
  }

  metrics(): CommitLogMetrics {
    let pendingBytes = 0;
    for (const w of this.writers) pendingBytes += w.placedBytes - w.syncedBytes;
    return {
      bytesWritten: this.bytesWritten,
      records: this.recordsAppended,
      syncs: this.syncsDone,
      pendingBytes,
      segments: this.liveSegmentIds.length,
    };
  }

  /** Ids of the segment files on disk (or about to be created), ascending. */
  segmentIds(): number[] {
    return this.liveSegmentIds.slice();
  }

  /** The error that failed the log, or null while it is healthy. */
  get failedWith(): Error | null {
    return this.failure;
  }

  private async doClose(): Promise<void> {
    this.closing = true;
    this.periodicTimer?.cancel();
    this.periodicTimer = null;
    if (this.failure === null) {
      try {
        await this.sync();
      } catch {
        // The failure is recorded and rethrown below.
      }
    }
    this.closed = true;
    for (const w of this.writers) {
      w.file?.close();
      w.file = null;
    }
    if (this.failure !== null) throw this.failure;
  }

  private segmentPath(id: number): string {
    return joinPath(this.dir, segmentFileName(id));
  }

  private startSegment(): SegmentWriter {
    const id = this.nextSegmentId++;
    const w = new SegmentWriter(id, this.segmentPath(id), this.spareBuffer ?? Buffer.allocUnsafe(64 * 1024));
    this.spareBuffer = null;
    this.writers.push(w);
    this.liveSegmentIds.push(id);
    return w;
  }

  private schedule(): void {
    if (this.syncMode === 'batch') {
      this.kick();
      return;
    }
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      // Through the Clock (a macrotask for real), not a microtask: callers that loop on their
      // acknowledgements (in-process writers, replay of hints) would otherwise never let timers
      // and I/O run — no periodic fsync, and a background flush that yields would never finish.
      void this.clock.yieldNow().then(this.writeTask);
    }
    // A sealed segment must be synced before the next one may be written.
    if (this.writers.length > 1) this.kick();
  }

  /** Periodic mode: hands placed records to the OS, once per tick, and acknowledges them. */
  private readonly writeTask = (): void => {
    this.writeScheduled = false;
    // close() wrote (and synced) everything before closing the files; nothing is left to do.
    if (this.failure !== null || this.closed) return;
    try {
      this.writeOut();
    } catch (err) {
      this.fail(err);
    }
  };

  /** Starts the sync loop unless it is running: it runs until nothing is left to sync. */
  private kick(): void {
    if (this.draining || this.failure !== null) return;
    this.draining = true;
    // A microtask, so that every append made in the same tick joins the first group.
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.failure === null && this.hasSyncWork()) {
        if (this.syncMode === 'batch' && this.groupWindowMs > 0 && this.syncRequest === null) {
          const waitMs = this.lastSyncStartMs + this.groupWindowMs - this.clock.monotonicMs();
          if (waitMs > 0) await this.waitWindow(waitMs);
        }
        this.lastSyncStartMs = this.clock.monotonicMs();
        await this.syncPass();
      }
    } catch (err) {
      this.fail(err);
    } finally {
      this.draining = false;
    }
  }

  /**
   * Sleeps out the rest of the group window; an explicit sync() (or close) cuts it short. The
   * sleep, unlike a Clock timer, keeps a process alive: appends are waiting on it.
   */
  private waitWindow(waitMs: number): Promise<void> {
    const woken = new Promise<void>((resolve) => {
      this.wakeWindow = resolve;
    });
    return Promise.race([this.clock.sleep(waitMs), woken]).finally(() => {
      this.wakeWindow = null;
    });
  }

  private hasSyncWork(): boolean {
    if (this.syncRequest !== null || this.writers.length > 1) return true;
    if (this.syncMode === 'periodic') return false;
    const w = this.writers[0];
    return w.pendingGroup !== null || w.unsynced.length > 0;
  }

  /**
   * Writes the oldest unfinished segment's pending bytes in one write. Only the oldest: a newer
   * segment's bytes wait until every older one is synced and closed (see the file comment).
   */
  private writeOut(): void {
    const w = this.writers[0];
    if (w.file === null) w.file = this.fs.create(w.path);
    if (w.pendingBytes > 0) {
      // AppendFile.write copies synchronously, so the pending buffer is reusable at once.
      w.file.write(w.pending.subarray(0, w.pendingBytes));
      w.writtenBytes += w.pendingBytes;
      this.bytesWritten += w.pendingBytes;
      w.pendingBytes = 0;
    }
    const group = w.pendingGroup;
    if (group === null) return;
    w.pendingGroup = null;
    if (this.syncMode === 'periodic') {
      group.resolve();
    } else {
      group.upToBytes = w.writtenBytes;
      w.unsynced.push(group);
    }
  }

  /**
   * One round of the sync loop: write and fsync the oldest segment, close it if it is sealed and
   * go on to the next, up to and including the active one.
   */
  private async syncPass(): Promise<void> {
    const request = this.syncRequest;
    this.syncRequest = null;
    try {
      for (;;) {
        this.writeOut();
        const w = this.writers[0];
        const file = w.file;
        if (file === null) throw new Error('commit log: segment file missing after writeOut');
        if (w.syncedBytes < w.writtenBytes || !w.nameDurable) {
          const upToBytes = w.writtenBytes;
          const nameDurable = w.nameDurable;
          if (nameDurable) await file.sync();
          else await Promise.all([file.sync(), this.fs.syncDir(this.dir)]);
          // Bytes this pass did not cover may have failed to write meanwhile (periodic mode).
          if (this.failure !== null) throw this.failure;
          this.syncsDone++;
          w.syncedBytes = upToBytes;
          w.nameDurable = true;
          while (w.unsynced.length > 0 && w.unsynced[0].upToBytes <= upToBytes) w.unsynced.shift()?.resolve();
        }
        if (!w.sealed) break;
        // Sealed while its fsync was in flight: its last records still need a round.
        if (w.pendingBytes !== 0 || w.pendingGroup !== null || w.syncedBytes !== w.writtenBytes) continue;
        if (w.unsynced.length !== 0) throw new Error(`commit log: segment ${w.id} synced with groups left waiting`);
        file.close();
        w.file = null;
        this.writers.shift();
        this.spareBuffer = w.pending;
      }
      request?.resolve();
    } catch (err) {
      this.fail(err);
      request?.reject(this.failure ?? new CommitLogFailedError(err));
    }
  }

  private fail(err: unknown): void {
    if (this.failure !== null) return;
    const failure = err instanceof CommitLogFailedError ? err : new CommitLogFailedError(err);
    this.failure = failure;
    this.logger.error({ err, dir: this.dir }, 'commit log failed: pending and later appends are rejected');
    this.periodicTimer?.cancel();
    this.periodicTimer = null;
    for (const w of this.writers) {
      w.pendingGroup?.reject(failure);
      w.pendingGroup = null;
      for (const g of w.unsynced) g.reject(failure);
      w.unsynced.length = 0;
    }
    this.syncRequest?.reject(failure);
    this.syncRequest = null;
  }

  private armPeriodicTimer(): void {
    this.periodicTimer = this.clock.setTimer(this.syncPeriodMs, () => {
      this.periodicTimer = null;
      if (this.failure !== null || this.closing) return;
      // A failed sync fails the log (fail() logs it); nothing else to do with the rejection here.
      this.sync().catch(() => undefined);
      this.armPeriodicTimer();
    });
  }
}

function trimSlashes(dir: string): string {
  let d = dir;
  while (d.length > 1 && d.endsWith('/')) d = d.slice(0, -1);
  return d;
}

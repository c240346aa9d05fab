/**
 * The writing side of one segment: records placed in memory, then handed to the file in one
 * write per group, then synced. Owned and driven by CommitLog (commit-log.ts).
 */
import type { AppendFile } from '../../seams/index.js';
import { HEADER_BYTES, encodeHeader } from './format.js';

function ignore(): void {}

/**
 * The appends that share one write (and, in batch mode, one fsync): one promise settles them all,
 * instead of one resolver per record.
 */
export class Group {
  readonly promise: Promise<void>;
  resolve!: () => void;
  reject!: (err: Error) => void;
  /** Segment size in bytes once this group's bytes are written; the sync must cover it. */
  upToBytes = 0;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Callers observe the promise through their own derived promises; this one must never be
    // reported as an unhandled rejection on its own.
    this.promise.catch(ignore);
  }
}

export class SegmentWriter {
  /** Created lazily, when every older segment is synced (see CommitLog.writeOut). */
  file: AppendFile | null = null;
  /** Bytes placed, written or not: the offset of the next record. */
  placedBytes = HEADER_BYTES;
  writtenBytes = 0;
  syncedBytes = 0;
  /** The file's name survives a crash (its directory was synced after creating it). */
  nameDurable = false;
  /** No more records go here; once synced, the file is closed. */
  sealed = false;
  /** Placed but not yet written: header (first time) and records. */
  pending: Buffer;
  pendingBytes = HEADER_BYTES;
  /** The appends whose bytes are in pending. */
  pendingGroup: Group | null = null;
  /** Written, waiting for the fsync that covers them (batch mode), oldest first. */
  readonly unsynced: Group[] = [];

  constructor(
    readonly id: number,
    readonly path: string,
    buffer: Buffer,
  ) {
    this.pending = buffer.length >= HEADER_BYTES ? buffer : Buffer.allocUnsafe(64 * 1024);
    encodeHeader(this.pending, id);
  }

  /** Makes room for sizeBytes more pending bytes. */
  reserve(sizeBytes: number): void {
    const need = this.pendingBytes + sizeBytes;
    if (need <= this.pending.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.pending.length * 2));
    this.pending.copy(grown, 0, 0, this.pendingBytes);
    this.pending = grown;
  }
}

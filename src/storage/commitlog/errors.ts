import type { BadReason } from './format.js';

/** Stable reasons carried by commit log errors (`err.code`). */
export type CommitLogErrorCode =
  | 'commitlog_corrupt'
  | 'commitlog_failed'
  | 'commitlog_closed'
  | 'commitlog_record_size';

export class CommitLogError extends Error {
  constructor(
    readonly code: CommitLogErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A bad record or header in a segment that is not the last one: data acknowledged long ago is
 * unreadable, so the node refuses to start rather than silently dropping it.
 */
export class CommitLogCorruptError extends CommitLogError {
  constructor(
    readonly file: string,
    /** Byte offset of the bad record (0 for a bad header). */
    readonly offset: number,
    readonly reason: BadReason,
  ) {
    super(
      'commitlog_corrupt',
      `commit log segment ${file} is corrupt at byte offset ${offset} (${reason}); ` +
        'restore the file, or start with skipCorrupt to skip the rest of this segment',
    );
  }
}

/**
 * The log hit an I/O error (typically a failed fsync). After a failed fsync the kernel may have
 * dropped the dirty pages, so nothing pending can be acknowledged and no further append is taken.
 */
export class CommitLogFailedError extends CommitLogError {
  constructor(cause: unknown) {
    super('commitlog_failed', `commit log failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export class CommitLogClosedError extends CommitLogError {
  constructor() {
    super('commitlog_closed', 'commit log is closed');
  }
}

/** Empty payloads are never written (a zero length marks the end); large ones are refused. */
export class CommitLogRecordSizeError extends CommitLogError {
  constructor(
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super('commitlog_record_size', `commit log record of ${sizeBytes} bytes is outside 1..${maxBytes} bytes`);
  }
}

/**
 * Typed SSTable errors. Each carries a stable `code` so callers (startup, compaction, the read
 * path) can tell a damaged file from a misuse of the API without matching message text.
 */
export type SSTableErrorCode = 'SSTABLE_CORRUPT' | 'SSTABLE_USAGE';

export class SSTableError extends Error {
  constructor(
    readonly code: SSTableErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SSTableError';
  }
}

/**
 * Bytes on disk do not match what was written: a checksum mismatch, a short file, a length or
 * structure that cannot be right. `offset` and `length` give the region found bad in `file`
 * (the whole file for the components checksummed as a whole); the damaged byte lies inside it.
 */
export class SSTableCorruptError extends SSTableError {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly length: number,
    readonly reason: string,
  ) {
    super('SSTABLE_CORRUPT', `corrupt SSTable file ${file} at offset ${offset} (+${length} bytes): ${reason}`);
    this.name = 'SSTableCorruptError';
  }
}

/** The API was used against its contract (out-of-order partitions, oversized key, finished writer). */
export class SSTableUsageError extends SSTableError {
  constructor(message: string) {
    super('SSTABLE_USAGE', message);
    this.name = 'SSTableUsageError';
  }
}

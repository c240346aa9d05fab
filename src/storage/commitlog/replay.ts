/**
 * Replay: read every segment of a commit log directory in id order and hand back its records.
 *
 * A bad record (or header) in the LAST segment is a torn tail — the crash interrupted a write
 * that was never acknowledged — so replay stops there and reports it. Anywhere else it is
 * corruption of acknowledged data: CommitLogCorruptError, unless skipCorrupt.
 *
 * That rule is only sound if a torn tail can never end up in a segment that is not the last one.
 * Two things guarantee it:
 *  - the writer never writes a byte to segment N+1 before segment N is fully synced
 *    (commit-log.ts), so a crash can tear only the newest segment;
 *  - after a crash, the torn last segment is sealed here, before a new segment is started: it is
 *    rewritten to its valid prefix (temporary file, fsync, rename, directory fsync), or removed if
 *    no record in it is valid. Otherwise the next restart would see the old torn tail in a segment
 *    that is no longer last and refuse to start.
 */
import type { Fs, Logger } from '../../seams/index.js';
import { joinPath } from '../../seams/index.js';
import { CommitLogCorruptError } from './errors.js';
import type { BadReason, RecordRead } from './format.js';
import {
  HEADER_BYTES,
  checkHeader,
  isTempSegmentFileName,
  parseSegmentFileName,
  readRecord,
  segmentFileName,
} from './format.js';
import type { Position } from './position.js';

export interface ReplayedRecord {
  /** A copy: it does not pin the segment's bytes in memory. */
  readonly payload: Buffer;
  /** Where the record starts. */
  readonly position: Position;
}

export interface BadSpot {
  readonly file: string;
  /** Byte offset of the bad record, or 0 for a bad header. */
  readonly offset: number;
  readonly reason: BadReason;
}

export interface TornTail extends BadSpot {
  /** Bytes from offset to the end of the file, ignored and cut off. */
  readonly bytesIgnored: number;
}

export interface ReplayReport {
  readonly recordCount: number;
  readonly payloadBytes: number;
  /** Ids of the segments read, in order. */
  readonly segmentIds: number[];
  /** The torn tail of the last segment, if the last crash left one. */
  readonly tornTail: TornTail | null;
  /** Corruption skipped because of skipCorrupt: the rest of each of these segments was ignored. */
  readonly skipped: BadSpot[];
}

export interface ReplayOptions {
  fs: Fs;
  dir: string;
  logger: Logger;
  skipCorrupt: boolean;
  onRecord?: (payload: Buffer, position: Position) => void;
}

export interface ReplayOutcome {
  /** Records in log order; empty when an onRecord callback took them instead. */
  records: ReplayedRecord[];
  report: ReplayReport;
  /** Segment files present after replay (a torn segment with nothing valid is removed). */
  liveSegmentIds: number[];
  /** The highest segment id ever seen in the directory, removed ones included; -1 if none. */
  maxSegmentId: number;
}

/** Reads, checks and (after a crash) seals the segments of dir. */
export async function replayDirectory(options: ReplayOptions): Promise<ReplayOutcome> {
  const { fs, dir, logger } = options;
  let dirChanged = false;
  const ids: number[] = [];
  for (const name of fs.list(dir)) {
    if (isTempSegmentFileName(name)) {
      fs.unlink(joinPath(dir, name));
      dirChanged = true;
      continue;
    }
    const id = parseSegmentFileName(name);
    if (id >= 0) ids.push(id);
  }
  ids.sort((a, b) => a - b);

  const records: ReplayedRecord[] = [];
  const skipped: BadSpot[] = [];
  let tornTail: TornTail | null = null;
  let recordCount = 0;
  let payloadBytes = 0;
  let liveSegmentIds = ids.slice();
  const scratch: RecordRead = { status: 'end', payloadOffset: 0, payloadLength: 0, nextOffset: 0, reason: null };

  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const file = joinPath(dir, segmentFileName(id));
    const isLast = i === ids.length - 1;
    const data = fs.readFile(file);
    let bad: BadSpot | null = null;
    let offset = HEADER_BYTES;
    const headerProblem = checkHeader(data, id);
    if (headerProblem !== null) {
      bad = { file, offset: 0, reason: headerProblem };
    } else {
      for (;;) {
        const r = readRecord(data, offset, scratch);
        if (r.status === 'end') break;
        if (r.status === 'bad') {
          bad = { file, offset, reason: r.reason ?? 'short_read' };
          break;
        }
        const payload = Buffer.allocUnsafe(r.payloadLength);
        data.copy(payload, 0, r.payloadOffset, r.payloadOffset + r.payloadLength);
        const position: Position = { segmentId: id, offset };
        if (options.onRecord !== undefined) options.onRecord(payload, position);
        else records.push({ payload, position });
        recordCount++;
        payloadBytes += r.payloadLength;
        offset = r.nextOffset;
      }
    }
    if (bad === null) continue;

    if (isLast) {
      tornTail = { ...bad, bytesIgnored: data.length - bad.offset };
      logger.warn(
        { file, offset: bad.offset, reason: bad.reason, bytesIgnored: tornTail.bytesIgnored },
        'commit log: torn tail in the last segment; replay stops there and the rest is discarded',
      );
      if (bad.offset <= HEADER_BYTES) {
        fs.unlink(file);
        liveSegmentIds = liveSegmentIds.filter((x) => x !== id);
      } else {
        const tmp = `${file}.tmp`;
        const f = fs.create(tmp);
        try {
          f.write(data.subarray(0, bad.offset));
          await f.sync();
        } finally {
          f.close();
        }
        fs.rename(tmp, file);
      }
      dirChanged = true;
    } else if (options.skipCorrupt) {
      skipped.push(bad);
      logger.error(
        { file, offset: bad.offset, reason: bad.reason, bytesSkipped: data.length - bad.offset },
        'commit log: corrupt segment; skipping the rest of it because skipCorrupt is set',
      );
    } else {
      throw new CommitLogCorruptError(file, bad.offset, bad.reason);
    }
  }
  if (dirChanged) await fs.syncDir(dir);

  return {
    records,
    report: { recordCount, payloadBytes, segmentIds: ids, tornTail, skipped },
    liveSegmentIds,
    maxSegmentId: ids.length > 0 ? ids[ids.length - 1] : -1,
  };
}

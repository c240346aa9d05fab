// Random model values for property tests. Every generator draws from a small "universe" per
// case (few clusterings, columns, timestamps, values) so that collisions happen on purpose:
// equal timestamps between live, expiring and tombstone cells, equal values, rows that meet.
import { isDeepStrictEqual } from 'node:util';
import { SeededRandom } from '../../../src/seams/index.js';
import {
  END_UNBOUNDED,
  LIVE,
  NO_DELETION_TIME,
  exclusiveStartAfter,
  normalizeRangeTombstones,
} from '../../../src/storage/model/index.js';
import type {
  Cell,
  ComplexDeletion,
  DeletionTime,
  LivenessInfo,
  Partition,
  PartitionUpdate,
  RangeTombstone,
  Row,
} from '../../../src/storage/model/index.js';
import { compareCellKeys } from '../../../src/storage/model/index.js';

export interface Universe {
  readonly r: SeededRandom;
  readonly key: Buffer;
  readonly token: bigint;
  readonly clusterings: Buffer[];
  readonly columns: string[];
  /** Columns holding non-frozen collections: their cells have paths. */
  readonly complexColumns: string[];
  readonly paths: Buffer[];
  readonly timestamps: number[];
  readonly values: Buffer[];
  /** Times in seconds around nowSec: deletion times, write times of expiring data. */
  readonly seconds: number[];
  readonly ttls: number[];
  readonly nowSec: number;
}

export interface UniverseOptions {
  /** Timestamps drawn from anywhere in the safe-integer range, not only a few small ones. */
  readonly wideTimestamps?: boolean;
}

const NOW_SEC = 1_000_000;

function pick<T>(r: SeededRandom, xs: readonly T[]): T {
  return xs[r.int(xs.length)]!;
}

function clustering(r: SeededRandom): Buffer {
  // The clustering encoding promises a first byte below 0xff; 0xfe and 0x00 probe the edges.
  const first = pick(r, [0x00, 0x01, 0x02, 0x7f, 0xfe]);
  const rest = r.bytes(r.int(3));
  return Buffer.concat([Buffer.from([first]), rest]);
}

function distinctBuffers(make: () => Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let tries = 0; out.length < n && tries < 100; tries++) {
    const b = make();
    if (!out.some((x) => x.equals(b))) out.push(b);
  }
  return out;
}

export function universe(seed: number, opts: UniverseOptions = {}): Universe {
  const r = new SeededRandom(seed);
  const clusterings = distinctBuffers(() => clustering(r), 1 + r.int(5));
  const timestamps: number[] = [];
  const nTs = 1 + r.int(4);
  for (let i = 0; i < nTs; i++) {
    if (opts.wideTimestamps === true) {
      timestamps.push(
        pick(r, [
          Number.MAX_SAFE_INTEGER,
          -Number.MAX_SAFE_INTEGER + 1,
          1_700_000_000_000_000 + r.int(1000),
          -r.int(1 << 30),
          r.int(1 << 30) * 4096 + r.int(4096),
          0,
        ]),
      );
    } else {
      timestamps.push(pick(r, [-2, 0, 1, 2, 3, 5, 8]));
    }
  }
  const seconds = [NOW_SEC - 20, NOW_SEC - 5, NOW_SEC - 1, NOW_SEC, NOW_SEC + 1, NOW_SEC + 7];
  return {
    r,
    key: Buffer.from([r.int(256), r.int(256)]),
    token: BigInt(r.int(1 << 30)) * (r.next() < 0.5 ? -1n : 1n),
    clusterings,
    columns: ['a', 'b', 'c'].slice(0, 1 + r.int(3)),
    complexColumns: ['m'],
    paths: distinctBuffers(() => r.bytes(1 + r.int(2)), 1 + r.int(3)),
    timestamps,
    values: [Buffer.alloc(0), Buffer.from('a'), Buffer.from('b'), Buffer.from('ab')].slice(0, 1 + r.int(4)),
    seconds,
    ttls: [1, 5, 10, 20],
    nowSec: NOW_SEC,
  };
}

/** A universe whose timestamps are all >= minTimestamp (for "newer data" in purge tests). */
export function withTimestampsAtLeast(u: Universe, minTimestamp: number): Universe {
  const timestamps = u.timestamps.filter((t) => t >= minTimestamp);
  return { ...u, timestamps };
}

export function deletionTime(u: Universe): DeletionTime {
  return { markedAtMicros: pick(u.r, u.timestamps), localDeletionTimeSec: pick(u.r, u.seconds) };
}

function maybeDeletion(u: Universe, p: number): DeletionTime {
  return u.r.next() < p ? deletionTime(u) : LIVE;
}

export function liveness(u: Universe): LivenessInfo | null {
  const x = u.r.next();
  if (x < 0.35) return null;
  const timestampMicros = pick(u.r, u.timestamps);
  if (x < 0.7) return { timestampMicros, ttlSec: 0, expiresAtSec: NO_DELETION_TIME };
  const ttlSec = pick(u.r, u.ttls);
  return { timestampMicros, ttlSec, expiresAtSec: pick(u.r, u.seconds) + ttlSec };
}

export function cellAt(u: Universe, column: string, path: Buffer | null): Cell {
  const timestampMicros = pick(u.r, u.timestamps);
  const kind = u.r.int(3);
  if (kind === 0) return { column, path, timestampMicros, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value: pick(u.r, u.values) };
  if (kind === 1) {
    const ttlSec = pick(u.r, u.ttls);
    return { column, path, timestampMicros, ttlSec, localDeletionTimeSec: pick(u.r, u.seconds) + ttlSec, value: pick(u.r, u.values) };
  }
  return { column, path, timestampMicros, ttlSec: 0, localDeletionTimeSec: pick(u.r, u.seconds), value: null };
}

/** A random cell for a fixed identity, so that two draws can be reconciled. */
export function cellPair(u: Universe): [Cell, Cell, Cell] {
  const column = pick(u.r, u.columns);
  return [cellAt(u, column, null), cellAt(u, column, null), cellAt(u, column, null)];
}

export function rowAt(u: Universe, clustering: Buffer): Row {
  const cells: Cell[] = [];
  for (const column of u.columns) if (u.r.next() < 0.6) cells.push(cellAt(u, column, null));
  const complexDeletions: ComplexDeletion[] = [];
  for (const column of u.complexColumns) {
    for (const path of u.paths) if (u.r.next() < 0.4) cells.push(cellAt(u, column, path));
    if (u.r.next() < 0.3) complexDeletions.push({ column, deletion: deletionTime(u) });
  }
  cells.sort(compareCellKeys);
  return { clustering, liveness: liveness(u), deletion: maybeDeletion(u, 0.2), cells, complexDeletions };
}

function bound(u: Universe, isEnd: boolean): Buffer {
  const c = pick(u.r, u.clusterings);
  const x = u.r.int(4);
  if (x === 0) return isEnd ? END_UNBOUNDED : Buffer.alloc(0);
  if (x === 1) return c;
  if (x === 2) return exclusiveStartAfter(c);
  // A prefix of a clustering: covers every clustering that starts with it.
  return c.subarray(0, 1);
}

export function rangeTombstone(u: Universe): RangeTombstone {
  let start = bound(u, false);
  let end = bound(u, true);
  if (Buffer.compare(start, end) > 0) [start, end] = [end, start];
  return { start, end, deletion: deletionTime(u) };
}

export function partitionOf(u: Universe): Partition {
  const rows: Row[] = [];
  for (const c of [...u.clusterings].sort(Buffer.compare)) if (u.r.next() < 0.6) rows.push(rowAt(u, c));
  const rts: RangeTombstone[] = [];
  const nRts = u.r.next() < 0.5 ? 0 : 1 + u.r.int(3);
  for (let i = 0; i < nRts; i++) rts.push(rangeTombstone(u));
  return {
    key: u.key,
    token: u.token,
    deletion: maybeDeletion(u, 0.15),
    staticRow: u.r.next() < 0.3 ? rowAt(u, Buffer.alloc(0)) : null,
    rangeTombstones: normalizeRangeTombstones(rts),
    rows,
  };
}

export function updateOf(u: Universe, tableId: string): PartitionUpdate {
  return { tableId, ...partitionOf(u) };
}

/** The seeds a property runs over; MODEL_SEED=<n> replays one. */
export function seeds(count: number, salt: number): number[] {
  const one = process.env['MODEL_SEED'];
  if (one !== undefined && one !== '') return [Number(one)];
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((salt * 1_000_003 + i * 7919) >>> 0);
  return out;
}

export interface Checker {
  /** Deep-equality check; on a mismatch reports a diff naming the seed and returns false. */
  same(actual: unknown, expected: unknown, what: string): boolean;
  readonly checks: number;
  readonly failures: number;
}

// Only what forEachSeed uses of tap's Test, so this file does not depend on tap's plugin types.
interface MinimalTap {
  strictSame: (found: any, wanted: any, ...rest: any[]) => boolean;
}

/**
 * Runs `body` for each seed, bounded in count and in time (budgetMs). Comparisons go through
 * isDeepStrictEqual and only a mismatch reaches tap, so thousands of checks stay fast; the
 * failing seed is in the message. Returns how many seeds ran.
 */
export function forEachSeed(t: MinimalTap, seedList: number[], budgetMs: number, body: (seed: number, check: Checker) => void): number {
  const deadline = Date.now() + budgetMs;
  let ran = 0;
  let failures = 0;
  let checks = 0;
  for (const seed of seedList) {
    const check: Checker = {
      same(actual, expected, what) {
        checks++;
        if (isDeepStrictEqual(actual, expected)) return true;
        failures++;
        t.strictSame(actual, expected, `${what} — seed ${seed} (replay: MODEL_SEED=${seed})`);
        return false;
      },
      get checks() {
        return checks;
      },
      get failures() {
        return failures;
      },
    };
    body(seed, check);
    ran++;
    if (failures > 3 || Date.now() > deadline) break;
  }
  return ran;
}

// Shared by the SSTable tests: a seeded generator of random partitions exercising every part of the
// data model, the reference ("dumb model") answers an SSTable must match, and a canonical form for
// comparing partitions. Not a test file itself (tap reports it as skipped).
import type { SeededRandom } from '../../../src/seams/index.js';
import type { Cell, ClusteringSlice, ComplexDeletion, DeletionTime, LivenessInfo, Partition, PartitionPosition, RangeTombstone, Row } from '../../../src/storage/model/types.js';
import { comparePositions, END_UNBOUNDED, exclusiveStartAfter, LIVE, MIN_TIMESTAMP, NO_DELETION_TIME } from '../../../src/storage/model/types.js';

export interface GenOptions {
  partitions: number;
  /** Chance a partition is wide (thousands of rows). */
  wideChance?: number;
  wideRows?: [number, number];
}

const COLUMNS = ['a', 'b', 'c', 'value', 'collection_column', 'ünïcode'];

function pick<T>(r: SeededRandom, xs: readonly T[]): T {
  return xs[r.int(xs.length)];
}

function timestamp(r: SeededRandom): number {
  switch (r.int(8)) {
    case 0:
      return Number.MAX_SAFE_INTEGER - r.int(1000);
    case 1:
      return MIN_TIMESTAMP + 1 + r.int(1000);
    case 2:
      return -r.int(1 << 30);
    default:
      return 1_700_000_000_000_000 + r.int(1_000_000_000);
  }
}

function ldt(r: SeededRandom): number {
  return r.int(3) === 0 ? r.int(100) : 1_700_000_000 + r.int(10_000_000);
}

function deletion(r: SeededRandom): DeletionTime {
  return { markedAtMicros: timestamp(r), localDeletionTimeSec: ldt(r) };
}

function cell(r: SeededRandom, column: string, path: Buffer | null): Cell {
  const ts = timestamp(r);
  switch (r.int(5)) {
    case 0:
      return { column, path, timestampMicros: ts, ttlSec: 0, localDeletionTimeSec: ldt(r), value: null };
    case 1: {
      const ttl = 1 + r.int(100_000);
      return { column, path, timestampMicros: ts, ttlSec: ttl, localDeletionTimeSec: ldt(r), value: r.bytes(r.int(20)) };
    }
    default:
      return { column, path, timestampMicros: ts, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value: r.bytes(r.int(3) === 0 ? r.int(300) : r.int(12)) };
  }
}

export function randomRow(r: SeededRandom, clustering: Buffer): Row {
  let liveness: LivenessInfo | null = null;
  if (r.int(3) > 0) {
    liveness = r.int(4) === 0 ? { timestampMicros: timestamp(r), ttlSec: 1 + r.int(1000), expiresAtSec: ldt(r) } : { timestampMicros: timestamp(r), ttlSec: 0, expiresAtSec: NO_DELETION_TIME };
  }
  const cols = COLUMNS.filter(() => r.int(3) === 0).sort();
  const cells: Cell[] = [];
  const complexDeletions: ComplexDeletion[] = [];
  for (const column of cols) {
    if (column === 'collection_column') {
      if (r.int(2) === 0) complexDeletions.push({ column, deletion: deletion(r) });
      const paths = new Set<string>();
      const n = r.int(4);
      for (let i = 0; i < n; i++) paths.add(r.bytes(1 + r.int(6)).toString('hex'));
      for (const p of [...paths].sort()) cells.push(cell(r, column, Buffer.from(p, 'hex')));
    } else {
      cells.push(cell(r, column, null));
    }
  }
  return { clustering, liveness, deletion: r.int(6) === 0 ? deletion(r) : LIVE, cells, complexDeletions };
}

/** n distinct random clusterings, sorted bytewise; their first byte is below 0xff. */
function clusterings(r: SeededRandom, n: number): Buffer[] {
  const set = new Map<string, Buffer>();
  while (set.size < n) {
    const b = r.bytes(1 + r.int(n > 100 ? 6 : 4));
    b[0] = b[0] % 0xfe;
    set.set(b.toString('hex'), b);
  }
  return [...set.values()].sort(Buffer.compare);
}

function randomRangeTombstones(r: SeededRandom): RangeTombstone[] {
  const n = r.int(4);
  const out: RangeTombstone[] = [];
  for (let i = 0; i < n; i++) {
    const a = r.int(4) === 0 ? Buffer.alloc(0) : r.bytes(1 + r.int(3));
    const b = r.int(4) === 0 ? END_UNBOUNDED : r.bytes(1 + r.int(3));
    const [start, end] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
    out.push({ start, end, deletion: deletion(r) });
  }
  return out.sort((x, y) => Buffer.compare(x.start, y.start));
}

/** Partitions in ring order with unique positions; some share a token. */
export function randomPartitions(r: SeededRandom, o: GenOptions): Partition[] {
  const byPos = new Map<string, Partition>();
  let lastToken = 0n;
  while (byPos.size < o.partitions) {
    const key = r.bytes(1 + r.int(24));
    // A few partitions reuse the previous token: keys must then order by bytes.
    const token = byPos.size > 0 && r.int(20) === 0 ? lastToken : r.bytes(8).readBigInt64BE(0);
    lastToken = token;
    const id = `${token}:${key.toString('hex')}`;
    if (byPos.has(id)) continue;
    let rows: Row[];
    const shape = r.next();
    if (shape < (o.wideChance ?? 0)) {
      const [lo, hi] = o.wideRows ?? [1500, 3000];
      rows = clusterings(r, lo + r.int(hi - lo)).map((c) => randomRow(r, c));
    } else if (shape < 0.15) {
      rows = [randomRow(r, Buffer.alloc(0))];
    } else if (shape < 0.2) {
      rows = [];
    } else {
      rows = clusterings(r, 1 + r.int(12)).map((c) => randomRow(r, c));
    }
    byPos.set(id, {
      key,
      token,
      deletion: r.int(8) === 0 ? deletion(r) : LIVE,
      staticRow: r.int(5) === 0 ? randomRow(r, Buffer.alloc(0)) : null,
      rangeTombstones: r.int(5) === 0 ? randomRangeTombstones(r) : [],
      rows,
    });
  }
  return [...byPos.values()].sort(comparePositions);
}

/** The answer PartitionSource.readPartition must give, computed on the in-memory partition. */
export function expectedRead(p: Partition | undefined, slice: ClusteringSlice, maxRows: number, fromEnd: boolean): Partition | null {
  if (p === undefined) return null;
  const empty = Buffer.compare(slice.start, slice.end) >= 0;
  let rows = empty ? [] : p.rows.filter((row) => Buffer.compare(row.clustering, slice.start) >= 0 && Buffer.compare(row.clustering, slice.end) < 0);
  if (maxRows <= 0) rows = [];
  else if (rows.length > maxRows) rows = fromEnd ? rows.slice(rows.length - maxRows) : rows.slice(0, maxRows);
  const rangeTombstones = p.rangeTombstones.filter((rt) => Buffer.compare(rt.start, slice.end) < 0 && Buffer.compare(slice.start, rt.end) < 0);
  return { ...p, rows, rangeTombstones };
}

/** The answer PartitionSource.partitionKeys must give over sorted partitions. */
export function expectedKeys(sorted: readonly Partition[], after: PartitionPosition | null, endToken: bigint, limit: number): string[] {
  const out: string[] = [];
  for (const p of sorted) {
    if (out.length >= limit) break;
    if (after !== null && comparePositions(p, after) <= 0) continue;
    if (p.token > endToken) break;
    out.push(posString(p));
  }
  return out;
}

export function posString(p: PartitionPosition): string {
  return `${p.token}:${p.key.toString('hex')}`;
}

const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'));

function canonRow(row: Row | null): unknown {
  if (row === null) return null;
  return {
    c: hex(row.clustering),
    l: row.liveness === null ? null : [row.liveness.timestampMicros, row.liveness.ttlSec, row.liveness.expiresAtSec],
    d: [row.deletion.markedAtMicros, row.deletion.localDeletionTimeSec],
    cells: row.cells.map((c) => [c.column, hex(c.path), c.timestampMicros, c.ttlSec, c.localDeletionTimeSec, hex(c.value)]),
    cd: row.complexDeletions.map((cd) => [cd.column, cd.deletion.markedAtMicros, cd.deletion.localDeletionTimeSec]),
  };
}

/** A canonical string of a partition: equal strings mean equal partitions. */
export function canon(p: Partition | null): string {
  if (p === null) return 'null';
  return JSON.stringify({
    k: hex(p.key),
    t: p.token.toString(),
    d: [p.deletion.markedAtMicros, p.deletion.localDeletionTimeSec],
    s: canonRow(p.staticRow),
    rt: p.rangeTombstones.map((rt) => [hex(rt.start), hex(rt.end), rt.deletion.markedAtMicros, rt.deletion.localDeletionTimeSec]),
    rows: p.rows.map(canonRow),
  });
}

/** A random slice over p's clusterings: bounds on, between and around rows, sometimes empty. */
export function randomSlice(r: SeededRandom, p: Partition | undefined): ClusteringSlice {
  const cs = p?.rows.map((row) => row.clustering) ?? [];
  const bound = (): Buffer => {
    if (cs.length === 0 || r.int(6) === 0) return r.bytes(r.int(3));
    const c = pick(r, cs);
    switch (r.int(4)) {
      case 0:
        return c;
      case 1:
        return exclusiveStartAfter(c);
      case 2:
        return c.subarray(0, r.int(c.length + 1));
      default:
        return Buffer.concat([c, Buffer.from([r.int(256)])]);
    }
  };
  const start = r.int(5) === 0 ? Buffer.alloc(0) : bound();
  const end = r.int(5) === 0 ? END_UNBOUNDED : bound();
  // Mostly well-formed slices, sometimes deliberately empty or inverted ones.
  if (r.int(6) !== 0 && Buffer.compare(start, end) > 0) return { start: end, end: start };
  return { start, end };
}

export function randomMaxRows(r: SeededRandom): number {
  return pick(r, [0, 1, 2, 3, 7, 50, 1000, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER]);
}

import t from 'tap';
import {
  LIVE,
  cell,
  complexDeletion,
  deletionTime,
  livePartition,
  liveness,
  mergePartitions,
  partition,
  purgePartition,
  rangeTombstone,
  row,
  staticRow,
  tombstoneCell,
} from '../../../src/storage/model/index.js';
import type { Partition } from '../../../src/storage/model/index.js';
import { forEachSeed, partitionOf, seeds, universe, withTimestampsAtLeast } from './arbitrary.js';
import type { Universe } from './arbitrary.js';

const NOW = 1_000_000;
const GC_GRACE = 864_000;
const KEY = Buffer.from('pk');
const TOKEN = -5n;
const c1 = Buffer.from([1, 1]);
const c2 = Buffer.from([1, 2]);

/** What a read sees, without the key: rows and static row. */
function view(p: Partition | null, nowSec: number): unknown {
  if (p === null) return { staticRow: null, rows: [] };
  const v = livePartition(p, nowSec);
  return { staticRow: v.staticRow, rows: v.rows };
}

function mergeNullable(a: Partition | null, b: Partition | null): Partition | null {
  if (a === null) return b;
  if (b === null) return a;
  return mergePartitions(a, b);
}

function pickOf<T>(u: Universe, xs: readonly T[]): T {
  return xs[u.r.int(xs.length)]!;
}

t.test('a tombstone is purged only past gc grace and below maxPurgeable', async (t) => {
  const deletedAt = NOW - GC_GRACE - 1;
  const p = partition(KEY, TOKEN, { rows: [row(c1, [tombstoneCell('a', 10, deletedAt)])] });
  t.equal(purgePartition(p, NOW, NOW - GC_GRACE, Infinity), null, 'past gc grace, nothing older elsewhere: gone');
  t.strictSame(purgePartition(p, NOW, NOW - GC_GRACE, 10), p, 'older data may exist elsewhere (maxPurgeable = its timestamp): kept');
  t.strictSame(purgePartition(p, NOW, NOW - GC_GRACE - 1, Infinity), p, 'gc grace not over (deletion time == gcBefore): kept');
});

t.test('keeping the tombstone is what stops resurrection of data in another SSTable', async (t) => {
  const older = partition(KEY, TOKEN, { rows: [row(c1, [cell('a', 'zombie', 5)], { liveness: liveness(5) })] });
  const deletion = partition(KEY, TOKEN, { rows: [row(c1, [], { deletion: deletionTime(10, NOW - GC_GRACE - 100) })] });
  // Compacting only `deletion` while `older` (min timestamp 5) overlaps: maxPurgeable = 5.
  const compacted = purgePartition(deletion, NOW, NOW - GC_GRACE, 5);
  t.strictSame(view(mergeNullable(compacted, older), NOW), view(mergePartitions(deletion, older), NOW));
  t.strictSame(view(mergeNullable(compacted, older), NOW), { staticRow: null, rows: [] }, 'the old row stays deleted');
});

t.test('expired cells become tombstones dated from their write', async (t) => {
  const written = NOW - 100;
  const p = partition(KEY, TOKEN, { rows: [row(c1, [cell('a', 'x', 10, { ttlSec: 50, nowSec: written }), cell('b', 'y', 10)])] });
  const out = purgePartition(p, NOW, NOW - GC_GRACE, Infinity);
  t.strictSame(out!.rows[0]!.cells, [tombstoneCell('a', 10, written), cell('b', 'y', 10)]);
  t.equal(purgePartition(p, NOW, written + 1, Infinity)!.rows[0]!.cells.length, 1, 'and go once gc grace has passed since the write');
  t.strictSame(purgePartition(p, NOW, NOW - GC_GRACE, 10), p, 'unless a cell of the same timestamp may be elsewhere (it may expire later)');
  const notYet = purgePartition(p, written + 49, NOW - GC_GRACE, Infinity);
  t.strictSame(notYet, p, 'a cell not yet expired is untouched');
});

t.test('an expired liveness is dead and is purged past gc grace from its expiry', async (t) => {
  const p = partition(KEY, TOKEN, { rows: [row(c1, [], { liveness: liveness(10, { ttlSec: 10, nowSec: NOW - 100 }) })] });
  t.strictSame(purgePartition(p, NOW, NOW - 95, Infinity), p, 'expired at NOW - 90, gcBefore NOW - 95: kept');
  t.equal(purgePartition(p, NOW, NOW - 89, Infinity), null, 'gcBefore past the expiry: gone');
});

t.test('shadowed data goes even while the deletion must stay', async (t) => {
  const recent = NOW - 10;
  const p = partition(KEY, TOKEN, {
    deletion: deletionTime(4, recent),
    staticRow: staticRow([cell('s', 'old', 4), cell('t', 'new', 5)]),
    rangeTombstones: [rangeTombstone(c1, c2, 3, recent), rangeTombstone(c2, Buffer.from([0xff]), 8, recent)],
    rows: [
      row(c1, [cell('a', 'x', 4), cell('b', 'y', 5)], { liveness: liveness(4), deletion: deletionTime(5, recent) }),
      row(c2, [cell('a', 'x', 8), cell('m', 'e', 9, { path: Buffer.from('k') }), cell('m', 'f', 12, { path: Buffer.from('l') })], {
        complexDeletions: [complexDeletion('m', 10, recent)],
        liveness: liveness(9),
      }),
    ],
  });
  const out = purgePartition(p, NOW, NOW - GC_GRACE, Infinity)!;
  t.strictSame(out.deletion, p.deletion, 'the partition deletion stays (not past gc)');
  t.strictSame(out.rangeTombstones, [p.rangeTombstones[1]], 'the range tombstone under the partition deletion goes');
  t.strictSame(out.staticRow, staticRow([cell('t', 'new', 5)]));
  t.strictSame(out.rows[0], row(c1, [], { deletion: deletionTime(5, recent) }), 'cells and liveness under the row deletion go');
  t.strictSame(
    out.rows[1],
    row(c2, [cell('m', 'f', 12, { path: Buffer.from('l') })], { complexDeletions: [complexDeletion('m', 10, recent)], liveness: liveness(9) }),
    'the range tombstone and the collection deletion shadow the cells written before them',
  );
});

t.test('a purged partition deletion or range tombstone leaves nothing behind', async (t) => {
  const old = NOW - GC_GRACE - 5;
  const p = partition(KEY, TOKEN, {
    deletion: deletionTime(6, old),
    rangeTombstones: [rangeTombstone(Buffer.alloc(0), Buffer.from([0xff]), 9, old)],
    rows: [row(c1, [cell('a', 'x', 9), tombstoneCell('b', 7, old)], { deletion: deletionTime(8, NOW) })],
  });
  t.equal(purgePartition(p, NOW, NOW - GC_GRACE, Infinity), null);
  const kept = purgePartition(p, NOW, NOW - GC_GRACE, 7)!;
  t.strictSame(kept.deletion, LIVE, 'maxPurgeable 7: the partition deletion at 6 (past gc) goes');
  t.strictSame(kept.rangeTombstones, p.rangeTombstones, 'the range tombstone at 9 >= 7 stays');
  t.strictSame(kept.rows, [], 'the row under it goes');
  t.equal(purgePartition({ ...p, rows: [] }, NOW, NOW - GC_GRACE, 6)!.deletion.markedAtMicros, 6, 'deletion at 6 with maxPurgeable 6 stays');
  t.equal(purgePartition(partition(KEY, TOKEN), NOW, 0, Infinity), null, 'an empty partition is nothing');
});

t.test('purge never changes what a read of the partition sees', async (t) => {
  const ran = forEachSeed(t, seeds(5000, 21), 15_000, (seed, check) => {
    const u = universe(seed);
    const p = partitionOf(u);
    const nowSec = u.nowSec + pickOf(u, [-30, 0, 3]);
    const gcBefore = pickOf(u, [0, u.nowSec - 10, u.nowSec, u.nowSec + 50]);
    const maxPurgeable = pickOf(u, [Infinity, -Infinity, ...u.timestamps, ...u.timestamps.map((x) => x + 1)]);
    const purged = purgePartition(p, nowSec, gcBefore, maxPurgeable);
    for (const at of [nowSec, nowSec + 4, nowSec + 60]) {
      check.same(view(purged, at), view(p, at), `view at ${at} after purge(now ${nowSec}, gcBefore ${gcBefore}, maxPurgeable ${maxPurgeable})`);
    }
    check.same(purged === null ? null : purgePartition(purged, nowSec, gcBefore, maxPurgeable), purged, 'purge is idempotent');
    const everything = purgePartition(p, nowSec, 0, Infinity);
    check.same(view(everything, nowSec), view(p, nowSec), 'nothing past gc, nothing elsewhere: same view');
  });
  t.ok(ran >= 300, `ran ${ran} seeds`);
});

t.test('no resurrection: purge(p) merged with any data at or above maxPurgeable reads as p merged with it', async (t) => {
  let withOutside = 0;
  const ran = forEachSeed(t, seeds(10000, 22), 20_000, (seed, check) => {
    const u = universe(seed);
    // p is what the compaction reads: already a merge of two sources, as in a real compaction.
    const p = mergePartitions(partitionOf(u), partitionOf(u));
    const nowSec = u.nowSec + pickOf(u, [-30, 0, 3]);
    const gcBefore = pickOf(u, [0, u.nowSec - 10, u.nowSec, u.nowSec + 50]);
    const maxPurgeable = pickOf(u, [Infinity, ...u.timestamps, ...u.timestamps.map((x) => x + 1)]);
    const newer = withTimestampsAtLeast(u, maxPurgeable);
    const outside = newer.timestamps.length === 0 ? null : partitionOf(newer);
    if (outside !== null) withOutside++;
    const purged = purgePartition(p, nowSec, gcBefore, maxPurgeable);
    for (const at of [nowSec, nowSec + 4, nowSec + 60]) {
      check.same(view(mergeNullable(purged, outside), at), view(mergeNullable(p, outside), at), `view at ${at} (maxPurgeable ${maxPurgeable}, gcBefore ${gcBefore})`);
    }
  });
  t.ok(ran >= 500, `ran ${ran} seeds`);
  t.ok(withOutside >= ran / 4, `${withOutside} cases had data outside the compaction`);
});

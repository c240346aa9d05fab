import t from 'tap';
import {
  LIVE,
  ModelInvariantError,
  NO_DELETION_TIME,
  cell,
  deletionTime,
  emptyPartition,
  livePartition,
  liveness,
  mergeDeletion,
  mergeLiveness,
  mergePartitions,
  mergeRows,
  partition,
  rangeTombstone,
  reconcileCells,
  row,
  tombstoneCell,
} from '../../../src/storage/model/index.js';
import type { Cell, Partition } from '../../../src/storage/model/index.js';
import { cellPair, deletionTime as genDeletion, forEachSeed, liveness as genLiveness, partitionOf, rowAt, seeds, universe } from './arbitrary.js';

const NOW = 1_000_000;

t.test('reconcileCells follows Cassandra 4 resolveRegular', async (t) => {
  const live = (v: string, ts: number): Cell => cell('v', v, ts);
  const expiring = (v: string, ts: number, ttlSec: number, nowSec = NOW): Cell => cell('v', v, ts, { ttlSec, nowSec });
  const dead = (ts: number, nowSec = NOW): Cell => tombstoneCell('v', ts, nowSec);

  const cases: Array<[string, Cell, Cell]> = [
    ['the higher timestamp wins, even against a tombstone', live('x', 11), dead(10)],
    ['the higher timestamp wins, whatever the value', live('a', 11), live('z', 10)],
    ['at equal timestamps a tombstone beats a live cell', dead(10), live('z', 10)],
    ['at equal timestamps an expiring cell beats a live cell', expiring('a', 10, 5), live('z', 10)],
    ['at equal timestamps a tombstone beats an expiring cell', dead(10, NOW - 100), expiring('z', 10, 100)],
    ['between expiring cells the later expiry wins before the value', expiring('a', 10, 50), expiring('z', 10, 40)],
    ['between tombstones the later deletion time wins', dead(10, NOW + 1), dead(10, NOW)],
    ['between live cells the greater value wins', live('b', 10), live('a', 10)],
    ['bytewise: a longer value with the same prefix is greater', live('ab', 10), live('a', 10)],
    ['bytewise: an empty value loses', live('a', 10), live('', 10)],
    ['same expiry and value: the smaller TTL (later write) wins', expiring('a', 10, 5, NOW + 5), expiring('a', 10, 10, NOW)],
  ];
  for (const [name, winner, loser] of cases) {
    t.equal(reconcileCells(winner, loser), winner, `${name} (winner first)`);
    t.equal(reconcileCells(loser, winner), winner, `${name} (winner second)`);
  }
  const c = live('a', 3);
  t.equal(reconcileCells(c, { ...c }), c, 'identical cells: either, deep-equal');
});

t.test('mergeLiveness follows LivenessInfo.supersedes', async (t) => {
  const plain = liveness(10);
  const exp = liveness(10, { ttlSec: 5, nowSec: NOW });
  const laterExp = liveness(10, { ttlSec: 6, nowSec: NOW });
  const later = liveness(11);
  t.equal(mergeLiveness(later, exp), later, 'the higher timestamp wins');
  t.equal(mergeLiveness(exp, later), later, 'the higher timestamp wins (swapped)');
  t.equal(mergeLiveness(plain, exp), exp, 'at equal timestamps expiring beats non-expiring');
  t.equal(mergeLiveness(exp, plain), exp, 'at equal timestamps expiring beats non-expiring (swapped)');
  t.equal(mergeLiveness(exp, laterExp), laterExp, 'between expiring infos the later expiry wins');
  t.equal(mergeLiveness(null, exp), exp, 'null is "no liveness"');
  t.equal(mergeLiveness(exp, null), exp, 'null is "no liveness" (swapped)');
  t.equal(mergeLiveness(null, null), null);
});

t.test('mergeDeletion takes the max by markedAt, then local deletion time', async (t) => {
  const a = deletionTime(10, 5);
  const b = deletionTime(10, 6);
  const c = deletionTime(11, 1);
  t.equal(mergeDeletion(a, b), b);
  t.equal(mergeDeletion(b, a), b);
  t.equal(mergeDeletion(b, c), c);
  t.equal(mergeDeletion(LIVE, a), a);
  t.equal(mergeDeletion(a, LIVE), a);
});

t.test('mergePartitions is a union: rows, range tombstones, deletions, static rows', async (t) => {
  const key = Buffer.from('k');
  const c1 = Buffer.from([1, 1]);
  const c2 = Buffer.from([1, 2]);
  const a = partition(key, 7n, {
    deletion: deletionTime(5, NOW),
    rows: [row(c1, [cell('v', 'old', 3)])],
    rangeTombstones: [rangeTombstone(c1, c2, 4, NOW)],
  });
  const b = partition(key, 7n, {
    rows: [row(c1, [cell('v', 'new', 9)]), row(c2, [cell('w', 'x', 1)])],
    rangeTombstones: [rangeTombstone(c1, c2, 4, NOW), rangeTombstone(c1, c2, 2, NOW)],
    staticRow: row(Buffer.alloc(0), [cell('s', 'st', 8)]),
  });
  const m = mergePartitions(a, b);
  t.strictSame(m.deletion, deletionTime(5, NOW));
  t.equal(m.rows.length, 2);
  t.equal(m.rows[0]!.cells[0]!.value!.toString(), 'new', 'last write wins inside a row');
  t.equal(m.rows[1]!.cells[0]!.timestampMicros, 1, 'nothing is dropped: the shadowed row stays until a read or a purge');
  t.strictSame(
    m.rangeTombstones.map((rt) => rt.deletion.markedAtMicros),
    [2, 4],
    'duplicates removed, sorted by (start, end, markedAt)',
  );
  t.equal(m.staticRow!.cells[0]!.value!.toString(), 'st');
  t.throws(() => mergePartitions(a, emptyPartition(Buffer.from('other'), 7n)), ModelInvariantError, 'another key');
  t.throws(() => mergePartitions({ ...a, tableId: 't1' }, { ...b, tableId: 't2' }), ModelInvariantError, 'another table');
  t.equal(mergePartitions({ ...a, tableId: 't1' }, { ...b, tableId: 't1' }).tableId, 't1', 'a PartitionUpdate stays one');
});

t.test('cells: merge is commutative, associative and idempotent', async (t) => {
  const ran = forEachSeed(t, seeds(5000, 1), 10_000, (seed, check) => {
    const u = universe(seed);
    const [a, b, c] = cellPair(u);
    check.same(reconcileCells(a, b), reconcileCells(b, a), 'commutative');
    check.same(reconcileCells(reconcileCells(a, b), c), reconcileCells(a, reconcileCells(b, c)), 'associative');
    check.same(reconcileCells(a, a), a, 'idempotent');
    const w = reconcileCells(a, b);
    if (w !== a && w !== b) check.same(w, a, 'the winner is one of the arguments');
  });
  t.ok(ran >= 500, `ran ${ran} seeds`);
});

t.test('liveness and deletions: merge is commutative, associative and idempotent', async (t) => {
  const ran = forEachSeed(t, seeds(2000, 2), 10_000, (seed, check) => {
    const u = universe(seed);
    const [a, b, c] = [genLiveness(u), genLiveness(u), genLiveness(u)];
    check.same(mergeLiveness(a, b), mergeLiveness(b, a), 'liveness commutative');
    check.same(mergeLiveness(mergeLiveness(a, b), c), mergeLiveness(a, mergeLiveness(b, c)), 'liveness associative');
    check.same(mergeLiveness(a, a), a, 'liveness idempotent');
    const [d, e, f] = [genDeletion(u), genDeletion(u), genDeletion(u)];
    check.same(mergeDeletion(d, e), mergeDeletion(e, d), 'deletion commutative');
    check.same(mergeDeletion(mergeDeletion(d, e), f), mergeDeletion(d, mergeDeletion(e, f)), 'deletion associative');
  });
  t.ok(ran >= 500, `ran ${ran} seeds`);
});

t.test('rows: merge is commutative, associative and idempotent', async (t) => {
  const ran = forEachSeed(t, seeds(4000, 3), 15_000, (seed, check) => {
    const u = universe(seed);
    const c = u.clusterings[0]!;
    const [a, b, d] = [rowAt(u, c), rowAt(u, c), rowAt(u, c)];
    check.same(mergeRows(a, b), mergeRows(b, a), 'commutative');
    check.same(mergeRows(mergeRows(a, b), d), mergeRows(a, mergeRows(b, d)), 'associative');
    check.same(mergeRows(a, { ...a }), a, 'idempotent');
  });
  t.ok(ran >= 300, `ran ${ran} seeds`);
});

t.test('partitions: merge is commutative, associative and idempotent; so is the view of a merge', async (t) => {
  const ran = forEachSeed(t, seeds(4000, 4), 20_000, (seed, check) => {
    const u = universe(seed);
    const [a, b, c] = [partitionOf(u), partitionOf(u), partitionOf(u)];
    const ab = mergePartitions(a, b);
    check.same(ab, mergePartitions(b, a), 'commutative');
    check.same(mergePartitions(ab, c), mergePartitions(a, mergePartitions(b, c)), 'associative');
    const copy: Partition = { ...a, rows: [...a.rows], rangeTombstones: [...a.rangeTombstones] };
    check.same(mergePartitions(a, copy), a, 'idempotent');
    check.same(mergePartitions(ab, b), ab, 'absorbing a version already merged changes nothing');
    for (const nowSec of [u.nowSec - 10, u.nowSec, u.nowSec + 30]) {
      check.same(livePartition(ab, nowSec), livePartition(mergePartitions(b, a), nowSec), `view(merge(a,b)) = view(merge(b,a)) at ${nowSec}`);
    }
  });
  t.ok(ran >= 300, `ran ${ran} seeds`);
});

t.test('NO_DELETION_TIME marks live, non-expiring data', async (t) => {
  t.equal(cell('v', 'x', 1).localDeletionTimeSec, NO_DELETION_TIME);
  t.equal(cell('v', 'x', 1, { ttlSec: 10, nowSec: NOW }).localDeletionTimeSec, NOW + 10);
});

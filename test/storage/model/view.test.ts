import t from 'tap';
import {
  LIVE,
  RangeTombstoneSweep,
  cell,
  complexDeletion,
  coveringDeletion,
  deletionTime,
  exclusiveStartAfter,
  livePartition,
  liveRow,
  liveStaticRow,
  liveness,
  mergePartitions,
  partition,
  rangeTombstone,
  row,
  staticRow,
  tombstoneCell,
} from '../../../src/storage/model/index.js';
import type { Partition, Row } from '../../../src/storage/model/index.js';
import { forEachSeed, partitionOf, rangeTombstone as genRangeTombstone, seeds, universe } from './arbitrary.js';

const NOW = 1_000_000;
const KEY = Buffer.from('pk');
const TOKEN = 42n;

/** A stand-in for the clustering encoding of one int component: a marker byte, then the value. */
function enc(...components: number[]): Buffer {
  return Buffer.concat(components.map((n) => Buffer.from([0x01, n])));
}

function readRows(p: Partition, nowSec = NOW): Row[] {
  return [...livePartition(p, nowSec).rows];
}

function values(r: Row | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of r?.cells ?? []) out[c.path === null ? c.column : `${c.column}[${c.path.toString()}]`] = c.value!.toString();
  return out;
}

t.test('INSERT then deleting every cell keeps the row; an UPDATE-made row disappears', async (t) => {
  const c = enc(1);
  const inserted = partition(KEY, TOKEN, { rows: [row(c, [cell('a', 'x', 10), cell('b', 'y', 10)], { liveness: liveness(10) })] });
  const updated = partition(KEY, TOKEN, { rows: [row(c, [cell('a', 'x', 10), cell('b', 'y', 10)])] });
  const deleteCells = partition(KEY, TOKEN, { rows: [row(c, [tombstoneCell('a', 20, NOW), tombstoneCell('b', 20, NOW)])] });

  const afterInsert = readRows(mergePartitions(inserted, deleteCells));
  t.equal(afterInsert.length, 1, 'the INSERTed row is still there');
  t.strictSame(values(afterInsert[0]), {}, 'with every column null');

  t.strictSame(readRows(mergePartitions(updated, deleteCells)), [], 'the UPDATEd row is gone');
  t.strictSame(readRows(mergePartitions(deleteCells, updated)), [], 'in either merge order');
});

t.test('TTL: data expires at write time + ttl', async (t) => {
  const c = enc(1);
  const p = partition(KEY, TOKEN, {
    rows: [row(c, [cell('a', 'x', 10, { ttlSec: 10, nowSec: NOW })], { liveness: liveness(10, { ttlSec: 10, nowSec: NOW }) })],
  });
  t.strictSame(values(readRows(p, NOW + 9)[0]), { a: 'x' }, 'live one second before expiry');
  t.strictSame(readRows(p, NOW + 10), [], 'gone at the expiry second');

  const mixed = partition(KEY, TOKEN, {
    rows: [row(c, [cell('a', 'x', 10), cell('b', 'y', 11, { ttlSec: 5, nowSec: NOW })], { liveness: liveness(10) })],
  });
  t.strictSame(values(readRows(mixed, NOW + 4)[0]), { a: 'x', b: 'y' });
  t.strictSame(values(readRows(mixed, NOW + 5)[0]), { a: 'x' }, 'an expired cell is null, the row stays');

  const onlyTtlCell = partition(KEY, TOKEN, { rows: [row(c, [cell('b', 'y', 11, { ttlSec: 5, nowSec: NOW })])] });
  t.strictSame(readRows(onlyTtlCell, NOW + 5), [], 'a row living only through an expired cell is gone');
});

t.test('at equal timestamps the tombstone wins', async (t) => {
  const c = enc(1);
  const write = partition(KEY, TOKEN, { rows: [row(c, [cell('a', 'zzz', 10)])] });
  const del = partition(KEY, TOKEN, { rows: [row(c, [tombstoneCell('a', 10, NOW)])] });
  t.strictSame(readRows(mergePartitions(write, del)), []);
  t.strictSame(readRows(mergePartitions(del, write)), []);
  const rowDel = partition(KEY, TOKEN, { rows: [row(c, [], { deletion: deletionTime(10, NOW) })] });
  t.strictSame(readRows(mergePartitions(write, rowDel)), [], 'a row deletion at the same timestamp shadows the write');
  const laterWrite = partition(KEY, TOKEN, { rows: [row(c, [cell('a', 'new', 11)])] });
  t.strictSame(values(readRows(mergePartitions(rowDel, laterWrite))[0]), { a: 'new' }, 'a later write survives');
});

t.test('range tombstones with inclusive and exclusive bounds', async (t) => {
  const rows = [1, 2, 3, 4, 5].map((n) => row(enc(n), [cell('v', String(n), 10)], { liveness: liveness(10) }));
  const survivors = (start: Buffer, end: Buffer, markedAt = 10): number[] =>
    readRows(partition(KEY, TOKEN, { rows, rangeTombstones: [rangeTombstone(start, end, markedAt, NOW)] })).map((r) => r.clustering[1]!);

  t.strictSame(survivors(enc(2), enc(4)), [1, 4, 5], 'c >= 2 AND c < 4');
  t.strictSame(survivors(exclusiveStartAfter(enc(2)), exclusiveStartAfter(enc(4))), [1, 2, 5], 'c > 2 AND c <= 4');
  t.strictSame(survivors(enc(2), exclusiveStartAfter(enc(4))), [1, 5], 'c >= 2 AND c <= 4');
  t.strictSame(survivors(exclusiveStartAfter(enc(2)), enc(4)), [1, 2, 4, 5], 'c > 2 AND c < 4');
  t.strictSame(survivors(Buffer.alloc(0), enc(3)), [3, 4, 5], 'c < 3 (unbounded below)');
  t.strictSame(survivors(exclusiveStartAfter(enc(3)), Buffer.from([0xff])), [1, 2, 3], 'c > 3 (unbounded above)');
  t.strictSame(survivors(enc(2), enc(4), 9), [1, 2, 3, 4, 5], 'an older range tombstone shadows nothing newer');

  // Two clustering columns: DELETE ... WHERE c1 = 1 covers every (1, x), as a prefix range.
  const wide = [row(enc(1, 1), [cell('v', 'a', 10)]), row(enc(1, 9), [cell('v', 'b', 10)]), row(enc(2, 0), [cell('v', 'c', 10)])];
  const p = partition(KEY, TOKEN, { rows: wide, rangeTombstones: [rangeTombstone(enc(1), exclusiveStartAfter(enc(1)), 10, NOW)] });
  t.strictSame(
    readRows(p).map((r) => [...r.clustering]),
    [[1, 2, 1, 0]],
    'a prefix range covers the whole group',
  );
});

t.test('partition deletion, then a later write re-creates the partition', async (t) => {
  const c = enc(1);
  const old = partition(KEY, TOKEN, {
    staticRow: staticRow([cell('s', 'st', 5)]),
    rows: [row(c, [cell('a', 'old', 5)], { liveness: liveness(5) }), row(enc(2), [cell('a', 'x', 10)])],
  });
  const del = partition(KEY, TOKEN, { deletion: deletionTime(10, NOW) });
  const rewrite = partition(KEY, TOKEN, { rows: [row(c, [cell('b', 'new', 11)], { liveness: liveness(11) })] });

  const deleted = livePartition(mergePartitions(old, del), NOW);
  t.strictSame(deleted.rows, [], 'every row is gone, including one written at the deletion timestamp');
  t.equal(deleted.staticRow, null, 'the static row is gone');

  const back = readRows(mergePartitions(mergePartitions(old, del), rewrite));
  t.equal(back.length, 1);
  t.strictSame(values(back[0]), { b: 'new' }, 'only the new write is visible: the old cells stay deleted');
});

t.test('collections: a complex deletion removes the elements written before it', async (t) => {
  const c = enc(1);
  // SET m = {x: 1} at timestamp 20 writes a collection tombstone at 19 and the element at 20.
  const before = row(c, [cell('m', '0', 10, { path: Buffer.from('w') }), cell('m', '1', 10, { path: Buffer.from('x') })], { liveness: liveness(10) });
  const overwrite = row(c, [cell('m', '2', 20, { path: Buffer.from('x') })], { complexDeletions: [complexDeletion('m', 19, NOW)] });
  const p = mergePartitions(partition(KEY, TOKEN, { rows: [before] }), partition(KEY, TOKEN, { rows: [overwrite] }));
  t.strictSame(values(readRows(p)[0]), { 'm[x]': '2' });
});

t.test('liveRow and liveStaticRow', async (t) => {
  const r = row(enc(1), [cell('a', 'x', 10), tombstoneCell('b', 10, NOW)], { liveness: liveness(5) });
  t.strictSame(values(liveRow(r, LIVE, LIVE, NOW)), { a: 'x' });
  t.equal(liveRow(r, LIVE, deletionTime(10, NOW), NOW), null, 'a covering range tombstone shadows cells and liveness');
  const kept = liveRow(r, LIVE, deletionTime(7, NOW), NOW);
  t.strictSame(values(kept), { a: 'x' }, 'a tombstone between liveness and cells shadows only the liveness');
  t.equal(kept!.liveness, null);
  const clean = row(enc(1), [cell('a', 'x', 10)]);
  t.equal(liveRow(clean, LIVE, LIVE, NOW), clean, 'a row with nothing to remove is returned as is');
  t.equal(liveStaticRow(null, LIVE, NOW), null);
  t.strictSame(values(liveStaticRow(staticRow([cell('s', 'v', 3)]), deletionTime(2, NOW), NOW)), { s: 'v' });
  t.equal(liveStaticRow(staticRow([cell('s', 'v', 3)]), deletionTime(3, NOW), NOW), null);
});

t.test('RangeTombstoneSweep matches a brute-force lookup, ascending and descending', async (t) => {
  const ran = forEachSeed(t, seeds(1500, 11), 10_000, (seed, check) => {
    const u = universe(seed);
    const rts = Array.from({ length: u.r.int(7) }, () => genRangeTombstone(u));
    rts.sort((a, b) => Buffer.compare(a.start, b.start));
    // Probe clusterings, their neighbours and the bounds themselves, with repeats.
    const probes = [...u.clusterings, ...rts.flatMap((rt) => [rt.start, rt.end]), ...u.clusterings.map(exclusiveStartAfter)];
    probes.sort(Buffer.compare);
    const asc = new RangeTombstoneSweep(rts);
    check.same(probes.map((c) => asc.deletionAt(c)), probes.map((c) => coveringDeletion(rts, c)), 'ascending');
    const desc = new RangeTombstoneSweep(rts, true);
    const reversed = [...probes].reverse();
    check.same(reversed.map((c) => desc.deletionAt(c)), reversed.map((c) => coveringDeletion(rts, c)), 'descending');
  });
  t.ok(ran >= 300, `ran ${ran} seeds`);
  const sweep = new RangeTombstoneSweep([rangeTombstone(enc(1), enc(5), 3, NOW)]);
  sweep.deletionAt(enc(3));
  t.throws(() => sweep.deletionAt(enc(2)), /sweep order/, 'going backwards is refused');
});

t.test('livePartition agrees with a cell-by-cell model of the rules', async (t) => {
  // The model: for each row, the max of every deletion over it, by brute force, then per cell.
  const ran = forEachSeed(t, seeds(1500, 12), 10_000, (seed, check) => {
    const u = universe(seed);
    const p = partitionOf(u);
    for (const nowSec of [u.nowSec - 30, u.nowSec, u.nowSec + 3, u.nowSec + 40]) {
      const expected: Array<[string, string[], boolean]> = [];
      for (const r of p.rows) {
        let markedAt = Math.max(p.deletion.markedAtMicros, r.deletion.markedAtMicros);
        for (const rt of p.rangeTombstones) {
          if (Buffer.compare(rt.start, r.clustering) <= 0 && Buffer.compare(r.clustering, rt.end) < 0) markedAt = Math.max(markedAt, rt.deletion.markedAtMicros);
        }
        const cells: string[] = [];
        for (const c of r.cells) {
          const cd = r.complexDeletions.find((d) => d.column === c.column);
          const shadow = Math.max(markedAt, cd?.deletion.markedAtMicros ?? -Infinity);
          const alive = c.value !== null && (c.ttlSec === 0 || nowSec < c.localDeletionTimeSec) && c.timestampMicros > shadow;
          if (alive) cells.push(`${c.column}/${c.path?.toString('hex')}=${c.value!.toString('hex')}`);
        }
        const l = r.liveness;
        const rowLive = l !== null && l.timestampMicros > markedAt && (l.ttlSec === 0 || nowSec < l.expiresAtSec);
        if (rowLive || cells.length > 0) expected.push([r.clustering.toString('hex'), cells, rowLive]);
      }
      const actual = livePartition(p, nowSec).rows.map((r): [string, string[], boolean] => [
        r.clustering.toString('hex'),
        r.cells.map((c) => `${c.column}/${c.path?.toString('hex')}=${c.value!.toString('hex')}`),
        r.liveness !== null,
      ]);
      check.same(actual, expected, `view at ${nowSec}`);
    }
  });
  t.ok(ran >= 300, `ran ${ran} seeds`);
});

import t from 'tap';
import {
  CELL_OVERHEAD_BYTES,
  LIVE,
  ModelInvariantError,
  NO_DELETION_TIME,
  PARTITION_OVERHEAD_BYTES,
  ROW_OVERHEAD_BYTES,
  cell,
  complexDeletion,
  emptyPartition,
  estimatedPartitionSizeBytes,
  estimatedRowSizeBytes,
  estimatedSizeBytes,
  liveness,
  partition,
  partitionUpdate,
  rangeTombstone,
  row,
  staticRow,
  tombstoneCell,
} from '../../../src/storage/model/index.js';

const NOW = 1_000;

t.test('cells follow the representation rules of types.ts', async (t) => {
  t.strictSame(cell('a', 'x', 5), { column: 'a', path: null, timestampMicros: 5, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value: Buffer.from('x') });
  t.strictSame(cell('m', Buffer.from([1]), 5, { ttlSec: 10, nowSec: NOW, path: Buffer.from('k') }), {
    column: 'm',
    path: Buffer.from('k'),
    timestampMicros: 5,
    ttlSec: 10,
    localDeletionTimeSec: NOW + 10,
    value: Buffer.from([1]),
  });
  t.strictSame(tombstoneCell('a', 5, NOW), { column: 'a', path: null, timestampMicros: 5, ttlSec: 0, localDeletionTimeSec: NOW, value: null });
  t.throws(() => cell('a', 'x', 5, { ttlSec: 10 }), ModelInvariantError, 'a TTL needs nowSec');
  t.throws(() => cell('a', 'x', 5, { ttlSec: -1, nowSec: NOW }), ModelInvariantError, 'a TTL is positive');
  t.strictSame(liveness(5, { ttlSec: 3, nowSec: NOW }), { timestampMicros: 5, ttlSec: 3, expiresAtSec: NOW + 3 });
  t.strictSame(liveness(5), { timestampMicros: 5, ttlSec: 0, expiresAtSec: NO_DELETION_TIME });
});

t.test('rows and partitions are sorted and refuse duplicates', async (t) => {
  const r = row(Buffer.from([1]), [cell('m', 'x', 1, { path: Buffer.from('b') }), cell('a', 'x', 1), cell('m', 'y', 1, { path: Buffer.from('a') }), cell('m', 'z', 1)], {
    complexDeletions: [complexDeletion('z', 1, NOW), complexDeletion('m', 1, NOW)],
  });
  t.strictSame(
    r.cells.map((c) => `${c.column}${c.path?.toString() ?? ''}`),
    ['a', 'm', 'ma', 'mb'],
    'by column, then path with the simple cell first',
  );
  t.strictSame(r.complexDeletions.map((d) => d.column), ['m', 'z']);
  t.equal(r.deletion, LIVE);
  t.throws(() => row(Buffer.from([1]), [cell('a', 'x', 1), cell('a', 'y', 2)]), ModelInvariantError);
  const p = partition(Buffer.from('k'), 1n, {
    rows: [row(Buffer.from([2])), row(Buffer.from([1]))],
    rangeTombstones: [rangeTombstone(Buffer.from([2]), Buffer.from([3]), 1, NOW), rangeTombstone(Buffer.from([1]), Buffer.from([3]), 1, NOW)],
  });
  t.strictSame(p.rows.map((x) => x.clustering[0]), [1, 2]);
  t.strictSame(p.rangeTombstones.map((x) => x.start[0]), [1, 2]);
  t.throws(() => partition(Buffer.from('k'), 1n, { rows: [row(Buffer.from([1])), row(Buffer.from([1]))] }), ModelInvariantError);
  t.strictSame(emptyPartition(Buffer.from('k'), 1n), partition(Buffer.from('k'), 1n));
  t.equal(partitionUpdate('tid', Buffer.from('k'), 1n).tableId, 'tid');
  t.equal(staticRow().clustering.length, 0);
});

t.test('size estimates count bytes plus per-object overheads', async (t) => {
  const r = row(Buffer.from([1, 2]), [cell('ab', Buffer.alloc(100), 1), tombstoneCell('c', 1, NOW)]);
  t.equal(estimatedRowSizeBytes(r), ROW_OVERHEAD_BYTES + 2 + 2 * CELL_OVERHEAD_BYTES + 2 + 100 + 1);
  const p = partitionUpdate('t', Buffer.from('key'), 1n, { rows: [r] });
  t.equal(estimatedPartitionSizeBytes(p), PARTITION_OVERHEAD_BYTES + 3 + estimatedRowSizeBytes(r));
  t.equal(estimatedSizeBytes(p), estimatedPartitionSizeBytes(p));
  t.equal(estimatedSizeBytes(r), estimatedRowSizeBytes(r));
  const bigger = partitionUpdate('t', Buffer.from('key'), 1n, { rows: [r, row(Buffer.from([2]), [cell('ab', Buffer.alloc(1000), 1)])] });
  t.ok(estimatedSizeBytes(bigger) > estimatedSizeBytes(p) + 1000, 'grows with the data');
});

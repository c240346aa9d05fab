// The writer's contract (ordering, limits, lifecycle), the statistics it records, empty SSTables,
// the directory helper, and a round trip on the real file system.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealFs, SeededRandom, SimFs } from '../../../src/seams/index.js';
import {
  droppableTombstoneRatio,
  estimatedDroppableTombstones,
  listGenerations,
  SSTableReader,
  SSTableSet,
  SSTableUsageError,
  SSTableWriter,
} from '../../../src/storage/sstable/index.js';
import type { Partition } from '../../../src/storage/model/types.js';
import { FULL_SLICE, LIVE, NO_DELETION_TIME } from '../../../src/storage/model/types.js';
import { canon, randomPartitions } from './model.js';

const DIR = '/data/ks/t-1';

function part(token: bigint, key: string, extra: Partial<Partition> = {}): Partition {
  return { key: Buffer.from(key), token, deletion: LIVE, staticRow: null, rangeTombstones: [], rows: [], ...extra };
}

t.test('the writer rejects partitions out of ring order and rows out of clustering order', async (t) => {
  const cases: Array<[string, Partition[]]> = [
    ['lower token', [part(5n, 'a'), part(4n, 'b')]],
    ['same token, lower key', [part(5n, 'b'), part(5n, 'a')]],
    ['same position twice', [part(5n, 'a'), part(5n, 'a')]],
    ['rows out of order', [part(1n, 'a', { rows: [row('b'), row('a')] })]],
    ['duplicate rows', [part(1n, 'a', { rows: [row('a'), row('a')] })]],
    ['oversized key', [{ ...part(1n, ''), key: Buffer.alloc(70000) }]],
    ['unsafe timestamp', [part(1n, 'a', { deletion: { markedAtMicros: 2 ** 60, localDeletionTimeSec: 5 } })]],
  ];
  for (const [name, parts] of cases) {
    const fs = new SimFs();
    const w = new SSTableWriter(fs, DIR, 1);
    t.throws(() => parts.forEach((p) => w.append(p)), SSTableUsageError, name);
    await t.rejects(w.finish(), { code: 'SSTABLE_USAGE' }, `${name}: a failed writer cannot finish`);
    w.abort();
    t.same(fs.list(DIR), [], `${name}: abort removes the temporary files`);
  }
  const fs = new SimFs();
  const w = new SSTableWriter(fs, DIR, 1);
  w.append(part(1n, 'a'));
  w.append(part(1n, 'b'));
  w.append(part(2n, 'a'));
  (await w.finish()).close();
  t.throws(() => w.append(part(3n, 'a')), { code: 'SSTABLE_USAGE' }, 'no appends after finish');
  t.throws(() => new SSTableWriter(fs, DIR, 1), { code: 'SSTABLE_USAGE' }, 'an existing generation is never overwritten');
  t.throws(() => new SSTableWriter(fs, DIR, 2, { bloomFilterFpChance: 0 }), { code: 'SSTABLE_USAGE' }, 'fp chance must be positive');
});

function row(c: string): Partition['rows'][number] {
  return { clustering: Buffer.from(c), liveness: { timestampMicros: 1, ttlSec: 0, expiresAtSec: NO_DELETION_TIME }, deletion: LIVE, cells: [], complexDeletions: [] };
}

t.test('an empty SSTable is valid and holds nothing', async (t) => {
  const fs = new SimFs();
  const reader = await new SSTableWriter(fs, DIR, 1).finish();
  t.equal(reader.partitionCount, 0);
  t.equal(reader.readPartition(Buffer.from('k'), 0n, FULL_SLICE, 10, false), null);
  t.same(reader.partitionKeys(null, 2n ** 63n - 1n, 10), []);
  t.same([...reader.partitions()], []);
  t.equal(reader.firstPosition, null);
  t.doesNotThrow(() => reader.verify());
});

t.test('statistics count what was written', async (t) => {
  const parts = randomPartitions(new SeededRandom(9), { partitions: 300, wideChance: 0.01, wideRows: [100, 200] });
  const fs = new SimFs();
  const w = new SSTableWriter(fs, DIR, 1);
  for (const p of parts) w.append(p);
  const reader = await w.finish();
  const want = {
    partitionCount: parts.length,
    rowCount: 0,
    staticRowCount: 0,
    cellCount: 0,
    expiringCellCount: 0,
    cellTombstoneCount: 0,
    expiringLivenessCount: 0,
    rowDeletionCount: 0,
    rangeTombstoneCount: 0,
    partitionDeletionCount: 0,
    complexDeletionCount: 0,
  };
  let minTs = Infinity;
  let maxTs = -Infinity;
  let minLdt = NO_DELETION_TIME;
  let maxTomb = -Infinity;
  let liveForever = false;
  const del = (ts: number, ldt: number): void => {
    minTs = Math.min(minTs, ts);
    maxTs = Math.max(maxTs, ts);
    minLdt = Math.min(minLdt, ldt);
    maxTomb = Math.max(maxTomb, ldt);
  };
  for (const p of parts) {
    if (p.deletion !== LIVE) (want.partitionDeletionCount++, del(p.deletion.markedAtMicros, p.deletion.localDeletionTimeSec));
    for (const rt of p.rangeTombstones) (want.rangeTombstoneCount++, del(rt.deletion.markedAtMicros, rt.deletion.localDeletionTimeSec));
    const rows = p.staticRow === null ? p.rows : [p.staticRow, ...p.rows];
    want.rowCount += p.rows.length;
    if (p.staticRow !== null) want.staticRowCount++;
    for (const r of rows) {
      if (r.liveness !== null) {
        minTs = Math.min(minTs, r.liveness.timestampMicros);
        maxTs = Math.max(maxTs, r.liveness.timestampMicros);
        if (r.liveness.ttlSec !== 0) (want.expiringLivenessCount++, del(r.liveness.timestampMicros, r.liveness.expiresAtSec));
        else liveForever = true;
      }
      if (r.deletion !== LIVE) (want.rowDeletionCount++, del(r.deletion.markedAtMicros, r.deletion.localDeletionTimeSec));
      for (const cd of r.complexDeletions) (want.complexDeletionCount++, del(cd.deletion.markedAtMicros, cd.deletion.localDeletionTimeSec));
      for (const c of r.cells) {
        want.cellCount++;
        minTs = Math.min(minTs, c.timestampMicros);
        maxTs = Math.max(maxTs, c.timestampMicros);
        if (c.value === null) (want.cellTombstoneCount++, del(c.timestampMicros, c.localDeletionTimeSec));
        else if (c.ttlSec !== 0) (want.expiringCellCount++, del(c.timestampMicros, c.localDeletionTimeSec));
        else liveForever = true;
      }
    }
  }
  const s = reader.stats;
  for (const [k, v] of Object.entries(want)) t.equal(s[k as keyof typeof want], v, k);
  t.equal(s.minTimestampMicros, minTs, 'min timestamp');
  t.equal(s.maxTimestampMicros, maxTs, 'max timestamp');
  t.equal(s.minLocalDeletionTimeSec, minLdt, 'min local deletion time');
  t.equal(s.maxTombstoneDeletionTimeSec, maxTomb, 'max tombstone deletion time');
  t.ok(liveForever, 'the data set has live data');
  t.equal(s.maxLocalDeletionTimeSec, NO_DELETION_TIME, 'live data makes the max local deletion time "never"');
  const tombstones = want.cellTombstoneCount + want.expiringCellCount + want.expiringLivenessCount + want.rowDeletionCount + want.rangeTombstoneCount + want.partitionDeletionCount + want.complexDeletionCount;
  t.equal(s.tombstoneCount, tombstones, 'tombstone count');
  t.equal(estimatedDroppableTombstones(s, minLdt), 0, 'nothing droppable before the first deletion');
  t.equal(reader.estimatedDroppableTombstones(maxTomb + 1), tombstones, 'everything droppable after the last');
  const mid = reader.estimatedDroppableTombstones(Math.floor((minLdt + maxTomb) / 2));
  t.ok(mid > 0 && mid < tombstones, `an estimate in between (${mid})`);
  const ratio = droppableTombstoneRatio(s, maxTomb + 1);
  t.ok(ratio > 0 && ratio <= 1, `ratio ${ratio}`);
  t.equal(s.dataSizeBytes, fs.size(`${DIR}/rt-1-Data.db`) - 12, 'data size is the partitions in Data.db');
});

t.test('expiring-only data has a finite max local deletion time', async (t) => {
  const fs = new SimFs();
  const w = new SSTableWriter(fs, DIR, 1);
  w.append(
    part(1n, 'a', {
      rows: [
        {
          clustering: Buffer.alloc(0),
          liveness: { timestampMicros: 10, ttlSec: 60, expiresAtSec: 1000 },
          deletion: LIVE,
          cells: [{ column: 'v', path: null, timestampMicros: 10, ttlSec: 60, localDeletionTimeSec: 1000, value: Buffer.from('x') }],
          complexDeletions: [],
        },
      ],
    }),
  );
  const reader = await w.finish();
  t.equal(reader.stats.maxLocalDeletionTimeSec, 1000);
  t.equal(reader.stats.minLocalDeletionTimeSec, 1000);
  t.equal(reader.stats.expiringCellCount, 1);
  t.equal(reader.stats.expiringLivenessCount, 1);
});

t.test('SSTableSet lists, numbers, opens and deletes generations', async (t) => {
  const fs = new SimFs();
  const set = new SSTableSet(fs, DIR);
  t.same(set.openAll(), [], 'an empty or missing directory has no SSTables');
  t.equal(set.nextGeneration(), 1);
  const parts = randomPartitions(new SeededRandom(4), { partitions: 20 });
  for (let i = 0; i < 3; i++) {
    const w = set.newWriter();
    for (const p of parts) w.append(p);
    (await w.finish()).close();
  }
  t.same(set.list().complete, [2, 3, 4], 'generations handed out never repeat');
  fs.mkdirp(DIR);
  fs.create(`${DIR}/unrelated.txt`).close();
  fs.create(`${DIR}/rt-9-tmp-Data.db`).close();
  const fresh = new SSTableSet(fs, DIR);
  t.equal(fresh.nextGeneration(), 10, 'a temporary file counts when numbering');
  const readers = fresh.openAll();
  t.same(
    readers.map((r) => r.generation),
    [2, 3, 4],
  );
  t.notOk(fs.exists(`${DIR}/rt-9-tmp-Data.db`), 'leftovers of incomplete writes are removed');
  t.ok(fs.exists(`${DIR}/unrelated.txt`), 'files that are not SSTables are left alone');
  await readers[1].delete();
  t.same(listGenerations(fs, DIR).complete, [2, 4]);
  t.notOk(
    fs.list(DIR).some((n) => n.startsWith('rt-3-')),
    'delete removes every component',
  );
  const writing = fresh.newWriter();
  writing.append(parts[0]);
  t.same(fresh.removeIncomplete(), [], 'a write in progress is not a leftover');
  (await writing.finish()).close();
});

t.test('round trip on the real file system', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringtail-sstable-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fs = new RealFs();
  const parts = randomPartitions(new SeededRandom(8), { partitions: 300, wideChance: 0.02, wideRows: [300, 600] });
  const w = new SSTableWriter(fs, dir, 1, { rowIndexBlockBytes: 2048, indexInterval: 16 });
  for (const p of parts) w.append(p);
  (await w.finish()).close();
  const [reader] = new SSTableSet(fs, dir).openAll();
  t.ok(
    parts.every((p) => canon(reader.readPartition(p.key, p.token, FULL_SLICE, Infinity, false)) === canon(p)),
    'every partition reads back',
  );
  t.doesNotThrow(() => reader.verify());
  await reader.delete();
  t.same(fs.list(dir), [], 'delete leaves an empty directory');
  t.throws(() => SSTableReader.open(fs, dir, 1), { code: 'SSTABLE_USAGE' }, 'a deleted generation cannot be opened');
});

// Flushes on a worker thread write exactly the SSTables a flush on the event loop writes, and an
// engine flushing that way keeps every write across flushes and reopens.
import t from 'tap';
import type { Test } from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, RealFs, SeededRandom, SimFs } from '../../../src/seams/index.js';
import { xxh64Signed } from '../../../src/hash/index.js';
import { FlushWorker, FlushWorkerError } from '../../../src/storage/flush-worker/index.js';
import { Memtable } from '../../../src/storage/memtable/index.js';
import { COMPONENTS, SSTableReader, SSTableWriter, componentPath } from '../../../src/storage/sstable/index.js';
import { LIVE, NO_DELETION_TIME, StorageEngine } from '../../../src/storage/index.js';
import type { Mutation, TableSpec } from '../../../src/storage/index.js';
import { canon, randomPartitions } from '../sstable/model.js';

function tempDir(t: Test, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ringtail-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

for (const seed of [51, 52, 53]) {
  t.test(`a flush on the worker thread writes the bytes a flush on the event loop writes (seed ${seed})`, async (t) => {
    const r = new SeededRandom(seed);
    // Every part of the data model: partition deletions, static rows, range tombstones, TTLs,
    // complex cells, wide partitions, and the single-row partitions most flushes are made of.
    const parts = randomPartitions(r, { partitions: 400, wideChance: 0.03, wideRows: [200, 400] });
    const memtable = new Memtable();
    for (const p of parts) memtable.apply({ ...p, tableId: 't' });
    const dir = tempDir(t, 'flush-worker');
    const fs = new RealFs();
    const inThread = SSTableWriter.create(fs, dir, 1, { bloomFilterFpChance: 0.01, expectedPartitions: memtable.partitionCount, columns: memtable.columns });
    for (const _ of memtable.writeTo(inThread, 64));
    (await inThread.finish()).close();

    const worker = new FlushWorker();
    t.teardown(() => worker.close());
    await worker.write(dir, 2, 0.01, memtable.flushSnapshot());
    for (const c of COMPONENTS) t.ok(readFileSync(componentPath(dir, 2, c)).equals(readFileSync(componentPath(dir, 1, c))), `${c} is identical`);
    const reader = SSTableReader.open(fs, dir, 2);
    t.doesNotThrow(() => reader.verify(), 'the worker-written SSTable verifies');
    t.same([...reader.partitions()].map(canon), [...memtable.allPartitions()].map(canon), 'and holds the memtable contents');
    reader.close();
    // The memtable is still readable after its snapshot went to the thread (its slabs are shared, not moved).
    t.same([...memtable.allPartitions()].length, memtable.partitionCount, 'the memtable is intact after the flush');
  });
}

t.test('a failed flush on the worker thread rejects with the reason, and the next one works', async (t) => {
  const memtable = new Memtable();
  for (const p of randomPartitions(new SeededRandom(5), { partitions: 20 })) memtable.apply({ ...p, tableId: 't' });
  const worker = new FlushWorker();
  t.teardown(() => worker.close());
  const dir = tempDir(t, 'flush-worker-fail');
  // A directory that cannot exist: a file stands where its parent would be.
  writeFileSync(join(dir, 'file'), 'x');
  const impossible = join(dir, 'file', 'table');
  const err: unknown = await worker.write(impossible, 1, 0.01, memtable.flushSnapshot()).then(() => null, (e: unknown) => e);
  t.type(err, FlushWorkerError, 'a flush into an impossible directory fails');
  t.match((err as Error).message, /ENOTDIR|EEXIST/, 'with the reason');
  t.ok((err as Error).message.includes(join(dir, 'file')), 'and the path');
  await worker.write(dir, 1, 0.01, memtable.flushSnapshot());
  const reader = SSTableReader.open(new RealFs(), dir, 1);
  t.equal(reader.partitionCount, memtable.partitionCount, 'the same worker then writes the SSTable');
  reader.close();
  await worker.close();
  await t.rejects(worker.write(dir, 2, 0.01, memtable.flushSnapshot()), /closed/, 'a closed worker refuses jobs');
});

t.test('flushOnWorkerThread needs the real filesystem', async (t) => {
  await t.rejects(StorageEngine.open({ fs: new SimFs(new SeededRandom(1)), clock: new RealClock(), dataDir: '/data', flushOnWorkerThread: true }), /needs RealFs/);
});

const TABLE: TableSpec = { id: 'f1000000-0000-4000-8000-000000000001', keyspace: 'ks', name: 'flushed', gcGraceSeconds: 864000 };

function put(id: number, ts: number): Mutation {
  const key = Buffer.from(`k${id % 997}`);
  const token = xxh64Signed(key);
  const clustering = Buffer.alloc(5);
  clustering[0] = 0x40;
  clustering.writeUInt32BE(id, 1);
  // Some partitions hold a single row (the flush's fast path), the rest many.
  const rows = id % 997 < 500 && id >= 997 ? [] : [{ clustering, liveness: { timestampMicros: ts, ttlSec: 0, expiresAtSec: NO_DELETION_TIME }, deletion: LIVE, complexDeletions: [], cells: [{ column: 'v', path: null, timestampMicros: ts, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value: Buffer.from(`v${id}`.padEnd(60, '.')) }] }];
  return { keyspace: 'ks', key, token, updates: [{ tableId: TABLE.id, key, token, deletion: LIVE, staticRow: null, rangeTombstones: [], rows }] };
}

t.test('an engine flushing on the worker thread keeps every write across flushes and reopens', async (t) => {
  const dataDir = tempDir(t, 'flush-worker-engine');
  const clock = new RealClock();
  const open = (worker: boolean): Promise<StorageEngine> => StorageEngine.open({ fs: new RealFs(), clock, dataDir, commitlogSync: 'periodic', memtableFlushThresholdBytes: 64 * 1024, flushOnWorkerThread: worker, flushWorkerMinBytes: 0, autoCompaction: false });
  let engine = await open(true);
  await engine.addTable(TABLE);
  const N = 6000;
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    for (let id = next++; id < N; id = next++) await engine.apply(put(id, 1_700_000_000_000_000 + id));
  }));
  await engine.flush();
  const m = engine.metrics();
  t.ok(m.flushes >= 3, `several flushes ran (${m.flushes})`);
  t.equal(m.workerFlushes, m.flushes, 'every one on the worker thread');
  const expected = new Map<string, number>();
  for (let id = 0; id < N; id++) if (!(id % 997 < 500 && id >= 997)) expected.set(`${id % 997}/${id}`, id);
  const readAll = (e: StorageEngine): Map<string, number> => {
    const got = new Map<string, number>();
    const wrong: string[] = [];
    for (const p of e.scan(TABLE.id, { after: null, endToken: (1n << 63n) - 1n }, { nowSec: clock.nowSeconds() })) {
      for (const row of p.rows) {
        const id = row.clustering.readUInt32BE(1);
        if (row.cells[0]?.value?.toString() !== `v${id}`.padEnd(60, '.')) wrong.push(`${id}`);
        got.set(`${p.key.toString().slice(1)}/${id}`, id);
      }
    }
    t.same(wrong, [], 'every row holds its own value');
    return got;
  };
  t.same(readAll(engine), expected, 'every write reads back after the flushes');
  await engine.close();
  engine = await open(false);
  await engine.addTable(TABLE);
  t.same(readAll(engine), expected, 'and after a reopen');
  await engine.close();
});

t.test('small memtables flush on the event loop even with a flush worker', async (t) => {
  const dataDir = tempDir(t, 'flush-worker-small');
  const engine = await StorageEngine.open({ fs: new RealFs(), clock: new RealClock(), dataDir, flushOnWorkerThread: true });
  t.teardown(() => engine.close());
  await engine.addTable(TABLE);
  for (let id = 0; id < 20; id++) await engine.apply(put(id, 1_700_000_000_000_000 + id));
  await engine.flush();
  const m = engine.metrics();
  t.equal(m.flushes, 1, 'one flush');
  t.equal(m.workerFlushes, 0, 'not on the thread: a few kilobytes are quicker to write here than to hand over');
  t.equal(engine.scan(TABLE.id, { after: null, endToken: (1n << 63n) - 1n }, { nowSec: 1_800_000_000 }).length, 20, 'and the data reads back');
});

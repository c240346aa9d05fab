// Corruption is reported with the file and the offset, never skipped silently (DESIGN.md
// invariant 4): a bad record in the middle of the commit log stops the node from starting; a
// flipped byte in an SSTable fails the read that meets it.
import t from 'tap';
import { SeededRandom, SimClock, SimFs } from '../../../src/seams/index.js';
import { xxh64Signed } from '../../../src/hash/index.js';
import { LIVE, NO_DELETION_TIME, StorageEngine } from '../../../src/storage/index.js';
import type { Mutation, TableSpec } from '../../../src/storage/index.js';

const TABLE: TableSpec = { id: '3c9d2b10-0000-4000-8000-000000000004', keyspace: 'ks', name: 'c', gcGraceSeconds: 864000 };

function put(id: number, ts: number): Mutation {
  const key = Buffer.from(`key-${id}`);
  const token = xxh64Signed(key);
  const value = Buffer.alloc(200, id & 0xff);
  return {
    keyspace: 'ks', key, token,
    updates: [{ tableId: TABLE.id, key, token, deletion: LIVE, staticRow: null, rangeTombstones: [], rows: [{ clustering: Buffer.alloc(0), liveness: { timestampMicros: ts, ttlSec: 0, expiresAtSec: NO_DELETION_TIME }, deletion: LIVE, complexDeletions: [], cells: [{ column: 'v', path: null, timestampMicros: ts, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value }] }] }],
  };
}

async function openEngine(fs: SimFs, clock: SimClock, skipCorruptCommitLog = false): Promise<StorageEngine> {
  const engine = await StorageEngine.open({ fs, clock, dataDir: '/data', commitlogSegmentSizeBytes: 4096, skipCorruptCommitLog });
  await engine.addTable(TABLE);
  return engine;
}

t.test('a corrupt record in a non-last commit log segment refuses to start, naming file and offset', async (t) => {
  const fs = new SimFs(new SeededRandom(1));
  const clock = new SimClock();
  const engine = await openEngine(fs, clock);
  for (let i = 0; i < 60; i++) await engine.apply(put(i, clock.nowMicros()));
  await engine.close();
  const segments = fs.list('/data/commitlog').filter((n) => n.endsWith('.log'));
  t.ok(segments.length >= 3, `several segments (${segments.length})`);
  const victim = `/data/commitlog/${segments[0]}`;
  const offset = Math.floor(fs.size(victim) / 2);
  fs.corrupt(victim, offset);
  let failure: (Error & { file?: string; offset?: number }) | null = null;
  try {
    await openEngine(fs, clock);
  } catch (err) {
    failure = err as Error;
  }
  t.ok(failure !== null, 'the engine refuses to start');
  t.equal(failure?.name, 'CommitLogCorruptError');
  t.match(failure?.message ?? '', segments[0], 'names the segment');
  const at = failure?.offset ?? -1;
  t.ok(at >= 0 && at <= offset && offset - at < 300, `offset ${at} is the record holding byte ${offset}`);
  // Told to skip it, the node starts and keeps everything outside the damaged segment's rest.
  const skipping = await openEngine(fs, clock, true);
  const last = skipping.read(TABLE.id, Buffer.from('key-59'), xxh64Signed(Buffer.from('key-59')), { nowSec: clock.nowSeconds() });
  t.ok(last !== null, 'records in later segments are replayed');
  await skipping.close();
});

t.test('a flipped byte in an SSTable fails the read with file and offset', async (t) => {
  const rnd = new SeededRandom(7);
  let detected = 0;
  for (let trial = 0; trial < 20; trial++) {
    const fs = new SimFs(rnd.fork());
    const clock = new SimClock();
    const engine = await openEngine(fs, clock);
    for (let i = 0; i < 40; i++) await engine.apply(put(i, clock.nowMicros()));
    await engine.flush();
    await engine.close();
    const dir = `/data/ks/${fs.list('/data/ks')[0]}`;
    const dataFile = fs.list(dir).find((n) => n.includes('Data'))!;
    const path = `${dir}/${dataFile}`;
    const offset = rnd.int(fs.size(path));
    fs.corrupt(path, offset);
    const reopened = await openEngine(fs, clock);
    const errors: Array<Error & { file?: string; offset?: number }> = [];
    for (let i = 0; i < 40; i++) {
      const key = Buffer.from(`key-${i}`);
      try {
        const p = reopened.read(TABLE.id, key, xxh64Signed(key), { nowSec: clock.nowSeconds() });
        t.ok(p === null || p.rows[0].cells[0].value!.equals(Buffer.alloc(200, i)), `key-${i} reads its own value or fails loudly`);
      } catch (err) {
        errors.push(err as Error);
      }
    }
    t.ok(errors.length > 0, `trial ${trial}: the flipped byte at ${offset} of ${dataFile} was noticed`);
    for (const err of errors) {
      t.equal(err.name, 'SSTableCorruptError');
      t.match(err.message, dataFile);
      t.ok(typeof err.offset === 'number' && err.offset <= offset, 'the offset points at or before the damage');
    }
    if (errors.length > 0) detected++;
    await reopened.close();
  }
  t.equal(detected, 20, 'every flipped byte was detected by some read');
});

t.test('truncate and drop survive a restart without replaying old writes', async (t) => {
  const fs = new SimFs(new SeededRandom(3));
  const clock = new SimClock();
  let engine = await openEngine(fs, clock);
  for (let i = 0; i < 30; i++) await engine.apply(put(i, clock.nowMicros()));
  await engine.flush();
  for (let i = 30; i < 40; i++) await engine.apply(put(i, clock.nowMicros()));
  await engine.truncate(TABLE.id);
  await engine.apply(put(100, clock.nowMicros()));
  await engine.close();
  engine = await openEngine(fs, clock);
  const all = engine.scan(TABLE.id, { after: null, endToken: (1n << 63n) - 1n }, { nowSec: clock.nowSeconds() });
  t.same(all.map((p) => p.key.toString()), ['key-100'], 'only the write after the truncate remains');
  await engine.dropTable(TABLE.id);
  await engine.close();
  engine = await StorageEngine.open({ fs, clock, dataDir: '/data' });
  t.notOk(engine.hasTable(TABLE.id), 'the dropped table is gone');
  t.same(fs.list('/data/ks'), [], 'its directory is deleted');
  await engine.close();
});

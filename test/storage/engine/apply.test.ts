// apply() applies the writes of one commit-log group together and hands them one shared promise:
// each must still be visible once its promise resolves, a refused write must reject (never
// throw), and a failed group must reject every write in it without applying any.
import t from 'tap';
import { SeededRandom, SimClock, SimFs } from '../../../src/seams/index.js';
import type { AppendFile, Fs } from '../../../src/seams/index.js';
import { xxh64Signed } from '../../../src/hash/index.js';
import { LIVE, NO_DELETION_TIME, StorageEngine, UnknownTableError } from '../../../src/storage/index.js';
import type { Mutation, TableSpec } from '../../../src/storage/index.js';

const TABLE: TableSpec = { id: 'a9917000-0000-4000-8000-000000000001', keyspace: 'ks', name: 'apply', gcGraceSeconds: 864000 };

function write(i: number, tableId = TABLE.id): Mutation {
  const key = Buffer.from(`key-${i}`);
  const token = xxh64Signed(key);
  return {
    keyspace: 'ks', key, token,
    updates: [{ tableId, key, token, deletion: LIVE, staticRow: null, rangeTombstones: [], rows: [{ clustering: Buffer.alloc(0), liveness: { timestampMicros: 1000 + i, ttlSec: 0, expiresAtSec: NO_DELETION_TIME }, deletion: LIVE, complexDeletions: [], cells: [{ column: 'v', path: null, timestampMicros: 1000 + i, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value: Buffer.from(`value-${i}`) }] }] }],
  };
}

function readable(engine: StorageEngine, i: number): boolean {
  const m = write(i);
  return engine.read(TABLE.id, m.key, m.token, { nowSec: 0 }) !== null;
}

for (const sync of ['batch', 'periodic'] as const) {
  t.test(`${sync}: every write is readable when its promise resolves, alone or in a crowd`, async (t) => {
    const engine = await StorageEngine.open({ fs: new SimFs(new SeededRandom(1)), clock: new SimClock(), dataDir: '/data', commitlogSync: sync });
    await engine.addTable(TABLE);
    let notVisible = 0;
    const acks = Array.from({ length: 300 }, (_, i) => engine.apply(write(i)).then(() => {
      if (!readable(engine, i)) notVisible++;
    }));
    await Promise.all(acks);
    t.equal(notVisible, 0, 'each write was applied before its acknowledgement');
    await engine.apply(write(1000));
    t.ok(readable(engine, 1000), 'a lone write too');
    await engine.apply(write(1001), false);
    t.ok(readable(engine, 1001), 'and a non-durable one');
    t.equal(engine.metrics().writes, 302, 'every write counted');
    await engine.close();
  });
}

t.test('a refused write rejects instead of throwing', async (t) => {
  const engine = await StorageEngine.open({ fs: new SimFs(), clock: new SimClock(), dataDir: '/data' });
  await engine.addTable(TABLE);
  let p: Promise<void> | null = null;
  t.doesNotThrow(() => {
    p = engine.apply(write(1, 'no-such-table'));
  }, 'no synchronous throw');
  await t.rejects(p!, UnknownTableError);
  await engine.close();
  let q: Promise<void> | null = null;
  t.doesNotThrow(() => {
    q = engine.apply(write(2));
  }, 'nor once closed');
  await t.rejects(q!, /closed/);
});

t.test('when the commit log fails, every write of the group rejects and none is applied', async (t) => {
  const sim = new SimFs(new SeededRandom(2));
  let failSyncs = false;
  const wrap = (f: AppendFile): AppendFile => ({
    get path() {
      return f.path;
    },
    get sizeBytes() {
      return f.sizeBytes;
    },
    write: (d) => f.write(d),
    sync: () => (failSyncs ? Promise.reject(new Error('EIO: injected')) : f.sync()),
    close: () => f.close(),
  });
  const fs: Fs = Object.assign(Object.create(sim) as Fs, {
    create: (p: string) => wrap(sim.create(p)),
    openAppend: (p: string) => wrap(sim.openAppend(p)),
  });
  const engine = await StorageEngine.open({ fs, clock: new SimClock(), dataDir: '/data', commitlogSync: 'batch' });
  await engine.addTable(TABLE);
  await engine.apply(write(0));
  failSyncs = true;
  const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => engine.apply(write(100 + i))));
  t.ok(results.every((r) => r.status === 'rejected'), 'all rejected');
  t.notOk(Array.from({ length: 50 }, (_, i) => readable(engine, 100 + i)).some(Boolean), 'none applied');
  t.ok(readable(engine, 0), 'the write acknowledged before is there');
  t.equal(engine.metrics().writes, 1, 'only the acknowledged write counted');
});

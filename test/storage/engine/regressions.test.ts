// Bugs found by the model-based test, each pinned by a small deterministic scenario.
import t from 'tap';
import { RealClock, SeededRandom, SimClock, SimFs } from '../../../src/seams/index.js';
import { xxh64Signed } from '../../../src/hash/index.js';
import { LIVE, NO_DELETION_TIME, StorageEngine } from '../../../src/storage/index.js';
import type { Cell, Mutation, TableSpec } from '../../../src/storage/index.js';
import type { Fs } from '../../../src/seams/index.js';

const TABLE: TableSpec = { id: '9e1d7a00-0000-4000-8000-000000000005', keyspace: 'ks', name: 'r', gcGraceSeconds: 1 };
const key = Buffer.from('k');
const token = xxh64Signed(key);

function cellWrite(cell: Cell, withLiveness: boolean): Mutation {
  return {
    keyspace: 'ks', key, token,
    updates: [{ tableId: TABLE.id, key, token, deletion: LIVE, staticRow: null, rangeTombstones: [], rows: [{ clustering: Buffer.from([0x40, 1]), liveness: withLiveness ? { timestampMicros: cell.timestampMicros, ttlSec: 0, expiresAtSec: NO_DELETION_TIME } : null, deletion: LIVE, complexDeletions: [], cells: [cell] }] }],
  };
}

t.test('replay does not resurrect data whose tombstone compaction purged', async (t) => {
  // A flush leaves its records in the still-active commit log segment. If replay re-applied them
  // after a compaction purged a tombstone along with the data it shadows, the data would return.
  const fs = new SimFs(new SeededRandom(1));
  const clock = new SimClock();
  const open = async (): Promise<StorageEngine> => {
    const e = await StorageEngine.open({ fs, clock, dataDir: '/data' });
    await e.addTable(TABLE);
    return e;
  };
  let engine = await open();
  const ts = clock.nowMicros();
  // The tombstone arrives first; its segment is gone after a restart (new segment) and a flush.
  await engine.apply(cellWrite({ column: 'a', path: null, timestampMicros: ts + 1000, ttlSec: 0, localDeletionTimeSec: clock.nowSeconds(), value: null }, false));
  await engine.close();
  engine = await open();
  await engine.flush();
  t.equal(fs.list('/data/commitlog').length, 1, 'only the active segment is left');
  // Then older data for the same cell (a late write, e.g. a hint) lands in the active segment.
  await engine.apply(cellWrite({ column: 'a', path: null, timestampMicros: ts, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value: Buffer.from('x') }, false));
  await engine.flush();
  await clock.advance(5000);
  await engine.compact(TABLE.id, true);
  t.equal(engine.metrics().sstableCount, 0, 'the tombstone and the data it shadowed are both purged');
  await engine.close();
  engine = await open();
  t.equal(engine.read(TABLE.id, key, token, { nowSec: clock.nowSeconds() }), null, 'the deleted cell stays deleted after a restart');
  await engine.close();
});

t.test('under periodic sync, flushes keep up with writers that loop on their acknowledgements', async (t) => {
  // Periodic-mode acknowledgements used to be microtasks: 64 in-process writers awaiting them in a
  // loop never let a macrotask run, so a background flush (which yields between partitions) never
  // finished, the periodic fsync never fired, and the memtable grew without bound until the
  // writes stopped. The real clock matters here: on it yieldNow is a macrotask; and memtables must
  // hold more partitions than a flush writes between two yields.
  const fs = new SimFs(new SeededRandom(2));
  const thresholdBytes = 1024 * 1024;
  const engine = await StorageEngine.open({ fs, clock: new RealClock(), dataDir: '/data', commitlogSync: 'periodic', memtableFlushThresholdBytes: thresholdBytes });
  const table: TableSpec = { ...TABLE, id: '9e1d7a00-0000-4000-8000-000000000006', name: 'p', gcGraceSeconds: 864000 };
  await engine.addTable(table);
  const value = Buffer.alloc(100, 7);
  let next = 0;
  let maxMemtableBytes = 0;
  const writes = 24_000;
  await Promise.all(Array.from({ length: 64 }, async () => {
    for (let i = next++; i < writes; i = next++) {
      const k = Buffer.from(`key-${i}`);
      const tk = xxh64Signed(k);
      await engine.apply({
        keyspace: 'ks', key: k, token: tk,
        updates: [{ tableId: table.id, key: k, token: tk, deletion: LIVE, staticRow: null, rangeTombstones: [], rows: [{ clustering: Buffer.alloc(0), liveness: { timestampMicros: 1000 + i, ttlSec: 0, expiresAtSec: NO_DELETION_TIME }, deletion: LIVE, complexDeletions: [], cells: [{ column: 'v', path: null, timestampMicros: 1000 + i, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value }] }] }],
      });
      maxMemtableBytes = Math.max(maxMemtableBytes, engine.metrics().memtableBytes);
    }
  }));
  const m = engine.metrics();
  t.ok(m.flushes >= 2, `flushes ran during the writes (${m.flushes})`);
  t.ok(maxMemtableBytes <= 3 * thresholdBytes, `memtables stayed bounded (${maxMemtableBytes} bytes at most, threshold ${thresholdBytes})`);
  await engine.close();
  const again = await StorageEngine.open({ fs, clock: new RealClock(), dataDir: '/data', commitlogSync: 'periodic' });
  await again.addTable(table);
  let rows = 0;
  for (const p of again.scan(table.id, { after: null, endToken: (1n << 63n) - 1n }, { nowSec: 0 })) rows += p.rows.length;
  t.equal(rows, writes, 'every write is there after a restart');
  await again.close();
});

t.test('no flush starts while close() waits, so none outlives it', async (t) => {
  // A background flush ending while close() waited for the flush chain used to start the next
  // one (its memtables were full again): it then ran after close() resolved, writing SSTables and
  // deleting commit log segments under the next engine opened on the same directory.
  const sim = new SimFs(new SeededRandom(3));
  let closed = false;
  const late: string[] = [];
  const guard = <A extends unknown[], R>(name: string, f: (...a: A) => R) => (...a: A): R => {
    if (closed) late.push(`${name} ${String(a[0])}`);
    return f(...a);
  };
  const fs: Fs = {
    create: guard('create', (p: string) => sim.create(p)),
    openAppend: guard('openAppend', (p: string) => sim.openAppend(p)),
    openRead: guard('openRead', (p: string) => sim.openRead(p)),
    readFile: guard('readFile', (p: string) => sim.readFile(p)),
    exists: (p: string) => sim.exists(p),
    size: (p: string) => sim.size(p),
    list: (d: string) => sim.list(d),
    mkdirp: (d: string) => sim.mkdirp(d),
    rename: guard('rename', (a: string, b: string) => sim.rename(a, b)),
    unlink: guard('unlink', (p: string) => sim.unlink(p)),
    rmrf: guard('rmrf', (d: string) => sim.rmrf(d)),
    syncDir: (d: string) => sim.syncDir(d),
  };
  const clock = new SimClock();
  const engine = await StorageEngine.open({ fs, clock, dataDir: '/data', memtableFlushThresholdBytes: 2048 });
  await engine.addTable(TABLE);
  let n = 0;
  const write = (): Promise<void> => {
    const k = Buffer.from(`k${n++}`);
    const tk = xxh64Signed(k);
    return engine.apply({
      keyspace: 'ks', key: k, token: tk,
      updates: [{ tableId: TABLE.id, key: k, token: tk, deletion: LIVE, staticRow: null, rangeTombstones: [], rows: [{ clustering: Buffer.from([0x40, 1]), liveness: { timestampMicros: 1000 + n, ttlSec: 0, expiresAtSec: NO_DELETION_TIME }, deletion: LIVE, complexDeletions: [], cells: [{ column: 'v', path: null, timestampMicros: 1000 + n, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value: Buffer.alloc(64, 1) }] }] }],
    });
  };
  // Enough to start a background flush; then, once it has switched memtables, enough to fill the
  // next generation while it runs; then close.
  await Promise.all(Array.from({ length: 40 }, write));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  const second = Array.from({ length: 40 }, write);
  await engine.close();
  closed = true;
  await Promise.allSettled(second);
  for (let i = 0; i < 200; i++) await Promise.resolve();
  await clock.advance(60_000);
  t.same(late, [], 'nothing touched the files after close() resolved');
});

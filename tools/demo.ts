// `npm start` until the server lands: a tour of the storage engine in a temporary directory —
// writes, a TTL, a range delete, a flush, a compaction, a restart, and the reads after each.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, RealFs } from '../src/seams/index.js';
import { xxh64Signed } from '../src/hash/index.js';
import { LIVE, NO_DELETION_TIME, StorageEngine } from '../src/storage/index.js';
import type { Mutation, Row, TableSpec } from '../src/storage/index.js';

const TABLE: TableSpec = { id: 'd0000000-0000-4000-8000-00000000demo', keyspace: 'demo', name: 'events', gcGraceSeconds: 864000 };
const clock = new RealClock();
const key = Buffer.from('sensor-1');
const token = xxh64Signed(key);

function at(minute: number): Buffer {
  return Buffer.from([0x40, minute]);
}

function write(minute: number, reading: string, ttlSec = 0): Mutation {
  const ts = clock.nowMicros();
  const nowSec = clock.nowSeconds();
  const row: Row = {
    clustering: at(minute),
    liveness: { timestampMicros: ts, ttlSec, expiresAtSec: ttlSec > 0 ? nowSec + ttlSec : NO_DELETION_TIME },
    deletion: LIVE,
    complexDeletions: [],
    cells: [{ column: 'reading', path: null, timestampMicros: ts, ttlSec, localDeletionTimeSec: ttlSec > 0 ? nowSec + ttlSec : NO_DELETION_TIME, value: Buffer.from(reading) }],
  };
  return { keyspace: TABLE.keyspace, key, token, updates: [{ tableId: TABLE.id, key, token, deletion: LIVE, staticRow: null, rangeTombstones: [], rows: [row] }] };
}

function show(engine: StorageEngine, label: string): void {
  const p = engine.read(TABLE.id, key, token, { nowSec: clock.nowSeconds() });
  const rows = (p?.rows ?? []).map((r) => `${r.clustering[1]}:${r.cells[0]?.value?.toString() ?? '-'}`);
  console.log(`${label.padEnd(44)} ${rows.join('  ') || '(no rows)'}`);
}

const dir = mkdtempSync(join(tmpdir(), 'ringtail-demo-'));
try {
  let engine = await StorageEngine.open({ fs: new RealFs(), clock, dataDir: dir });
  await engine.addTable(TABLE);
  console.log(`Ringtail storage engine demo (data in ${dir})\n`);
  for (let m = 0; m < 6; m++) await engine.apply(write(m, `${20 + m}.0C`));
  show(engine, 'six readings, acknowledged after fsync:');
  await engine.apply(write(6, 'short-lived', 1));
  show(engine, 'a seventh with a 1 s TTL:');
  const ts = clock.nowMicros();
  await engine.apply({ keyspace: TABLE.keyspace, key, token, updates: [{ tableId: TABLE.id, key, token, deletion: LIVE, staticRow: null, rows: [], rangeTombstones: [{ start: at(1), end: at(3), deletion: { markedAtMicros: ts, localDeletionTimeSec: clock.nowSeconds() } }] }] });
  show(engine, 'range delete of minutes [1, 3):');
  await engine.flush();
  await engine.apply(write(0, 'rewritten'));
  await engine.flush();
  show(engine, 'flushed twice, minute 0 rewritten:');
  await engine.close();
  engine = await StorageEngine.open({ fs: new RealFs(), clock, dataDir: dir });
  await engine.addTable(TABLE);
  show(engine, 'after a restart:');
  await clock.sleep(1100);
  show(engine, 'after the TTL ran out:');
  await engine.compact(TABLE.id, true);
  const m = engine.metrics();
  show(engine, `major compaction (${m.sstableCount} SSTable left):`);
  await engine.close();
  console.log('\nThe CQL server arrives with the next issues; `npm test` runs the engine\'s test suite.');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

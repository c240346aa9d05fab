// bench:storage — Ringtail's engine side by side with LevelDB (classic-level, default options) in
// one process, on the same data and disk: 1,000,000 random-order writes of 100-byte values under
// 16-byte keys with 64 in flight; 200,000 random point reads after reopening; a full scan; then
// Ringtail under `batch` commit-log sync with 64 in flight for 10 s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { RealClock, RealFs, SeededRandom } from '../src/seams/index.js';
import { xxh64Signed } from '../src/hash/index.js';
import { LIVE, NO_DELETION_TIME, StorageEngine } from '../src/storage/index.js';
import type { Mutation, TableSpec } from '../src/storage/index.js';

const WRITES = Number(process.env.BENCH_WRITES ?? 1_000_000);
const READS = Number(process.env.BENCH_READS ?? 200_000);
const IN_FLIGHT = 64;
const BATCH_SECONDS = Number(process.env.BENCH_BATCH_SECONDS ?? 10);
const TABLE: TableSpec = { id: 'b0000000-0000-4000-8000-000000000001', keyspace: 'bench', name: 'kv', gcGraceSeconds: 864000 };
const EMPTY = Buffer.alloc(0);

let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);

function makeKeys(n: number, seed: number): Buffer[] {
  const rnd = new SeededRandom(seed);
  const keys: Buffer[] = new Array(n);
  for (let i = 0; i < n; i++) keys[i] = rnd.bytes(16);
  return keys;
}

function mutation(key: Buffer, value: Buffer, ts: number): Mutation {
  const token = xxh64Signed(key);
  return {
    keyspace: TABLE.keyspace, key, token,
    updates: [{
      tableId: TABLE.id, key, token, deletion: LIVE, staticRow: null, rangeTombstones: [],
      rows: [{ clustering: EMPTY, liveness: { timestampMicros: ts, ttlSec: 0, expiresAtSec: NO_DELETION_TIME }, deletion: LIVE, complexDeletions: [], cells: [{ column: 'v', path: null, timestampMicros: ts, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value }] }],
    }],
  };
}

async function inFlight(total: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < total; i = next++) await op(i);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return total / ((performance.now() - start) / 1000);
}

async function openRingtail(dir: string, sync: 'batch' | 'periodic'): Promise<StorageEngine> {
  const engine = await StorageEngine.open({ fs: new RealFs(), clock: new RealClock(), dataDir: dir, commitlogSync: sync, flushOnWorkerThread: process.env.BENCH_FLUSH_THREAD !== '0' });
  await engine.addTable(TABLE);
  return engine;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ringtail-bench-'));
  const clock = new RealClock();
  const keys = makeKeys(WRITES, 42);
  const valueRnd = new SeededRandom(7);
  const values = Array.from({ length: 1024 }, () => valueRnd.bytes(100));
  const readOrder = new SeededRandom(9);
  const readKeys = Array.from({ length: READS }, () => keys[readOrder.int(WRITES)]);
  const rows: Array<[string, string, string]> = [];
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

  try {
    // Writes.
    let engine = await openRingtail(join(root, 'ringtail'), 'periodic');
    const writeOps = await inFlight(WRITES, (i) => engine.apply(mutation(keys[i], values[i & 1023], clock.nowMicros())));
    // Counters are per open engine: read them before closing the one that took the writes.
    const writeMetrics = engine.metrics();
    await engine.close();
    const level = new ClassicLevel<Buffer, Buffer>(join(root, 'leveldb'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await level.open();
    const levelWriteOps = await inFlight(WRITES, (i) => level.put(keys[i], values[i & 1023]));
    await level.close();
    rows.push(['writes (64 in flight)', fmt(writeOps), fmt(levelWriteOps)]);

    // Point reads after reopening both.
    engine = await openRingtail(join(root, 'ringtail'), 'periodic');
    const nowSec = clock.nowSeconds();
    let found = 0;
    const readStart = performance.now();
    for (let i = 0; i < READS; i++) {
      const k = readKeys[i];
      if (engine.read(TABLE.id, k, xxh64Signed(k), { nowSec }) !== null) found++;
    }
    const readOps = READS / ((performance.now() - readStart) / 1000);
    if (found !== READS) throw new Error(`ringtail found ${found} of ${READS} keys`);
    await level.open();
    let levelFound = 0;
    const levelReadOps = await inFlight(READS, async (i) => {
      if ((await level.get(readKeys[i])) !== undefined) levelFound++;
    });
    if (levelFound !== READS) throw new Error(`leveldb found ${levelFound} of ${READS} keys`);
    rows.push(['point reads after reopen', fmt(readOps), fmt(levelReadOps)]);

    // Full scans.
    const scanStart = performance.now();
    let scanned = 0;
    let after: { token: bigint; key: Buffer } | null = null;
    for (;;) {
      const page = engine.scan(TABLE.id, { after, endToken: (1n << 63n) - 1n }, { nowSec, partitionLimit: 5000 });
      scanned += page.length;
      if (page.length < 5000) break;
      after = page[page.length - 1];
    }
    const scanRows = scanned / ((performance.now() - scanStart) / 1000);
    const levelScanStart = performance.now();
    let levelScanned = 0;
    const it = level.iterator();
    for (;;) {
      const entries = await it.nextv(5000);
      if (entries.length === 0) break;
      levelScanned += entries.length;
    }
    await it.close();
    const levelScanRows = levelScanned / ((performance.now() - levelScanStart) / 1000);
    if (scanned !== levelScanned) throw new Error(`scan counts differ: ringtail ${scanned}, leveldb ${levelScanned}`);
    rows.push(['full scan (rows/s)', fmt(scanRows), fmt(levelScanRows)]);
    await level.close();
    const readMetrics = engine.metrics();
    await engine.close();

    // Batch sync for a fixed time.
    const batchEngine = await openRingtail(join(root, 'ringtail-batch'), 'batch');
    const batchKeys = makeKeys(200_000, 43);
    let batchDone = 0;
    const batchEnd = performance.now() + BATCH_SECONDS * 1000;
    const batchStart = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < batchEnd) {
        const i = batchDone++;
        await batchEngine.apply(mutation(batchKeys[i % batchKeys.length], values[i & 1023], clock.nowMicros()));
      }
    }));
    const batchOps = batchDone / ((performance.now() - batchStart) / 1000);
    await batchEngine.close();
    rows.push(['batch-sync writes (64 in flight)', fmt(batchOps), '-']);

    clearInterval(rssTimer);
    console.log(`\nbench:storage — ${fmt(WRITES)} writes, ${fmt(READS)} reads, data in ${root}`);
    const mib = (n: number): string => (n / 1048576).toFixed(0);
    console.log(`ringtail after writes: ${writeMetrics.sstableCount} SSTables, ${mib(writeMetrics.sstableBytes)} MiB, ${writeMetrics.flushes} flushes, ${writeMetrics.compactions} compactions, memtables ${mib(writeMetrics.memtableBytes)} MiB`);
    console.log(`ringtail after reopen: ${readMetrics.sstableCount} SSTables, ${mib(readMetrics.sstableBytes)} MiB, memtables ${mib(readMetrics.memtableBytes)} MiB (replayed)\n`);
    console.log(`${'case'.padEnd(34)}${'ringtail ops/s'.padStart(16)}${'leveldb ops/s'.padStart(16)}${'ratio'.padStart(8)}`);
    for (const [name, ours, theirs] of rows) {
      const ratio = theirs === '-' ? '-' : (Number(ours.replace(/,/g, '')) / Number(theirs.replace(/,/g, ''))).toFixed(2);
      console.log(`${name.padEnd(34)}${ours.padStart(16)}${theirs.padStart(16)}${ratio.padStart(8)}`);
    }
    console.log(`peak RSS ${(peakRss / 1048576).toFixed(0)} MB\n`);
    console.log(JSON.stringify({
      write_ops_s: Math.round(writeOps), read_ops_s: Math.round(readOps), scan_rows_s: Math.round(scanRows), batch_sync_write_ops_s: Math.round(batchOps),
      leveldb_write_ops_s: Math.round(levelWriteOps), leveldb_read_ops_s: Math.round(levelReadOps), leveldb_scan_rows_s: Math.round(levelScanRows),
      peak_rss_mb: Math.round(peakRss / 1048576),
    }));
  } finally {
    clearInterval(rssTimer);
    rmSync(root, { recursive: true, force: true });
  }
}

await main();

// A scan merges the sources' cursors (memtables, SSTables) instead of looking every key up in
// every source; whatever the data, it must answer exactly what point reads of the same keys, in
// ring order, under the same query and limits, answer.
import t from 'tap';
import { SeededRandom, SimClock, SimFs } from '../../../src/seams/index.js';
import { StorageEngine } from '../../../src/storage/index.js';
import type { LivePartition, Partition, PartitionPosition, ReadQuery, ScanQuery, TableSpec } from '../../../src/storage/index.js';
import { comparePositions } from '../../../src/storage/model/types.js';
import { posString, randomPartitions, randomSlice } from '../sstable/model.js';

const TABLE: TableSpec = { id: '5ca40000-0000-4000-8000-000000000001', keyspace: 'ks', name: 'scan', gcGraceSeconds: 864000, compaction: { enabled: false } };
const MAX_TOKEN = (1n << 63n) - 1n;

function canonLive(p: LivePartition | null): string {
  if (p === null) return 'null';
  const row = (r: LivePartition['rows'][number]): unknown => [r.clustering.toString('hex'), r.liveness?.timestampMicros ?? null, r.cells.map((c) => [c.column, c.path?.toString('hex') ?? null, c.timestampMicros, c.value?.toString('hex') ?? null])];
  return JSON.stringify({ k: p.key.toString('hex'), t: p.token.toString(), s: p.staticRow === null ? null : row(p.staticRow), rows: p.rows.map(row) });
}

function diffTail(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `rows ${JSON.parse(a || '{"rows":[]}').rows.length} vs ${JSON.parse(b || '{"rows":[]}').rows.length}; from char ${i}: ${a.slice(Math.max(0, i - 80), i + 200)}\n want ${b.slice(Math.max(0, i - 80), i + 200)}`;
}

/**
 * Real clusterings are prefix-free (every full clustering of a table has all its components, each
 * encoded self-delimiting): the read path resumes after a clustering c at c + 0xff, which skips
 * any c + x with x < 0xff. The generator's clusterings are arbitrary bytes, so they are mapped to
 * 8 fixed-width bytes (padded, then the length), which keeps their order.
 */
function prefixFree(p: Partition): Partition {
  const fix = (c: Buffer): Buffer => {
    const out = Buffer.alloc(8);
    c.copy(out, 0, 0, 7);
    out[7] = c.length;
    return out;
  };
  return { ...p, rows: p.rows.map((r) => ({ ...r, clustering: fix(r.clustering) })) };
}

/** The scan as point reads define it. */
function expectedScan(engine: StorageEngine, positions: readonly PartitionPosition[], after: PartitionPosition | null, endToken: bigint, query: ScanQuery): string[] {
  const out: string[] = [];
  let rowsLeft = query.totalRowLimit ?? Infinity;
  for (const pos of positions) {
    if (after !== null && comparePositions(pos, after) <= 0) continue;
    if (pos.token > endToken) break;
    const q: ReadQuery = { ...query, limit: Math.min(query.limit ?? Infinity, rowsLeft) };
    const p = engine.read(TABLE.id, pos.key, pos.token, q);
    if (p === null) continue;
    out.push(canonLive(p));
    rowsLeft -= p.rows.length;
    if (out.length >= (query.partitionLimit ?? Infinity) || rowsLeft <= 0) break;
  }
  return out;
}

t.test('scans over memtables and overlapping SSTables answer as point reads do', async (t) => {
  for (const seed of [1, 2, 3]) {
    const rnd = new SeededRandom(seed);
    const fs = new SimFs(rnd.fork());
    const clock = new SimClock();
    const engine = await StorageEngine.open({ fs, clock, dataDir: '/data', commitlogSync: 'batch' });
    await engine.addTable(TABLE);
    // Rounds of partitions, some at positions of earlier rounds; a flush between rounds, the last
    // round left in the memtable.
    const byPos = new Map<string, PartitionPosition>();
    let earlier: Partition[] = [];
    for (let round = 0; round < 4; round++) {
      const fresh = randomPartitions(rnd, { partitions: 120, wideChance: 0.03, wideRows: [1200, 2400] }).map(prefixFree);
      const reused = earlier.filter(() => rnd.int(3) === 0).map((p) => ({ ...prefixFree(randomPartitions(rnd, { partitions: 1 })[0]), key: p.key, token: p.token }));
      for (const p of [...fresh, ...reused]) {
        byPos.set(posString(p), { token: p.token, key: p.key });
        await engine.apply({ keyspace: 'ks', key: p.key, token: p.token, updates: [{ ...p, tableId: TABLE.id }] });
      }
      earlier = fresh;
      if (round < 3) await engine.flush();
    }
    t.ok(engine.metrics().sstableCount >= 3, `several SSTables (${engine.metrics().sstableCount})`);
    const positions = [...byPos.values()].sort(comparePositions);
    const nowSec = 1_705_000_000;
    let mismatches = 0;
    let first = '';
    for (let i = 0; i < 300; i++) {
      const after = rnd.int(3) === 0 ? null : rnd.int(2) === 0 ? positions[rnd.int(positions.length)] : { token: rnd.bytes(8).readBigInt64BE(0), key: rnd.bytes(2) };
      const endToken = rnd.int(3) === 0 ? MAX_TOKEN : rnd.bytes(8).readBigInt64BE(0);
      const query: ScanQuery = {
        nowSec,
        ...(rnd.int(3) === 0 ? { slices: [randomSlice(rnd, undefined)].map((s) => (Buffer.compare(s.start, s.end) <= 0 ? s : { start: s.end, end: s.start })) } : {}),
        ...(rnd.int(3) === 0 ? { reversed: true } : {}),
        ...(rnd.int(2) === 0 ? { limit: 1 + rnd.int(40) } : {}),
        ...(rnd.int(2) === 0 ? { partitionLimit: 1 + rnd.int(60) } : {}),
        ...(rnd.int(3) === 0 ? { totalRowLimit: 1 + rnd.int(400) } : {}),
      };
      const got = engine.scan(TABLE.id, { after, endToken }, query).map(canonLive);
      const want = expectedScan(engine, positions, after, endToken, query);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches++;
        const at = got.findIndex((g, k) => g !== want[k]);
        if (first === '') first = `seed ${seed} query ${i} ${JSON.stringify(query, (_k, v) => (typeof v === 'bigint' ? v.toString() : v?.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v))}: got ${got.length} partitions, want ${want.length}; first difference at ${at}\n got  ${diffTail(got[at] ?? '', want[at] ?? '')}`;
      }
    }
    t.equal(mismatches, 0, `seed ${seed}: every scan equals its point reads ${first}`);
    // A whole-table scan in pages, as a driver pages.
    const paged: string[] = [];
    let after: PartitionPosition | null = null;
    for (;;) {
      const page = engine.scan(TABLE.id, { after, endToken: MAX_TOKEN }, { nowSec, partitionLimit: 7 });
      paged.push(...page.map(canonLive));
      if (page.length < 7) break;
      after = page[page.length - 1];
    }
    t.same(paged, expectedScan(engine, positions, null, MAX_TOKEN, { nowSec }), `seed ${seed}: paging through the table sees every live partition once`);
    await engine.close();
  }
});

// The memtable keeps rows encoded: it must still read exactly as the partitions written into it,
// whatever the slice, limit and direction, merge overwrites by reconciliation, and order keys.
import t from 'tap';
import v8 from 'node:v8';
import vm from 'node:vm';
import { SeededRandom } from '../../../src/seams/index.js';
import { Memtable } from '../../../src/storage/memtable/index.js';
import { mergePartitions, normalizeRangeTombstones } from '../../../src/storage/model/index.js';
import type { Partition, PartitionPosition } from '../../../src/storage/model/types.js';
import { FULL_SLICE, LIVE, NO_DELETION_TIME } from '../../../src/storage/model/types.js';
import { canon, expectedKeys, expectedRead, posString, randomMaxRows, randomPartitions, randomSlice } from '../sstable/model.js';

t.test('reads of random partitions, slices and limits equal the partitions written', async (t) => {
  const r = new SeededRandom(51);
  // The memtable keeps range tombstones in their canonical order (sources only promise "by start").
  const parts = randomPartitions(r, { partitions: 600, wideChance: 0.02, wideRows: [100, 300] }).map((p) => ({ ...p, rangeTombstones: normalizeRangeTombstones(p.rangeTombstones) }));
  const m = new Memtable();
  // Applied in random order: the table must still come out in ring order.
  for (const p of [...parts].sort(() => r.int(3) - 1)) m.apply({ ...p, tableId: 't' });
  t.equal(m.partitionCount, parts.length);
  let mismatches = 0;
  let first = '';
  for (const p of parts) {
    for (let i = 0; i < 6; i++) {
      const slice = i === 0 ? FULL_SLICE : randomSlice(r, p);
      const maxRows = i === 0 ? Infinity : randomMaxRows(r);
      const fromEnd = r.int(2) === 0;
      const got = m.readPartition(p.key, p.token, slice, maxRows, fromEnd);
      const want = expectedRead(p, slice, maxRows, fromEnd);
      if (canon(got) !== canon(want)) {
        mismatches++;
        if (first === '') first = `${posString(p)}\n got  ${canon(got).slice(0, 400)}\n want ${canon(want).slice(0, 400)}`;
      }
    }
  }
  t.equal(mismatches, 0, `every read equals the input ${first}`);
  t.same([...m.allPartitions()].map(canon), parts.map(canon), 'iteration is the input in ring order');
  for (let i = 0; i < 200; i++) {
    const after: PartitionPosition | null = i % 3 === 0 ? null : i % 3 === 1 ? parts[r.int(parts.length)] : { token: r.bytes(8).readBigInt64BE(0), key: r.bytes(2) };
    const endToken = i % 4 === 0 ? 2n ** 63n - 1n : r.bytes(8).readBigInt64BE(0);
    const limit = [1, 7, 100000][i % 3];
    t.same(m.partitionKeys(after, endToken, limit).map(posString), expectedKeys(parts, after, endToken, limit), `keys after ${after === null ? 'start' : posString(after)}`);
  }
  t.equal(m.readPartition(Buffer.from('absent'), parts[0].token, FULL_SLICE, Infinity, false), null, 'an absent key reads null, even on a used token');
});

t.test('writes to the same partition merge as reconciliation says', async (t) => {
  const r = new SeededRandom(52);
  const base = randomPartitions(r, { partitions: 60, wideChance: 0.05, wideRows: [80, 120] });
  const m = new Memtable();
  const expected = new Map<string, Partition>();
  for (let round = 0; round < 4; round++) {
    // Each round writes new random contents to the same positions.
    const again = randomPartitions(new SeededRandom(1000 + round), { partitions: 60, wideChance: 0.05, wideRows: [80, 120] });
    for (let i = 0; i < base.length; i++) {
      const u: Partition = { ...again[i], key: base[i].key, token: base[i].token };
      m.apply({ ...u, tableId: 't' });
      const id = posString(u);
      const prev = expected.get(id);
      expected.set(id, prev === undefined ? u : mergePartitions(prev, u));
    }
  }
  let mismatches = 0;
  for (const p of expected.values()) {
    const got = m.readPartition(p.key, p.token, FULL_SLICE, Infinity, false);
    // Range tombstones: the memtable keeps one canonical list; compare them as sets.
    if (canon(got === null ? null : { ...got, rangeTombstones: [] }) !== canon({ ...p, rangeTombstones: [] })) mismatches++;
    const rts = (x: Partition | null): string[] => (x?.rangeTombstones ?? []).map((rt) => `${rt.start.toString('hex')}-${rt.end.toString('hex')}-${rt.deletion.markedAtMicros}-${rt.deletion.localDeletionTimeSec}`).sort();
    if (JSON.stringify([...new Set(rts(got))]) !== JSON.stringify([...new Set(rts(p))])) mismatches++;
  }
  t.equal(mismatches, 0, 'every partition is the reconciliation of what was written to it');
  t.ok(m.sizeBytes > 0, 'the memtable accounts for what it holds');
});

t.test('the accounted size is what the memtable really holds', async (t) => {
  // The flush threshold is about memory: if the account were low, memtables would take far more
  // than the threshold says (the old per-object estimates said 405 bytes for ~735 held).
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const r = new SeededRandom(53);
  const n = 100_000;
  const keys = Array.from({ length: n }, () => r.bytes(16));
  const value = r.bytes(100);
  const held = (): number => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = held();
  const m = new Memtable();
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    m.apply({ tableId: 't', key, token: key.readBigInt64BE(0), deletion: LIVE, staticRow: null, rangeTombstones: [], rows: [{ clustering: Buffer.alloc(0), liveness: { timestampMicros: 1e15 + i, ttlSec: 0, expiresAtSec: NO_DELETION_TIME }, deletion: LIVE, complexDeletions: [], cells: [{ column: 'v', path: null, timestampMicros: 1e15 + i, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value }] }] });
  }
  m.partitionKeys(null, 0n, 1); // puts the partitions in ring order, as a flush or a scan does
  const real = held() - before;
  t.ok(keys.length === n && m.sizeBytes > 0.8 * real && m.sizeBytes < 1.25 * real, `accounted ${m.sizeBytes} bytes, held ${real}`);
});

// The bloom filter never forgets a written key, and its measured false-positive rate on keys
// never written stays near the configured bloom_filter_fp_chance.
import t from 'tap';
import { SeededRandom, SimFs } from '../../../src/seams/index.js';
import { SSTableWriter } from '../../../src/storage/sstable/index.js';
import { xxh64Signed } from '../../../src/hash/index.js';
import { comparePositions, FULL_SLICE, LIVE } from '../../../src/storage/model/types.js';
import type { Partition } from '../../../src/storage/model/types.js';

function keyOf(i: number, salt: number): Buffer {
  const k = Buffer.alloc(12);
  k.writeUInt32BE(salt, 0);
  k.writeUInt32BE(i, 4);
  k.writeUInt32BE(i ^ 0x5bd1e995, 8);
  return k;
}

function partitions(n: number): Partition[] {
  const out: Partition[] = [];
  for (let i = 0; i < n; i++) {
    const key = keyOf(i, 1);
    out.push({ key, token: xxh64Signed(key), deletion: LIVE, staticRow: null, rangeTombstones: [], rows: [] });
  }
  return out.sort(comparePositions);
}

for (const fpChance of [0.01, 0.1, 0.001]) {
  t.test(`measured false-positive rate is near ${fpChance}`, async (t) => {
    const fs = new SimFs(new SeededRandom(1));
    const parts = partitions(20_000);
    const w = new SSTableWriter(fs, '/d', 1, { bloomFilterFpChance: fpChance });
    for (const p of parts) w.append(p);
    const reader = await w.finish();
    t.ok(
      parts.every((p) => reader.mayContain(p.key)),
      'no false negatives',
    );
    const probes = 200_000;
    let fp = 0;
    for (let i = 0; i < probes; i++) if (reader.mayContain(keyOf(i, 2))) fp++;
    const rate = fp / probes;
    t.ok(rate >= fpChance / 2 && rate <= fpChance * 2, `rate ${rate} within 2x of ${fpChance}`);
    // A false positive still reads as absent: the index has the last word.
    const absent = keyOf(7, 3);
    t.equal(reader.readPartition(absent, xxh64Signed(absent), FULL_SLICE, 1, false), null);
    reader.close();
  });
}

// The bloom filter never forgets a written key, and its measured false-positive rate on keys
// never written stays near the configured bloom_filter_fp_chance.
import t from 'tap';
import { SeededRandom, SimFs } from '../../../src/seams/index.js';
import { SSTableWriter } from '../../../src/storage/sstable/index.js';
import { xxh64, xxh64Signed } from '../../../src/hash/index.js';
import { BloomFilter } from '../../../src/storage/sstable/bloom.js';
import { ByteWriter, fileHeader, sealWholeFile } from '../../../src/storage/sstable/bytes.js';
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
      parts.every((p) => reader.mayContain(p.key, p.token)),
      'no false negatives',
    );
    const probes = 200_000;
    let fp = 0;
    for (let i = 0; i < probes; i++) {
      const k = keyOf(i, 2);
      if (reader.mayContain(k, xxh64Signed(k))) fp++;
    }
    const rate = fp / probes;
    t.ok(rate >= fpChance / 2 && rate <= fpChance * 2, `rate ${rate} within 2x of ${fpChance}`);
    // A false positive still reads as absent: the index has the last word.
    const absent = keyOf(7, 3);
    t.equal(reader.readPartition(absent, xxh64Signed(absent), FULL_SLICE, 1, false), null);
    reader.close();
  });
}

t.test('classic (unblocked) filters written before blocked ones still read', async (t) => {
  // Filter.db "RTBF": probe i tests bit (h1 + i * h2) mod bitCount, h1/h2 the words of xxh64.
  const keys = Array.from({ length: 500 }, (_, i) => keyOf(i, 9));
  const bitCount = 5000;
  const hashCount = 7;
  const bits = new Uint8Array(Math.ceil(bitCount / 8));
  for (const k of keys) {
    const h = xxh64(k);
    const h1 = Number(h & 0xffffffffn);
    const h2 = Number(h >> 32n);
    for (let i = 0; i < hashCount; i++) {
      const b = (h1 + i * h2) % bitCount;
      bits[b >>> 3] |= 1 << (b & 7);
    }
  }
  const w = new ByteWriter(1024);
  w.bytes(fileHeader('RTBF'));
  w.u8(hashCount);
  w.u48(bitCount);
  w.bytes(bits);
  sealWholeFile(w);
  const filter = BloomFilter.decode(Buffer.from(w.buf.subarray(0, w.pos)), '/x/Filter.db');
  t.ok(keys.every((k) => filter.mayContain(k, 0n)), 'no false negatives (classic filters hash the key, not the token)');
  let fp = 0;
  for (let i = 0; i < 20_000; i++) if (filter.mayContain(keyOf(i, 10), 0n)) fp++;
  t.ok(fp < 20_000 * 0.05, `few false positives (${fp})`);
});

t.test('the filter hashes tokens: shared and sequential tokens are never missed, and still spread', async (t) => {
  // Blocked filters reuse the partitioner's token (already a hash of the key). Keys sharing a
  // token share their bits (false positives only); structured tokens are mixed before use.
  const fs = new SimFs(new SeededRandom(2));
  const parts: Partition[] = [];
  for (let i = 0; i < 5000; i++) parts.push({ key: keyOf(i, 4), token: BigInt(i >> 2), deletion: LIVE, staticRow: null, rangeTombstones: [], rows: [] });
  parts.sort(comparePositions);
  const w = new SSTableWriter(fs, '/d', 1, { bloomFilterFpChance: 0.01 });
  for (const p of parts) w.append(p);
  const reader = await w.finish();
  t.ok(parts.every((p) => reader.mayContain(p.key, p.token)), 'no false negatives');
  let fp = 0;
  for (let i = 0; i < 20_000; i++) if (reader.mayContain(keyOf(i, 5), BigInt(5000 + i))) fp++;
  t.ok(fp / 20_000 < 0.03, `sequential tokens spread over the filter (false positives ${fp / 20_000})`);
  reader.close();
});

// An SSTable answers every read exactly as the in-memory partitions it was written from would
// (model.ts computes those answers): point reads with random slices and limits, absent keys,
// token-range key scans, the full sequential iteration, and verify() on an intact file.
import t from 'tap';
import { SeededRandom, SimFs } from '../../../src/seams/index.js';
import { SSTableReader, SSTableWriter, type SSTableWriterOptions } from '../../../src/storage/sstable/index.js';
import type { Partition, PartitionPosition } from '../../../src/storage/model/types.js';
import { END_UNBOUNDED, FULL_SLICE } from '../../../src/storage/model/types.js';
import { canon, expectedKeys, expectedRead, posString, randomMaxRows, randomPartitions, randomSlice } from './model.js';

const DIR = '/data/ks/t-1';

async function writeAll(fs: SimFs, parts: Partition[], options: SSTableWriterOptions, generation = 1): Promise<SSTableReader> {
  const w = new SSTableWriter(fs, DIR, generation, options);
  for (const p of parts) w.append(p);
  return w.finish();
}

interface Variant {
  name: string;
  seed: number;
  partitions: number;
  wideChance: number;
  wideRows?: [number, number];
  options: SSTableWriterOptions;
}

const variants: Variant[] = [
  { name: 'small index blocks, 1 KiB row blocks', seed: 11, partitions: 400, wideChance: 0.02, options: { indexInterval: 4, rowIndexBlockBytes: 1024 } },
  { name: 'default options', seed: 12, partitions: 300, wideChance: 0.01, wideRows: [2500, 4000], options: {} },
  { name: 'one partition per index block, tiny row blocks', seed: 13, partitions: 150, wideChance: 0.03, wideRows: [1000, 2000], options: { indexInterval: 1, rowIndexBlockBytes: 200 } },
];

for (const v of variants) {
  t.test(`random partitions read back as written (${v.name}, seed ${v.seed})`, async (t) => {
    const r = new SeededRandom(v.seed);
    const parts = randomPartitions(r, { partitions: v.partitions, wideChance: v.wideChance, wideRows: v.wideRows });
    const fs = new SimFs(new SeededRandom(v.seed));
    const reader = await writeAll(fs, parts, v.options);
    const byKey = new Map(parts.map((p) => [posString(p), p]));
    const wide = parts.filter((p) => p.rows.length > 1000).length;
    t.ok(wide > 0, `the data set has wide partitions (${wide})`);

    let reads = 0;
    let mismatches = 0;
    let firstMismatch = '';
    const check = (what: string, got: Partition | null, want: Partition | null): void => {
      reads++;
      if (canon(got) !== canon(want)) {
        mismatches++;
        if (firstMismatch === '') firstMismatch = `${what}\n got  ${canon(got).slice(0, 600)}\n want ${canon(want).slice(0, 600)}`;
      }
    };
    for (const p of parts) {
      check(`full read of ${posString(p)}`, reader.readPartition(p.key, p.token, FULL_SLICE, Number.POSITIVE_INFINITY, false), p);
      const tries = p.rows.length > 1000 ? 30 : 5;
      for (let i = 0; i < tries; i++) {
        const slice = randomSlice(r, p);
        const maxRows = randomMaxRows(r);
        const fromEnd = r.int(2) === 0;
        const what = `seed ${v.seed}: ${posString(p)} slice [${slice.start.toString('hex')}, ${slice.end.toString('hex')}) max ${maxRows} fromEnd ${fromEnd}`;
        check(what, reader.readPartition(p.key, p.token, slice, maxRows, fromEnd), expectedRead(p, slice, maxRows, fromEnd));
      }
    }
    t.equal(mismatches, 0, `every read equals the model (${reads} reads) ${firstMismatch}`);

    let absentFound = 0;
    for (let i = 0; i < 300; i++) {
      const near = parts[r.int(parts.length)];
      const key = r.bytes(1 + r.int(24));
      const token = i % 2 === 0 ? near.token : r.bytes(8).readBigInt64BE(0);
      if (byKey.has(posString({ token, key }))) continue;
      if (reader.readPartition(key, token, FULL_SLICE, 10, false) !== null) absentFound++;
    }
    t.equal(absentFound, 0, 'keys never written read as null, even when their token exists');

    let keyMismatches = 0;
    let firstKeyMismatch = '';
    for (let i = 0; i < 200; i++) {
      let after: PartitionPosition | null = null;
      const c = r.int(4);
      if (c === 1) after = parts[r.int(parts.length)];
      else if (c === 2) after = { token: r.bytes(8).readBigInt64BE(0), key: r.bytes(3) };
      else if (c === 3) after = { token: parts[r.int(parts.length)].token, key: r.bytes(r.int(3)) };
      const endToken = r.int(4) === 0 ? 2n ** 63n - 1n : r.bytes(8).readBigInt64BE(0);
      const limit = [0, 1, 5, 40, 100000][r.int(5)];
      const got = reader.partitionKeys(after, endToken, limit).map(posString);
      const want = expectedKeys(parts, after, endToken, limit);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        keyMismatches++;
        if (firstKeyMismatch === '') firstKeyMismatch = `after ${after === null ? 'null' : posString(after)} end ${endToken} limit ${limit}: got ${got.length}, want ${want.length}`;
      }
    }
    t.equal(keyMismatches, 0, `partitionKeys matches the sorted input (seed ${v.seed}) ${firstKeyMismatch}`);

    const all = [...reader.partitions()];
    t.equal(all.length, parts.length, 'iteration yields every partition');
    t.ok(
      all.every((p, i) => canon(p) === canon(parts[i])),
      'iteration yields the input, in order',
    );
    t.doesNotThrow(() => reader.verify(), 'verify passes on an intact SSTable');

    t.equal(reader.stats.partitionCount, parts.length);
    t.equal(reader.stats.rowCount, parts.reduce((n, p) => n + p.rows.length, 0));
    t.equal(reader.stats.cellCount, parts.reduce((n, p) => n + p.rows.reduce((m, row) => m + row.cells.length, 0) + (p.staticRow?.cells.length ?? 0), 0));
    t.equal(reader.stats.minToken, parts[0].token);
    t.equal(reader.stats.maxToken, parts[parts.length - 1].token);
    reader.close();
  });
}

t.test('a reopened SSTable reads the same as the one finish() returned', async (t) => {
  const r = new SeededRandom(21);
  const parts = randomPartitions(r, { partitions: 200, wideChance: 0.02, wideRows: [500, 800] });
  const fs = new SimFs(new SeededRandom(21));
  const first = await writeAll(fs, parts, { indexInterval: 8, rowIndexBlockBytes: 2048 });
  first.close();
  const reader = SSTableReader.open(fs, DIR, 1);
  t.ok(
    parts.every((p) => canon(reader.readPartition(p.key, p.token, FULL_SLICE, Infinity, false)) === canon(p)),
    'every partition reads back after reopening',
  );
  t.ok(reader.sizeBytes > 0 && reader.sizeBytes === fs.totalBytes(), 'sizeBytes counts every component');
  t.throws(() => {
    reader.close();
    reader.readPartition(parts[0].key, parts[0].token, FULL_SLICE, 1, false);
  }, { code: 'SSTABLE_USAGE' }, 'a closed reader refuses reads');
});

t.test('a slice of a wide partition reads only the row blocks it needs', async (t) => {
  const r = new SeededRandom(31);
  const parts = randomPartitions(r, { partitions: 20, wideChance: 0.25, wideRows: [3000, 3500] });
  const sim = new SimFs(new SeededRandom(31));
  let bytesRead = 0;
  let reads = 0;
  // Counts the bytes every read handle returns.
  const counting = Object.create(sim) as SimFs;
  counting.openRead = (path: string) => {
    const f = sim.openRead(path);
    return {
      path: f.path,
      sizeBytes: f.sizeBytes,
      read: (pos: number, len: number) => {
        reads++;
        const b = f.read(pos, len);
        bytesRead += b.length;
        return b;
      },
      close: () => f.close(),
    };
  };
  const w = new SSTableWriter(counting, DIR, 1, { rowIndexBlockBytes: 1024 });
  for (const p of parts) w.append(p);
  const reader = await w.finish();
  const wide = parts.filter((p) => p.rows.length >= 3000);
  t.ok(wide.length > 0, 'there are wide partitions');
  for (const p of wide) {
    const partitionBytes = [...p.rows].reduce((n, row) => n + row.clustering.length + row.cells.reduce((m, c) => m + (c.value?.length ?? 0), 0), 0);
    for (const fromEnd of [false, true]) {
      const mid = p.rows[Math.floor(p.rows.length / 2)].clustering;
      bytesRead = 0;
      reads = 0;
      const got = reader.readPartition(p.key, p.token, { start: mid, end: END_UNBOUNDED }, 3, fromEnd);
      t.equal(canon(got), canon(expectedRead(p, { start: mid, end: END_UNBOUNDED }, 3, fromEnd)), 'the slice is right');
      t.ok(reads <= 5, `${reads} reads: index block, row index, header, one or two row blocks`);
      t.ok(bytesRead < partitionBytes / 5, `read ${bytesRead} bytes of a ${partitionBytes}-byte partition (fromEnd ${fromEnd})`);
    }
  }
});

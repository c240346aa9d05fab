// Rows handed to the writer as bytes — a memtable flush (appendEncoded) or a compaction copying a
// partition as it is stored (appendCopy) — must give the SSTable that handing them over as
// objects gives: the same contents, the same statistics, and for a copy the same bytes.
import t from 'tap';
import { SeededRandom, SimFs } from '../../../src/seams/index.js';
import { Memtable } from '../../../src/storage/memtable/index.js';
import { SSTableWriter, SSTableUsageError, COMPONENTS, componentPath } from '../../../src/storage/sstable/index.js';
import type { SSTableWriterOptions } from '../../../src/storage/sstable/index.js';
import type { EncodedPartition } from '../../../src/storage/sstable/data-format.js';
import { canon, randomPartitions } from './model.js';

const DIR = '/data/ks/t-1';
const variants: Array<{ seed: number; options: SSTableWriterOptions }> = [
  { seed: 41, options: {} },
  { seed: 42, options: { indexInterval: 3, rowIndexBlockBytes: 700 } },
  { seed: 43, options: { indexInterval: 1, rowIndexBlockBytes: 150 } },
];

for (const v of variants) {
  t.test(`a flush of encoded memtable rows equals appending the same partitions as objects (seed ${v.seed})`, async (t) => {
    const r = new SeededRandom(v.seed);
    const parts = randomPartitions(r, { partitions: 250, wideChance: 0.03, wideRows: [200, 400] });
    const memtable = new Memtable();
    for (const p of parts) memtable.apply({ ...p, tableId: 't' });
    const fs = new SimFs(new SeededRandom(v.seed));
    const objects = new SSTableWriter(fs, DIR, 1, v.options);
    for (const p of memtable.allPartitions()) objects.append(p);
    const a = await objects.finish();
    const encoded = new SSTableWriter(fs, DIR, 2, { ...v.options, columns: memtable.columns });
    for (const p of memtable.encodedPartitions()) encoded.appendEncoded(p);
    const b = await encoded.finish();
    t.same(b.stats, a.stats, 'the same statistics');
    const fromA = [...a.partitions()].map(canon);
    const fromB = [...b.partitions()].map(canon);
    t.same(fromB, fromA, 'the same partitions');
    t.same(fromA, [...memtable.allPartitions()].map(canon), 'which are the memtable contents');
    t.doesNotThrow(() => b.verify());
    // Memtable.writeTo, the flush's way (single-row partitions through appendOneRow), writes
    // exactly those bytes.
    const flushed = new SSTableWriter(fs, DIR, 3, { ...v.options, columns: memtable.columns });
    for (const _ of memtable.writeTo(flushed, 7));
    (await flushed.finish()).close();
    for (const c of COMPONENTS) t.ok(fs.readFile(componentPath(DIR, 3, c)).equals(fs.readFile(componentPath(DIR, 2, c))), `writeTo: ${c} is identical`);
    a.close();
    b.close();
  });

  t.test(`copying stored partitions as bytes rebuilds the SSTable byte for byte (seed ${v.seed})`, async (t) => {
    const r = new SeededRandom(v.seed + 100);
    const parts = randomPartitions(r, { partitions: 250, wideChance: 0.03, wideRows: [200, 400] });
    const fs = new SimFs(new SeededRandom(v.seed));
    const w = new SSTableWriter(fs, DIR, 1, v.options);
    for (const p of parts) w.append(p);
    const source = await w.finish();
    const copy = new SSTableWriter(fs, DIR, 2, { ...v.options, columns: source.columnNames });
    const cursor = source.cursor();
    let copied = 0;
    while (cursor.next()) {
      if (cursor.chunk !== null) {
        copy.appendCopy(cursor.token, cursor.key, cursor.chunk, cursor.rowsAt, cursor.header!);
        copied++;
      } else {
        copy.append(cursor.partition());
      }
    }
    const out = await copy.finish();
    t.ok(copied > 50, `many partitions were copied (${copied})`);
    t.same(out.stats, source.stats, 'the same statistics');
    for (const c of COMPONENTS) t.ok(fs.readFile(componentPath(DIR, 2, c)).equals(fs.readFile(componentPath(DIR, 1, c))), `${c} is identical`);
    source.close();
    out.close();
  });
}

t.test('encoded rows are checked: order, form and column ids', async (t) => {
  const r = new SeededRandom(44);
  const parts = randomPartitions(r, { partitions: 40 }).filter((p) => p.rows.length >= 2);
  const memtable = new Memtable();
  for (const p of parts) memtable.apply({ ...p, tableId: 't' });
  const first: EncodedPartition = memtable.encodedPartitions().next().value!;
  const swapped = { ...first, rowBufs: [...first.rowBufs].reverse(), rowStarts: [...first.rowStarts].reverse(), rowEnds: [...first.rowEnds].reverse() };
  const fs = new SimFs();
  t.throws(() => new SSTableWriter(fs, DIR, 1, { columns: memtable.columns }).appendEncoded(swapped), SSTableUsageError, 'rows out of order');
  const cut = { ...first, rowEnds: first.rowEnds.map((e, i) => (i === 0 ? e - 1 : e)) };
  t.throws(() => new SSTableWriter(fs, DIR, 2, { columns: memtable.columns }).appendEncoded(cut), SSTableUsageError, 'a truncated row');
  t.throws(() => new SSTableWriter(fs, DIR, 3, { columns: [] }).appendEncoded(first), SSTableUsageError, 'column ids outside the column table');
  t.throws(() => new SSTableWriter(fs, DIR, 4, { columns: ['a', 'a'] }), SSTableUsageError, 'a column table with duplicates');
});

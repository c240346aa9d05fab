// A flipped byte anywhere in any component is caught when that part is read — by open, a point
// read, a key scan, the iteration or verify() — as an SSTableCorruptError naming the file and a
// region that contains the byte. No read ever returns wrong data, and nothing throws another type.
import t from 'tap';
import { SeededRandom, SimFs } from '../../../src/seams/index.js';
import { ALL_COMPONENTS, componentPath, SSTableCorruptError, SSTableReader, SSTableWriter } from '../../../src/storage/sstable/index.js';
import { FULL_SLICE } from '../../../src/storage/model/types.js';
import type { Partition } from '../../../src/storage/model/types.js';
import { canon, posString, randomPartitions } from './model.js';

const DIR = '/data/ks/t-1';

async function setup(seed: number): Promise<{ sim: SimFs; parts: Partition[] }> {
  const parts = randomPartitions(new SeededRandom(seed), { partitions: 150, wideChance: 0.03, wideRows: [200, 400] });
  const sim = new SimFs(new SeededRandom(seed));
  const w = new SSTableWriter(sim, DIR, 1, { indexInterval: 8, rowIndexBlockBytes: 1024 });
  for (const p of parts) w.append(p);
  (await w.finish()).close();
  return { sim, parts };
}

/** Why err is not the expected report of damage at pos in path, or null when it is. */
function misreport(err: unknown, path: string, pos: number): string | null {
  if (!(err instanceof SSTableCorruptError)) return `not an SSTableCorruptError: ${String(err)}`;
  if (err.file !== path) return `names ${err.file}`;
  if (!(err.offset <= pos && pos < err.offset + err.length)) return `region [${err.offset}, +${err.length}) misses ${pos}`;
  if (err.code !== 'SSTABLE_CORRUPT') return `code ${err.code}`;
  return null;
}

for (const component of ALL_COMPONENTS) {
  t.test(`a flipped byte in ${component} is detected and located`, async (t) => {
    const seed = 300 + ALL_COMPONENTS.indexOf(component);
    const { sim, parts } = await setup(seed);
    const r = new SeededRandom(seed);
    const path = componentPath(DIR, 1, component);
    const size = sim.size(path);
    const want = parts.map(canon);
    const positions = [0, size - 1, ...Array.from({ length: 40 }, () => r.int(size))];
    const problems: string[] = [];
    let detectedByReads = 0;
    let wrongData = 0;
    for (const pos of positions) {
      sim.corrupt(path, pos);
      let reader: SSTableReader | null = null;
      let report: unknown = null;
      try {
        reader = SSTableReader.open(sim, DIR, 1);
      } catch (err) {
        report = err;
      }
      if (reader !== null) {
        let readFailures = 0;
        for (const [i, p] of parts.entries()) {
          try {
            if (canon(reader.readPartition(p.key, p.token, FULL_SLICE, Infinity, false)) !== want[i]) wrongData++;
          } catch (err) {
            const why = misreport(err, path, pos);
            if (why !== null) problems.push(`read of ${posString(p)} after flipping ${pos}: ${why}`);
            readFailures++;
          }
        }
        try {
          const keys = reader.partitionKeys(null, 2n ** 63n - 1n, 1e9);
          if (keys.map(posString).join() !== parts.map(posString).join()) wrongData++;
        } catch (err) {
          const why = misreport(err, path, pos);
          if (why !== null) problems.push(`key scan after flipping ${pos}: ${why}`);
          readFailures++;
        }
        try {
          const all = [...reader.partitions()];
          if (all.length !== parts.length || all.some((p, i) => canon(p) !== want[i])) wrongData++;
        } catch (err) {
          const why = misreport(err, path, pos);
          if (why !== null) problems.push(`iteration after flipping ${pos}: ${why}`);
          readFailures++;
        }
        if (readFailures > 0) detectedByReads++;
        else if (component === 'Data.db' || component === 'Index.db') problems.push(`no read noticed the flip at ${pos}`);
        try {
          reader.verify();
          problems.push(`verify passed with byte ${pos} flipped`);
        } catch (err) {
          report = err;
        }
        reader.close();
      }
      const why = report === null ? null : misreport(report, path, pos);
      if (why !== null) problems.push(`flip at ${pos}: ${why}`);
      sim.corrupt(path, pos);
    }
    t.same(problems.slice(0, 5), [], `every flip reported with ${component}'s name and a region around the byte (seed ${seed}, ${positions.length} positions)`);
    t.equal(wrongData, 0, 'no read returned wrong data');
    if (component === 'Data.db' || component === 'Index.db') t.ok(detectedByReads > 0, `reads alone caught flips (${detectedByReads})`);
    const healed = SSTableReader.open(sim, DIR, 1);
    t.doesNotThrow(() => healed.verify(), 'with every byte restored, verify passes');
    healed.close();
  });
}

t.test('verify catches damage done after open, even to files kept in memory', async (t) => {
  const { sim, parts } = await setup(400);
  const r = new SeededRandom(400);
  const reader = SSTableReader.open(sim, DIR, 1);
  for (const component of ALL_COMPONENTS) {
    const path = componentPath(DIR, 1, component);
    for (let i = 0; i < 5; i++) {
      const pos = r.int(sim.size(path));
      sim.corrupt(path, pos);
      let report: unknown = null;
      try {
        reader.verify();
      } catch (err) {
        report = err;
      }
      t.equal(misreport(report, path, pos), null, `${component} byte ${pos}`);
      sim.corrupt(path, pos);
    }
  }
  t.ok(
    parts.every((p) => canon(reader.readPartition(p.key, p.token, FULL_SLICE, Infinity, false)) === canon(p)),
    'restored files read correctly',
  );
  reader.close();
});

t.test('truncated and missing components are reported at open', async (t) => {
  for (const component of ['Data.db', 'Index.db', 'Summary.db', 'Filter.db', 'Statistics.db'] as const) {
    const { sim } = await setup(500);
    const path = componentPath(DIR, 1, component);
    sim.truncate(path, sim.size(path) - 3);
    t.throws(() => SSTableReader.open(sim, DIR, 1), { code: 'SSTABLE_CORRUPT', file: path }, `truncated ${component}`);
    sim.unlink(path);
    t.throws(() => SSTableReader.open(sim, DIR, 1), { code: 'SSTABLE_CORRUPT', file: path }, `missing ${component}`);
  }
});

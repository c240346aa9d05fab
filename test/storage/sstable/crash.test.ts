// A crash at any point of an SSTable write (power loss on SimFs: unsynced bytes and names lost,
// torn tails kept) leaves a directory that opens cleanly, holding either the whole new SSTable,
// correct, or none of it — and never harms the SSTables written before.
import t from 'tap';
import type { AppendFile, Fs } from '../../../src/seams/index.js';
import { SeededRandom, SimFs } from '../../../src/seams/index.js';
import { listGenerations, openTableDirectory, SSTableSet, SSTableWriter } from '../../../src/storage/sstable/index.js';
import type { Partition } from '../../../src/storage/model/types.js';
import { canon, randomPartitions } from './model.js';

const DIR = '/data/ks/t-1';

class Crashed extends Error {}

/**
 * Counts every file-system operation and, at operation number `crashAt`, cuts the power: the
 * SimFs crashes and this process's view of it fails from then on, as a dead process does nothing.
 */
class CrashingFs implements Fs {
  ops = 0;
  dead = false;

  constructor(
    private readonly sim: SimFs,
    public crashAt: number,
  ) {}

  tick(): void {
    if (this.dead) throw new Crashed('process is dead');
    if (++this.ops === this.crashAt) {
      this.dead = true;
      this.sim.crash();
      throw new Crashed(`crash at operation ${this.ops}`);
    }
  }

  private wrapAppend(f: AppendFile): AppendFile {
    const tick = (): void => this.tick();
    return {
      get path() {
        return f.path;
      },
      get sizeBytes() {
        return f.sizeBytes;
      },
      write(data) {
        tick();
        f.write(data);
      },
      async sync() {
        tick();
        await f.sync();
        tick();
      },
      close() {
        f.close();
      },
    };
  }

  create(p: string): AppendFile {
    this.tick();
    return this.wrapAppend(this.sim.create(p));
  }
  openAppend(p: string): AppendFile {
    this.tick();
    return this.wrapAppend(this.sim.openAppend(p));
  }
  openRead(p: string) {
    this.tick();
    return this.sim.openRead(p);
  }
  readFile(p: string): Buffer {
    this.tick();
    return this.sim.readFile(p);
  }
  exists(p: string): boolean {
    this.tick();
    return this.sim.exists(p);
  }
  size(p: string): number {
    this.tick();
    return this.sim.size(p);
  }
  list(d: string): string[] {
    this.tick();
    return this.sim.list(d);
  }
  mkdirp(d: string): void {
    this.tick();
    this.sim.mkdirp(d);
  }
  rename(a: string, b: string): void {
    this.tick();
    this.sim.rename(a, b);
  }
  unlink(p: string): void {
    this.tick();
    this.sim.unlink(p);
  }
  rmrf(d: string): void {
    this.tick();
    this.sim.rmrf(d);
  }
  async syncDir(d: string): Promise<void> {
    this.tick();
    await this.sim.syncDir(d);
    this.tick();
  }
}

const OPTIONS = { indexInterval: 4, rowIndexBlockBytes: 512, writeBufferBytes: 700 };

/** Writes gen 2 through fs; with syncAt >= 0 another writer's directory sync lands mid-write. */
async function writeSecond(fs: Fs, sim: SimFs, parts: Partition[], syncAt: number): Promise<void> {
  const w = new SSTableWriter(fs, DIR, 2, OPTIONS);
  for (let i = 0; i < parts.length; i++) {
    if (i === syncAt) await sim.syncDir(DIR);
    w.append(parts[i]);
  }
  const reader = await w.finish();
  reader.close();
}

function same(a: Partition[], b: Partition[]): boolean {
  return a.length === b.length && a.every((p, i) => canon(p) === canon(b[i]));
}

t.test('a crash at any point of a write leaves all of the new SSTable or none of it', async (t) => {
  const r = new SeededRandom(77);
  const first = randomPartitions(r, { partitions: 25 });
  const second = randomPartitions(r, { partitions: 80, wideChance: 0.05, wideRows: [100, 200] });

  // A dry run counts the operations of a whole write, so crash points can cover all of them.
  const dry = new SimFs(new SeededRandom(1));
  const counting = new CrashingFs(dry, -1);
  await writeSecond(counting, dry, second, -1);
  const total = counting.ops;
  t.ok(total > 20, `a write takes ${total} file-system operations`);

  const outcomes = { whole: 0, none: 0, leftoverTmpSeen: 0 };
  let badNextGeneration = 0;
  const trials = total + 31;
  for (let trial = 0; trial < trials; trial++) {
    const seed = 1000 + trial;
    const tr = new SeededRandom(seed);
    const sim = new SimFs(new SeededRandom(seed));
    const w1 = new SSTableWriter(sim, DIR, 1, OPTIONS);
    for (const p of first) w1.append(p);
    (await w1.finish()).close();

    // Every crash point once across the first `total + 1` trials, then random ones.
    const crashAt = trial <= total ? trial + 1 : 1 + tr.int(total + 1);
    const syncAt = tr.int(2) === 0 ? tr.int(second.length) : -1;
    const fs = new CrashingFs(sim, crashAt);
    let crashed = false;
    try {
      await writeSecond(fs, sim, second, syncAt);
    } catch (err) {
      if (!(err instanceof Crashed) && !/before a crash|crashed during/.test(String(err))) throw err;
      crashed = true;
    }
    if (!crashed) sim.crash();

    const before = listGenerations(sim, DIR);
    if (before.incomplete.length > 0) outcomes.leftoverTmpSeen++;
    const { readers, nextGeneration } = openTableDirectory(sim, DIR);
    const gens = readers.map((x) => x.generation);
    const ctx = `seed ${seed}, crash at op ${crashAt} of ${total}, dir sync before partition ${syncAt}`;
    if (!(gens.length >= 1 && gens[0] === 1)) {
      t.fail(`the earlier SSTable survives (${ctx}): ${gens}`);
      break;
    }
    if (!same([...readers[0].partitions()], first)) {
      t.fail(`the earlier SSTable is intact (${ctx})`);
      break;
    }
    const after = listGenerations(sim, DIR);
    if (after.incomplete.length !== 0 || sim.list(DIR).some((n) => n.includes('tmp'))) {
      t.fail(`no leftovers after open (${ctx}): ${sim.list(DIR).join(' ')}`);
      break;
    }
    if (gens.length === 2) {
      const ok = same([...readers[1].partitions()], second);
      readers[1].verify();
      if (!ok) {
        t.fail(`a present SSTable is whole and correct (${ctx})`);
        break;
      }
      outcomes.whole++;
    } else {
      if (gens.length !== 1 || sim.list(DIR).some((n) => n.startsWith('rt-2-'))) {
        t.fail(`an absent SSTable leaves no files (${ctx}): ${sim.list(DIR).join(' ')}`);
        break;
      }
      outcomes.none++;
    }
    if (nextGeneration <= Math.max(...gens)) badNextGeneration++;
    for (const x of readers) x.close();
  }
  t.equal(outcomes.whole + outcomes.none, trials, `every trial ended whole or none: ${JSON.stringify(outcomes)}`);
  t.ok(outcomes.whole > 0 && outcomes.none > 0, 'both outcomes happen');
  t.equal(badNextGeneration, 0, 'the next generation is always above every existing one');
  t.ok(outcomes.leftoverTmpSeen > 0, 'some crashes left temporary files, which open removed');
});

t.test('a crash while deleting an SSTable leaves it whole or gone', async (t) => {
  const r = new SeededRandom(5);
  const parts = randomPartitions(r, { partitions: 30 });
  let whole = 0;
  let gone = 0;
  for (let crashAt = 1; crashAt <= 20; crashAt++) {
    const sim = new SimFs(new SeededRandom(crashAt));
    const w = new SSTableWriter(sim, DIR, 1, OPTIONS);
    for (const p of parts) w.append(p);
    (await w.finish()).close();
    const fs = new CrashingFs(sim, -1);
    const { readers } = openTableDirectory(fs, DIR);
    fs.crashAt = fs.ops + crashAt;
    try {
      await readers[0].delete();
      sim.crash();
    } catch (err) {
      if (!(err instanceof Crashed)) throw err;
    }
    const reopened = new SSTableSet(sim, DIR).openAll();
    if (reopened.length === 1) {
      t.ok(same([...reopened[0].partitions()], parts), `whole after a crash at op ${crashAt}`);
      whole++;
    } else {
      t.same(sim.list(DIR), [], `nothing left after a crash at op ${crashAt}`);
      gone++;
    }
  }
  t.ok(whole > 0 && gone > 0, `both outcomes happen (whole ${whole}, gone ${gone})`);
});

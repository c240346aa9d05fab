// Crash consistency on the simulated Fs (DESIGN.md invariant 1, on one node): power is cut at
// random points while writes, flushes and compactions are in flight. After reopening, every write
// acknowledged under `batch` sync is present, and nothing appears that was never written.
import t from 'tap';
import { SeededRandom, SimClock, SimFs } from '../../../src/seams/index.js';
import { xxh64Signed } from '../../../src/hash/index.js';
import { LIVE, NO_DELETION_TIME, StorageEngine } from '../../../src/storage/index.js';
import type { Mutation, TableSpec } from '../../../src/storage/index.js';

const TABLE: TableSpec = { id: '0c4a5e1f-0000-4000-8000-000000000002', keyspace: 'ks', name: 'crash', gcGraceSeconds: 864000 };
const MAX_TOKEN = (1n << 63n) - 1n;

function keyOf(id: number): Buffer {
  return Buffer.from(`k${id % 37}`);
}

function mutationFor(id: number, ts: number): Mutation {
  const key = keyOf(id);
  const token = xxh64Signed(key);
  const clustering = Buffer.from([0x40, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff]);
  const value = Buffer.from(`value-${id}`);
  return {
    keyspace: TABLE.keyspace,
    key,
    token,
    updates: [{
      tableId: TABLE.id, key, token, deletion: LIVE, staticRow: null, rangeTombstones: [],
      rows: [{ clustering, liveness: { timestampMicros: ts, ttlSec: 0, expiresAtSec: NO_DELETION_TIME }, deletion: LIVE, complexDeletions: [], cells: [{ column: 'v', path: null, timestampMicros: ts, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value }] }],
    }],
  };
}

/** Every (id -> value) the engine holds now. */
function contents(engine: StorageEngine, nowSec: number): Map<number, string> {
  const out = new Map<number, string>();
  for (const p of engine.scan(TABLE.id, { after: null, endToken: MAX_TOKEN }, { nowSec })) {
    for (const r of p.rows) {
      const id = (r.clustering[1] << 16) | (r.clustering[2] << 8) | r.clustering[3];
      out.set(id, r.cells[0]?.value?.toString() ?? '<no value>');
    }
  }
  return out;
}

async function open(fs: SimFs, clock: SimClock, rnd: SeededRandom): Promise<StorageEngine> {
  const engine = await StorageEngine.open({ fs: fs.forProcess(), clock, dataDir: '/data', commitlogSync: 'batch', memtableFlushThresholdBytes: 1024 + rnd.int(16 * 1024), commitlogSegmentSizeBytes: 4096 + rnd.int(8192) });
  await engine.addTable(TABLE);
  return engine;
}

async function runSeed(seed: number): Promise<string | null> {
  const rnd = new SeededRandom(seed);
  const fs = new SimFs(rnd.fork());
  const clock = new SimClock();
  const acked = new Set<number>();
  const issued = new Set<number>();
  let nextId = 0;
  let engine = await open(fs, clock, rnd);
  for (let cycle = 0; cycle < 6; cycle++) {
    // A burst of concurrent writes, with flushes and compactions thrown in, then the power goes.
    const inFlight: Array<Promise<unknown>> = [];
    const burst = 20 + rnd.int(200);
    for (let i = 0; i < burst; i++) {
      const id = nextId++;
      issued.add(id);
      inFlight.push(engine.apply(mutationFor(id, clock.nowMicros())).then(() => acked.add(id), () => undefined));
      if (rnd.int(40) === 0) inFlight.push(engine.flush().catch(() => undefined));
      if (rnd.int(80) === 0) inFlight.push(engine.compact(TABLE.id, rnd.int(2) === 0).catch(() => undefined));
      if (rnd.int(10) === 0) await Promise.resolve();
    }
    // Half the cycles cut the power after a random number of file operations (so inside a flush,
    // a compaction or a commit log sync as often as between them), half after a random wait.
    if (rnd.int(2) === 0) {
      fs.crashAfterOps(1 + rnd.int(60));
      const crashesBefore = fs.crashCount;
      for (let i = 0; i < 5000 && fs.crashCount === crashesBefore; i++) await Promise.resolve();
      if (fs.crashCount === crashesBefore) fs.crash();
    } else {
      const ticks = rnd.int(400);
      for (let i = 0; i < ticks; i++) await Promise.resolve();
      fs.crash();
    }
    // The old engine is dead: its pending work fails against the crashed Fs and is ignored.
    void Promise.allSettled(inFlight);

    engine = await open(fs, clock, rnd);
    const held = contents(engine, clock.nowSeconds());
    for (const id of acked) {
      if (held.get(id) !== `value-${id}`) return `cycle ${cycle}: acknowledged write ${id} is ${held.has(id) ? `wrong (${held.get(id)})` : 'missing'}`;
    }
    for (const [id, value] of held) {
      if (!issued.has(id) || value !== `value-${id}`) return `cycle ${cycle}: write ${id} = ${value} was never made`;
    }
    // What survived unacknowledged is now durable: count it as acknowledged from here on.
    for (const id of held.keys()) acked.add(id);
    await clock.advance(rnd.int(1000));
  }
  await engine.close();
  return null;
}

t.test('acknowledged writes survive crashes at random points; nothing unwritten appears', async (t) => {
  const seeds = Number(process.env.CRASH_SEEDS ?? 40);
  for (let seed = 1; seed <= seeds; seed++) {
    const failure = await runSeed(seed);
    if (failure === null) t.pass(`seed ${seed}`);
    else t.fail(`seed ${seed} (replay: CRASH_SEEDS=${seed} npx tap test/storage/engine/crash.test.ts): ${failure}`);
    if (failure !== null) break;
  }
});

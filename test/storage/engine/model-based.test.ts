// Model-based test (DESIGN.md "Storage engine"; STYLE.md #8): seeded random sequences of writes,
// deletes, range deletes, TTLs on a simulated clock, flushes, compactions, truncates and reopens
// must read exactly as a naive reference that keeps every write and answers by brute force.
import t from 'tap';
import { SeededRandom, SimClock, SimFs } from '../../../src/seams/index.js';
import { xxh64Signed } from '../../../src/hash/index.js';
import { StorageEngine } from '../../../src/storage/index.js';
import type { Cell, LivePartition, Mutation, PartitionUpdate, Row, TableSpec } from '../../../src/storage/index.js';
import { LIVE, NO_DELETION_TIME } from '../../../src/storage/model/types.js';
import { ReferenceStore, refCellsOf } from '../../helpers/storage-reference.js';
import type { RefCell, RefRow } from '../../helpers/storage-reference.js';

const TABLE: TableSpec = { id: '5a1e7c3e-0000-4000-8000-000000000001', keyspace: 'ks', name: 't', gcGraceSeconds: 10 };
const KEYS = Array.from({ length: 8 }, (_, i) => Buffer.from(`key-${i}`));
const CLUSTERINGS = Array.from({ length: 14 }, (_, i) => Buffer.from([0x40, i * 3]));
const PATHS = Array.from({ length: 4 }, (_, i) => Buffer.from([0x10 + i]));
const MAX_TOKEN = (1n << 63n) - 1n;

const SEEDS = Number(process.env.MODEL_SEEDS ?? 24);
const OPS = Number(process.env.MODEL_OPS ?? 2500);
const FIRST_SEED = Number(process.env.MODEL_SEED ?? 1);
// Debugging aid: check every key after every operation, to find the one that went wrong.
const CHECK_EVERY_OP = process.env.MODEL_CHECK_EVERY_OP === '1';

interface World {
  rnd: SeededRandom;
  fs: SimFs;
  clock: SimClock;
  engine: StorageEngine;
  ref: ReferenceStore;
  threshold: number;
}

async function open(w: Pick<World, 'fs' | 'clock' | 'threshold'>): Promise<StorageEngine> {
  const engine = await StorageEngine.open({ fs: w.fs, clock: w.clock, dataDir: '/data', commitlogSync: 'batch', memtableFlushThresholdBytes: w.threshold, commitlogSegmentSizeBytes: 16 * 1024 });
  await engine.addTable(TABLE);
  return engine;
}

function pick<T>(rnd: SeededRandom, xs: readonly T[]): T {
  return xs[rnd.int(xs.length)];
}

function timestamp(w: World): number {
  // Up to 3 s in the past: out-of-order and colliding timestamps, but never older than a tombstone
  // that gc_grace (10 s) lets compaction purge — as in Cassandra, a write older than a purged
  // tombstone would legitimately come back, which is not what this test is about.
  return w.clock.nowMicros() - w.rnd.int(4) * 1_000_000 + w.rnd.int(3);
}

function makeCell(w: World, column: string, path: Buffer | null, ts: number, ttl: boolean): Cell {
  const value = Buffer.from([w.rnd.int(6)]);
  if (ttl) {
    const ttlSec = 1 + w.rnd.int(4);
    return { column, path, timestampMicros: ts, ttlSec, localDeletionTimeSec: w.clock.nowSeconds() + ttlSec, value };
  }
  return { column, path, timestampMicros: ts, ttlSec: 0, localDeletionTimeSec: NO_DELETION_TIME, value };
}

function tombstone(w: World, column: string, path: Buffer | null, ts: number): Cell {
  return { column, path, timestampMicros: ts, ttlSec: 0, localDeletionTimeSec: w.clock.nowSeconds(), value: null };
}

function sortCells(cells: Cell[]): Cell[] {
  const seen = new Map<string, Cell>();
  for (const c of cells) seen.set(`${c.column}/${c.path?.toString('hex') ?? ''}`, c);
  return [...seen.values()].sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : Buffer.compare(a.path ?? Buffer.alloc(0), b.path ?? Buffer.alloc(0))));
}

function row(clustering: Buffer, parts: Partial<Row>): Row {
  return { clustering, liveness: null, deletion: LIVE, cells: [], complexDeletions: [], ...parts };
}

function randomUpdate(w: World, key: Buffer): PartitionUpdate {
  const rnd = w.rnd;
  const ts = timestamp(w);
  const nowSec = w.clock.nowSeconds();
  const base = { tableId: TABLE.id, key, token: xxh64Signed(key), deletion: LIVE, staticRow: null as Row | null, rangeTombstones: [] as PartitionUpdate['rangeTombstones'], rows: [] as Row[] };
  const roll = rnd.int(100);
  const clustering = pick(rnd, CLUSTERINGS);
  if (roll < 28) {
    // INSERT: liveness plus cells, sometimes with a TTL on everything.
    const ttl = rnd.int(4) === 0;
    const ttlSec = 1 + rnd.int(4);
    const cells = ['a', 'b'].filter(() => rnd.int(3) > 0).map((c) => (ttl ? { ...makeCell(w, c, null, ts, false), ttlSec, localDeletionTimeSec: nowSec + ttlSec } : makeCell(w, c, null, ts, false)));
    const liveness = ttl ? { timestampMicros: ts, ttlSec, expiresAtSec: nowSec + ttlSec } : { timestampMicros: ts, ttlSec: 0, expiresAtSec: NO_DELETION_TIME };
    return { ...base, rows: [row(clustering, { liveness, cells: sortCells(cells) })] };
  }
  if (roll < 50) {
    // UPDATE: cells only, some with TTLs, some collection elements.
    const cells: Cell[] = [];
    for (const c of ['a', 'b']) if (rnd.int(2) === 0) cells.push(makeCell(w, c, null, ts, rnd.int(5) === 0));
    for (const p of PATHS) if (rnd.int(3) === 0) cells.push(makeCell(w, 'm', p, ts, rnd.int(5) === 0));
    if (cells.length === 0) cells.push(makeCell(w, 'a', null, ts, false));
    return { ...base, rows: [row(clustering, { cells: sortCells(cells) })] };
  }
  if (roll < 58) {
    const col = pick(rnd, ['a', 'b', 'm']);
    return { ...base, rows: [row(clustering, { cells: [tombstone(w, col, col === 'm' ? pick(rnd, PATHS) : null, ts)] })] };
  }
  if (roll < 64) {
    return { ...base, rows: [row(clustering, { deletion: { markedAtMicros: ts, localDeletionTimeSec: nowSec } })] };
  }
  if (roll < 70) {
    // Collection overwrite: a complex deletion just below the new elements.
    const cells = PATHS.filter(() => rnd.int(2) === 0).map((p) => makeCell(w, 'm', p, ts, false));
    return { ...base, rows: [row(clustering, { cells, complexDeletions: [{ column: 'm', deletion: { markedAtMicros: ts - 1, localDeletionTimeSec: nowSec } }] })] };
  }
  if (roll < 77) {
    const i = rnd.int(CLUSTERINGS.length);
    const j = i + rnd.int(CLUSTERINGS.length - i);
    const start = rnd.int(2) === 0 ? CLUSTERINGS[i] : Buffer.concat([CLUSTERINGS[i], Buffer.from([0xff])]);
    const end = j === CLUSTERINGS.length - 1 && rnd.int(2) === 0 ? Buffer.from([0xff]) : rnd.int(2) === 0 ? CLUSTERINGS[j] : Buffer.concat([CLUSTERINGS[j], Buffer.from([0xff])]);
    return { ...base, rangeTombstones: [{ start, end, deletion: { markedAtMicros: ts, localDeletionTimeSec: nowSec } }] };
  }
  if (roll < 80) {
    return { ...base, deletion: { markedAtMicros: ts, localDeletionTimeSec: nowSec } };
  }
  return { ...base, staticRow: row(Buffer.alloc(0), { cells: [rnd.int(4) === 0 ? tombstone(w, 's', null, ts) : makeCell(w, 's', null, ts, rnd.int(4) === 0)] }) };
}

function sortRef(cells: RefCell[]): RefCell[] {
  return [...cells].sort((a, b) => (`${a.column}/${a.path ?? ''}` < `${b.column}/${b.path ?? ''}` ? -1 : 1));
}

function engineView(p: LivePartition | null): { staticCells: RefCell[]; rows: RefRow[] } | null {
  if (p === null) return null;
  return {
    staticCells: p.staticRow === null ? [] : sortRef(refCellsOf(p.staticRow)),
    rows: p.rows.map((r) => ({ clustering: r.clustering.toString('hex'), cells: sortRef(refCellsOf(r)) })),
  };
}

function refView(v: { staticCells: RefCell[]; rows: RefRow[] } | null): { staticCells: RefCell[]; rows: RefRow[] } | null {
  if (v === null) return null;
  return { staticCells: sortRef(v.staticCells), rows: v.rows.map((r) => ({ clustering: r.clustering, cells: sortRef(r.cells) })) };
}

/** Compares one random read; returns a description of the first difference, or null. */
function checkRead(w: World, key: Buffer): string | null {
  const nowSec = w.clock.nowSeconds();
  const token = xxh64Signed(key);
  const expected = refView(w.ref.read(key, nowSec));
  const full = engineView(w.engine.read(TABLE.id, key, token, { nowSec }));
  if (JSON.stringify(full) !== JSON.stringify(expected)) {
    const rows = new Map<string, string>();
    for (const r of full?.rows ?? []) rows.set(r.clustering, JSON.stringify(r));
    const differing: string[] = [];
    for (const r of expected?.rows ?? []) {
      if (rows.get(r.clustering) !== JSON.stringify(r)) differing.push(r.clustering);
      rows.delete(r.clustering);
    }
    differing.push(...rows.keys());
    const history = differing.slice(0, 3).map((c) => `row ${c} at ${nowSec}s:\n${w.ref.explain(key, c)}`).join('\n');
    return `full read of ${key}: engine ${JSON.stringify(full)} reference ${JSON.stringify(expected)}\n${history}`;
  }

  // A slice with a limit, either direction.
  const i = w.rnd.int(CLUSTERINGS.length);
  const j = i + w.rnd.int(CLUSTERINGS.length - i + 1);
  const start = CLUSTERINGS[i];
  const end = j >= CLUSTERINGS.length ? Buffer.from([0xff]) : CLUSTERINGS[j];
  const reversed = w.rnd.int(2) === 0;
  const limit = 1 + w.rnd.int(5);
  const got = w.engine.read(TABLE.id, key, token, { nowSec, slices: [{ start, end }], reversed, limit });
  let want = (expected?.rows ?? []).filter((r) => Buffer.compare(Buffer.from(r.clustering, 'hex'), start) >= 0 && Buffer.compare(Buffer.from(r.clustering, 'hex'), end) < 0);
  if (reversed) want = want.reverse();
  want = want.slice(0, limit);
  const gotRows = engineView(got)?.rows ?? [];
  if (JSON.stringify(gotRows) !== JSON.stringify(want)) return `slice [${start.toString('hex')}, ${end.toString('hex')}) reversed=${reversed} limit=${limit} of ${key}: engine ${JSON.stringify(gotRows)} reference ${JSON.stringify(want)}`;
  return null;
}

function checkScan(w: World): string | null {
  const nowSec = w.clock.nowSeconds();
  const expected = w.ref
    .keys()
    .map((k) => ({ k, token: xxh64Signed(k), v: refView(w.ref.read(k, nowSec)) }))
    .filter((x) => x.v !== null)
    .sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : Buffer.compare(a.k, b.k)))
    .map((x) => ({ key: x.k.toString(), ...x.v! }));
  // Page through two partitions at a time, resuming after the last one, as a driver would.
  const got: unknown[] = [];
  let after = null as null | { token: bigint; key: Buffer };
  for (let page = 0; page < 20; page++) {
    const parts = w.engine.scan(TABLE.id, { after, endToken: MAX_TOKEN }, { nowSec, partitionLimit: 2 });
    for (const p of parts) got.push({ key: p.key.toString(), ...engineView(p)! });
    if (parts.length < 2) break;
    after = { token: parts[parts.length - 1].token, key: parts[parts.length - 1].key };
  }
  if (JSON.stringify(got) !== JSON.stringify(expected)) return `scan: engine ${JSON.stringify(got)} reference ${JSON.stringify(expected)}`;
  return null;
}

async function runSeed(seed: number): Promise<string | null> {
  const rnd = new SeededRandom(seed);
  const fs = new SimFs(rnd.fork());
  const clock = new SimClock();
  const threshold = 2048 + rnd.int(32 * 1024);
  const w: World = { rnd, fs, clock, threshold, engine: await open({ fs, clock, threshold }), ref: new ReferenceStore() };
  try {
    let lastOp = 'none';
    for (let op = 0; op < OPS; op++) {
      const roll = rnd.int(1000);
      lastOp = roll < 700 ? 'write' : roll < 800 ? 'advance clock' : roll < 830 ? 'flush' : roll < 850 ? 'compact' : roll < 865 ? 'reopen' : roll < 868 ? 'truncate' : 'read';
      if (roll < 700) {
        const writes = 1 + (rnd.int(4) === 0 ? rnd.int(4) : 0);
        const mutations: Mutation[] = [];
        for (let i = 0; i < writes; i++) {
          const key = pick(rnd, KEYS);
          const update = randomUpdate(w, key);
          mutations.push({ keyspace: TABLE.keyspace, key, token: update.token, updates: [update] });
        }
        await Promise.all(mutations.map((m) => w.engine.apply(m)));
        for (const m of mutations) w.ref.apply(m.updates[0]);
      } else if (roll < 800) {
        await clock.advance(rnd.int(2500));
      } else if (roll < 830) {
        await w.engine.flush();
      } else if (roll < 850) {
        await w.engine.compact(TABLE.id, rnd.int(2) === 0);
      } else if (roll < 865) {
        await w.engine.close();
        w.engine = await open(w);
      } else if (roll < 868) {
        await w.engine.truncate(TABLE.id);
        w.ref.truncate();
      } else {
        const diff = checkRead(w, pick(rnd, KEYS));
        if (diff !== null) return `op ${op}: ${diff}`;
      }
      if (CHECK_EVERY_OP) {
        for (const key of KEYS) {
          const diff = checkRead({ ...w, rnd: new SeededRandom(op) }, key);
          if (diff !== null) return `op ${op} (after ${lastOp}): ${diff}`;
        }
      }
      if (op % 500 === 499) {
        const diff = checkScan(w);
        if (diff !== null) return `op ${op}: ${diff}`;
      }
    }
    await w.engine.waitForCompactions();
    for (const key of KEYS) {
      const diff = checkRead(w, key);
      if (diff !== null) return `end: ${diff}`;
    }
    const diff = checkScan(w);
    if (diff !== null) return `end: ${diff}`;
    // Everything flushed and compacted into one file still reads the same.
    await w.engine.flush();
    await w.engine.compact(TABLE.id, true);
    await w.engine.close();
    w.engine = await open(w);
    const after = checkScan(w);
    if (after !== null) return `after major compaction and reopen: ${after}`;
    return null;
  } finally {
    await w.engine.close();
  }
}

t.test('the engine reads exactly as the naive reference model', async (t) => {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
    const failure = await runSeed(seed);
    const replay = `MODEL_SEED=${seed} MODEL_SEEDS=1 npx tap test/storage/engine/model-based.test.ts`;
    if (failure === null) t.pass(`seed ${seed}`);
    else t.fail(`seed ${seed} (replay: ${replay}): ${failure}`);
    if (failure !== null) break;
  }
});

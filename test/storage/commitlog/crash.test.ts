// Crash consistency under batch mode, against a model. Each seed runs several sessions of
// concurrent appends, each ended by a power loss (SimFs.crash with torn writes) at a random moment
// or, now and then, by a clean close. After every reopen:
//   - every append that resolved before the crash is replayed, byte-identical, at its position;
//   - nothing is replayed that was never appended, and nothing replayed earlier is lost;
//   - the replayed records are exactly the earlier ones plus a prefix, in append order, of the
//     last session's appends (no holes, no reordering);
//   - a torn tail never turns into "corruption" at a later reopen.
// A failure names the seed; COMMITLOG_SEED=<n> replays just that one.
import t from 'tap';
import { SeededRandom, SimClock, SimFs, silentLogger } from '../../../src/seams/index.js';
import { CommitLog, comparePositions, formatPosition } from '../../../src/storage/commitlog/index.js';
import type { Position } from '../../../src/storage/commitlog/index.js';
import type { AppendFile, Fs, ReadFile } from '../../../src/seams/index.js';

const DIR = '/node/commitlog';
const LOGGER = silentLogger();
const SEEDS = 200;
const TIME_BUDGET_MS = 60_000;

/**
 * One process's view of the shared SimFs. After a crash the process is dead: SimFs fails its old
 * file handles, but would still let it create new files, so this wrapper refuses everything once
 * killed — otherwise the dead log's queued work could write into the next session's directory.
 * It also gives fsyncs a seeded latency (SimFs's take a tick), so that crashes land inside them and
 * an early acknowledgement would have time to be seen.
 */
class ProcessFs implements Fs {
  private dead = false;
  constructor(
    private readonly fs: SimFs,
    private readonly rnd: SeededRandom,
  ) {}
  private async latency(): Promise<void> {
    const ticks = this.rnd.int(30);
    for (let i = 0; i < ticks; i++) await Promise.resolve();
    this.alive();
  }
  kill(): void {
    this.dead = true;
  }
  private alive(): void {
    if (this.dead) throw new Error('process is dead');
  }
  private wrap(f: AppendFile): AppendFile {
    const alive = (): void => this.alive();
    return {
      get path() {
        return f.path;
      },
      get sizeBytes() {
        return f.sizeBytes;
      },
      write: (d) => (alive(), f.write(d)),
      sync: async () => {
        alive();
        await this.latency();
        return f.sync();
      },
      close: () => f.close(),
    };
  }
  create(path: string): AppendFile {
    this.alive();
    return this.wrap(this.fs.create(path));
  }
  openAppend(path: string): AppendFile {
    this.alive();
    return this.wrap(this.fs.openAppend(path));
  }
  openRead(path: string): ReadFile {
    this.alive();
    return this.fs.openRead(path);
  }
  readFile(path: string): Buffer {
    this.alive();
    return this.fs.readFile(path);
  }
  exists(path: string): boolean {
    this.alive();
    return this.fs.exists(path);
  }
  size(path: string): number {
    this.alive();
    return this.fs.size(path);
  }
  list(dir: string): string[] {
    this.alive();
    return this.fs.list(dir);
  }
  mkdirp(dir: string): void {
    this.alive();
    this.fs.mkdirp(dir);
  }
  rename(from: string, to: string): void {
    this.alive();
    this.fs.rename(from, to);
  }
  unlink(path: string): void {
    this.alive();
    this.fs.unlink(path);
  }
  rmrf(dir: string): void {
    this.alive();
    this.fs.rmrf(dir);
  }
  async syncDir(dir: string): Promise<void> {
    this.alive();
    await this.latency();
    return this.fs.syncDir(dir);
  }
}

interface Appended {
  id: number;
  payload: Buffer;
}

/** How often the interesting cases happened, so the test shows it exercised them. */
const seen = { crashesInOpen: 0, crashesInOps: 0, tornTails: 0, unackedSurvived: 0, unackedLost: 0, crashes: 0, reopensWithOlderSegments: 0 };

/** Runs one seed; returns a description of the first broken property, or null. */
async function runSeed(seed: number): Promise<string | null> {
  const rnd = new SeededRandom(seed);
  const fs = new SimFs(rnd.fork());
  const clock = new SimClock();
  const segmentSizeBytes = 256 + rnd.int(4096);
  const groupWindowMs = rnd.int(3) === 0 ? 1 : 0;
  const byId: Appended[] = [];
  /** What replay must show first: everything replayed at the previous open, in order. */
  let survived: Array<{ id: number; position: Position }> = [];
  /** The previous session's appends (in call order), and the positions of those acknowledged. */
  let lastIssued: number[] = [];
  let lastAcked = new Map<number, Position>();
  let lastCleanClose = false;

  for (let session = 0; session < 5; session++) {
    const processFs = new ProcessFs(fs, rnd.fork());
    const at = `session ${session}`;
    // Half the sessions get a power cut inside the n-th file operation from now, which can fall
    // inside open() itself (sealing a torn segment, creating the new one) or inside a group.
    const crashesBefore = fs.crashCount;
    if (rnd.int(2) === 0) fs.crashAfterOps(1 + rnd.int(60), { tornWrites: true });
    let opened;
    try {
      opened = await CommitLog.open({ fs: processFs, clock, logger: LOGGER, dir: DIR, segmentSizeBytes, maxRecordBytes: 200, groupWindowMs });
    } catch (err) {
      if (fs.crashCount === crashesBefore) throw err;
      // The power went out during open: nothing was returned, so the expectations carry over.
      processFs.kill();
      seen.crashesInOpen++;
      continue;
    }
    const { log, replay, report } = opened;

    // Check the replay against the model.
    const replayedIds: number[] = [];
    for (let i = 0; i < replay.length; i++) {
      const r = replay[i];
      if (r.payload.length < 4) return `${at}: replayed a ${r.payload.length}-byte record never appended`;
      const id = r.payload.readUInt32BE(0);
      const a = byId[id];
      if (a === undefined || !a.payload.equals(r.payload)) return `${at}: replayed record ${i} at ${formatPosition(r.position)} was never appended`;
      if (i > 0 && comparePositions(replay[i - 1].position, r.position) >= 0) return `${at}: replay out of position order at ${i}`;
      replayedIds.push(id);
    }
    for (let i = 0; i < survived.length; i++) {
      if (replayedIds[i] !== survived[i].id || comparePositions(replay[i].position, survived[i].position) !== 0) {
        return `${at}: record ${survived[i].id} replayed at the previous open is missing or moved`;
      }
    }
    const fresh = replayedIds.slice(survived.length);
    for (let k = 0; k < fresh.length; k++) {
      if (fresh[k] !== lastIssued[k]) return `${at}: replayed ${fresh[k]} where append #${k} (${lastIssued[k]}) was expected: a hole or reordering`;
    }
    for (const [id, pos] of lastAcked) {
      const k = lastIssued.indexOf(id);
      if (k >= fresh.length) return `${at}: acknowledged record ${id} at ${formatPosition(pos)} was lost (${fresh.length} of ${lastIssued.length} replayed)`;
      if (comparePositions(replay[survived.length + k].position, pos) !== 0) return `${at}: record ${id} replayed away from its acknowledged position`;
    }
    if (lastCleanClose && fresh.length !== lastIssued.length) return `${at}: a clean close lost records`;
    if (lastCleanClose && report.tornTail !== null) return `${at}: a clean close left a torn tail`;
    if (report.tornTail !== null) seen.tornTails++;
    if (fresh.length > lastAcked.size) seen.unackedSurvived++;
    if (fresh.length < lastIssued.length) seen.unackedLost++;
    if (session >= 2 && report.segmentIds.length > 2) seen.reopensWithOlderSegments++;
    survived = replay.map((r, i) => ({ id: replayedIds[i], position: r.position }));

    // A session of concurrent appends, ended by a crash at a random moment or a clean close.
    lastIssued = [];
    lastAcked = new Map();
    const acked = lastAcked;
    let crashed = false;
    const steps = 1 + rnd.int(40);
    for (let step = 0; step < steps && fs.crashCount === crashesBefore; step++) {
      const n = rnd.int(12);
      for (let i = 0; i < n; i++) {
        const id = byId.length;
        const payload = rnd.bytes(4 + rnd.int(180));
        payload.writeUInt32BE(id, 0);
        byId.push({ id, payload });
        lastIssued.push(id);
        log.append(payload).then(
          (pos) => {
            if (!crashed && fs.crashCount === crashesBefore) acked.set(id, pos);
          },
          () => undefined,
        );
      }
      if (rnd.int(10) === 0) log.sync().catch(() => undefined);
      if (groupWindowMs > 0 && rnd.int(3) === 0) await clock.advance(rnd.int(2));
      const ticks = rnd.int(40);
      for (let k = 0; k < ticks; k++) await Promise.resolve();
    }
    if (fs.crashCount !== crashesBefore) {
      crashed = true;
      seen.crashesInOps++;
      lastCleanClose = false;
      processFs.kill();
      await clock.advance(5);
      continue;
    }
    fs.crashAfterOps(Infinity);
    lastCleanClose = rnd.int(8) === 0;
    if (lastCleanClose) {
      await log.close();
      if (acked.size !== lastIssued.length) return `${at}: close resolved before every append did`;
    } else {
      crashed = true;
      seen.crashes++;
      processFs.kill();
      fs.crash({ tornWrites: true });
      // The dead log's in-flight work fails against the crashed handles; let it settle.
      await clock.advance(5);
    }
  }
  return null;
}

t.test('every acknowledged append survives crashes; replay is a hole-free prefix', async (t) => {
  const only = process.env.COMMITLOG_SEED;
  const seeds = only !== undefined ? [Number(only)] : Array.from({ length: SEEDS }, (_, i) => i + 1);
  const started = performance.now();
  let ran = 0;
  for (const seed of seeds) {
    let problem: string | null;
    try {
      problem = await runSeed(seed);
    } catch (err) {
      problem = `threw ${(err as Error).stack ?? String(err)}`;
    }
    if (problem !== null) {
      t.fail(`seed ${seed}: ${problem} (replay with COMMITLOG_SEED=${seed})`);
      return;
    }
    ran++;
    if (performance.now() - started > TIME_BUDGET_MS) break;
  }
  t.equal(ran, seeds.length, `all ${seeds.length} seeds ran within the time budget`);
  t.comment(JSON.stringify(seen));
  if (only === undefined) {
    t.ok(seen.tornTails > 0 && seen.unackedSurvived > 0 && seen.unackedLost > 0, 'crashes tore tails, kept and lost unacknowledged records');
    t.ok(seen.crashesInOpen > 0 && seen.crashesInOps > 0, 'power cuts fell inside open() and inside file operations');
  }
});

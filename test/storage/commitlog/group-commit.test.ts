// Batch mode: concurrent appends share fsyncs, and no append resolves before the fsync (and the
// directory fsync) that makes it durable. An fsync error is never acknowledged.
import t from 'tap';
import { SeededRandom, SimClock, SimFs, joinPath, silentLogger } from '../../../src/seams/index.js';
import type { AppendFile, Fs, ReadFile } from '../../../src/seams/index.js';
import { CommitLog, CommitLogFailedError, RECORD_OVERHEAD_BYTES, segmentFileName } from '../../../src/storage/commitlog/index.js';
import type { Position } from '../../../src/storage/commitlog/index.js';

const DIR = '/data/commitlog';

/**
 * Delegates to a SimFs and records what is durable as the file system itself would know it: the
 * size a file had when an fsync of it was called, once that fsync has returned, and the names a
 * directory had when a directory fsync was called, once it has returned. Optionally holds every
 * fsync until released, or fails them.
 */
class WatchingFs implements Fs {
  readonly durableBytes = new Map<string, number>();
  readonly durableNames = new Set<string>();
  hold = false;
  failSyncs: Error | null = null;
  private held: Array<() => void> = [];

  constructor(readonly inner: SimFs) {}

  get heldSyncs(): number {
    return this.held.length;
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const go of held) go();
  }

  private gate(): Promise<void> {
    if (this.failSyncs !== null) return Promise.reject(this.failSyncs);
    if (!this.hold) return Promise.resolve();
    return new Promise((resolve) => this.held.push(resolve));
  }

  private watch(f: AppendFile): AppendFile {
    const fs = this;
    return {
      get path() {
        return f.path;
      },
      get sizeBytes() {
        return f.sizeBytes;
      },
      write: (data) => f.write(data),
      close: () => f.close(),
      async sync() {
        const upTo = f.sizeBytes;
        await fs.gate();
        await f.sync();
        fs.durableBytes.set(f.path, Math.max(upTo, fs.durableBytes.get(f.path) ?? 0));
      },
    };
  }

  create(path: string): AppendFile {
    return this.watch(this.inner.create(path));
  }
  openAppend(path: string): AppendFile {
    return this.watch(this.inner.openAppend(path));
  }
  openRead(path: string): ReadFile {
    return this.inner.openRead(path);
  }
  readFile(path: string): Buffer {
    return this.inner.readFile(path);
  }
  exists(path: string): boolean {
    return this.inner.exists(path);
  }
  size(path: string): number {
    return this.inner.size(path);
  }
  list(dir: string): string[] {
    return this.inner.list(dir);
  }
  mkdirp(dir: string): void {
    this.inner.mkdirp(dir);
  }
  rename(from: string, to: string): void {
    this.inner.rename(from, to);
  }
  unlink(path: string): void {
    this.inner.unlink(path);
  }
  rmrf(dir: string): void {
    this.inner.rmrf(dir);
  }
  async syncDir(dir: string): Promise<void> {
    const names = this.inner.list(dir).map((n) => joinPath(dir, n));
    await this.gate();
    await this.inner.syncDir(dir);
    for (const n of names) this.durableNames.add(n);
  }
}

/** Lets queued promise reactions run, a bounded number of rounds. */
async function settle(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

t.test('1000 concurrent appends share a handful of fsyncs and resolve only once durable', async (t) => {
  const sim = new SimFs(new SeededRandom(11));
  const fs = new WatchingFs(sim);
  const { log } = await CommitLog.open({ fs, clock: new SimClock(), logger: silentLogger(), dir: DIR, segmentSizeBytes: 64 * 1024 });
  const rnd = new SeededRandom(12);
  const syncsBefore = sim.syncCount;
  const early: string[] = [];
  const all: Array<Promise<Position>> = [];
  for (let i = 0; i < 1000; i++) {
    const payload = rnd.bytes(1 + rnd.int(200));
    const check = (pos: Position): Position => {
      const file = joinPath(DIR, segmentFileName(pos.segmentId));
      const end = pos.offset + RECORD_OVERHEAD_BYTES + payload.length;
      if ((fs.durableBytes.get(file) ?? 0) < end || !fs.durableNames.has(file)) early.push(`append ${i} at ${pos.segmentId}:${pos.offset}`);
      return pos;
    };
    all.push(log.append(payload).then(check));
    // Stagger arrivals so that groups form while an fsync is in flight, not only in one tick.
    if (rnd.int(4) === 0) await Promise.resolve();
  }
  const positions = await Promise.all(all);
  const syncs = sim.syncCount - syncsBefore;
  t.same(early, [], 'no append resolved before the fsync covering its bytes and name');
  t.ok(syncs >= 2, `arrivals spread over ticks took more than one group (${syncs} fsyncs)`);
  t.ok(syncs <= 100, `1000 appends took ${syncs} fsyncs: far fewer than appends`);
  t.ok(new Set(positions.map((p) => p.segmentId)).size >= 2, 'the run crossed a segment boundary');
  t.equal(log.metrics().syncs, syncs + 1, 'the metric counts the same fsyncs (plus the one at open)');
  await log.close();
});

t.test('while an fsync is held, nothing resolves and later appends gather into one next group', async (t) => {
  const sim = new SimFs(new SeededRandom(13));
  const fs = new WatchingFs(sim);
  const { log } = await CommitLog.open({ fs, clock: new SimClock(), logger: silentLogger(), dir: DIR });
  fs.hold = true;
  let resolved = 0;
  const first = log.append(Buffer.from('first')).then(() => resolved++);
  await settle();
  t.equal(fs.heldSyncs, 1, 'the first group is being synced');
  const rest: Array<Promise<number>> = [];
  for (let i = 0; i < 999; i++) {
    rest.push(log.append(Buffer.from(`record ${i}`)).then(() => resolved++));
    if (i % 100 === 0) await settle(5);
  }
  await settle();
  t.equal(resolved, 0, 'nothing resolves while its fsync is held');
  t.equal(fs.heldSyncs, 1, 'no second fsync starts while one is in flight');
  const syncsBefore = sim.syncCount;
  fs.release();
  await first;
  await settle();
  t.equal(resolved, 1, 'the first group resolves alone');
  t.equal(fs.heldSyncs, 1, 'the 999 others form exactly one next group');
  fs.hold = false;
  fs.release();
  await Promise.all(rest);
  t.equal(resolved, 1000);
  t.equal(sim.syncCount - syncsBefore, 2, 'two fsyncs for 1000 appends');
  await log.close();
});

t.test('an fsync error rejects the pending appends and fails the log for good', async (t) => {
  const sim = new SimFs(new SeededRandom(14));
  const fs = new WatchingFs(sim);
  const { log } = await CommitLog.open({ fs, clock: new SimClock(), logger: silentLogger(), dir: DIR });
  await log.append(Buffer.from('durable'));
  fs.failSyncs = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  const outcomes = await Promise.allSettled([log.append(Buffer.from('a')), log.append(Buffer.from('b')), log.sync()]);
  t.same(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected'], 'no ack after a failed fsync');
  const reason = (outcomes[0] as PromiseRejectedResult).reason as CommitLogFailedError;
  t.type(reason, CommitLogFailedError);
  t.equal(reason.code, 'commitlog_failed');
  t.match((reason.cause as Error).message, /EIO/);
  fs.failSyncs = null;
  await t.rejects(log.append(Buffer.from('later')), CommitLogFailedError, 'the log stays failed even once fsync works again');
  await t.rejects(log.sync(), CommitLogFailedError);
  t.equal(log.failedWith, reason);
  await t.rejects(log.close(), CommitLogFailedError, 'close reports the failure');
});

t.test('with groupWindowMs, fsyncs are at most one per window and appends wait for the next one', async (t) => {
  const sim = new SimFs(new SeededRandom(15));
  const clock = new SimClock();
  const { log } = await CommitLog.open({ fs: sim, clock, logger: silentLogger(), dir: DIR, groupWindowMs: 2 });
  await clock.advance(5);
  const syncsBefore = sim.syncCount;
  let resolved = 0;
  const first = log.append(Buffer.from('a')).then(() => resolved++);
  await settle();
  t.equal(resolved, 1, 'an idle log syncs at once: the window only spaces fsyncs apart');
  await first;
  const more: Array<Promise<number>> = [];
  for (let i = 0; i < 10; i++) {
    more.push(log.append(Buffer.from(`r${i}`)).then(() => resolved++));
    await clock.advance(0.1);
  }
  t.equal(resolved, 1, 'within the window the next group waits');
  await clock.advance(2);
  await Promise.all(more);
  t.equal(resolved, 11);
  t.equal(sim.syncCount - syncsBefore, 2, 'one fsync per window');
  await log.close();
});

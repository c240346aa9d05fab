// The crash-free behaviour once more on the real file system (RealFs, RealClock) in a temporary
// directory: round trip across segments and sessions, group commit, periodic syncs, corruption and
// torn-tail detection, discard.
import t from 'tap';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, truncateSync, writeSync, closeSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock, RealFs, SeededRandom, silentLogger } from '../../../src/seams/index.js';
import { CommitLog, CommitLogCorruptError, comparePositions, segmentFileName } from '../../../src/storage/commitlog/index.js';
import type { Position } from '../../../src/storage/commitlog/index.js';

const root = mkdtempSync(join(tmpdir(), 'ringtail-commitlog-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
const fs = new RealFs();
const clock = new RealClock();
const logger = silentLogger();
let dirs = 0;
const newDir = (): string => join(root, `log-${dirs++}`);

async function fill(dir: string, n: number, seed: number): Promise<{ payloads: Buffer[]; positions: Position[]; ids: number[] }> {
  const { log } = await CommitLog.open({ fs, clock, logger, dir, segmentSizeBytes: 4096, maxRecordBytes: 1000 });
  const rnd = new SeededRandom(seed);
  const payloads = Array.from({ length: n }, () => rnd.bytes(1 + rnd.int(300)));
  const positions = await Promise.all(payloads.map((p) => log.append(p)));
  await log.close();
  return { payloads, positions, ids: log.segmentIds() };
}

t.test('round trip across segments and sessions, with shared fsyncs', async (t) => {
  const dir = newDir();
  const rnd = new SeededRandom(41);
  const written: Buffer[] = [];
  for (let session = 0; session < 3; session++) {
    const { log, replay, report } = await CommitLog.open({ fs, clock, logger, dir, segmentSizeBytes: 8192, maxRecordBytes: 1000 });
    t.equal(replay.length, written.length, `session ${session} replays everything before it`);
    t.ok(replay.every((r, i) => r.payload.equals(written[i])), 'byte-identical, in order');
    t.equal(report.tornTail, null);
    const syncsBefore = log.metrics().syncs;
    const batch = Array.from({ length: 500 }, () => rnd.bytes(1 + rnd.int(400)));
    written.push(...batch);
    const positions = await Promise.all(batch.map((p) => log.append(p)));
    t.ok(positions.every((p, i) => i === 0 || comparePositions(positions[i - 1], p) < 0), 'positions increase');
    const syncs = log.metrics().syncs - syncsBefore;
    t.ok(syncs < 100, `500 concurrent appends took ${syncs} fsyncs`);
    t.ok(log.segmentIds().length > 5, 'several segments');
    await log.close();
  }
  const names = readdirSync(dir);
  t.ok(names.every((n) => /^CommitLog-\d+\.log$/.test(n)), 'only segment files in the directory');
  t.ok(names.every((n) => statSync(join(dir, n)).size <= 8192), 'segments within their size');
});

t.test('periodic mode syncs on the real clock', async (t) => {
  const dir = newDir();
  const { log } = await CommitLog.open({ fs, clock, logger, dir, sync: 'periodic', syncPeriodMs: 20 });
  const base = log.metrics().syncs;
  await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(Buffer.from(`r${i}`))));
  const deadline = performance.now() + 5000;
  while (log.metrics().syncs === base && performance.now() < deadline) await clock.sleep(5);
  t.ok(log.metrics().syncs > base, 'the timer synced');
  t.equal(log.metrics().pendingBytes, 0);
  await log.close();
  const { log: again, replay } = await CommitLog.open({ fs, clock, logger, dir });
  t.equal(replay.length, 100);
  await again.close();
});

t.test('corruption in a non-last segment names file and offset; a torn tail is cut off', async (t) => {
  const dir = newDir();
  const w = await fill(dir, 100, 42);
  const victim = w.positions.filter((p) => p.segmentId === w.ids[1])[2];
  const file = join(dir, segmentFileName(victim.segmentId));
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from([0xee]), 0, 1, victim.offset + 10);
  closeSync(fd);
  await t.rejects(CommitLog.open({ fs, clock, logger, dir }), { code: 'commitlog_corrupt', file, offset: victim.offset, reason: 'bad_payload_checksum' });
  await t.rejects(CommitLog.open({ fs, clock, logger, dir }), CommitLogCorruptError);

  const dir2 = newDir();
  const w2 = await fill(dir2, 100, 43);
  const last = w2.positions[w2.positions.length - 1];
  const lastFile = join(dir2, segmentFileName(last.segmentId));
  truncateSync(lastFile, last.offset + 5);
  const { log, replay, report } = await CommitLog.open({ fs, clock, logger, dir: dir2 });
  t.equal(replay.length, 99);
  t.match(report.tornTail, { file: lastFile, offset: last.offset, reason: 'short_read' });
  t.equal(statSync(lastFile).size, last.offset, 'the torn bytes are cut off');
  await log.close();
});

t.test('discardUpTo deletes the segments before a position', async (t) => {
  const dir = newDir();
  const w = await fill(dir, 100, 44);
  const { log } = await CommitLog.open({ fs, clock, logger, dir, segmentSizeBytes: 4096, maxRecordBytes: 1000 });
  const cut = w.positions.find((p) => p.segmentId === w.ids[2]);
  if (cut === undefined) throw new Error('no third segment');
  t.same(await log.discardUpTo(cut), w.ids.slice(0, 2));
  t.notOk(readdirSync(dir).includes(segmentFileName(w.ids[0])));
  t.ok(readdirSync(dir).includes(segmentFileName(w.ids[2])));
  await log.close();
});

t.test('periodic mode on RealFs: an acknowledged record is in the file, across segments, in order', async (t) => {
  // On RealFs periodic writes run in the background (AppendFile.writeInBackground); a record is
  // acknowledged only once its write returned, so another reader of the file already sees it.
  const dir = newDir();
  const { log } = await CommitLog.open({ fs, clock, logger, dir, sync: 'periodic', syncPeriodMs: 50, segmentSizeBytes: 16 * 1024, maxRecordBytes: 2000 });
  const rnd = new SeededRandom(44);
  const payloads = Array.from({ length: 3000 }, () => rnd.bytes(1 + rnd.int(600)));
  let missing = 0;
  let checked = 0;
  await Promise.all(payloads.map(async (p, i) => {
    const at = await log.append(p);
    if (i % 97 === 0) {
      checked++;
      const bytes = readFileSync(join(dir, segmentFileName(at.segmentId)));
      if (!bytes.subarray(at.offset + 8, at.offset + 8 + p.length).equals(p)) missing++;
    }
  }));
  t.ok(checked > 20 && missing === 0, `every acknowledged record checked (${checked}) was in its file`);
  t.ok(log.segmentIds().length > 10, 'many segments');
  await log.close();
  const { log: again, replay } = await CommitLog.open({ fs, clock, logger, dir });
  t.equal(replay.length, payloads.length, 'all replayed');
  t.ok(replay.every((r, i) => r.payload.equals(payloads[i])), 'in order, byte for byte');
  await again.close();
});

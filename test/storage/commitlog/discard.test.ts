// discardUpTo deletes exactly the segments wholly before a position, never the active one, and
// the deletion survives a crash once it has returned.
import t from 'tap';
import { SeededRandom, SimClock, SimFs, silentLogger } from '../../../src/seams/index.js';
import { CommitLog, comparePositions } from '../../../src/storage/commitlog/index.js';
import type { Position } from '../../../src/storage/commitlog/index.js';

const DIR = '/data/commitlog';
const logger = silentLogger();

function segmentFilesOn(fs: SimFs): number[] {
  const ids: number[] = [];
  for (const name of fs.list(DIR)) {
    const m = /^CommitLog-(\d+)\.log$/.exec(name);
    if (m !== null) ids.push(Number(m[1]));
  }
  return ids.sort((a, b) => a - b);
}

t.test('deletes exactly the segments before the position, durably', async (t) => {
  const fs = new SimFs(new SeededRandom(31));
  const clock = new SimClock();
  const { log } = await CommitLog.open({ fs, clock, logger, dir: DIR, segmentSizeBytes: 512, maxRecordBytes: 100 });
  const positions: Position[] = [];
  const payloads: Buffer[] = [];
  for (let i = 0; i < 60; i++) {
    const p = Buffer.alloc(40, i);
    payloads.push(p);
    positions.push(await log.append(p));
  }
  const ids = log.segmentIds();
  t.ok(ids.length >= 6, `several segments (${ids.length})`);
  const cut = positions.find((p) => p.segmentId === ids[3] && p.offset > 100);
  if (cut === undefined) throw new Error('no record in the middle of the fourth segment');
  const deleted = await log.discardUpTo(cut);
  t.same(deleted, ids.slice(0, 3), 'the three segments wholly before the position');
  t.same(segmentFilesOn(fs), ids.slice(3), 'their files are gone, the rest remain');
  t.same(log.segmentIds(), ids.slice(3));
  t.equal(log.metrics().segments, ids.length - 3);

  fs.crash({ tornWrites: true });
  t.same(segmentFilesOn(fs), ids.slice(3), 'after a crash the deleted segments stay deleted');
  const { log: again, replay } = await CommitLog.open({ fs, clock, logger, dir: DIR });
  const firstKept = positions.findIndex((p) => p.segmentId === ids[3]);
  t.equal(replay.length, 60 - firstKept, 'replay starts at the first record of the kept segment');
  t.ok(replay.every((r, i) => r.payload.equals(payloads[firstKept + i]) && comparePositions(r.position, positions[firstKept + i]) === 0));
  await again.close();
});

t.test('never deletes the active segment', async (t) => {
  const fs = new SimFs(new SeededRandom(32));
  const { log } = await CommitLog.open({ fs, clock: new SimClock(), logger, dir: DIR, segmentSizeBytes: 512, maxRecordBytes: 100 });
  for (let i = 0; i < 30; i++) await log.append(Buffer.alloc(40, i));
  const active = log.currentPosition().segmentId;
  const deleted = await log.discardUpTo({ segmentId: Number.MAX_SAFE_INTEGER, offset: 0 });
  t.notOk(deleted.includes(active));
  t.same(log.segmentIds(), [active], 'only the active segment is left');
  t.same(segmentFilesOn(fs), [active]);
  t.same(await log.discardUpTo(log.currentPosition()), [], 'nothing more to delete');
  const p = await log.append(Buffer.from('still writable'));
  t.equal(p.segmentId, active);
  await log.close();
});

t.test('a segment still being synced is deleted only after its sync, and its appends still resolve', async (t) => {
  const fs = new SimFs(new SeededRandom(33));
  const { log } = await CommitLog.open({ fs, clock: new SimClock(), logger, dir: DIR, segmentSizeBytes: 512, maxRecordBytes: 100 });
  const pending: Array<Promise<Position>> = [];
  for (let i = 0; i < 20; i++) pending.push(log.append(Buffer.alloc(40, i)));
  const ids = log.segmentIds();
  t.ok(ids.length >= 2, 'the unsynced appends already span segments');
  const deleted = await log.discardUpTo(log.currentPosition());
  t.same(deleted, ids.slice(0, -1), 'all but the active segment');
  const positions = await Promise.all(pending);
  t.equal(positions.length, 20, 'every append resolved');
  t.equal(log.failedWith, null, 'the log is healthy');
  t.same(segmentFilesOn(fs), ids.slice(-1));
  await log.close();
});

// Records appended to the commit log come back from replay, in order and byte-identical, after a
// clean close and reopen, across segment boundaries and across several sessions.
import t from 'tap';
import { SeededRandom, SimClock, SimFs, joinPath, silentLogger } from '../../../src/seams/index.js';
import {
  CommitLog,
  CommitLogClosedError,
  CommitLogRecordSizeError,
  HEADER_BYTES,
  RECORD_OVERHEAD_BYTES,
  comparePositions,
  segmentFileName,
} from '../../../src/storage/commitlog/index.js';
import type { Position } from '../../../src/storage/commitlog/index.js';

const DIR = '/data/commitlog';

function payloadFor(rnd: SeededRandom, id: number): Buffer {
  const p = rnd.bytes(4 + rnd.int(300));
  p.writeUInt32BE(id, 0);
  return p;
}

t.test('appends replay in order after close and reopen, across segments and sessions', async (t) => {
  const rnd = new SeededRandom(7);
  const fs = new SimFs(rnd.fork());
  const clock = new SimClock();
  const written: Buffer[] = [];
  const positions: Position[] = [];
  for (let session = 0; session < 3; session++) {
    const { log, replay, report } = await CommitLog.open({ fs, clock, logger: silentLogger(), dir: DIR, segmentSizeBytes: 2048, maxRecordBytes: 400 });
    t.equal(replay.length, written.length, `session ${session}: every earlier record is replayed`);
    t.equal(report.recordCount, written.length);
    t.equal(report.tornTail, null, 'a clean close leaves no torn tail');
    const differing = replay.findIndex((r, i) => !r.payload.equals(written[i]));
    t.equal(differing, -1, 'every replayed record is byte-identical to the one appended');
    const moved = replay.findIndex((r, i) => comparePositions(r.position, positions[i]) !== 0);
    t.equal(moved, -1, 'every record replays at the position append gave it');
    const before = log.currentPosition();
    const pending: Array<Promise<Position>> = [];
    for (let i = 0; i < 150; i++) {
      const p = payloadFor(rnd, written.length);
      written.push(p);
      pending.push(log.append(p));
      if (i % 37 === 0) await log.sync();
    }
    const got = await Promise.all(pending);
    positions.push(...got);
    t.ok(comparePositions(got[0], before) >= 0, 'new records are at or after the position before them');
    for (let i = 1; i < got.length; i++) {
      if (comparePositions(got[i - 1], got[i]) >= 0) t.fail(`positions not increasing at ${i}`);
    }
    t.ok(new Set(got.map((p) => p.segmentId)).size > 3, 'the session spans several segments');
    t.ok(log.segmentIds().every((id) => fs.exists(joinPath(DIR, segmentFileName(id)))), 'every live segment is a file');
    await log.close();
    const sizes = log.segmentIds().map((id) => fs.size(joinPath(DIR, segmentFileName(id))));
    t.ok(sizes.every((n) => n <= 2048), 'segments stay within segmentSizeBytes');
    t.ok(sizes.filter((n) => n > 1600).length >= 3, 'and are filled before a new one starts');
  }
});

t.test('a reopened log never appends to an old segment, and ids keep growing', async (t) => {
  const fs = new SimFs(new SeededRandom(1));
  const clock = new SimClock();
  const { log: a } = await CommitLog.open({ fs, clock, logger: silentLogger(), dir: DIR });
  const p1 = await a.append(Buffer.from('one'));
  t.same(p1, { segmentId: a.segmentIds()[0], offset: HEADER_BYTES }, 'the first record follows the header');
  await a.close();
  const oldSize = fs.size(joinPath(DIR, segmentFileName(p1.segmentId)));
  const { log: b } = await CommitLog.open({ fs, clock, logger: silentLogger(), dir: DIR });
  const p2 = await b.append(Buffer.from('two'));
  t.ok(p2.segmentId > p1.segmentId, 'a fresh segment with a higher id');
  t.equal(fs.size(joinPath(DIR, segmentFileName(p1.segmentId))), oldSize, 'the old segment is untouched');
  t.equal(oldSize, HEADER_BYTES + RECORD_OVERHEAD_BYTES + 3);
  await b.close();
});

t.test('empty and oversized records are refused; a closed log refuses appends', async (t) => {
  const fs = new SimFs(new SeededRandom(2));
  const { log } = await CommitLog.open({ fs, clock: new SimClock(), logger: silentLogger(), dir: DIR, segmentSizeBytes: 1000 });
  await t.rejects(log.append(Buffer.alloc(0)), CommitLogRecordSizeError);
  await t.rejects(log.append(Buffer.alloc(501)), { code: 'commitlog_record_size', maxBytes: 500 });
  t.ok(await log.append(Buffer.alloc(500, 1)), 'half a segment is the largest record');
  await log.close();
  await t.rejects(log.append(Buffer.from('x')), CommitLogClosedError);
  await t.rejects(log.sync(), { code: 'commitlog_closed' });
});

t.test('options that cannot work are refused', async (t) => {
  const fs = new SimFs(new SeededRandom(3));
  await t.rejects(CommitLog.open({ fs, clock: new SimClock(), logger: silentLogger(), dir: DIR, segmentSizeBytes: 100, maxRecordBytes: 90 }), RangeError);
});

t.test('metrics count records, bytes, syncs, pending bytes and segments', async (t) => {
  const fs = new SimFs(new SeededRandom(4));
  const { log } = await CommitLog.open({ fs, clock: new SimClock(), logger: silentLogger(), dir: DIR, segmentSizeBytes: 256, maxRecordBytes: 100 });
  const m0 = log.metrics();
  t.same(m0, { bytesWritten: HEADER_BYTES, records: 0, syncs: 1, pendingBytes: 0, segments: 1 }, 'after open: one synced header');
  const p = log.append(Buffer.alloc(100, 7));
  t.equal(log.metrics().pendingBytes, 112, 'a placed record is pending until synced');
  await p;
  const all = [];
  for (let i = 0; i < 4; i++) all.push(log.append(Buffer.alloc(100, i)));
  await Promise.all(all);
  const m = log.metrics();
  t.equal(m.records, 5);
  t.equal(m.pendingBytes, 0);
  t.equal(m.segments, 3, 'five 112-byte records in 256-byte segments: two per segment');
  t.equal(m.bytesWritten, 3 * HEADER_BYTES + 5 * 112);
  t.ok(m.syncs >= 3 && m.syncs === fs.syncCount, 'every sync counted once');
  await log.close();
});

t.test('onRecord streams replayed records instead of collecting them', async (t) => {
  const fs = new SimFs(new SeededRandom(5));
  const clock = new SimClock();
  const { log } = await CommitLog.open({ fs, clock, logger: silentLogger(), dir: DIR });
  await Promise.all([log.append(Buffer.from('a')), log.append(Buffer.from('bb'))]);
  await log.close();
  const seen: string[] = [];
  const { log: again, replay, report } = await CommitLog.open({ fs, clock, logger: silentLogger(), dir: DIR, onRecord: (p) => seen.push(p.toString()) });
  t.same(seen, ['a', 'bb']);
  t.equal(replay.length, 0);
  t.equal(report.recordCount, 2);
  await again.close();
});

// Replay tells a torn tail (last segment: stop, report, cut it off) from corruption (any other
// segment: refuse to open, naming the file and the exact offset, unless skipCorrupt), and reads a
// zeroed tail as a clean end. Also pins the byte layout of the format grammar.
import t from 'tap';
import { pino } from 'pino';
import { SeededRandom, SimClock, SimFs, joinPath, silentLogger } from '../../../src/seams/index.js';
import type { Logger } from '../../../src/seams/index.js';
import { xxh32 } from '../../../src/hash/index.js';
import {
  CommitLog,
  CommitLogCorruptError,
  HEADER_BYTES,
  RECORD_OVERHEAD_BYTES,
  segmentFileName,
} from '../../../src/storage/commitlog/index.js';
import type { Position } from '../../../src/storage/commitlog/index.js';

const DIR = '/data/commitlog';

interface Written {
  fs: SimFs;
  clock: SimClock;
  payloads: Buffer[];
  positions: Position[];
  segmentIds: number[];
}

/** A closed log of 40 records of 40 bytes in 512-byte segments (9 records per segment). */
async function writtenLog(seed: number): Promise<Written> {
  const fs = new SimFs(new SeededRandom(seed));
  const clock = new SimClock();
  const { log } = await CommitLog.open({ fs, clock, logger: silentLogger(), dir: DIR, segmentSizeBytes: 512, maxRecordBytes: 100 });
  const rnd = new SeededRandom(seed + 1000);
  const payloads: Buffer[] = [];
  const positions: Position[] = [];
  for (let i = 0; i < 40; i++) {
    const p = rnd.bytes(40);
    payloads.push(p);
    positions.push(await log.append(p));
  }
  await log.close();
  return { fs, clock, payloads, positions, segmentIds: log.segmentIds() };
}

function fileOf(segmentId: number): string {
  return joinPath(DIR, segmentFileName(segmentId));
}

/** A pino logger that keeps its records, to check what replay reports. */
function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

t.test('a bad payload in the middle of a non-last segment: corrupt, with file and exact offset', async (t) => {
  const w = await writtenLog(1);
  const segmentRecords = w.positions.map((p, i) => ({ p, i })).filter(({ p }) => p.segmentId === w.segmentIds[1]);
  const victim = segmentRecords[3];
  w.fs.corrupt(fileOf(victim.p.segmentId), victim.p.offset + 8 + 17);
  const err = await CommitLog.open({ fs: w.fs, clock: w.clock, logger: silentLogger(), dir: DIR }).then(
    () => null,
    (e: unknown) => e,
  );
  t.type(err, CommitLogCorruptError);
  const c = err as CommitLogCorruptError;
  t.equal(c.code, 'commitlog_corrupt');
  t.equal(c.file, fileOf(victim.p.segmentId), 'names the file');
  t.equal(c.offset, victim.p.offset, 'names the offset where the bad record starts');
  t.equal(c.reason, 'bad_payload_checksum');
  t.match(c.message, new RegExp(`${segmentFileName(victim.p.segmentId)} is corrupt at byte offset ${victim.p.offset}`));

  const { logger, lines } = capturingLogger();
  const { log, replay, report } = await CommitLog.open({ fs: w.fs, clock: w.clock, logger, dir: DIR, skipCorrupt: true });
  const lostFrom = victim.i;
  const lostTo = segmentRecords[segmentRecords.length - 1].i;
  const expected = w.payloads.filter((_, i) => i < lostFrom || i > lostTo);
  t.equal(replay.length, expected.length, 'skipCorrupt: the rest of that segment is skipped, all else replayed');
  t.ok(replay.every((r, i) => r.payload.equals(expected[i])), 'byte-identical, in order');
  t.same(report.skipped, [{ file: c.file, offset: c.offset, reason: 'bad_payload_checksum' }]);
  t.equal(report.tornTail, null);
  t.ok(lines.some((l) => l.level === 50 && l.file === c.file && l.offset === c.offset), 'logged as an error with file and offset');
  await log.close();
});

t.test('a bad length checksum, and a bad header, in a non-last segment are corruption too', async (t) => {
  const w = await writtenLog(2);
  const victim = w.positions.filter((p) => p.segmentId === w.segmentIds[2])[5];
  w.fs.corrupt(fileOf(victim.segmentId), victim.offset + 1);
  await t.rejects(CommitLog.open({ fs: w.fs, clock: w.clock, logger: silentLogger(), dir: DIR }), {
    code: 'commitlog_corrupt',
    file: fileOf(victim.segmentId),
    offset: victim.offset,
    reason: 'bad_length_checksum',
  });

  const h = await writtenLog(3);
  h.fs.corrupt(fileOf(h.segmentIds[1]), 10);
  await t.rejects(CommitLog.open({ fs: h.fs, clock: h.clock, logger: silentLogger(), dir: DIR }), {
    code: 'commitlog_corrupt',
    file: fileOf(h.segmentIds[1]),
    offset: 0,
    reason: 'bad_header_checksum',
  });
  const { log, replay, report } = await CommitLog.open({ fs: h.fs, clock: h.clock, logger: silentLogger(), dir: DIR, skipCorrupt: true });
  t.equal(replay.length, 40 - 9, 'skipping a bad header skips that whole segment');
  t.same(report.skipped.map((s) => s.offset), [0]);
  await log.close();
});

t.test('a corrupted last record of the last segment is a torn tail: reported, logged, cut off', async (t) => {
  const w = await writtenLog(4);
  const last = w.positions[w.positions.length - 1];
  const file = fileOf(last.segmentId);
  w.fs.corrupt(file, last.offset + 8 + 39);
  const { logger, lines } = capturingLogger();
  const { log, replay, report } = await CommitLog.open({ fs: w.fs, clock: w.clock, logger, dir: DIR });
  t.equal(replay.length, 39, 'replay stops before the torn record');
  t.ok(replay.every((r, i) => r.payload.equals(w.payloads[i])));
  t.same(report.tornTail, { file, offset: last.offset, reason: 'bad_payload_checksum', bytesIgnored: RECORD_OVERHEAD_BYTES + 40 });
  t.ok(lines.some((l) => l.level === 40 && l.file === file && l.offset === last.offset), 'a warning names file and offset');
  t.equal(w.fs.size(file), last.offset, 'the torn record is cut off the file');
  await log.append(Buffer.from('after'));
  await log.close();
  const { log: again, replay: again2, report: r2 } = await CommitLog.open({ fs: w.fs, clock: w.clock, logger: silentLogger(), dir: DIR });
  t.equal(r2.tornTail, null, 'the once-torn segment, no longer last, reads cleanly');
  t.equal(again2.length, 40);
  t.equal(again2[39].payload.toString(), 'after');
  await again.close();
});

t.test('a last segment cut mid-record is a torn tail (short read)', async (t) => {
  const w = await writtenLog(5);
  const last = w.positions[w.positions.length - 1];
  w.fs.truncate(fileOf(last.segmentId), last.offset + 20);
  const { log, replay, report } = await CommitLog.open({ fs: w.fs, clock: w.clock, logger: silentLogger(), dir: DIR });
  t.equal(replay.length, 39);
  t.match(report.tornTail, { offset: last.offset, reason: 'short_read', bytesIgnored: 20 });
  await log.close();
});

t.test('a last segment with a bad header is a torn tail and is removed', async (t) => {
  const w = await writtenLog(6);
  const lastId = w.segmentIds[w.segmentIds.length - 1];
  w.fs.corrupt(fileOf(lastId), 0);
  const { log, replay, report } = await CommitLog.open({ fs: w.fs, clock: w.clock, logger: silentLogger(), dir: DIR });
  const inLast = w.positions.filter((p) => p.segmentId === lastId).length;
  t.equal(replay.length, 40 - inLast);
  t.match(report.tornTail, { file: fileOf(lastId), offset: 0, reason: 'bad_header_checksum' });
  t.notOk(w.fs.exists(fileOf(lastId)), 'the unreadable segment is gone');
  t.ok(log.segmentIds()[log.segmentIds().length - 1] > lastId, 'ids still grow past the removed one');
  await log.close();
});

t.test('a zeroed tail is a clean end, in the last segment and in earlier ones', async (t) => {
  const w = await writtenLog(7);
  for (const id of [w.segmentIds[1], w.segmentIds[w.segmentIds.length - 1]]) {
    const f = w.fs.openAppend(fileOf(id));
    f.write(Buffer.alloc(300));
    await f.sync();
    f.close();
  }
  const { log, replay, report } = await CommitLog.open({ fs: w.fs, clock: w.clock, logger: silentLogger(), dir: DIR });
  t.equal(replay.length, 40, 'every record, nothing from the zeros');
  t.equal(report.tornTail, null);
  t.same(report.skipped, []);
  await log.close();

  // Zeros followed by anything else are not a clean end.
  const f = w.fs.openAppend(fileOf(w.segmentIds[1]));
  f.write(Buffer.from([1]));
  await f.sync();
  f.close();
  await t.rejects(CommitLog.open({ fs: w.fs, clock: w.clock, logger: silentLogger(), dir: DIR }), CommitLogCorruptError);
});

t.test('a temporary file left by an interrupted seal is removed', async (t) => {
  const w = await writtenLog(8);
  const tmp = `${fileOf(w.segmentIds[0])}.tmp`;
  const f = w.fs.create(tmp);
  f.write(Buffer.from('partial'));
  f.close();
  const { log, replay } = await CommitLog.open({ fs: w.fs, clock: w.clock, logger: silentLogger(), dir: DIR });
  t.equal(replay.length, 40);
  t.notOk(w.fs.exists(tmp));
  await log.close();
});

t.test('the bytes on disk follow the grammar in format.ts', async (t) => {
  const fs = new SimFs(new SeededRandom(9));
  const { log } = await CommitLog.open({ fs, clock: new SimClock(), logger: silentLogger(), dir: DIR });
  const pos = await log.append(Buffer.from('hello'));
  await log.close();
  const data = fs.readFile(fileOf(pos.segmentId));
  t.equal(data.length, HEADER_BYTES + RECORD_OVERHEAD_BYTES + 5);
  t.equal(data.toString('latin1', 0, 4), 'RTCL', 'magic');
  t.equal(data.readUInt16BE(4), 1, 'format version');
  t.equal(data.readUInt16BE(6), 0, 'flags');
  t.equal(data.readUInt32BE(8) * 2 ** 32 + data.readUInt32BE(12), pos.segmentId, 'segment id, high word first');
  t.equal(data.readUInt32BE(16), xxh32(data.subarray(0, 16)), 'header checksum');
  t.equal(pos.offset, HEADER_BYTES);
  t.equal(data.readUInt32BE(20), 5, 'length');
  t.equal(data.readUInt32BE(24), xxh32(data.subarray(20, 24)), 'length checksum');
  t.equal(data.toString('latin1', 28, 33), 'hello', 'payload');
  t.equal(data.readUInt32BE(33), xxh32(Buffer.from('hello')), 'payload checksum');
});

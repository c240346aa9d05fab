// The codecs: the body notations (spec v4 section 3) and the incremental frame decoder.
// Writer and reader agree and match the spec's byte layouts; a reader given too few bytes throws
// a PROTOCOL_ERROR instead of reading on; any split of the byte stream gives the same frames;
// versions other than 4 and over-long frames are fatal errors carrying the request's stream.
import t from 'tap';
import { CqlError, ErrorCode } from '../../src/cql-lite/index.js';
import { UNSET } from '../../src/query/api.js';
import { BodyReader, encodeFrame, FrameDecoder, FrameError, FrameWriter, Opcode } from '../../src/server/index.js';
import type { Frame } from '../../src/server/index.js';
import { SeededRandom } from '../../src/seams/index.js';

// --- notations ----------------------------------------------------------------------------

function written(fn: (w: FrameWriter) => void): Buffer {
  const w = new FrameWriter(16);
  fn(w);
  return Buffer.from(w.take() ?? Buffer.alloc(0));
}

t.test('each notation has the spec layout', async (t) => {
  t.same(written((w) => w.string('abc')), Buffer.from('0003616263', 'hex'), '[string]');
  t.same(written((w) => w.string('é')), Buffer.from('0002c3a9', 'hex'), '[string] counts UTF-8 bytes');
  t.same(written((w) => w.longString('ab')), Buffer.from('000000026162', 'hex'), '[long string]');
  t.same(written((w) => w.bytes(null)), Buffer.from('ffffffff', 'hex'), '[bytes] null');
  t.same(written((w) => w.bytes(Buffer.from([1, 2]))), Buffer.from('000000020102', 'hex'), '[bytes]');
  t.same(written((w) => w.shortBytes(Buffer.from([9]))), Buffer.from('000109', 'hex'), '[short bytes]');
  t.same(written((w) => w.stringList(['a', 'b'])), Buffer.from('0002000161000162', 'hex'), '[string list]');
  t.same(written((w) => w.stringMultimap(new Map([['K', ['v']], ['E', []]]))), Buffer.from('0002' + '00014b' + '0001' + '000176' + '000145' + '0000', 'hex'), '[string multimap]');
  t.same(written((w) => w.inet(Buffer.from([127, 0, 0, 1]), 9042)), Buffer.from('047f00000100002352', 'hex'), '[inet]');
  t.same(written((w) => w.long(-2n)), Buffer.from('fffffffffffffffe', 'hex'), '[long]');
  t.same(written((w) => w.short(0xfffe)), Buffer.from('fffe', 'hex'), '[short] is unsigned');
});

t.test('[value] distinguishes bytes, empty, null and unset', async (t) => {
  const r = new BodyReader(Buffer.from('00000001ff' + '00000000' + 'ffffffff' + 'fffffffe', 'hex'));
  t.same(r.value(), Buffer.from([0xff]));
  t.same(r.value(), Buffer.alloc(0), 'empty is not null');
  t.equal(r.value(), null);
  t.equal(r.value(), UNSET);
  t.equal(r.remaining, 0);
  t.throws(() => new BodyReader(Buffer.from('fffffffd', 'hex')).value(), { code: ErrorCode.PROTOCOL_ERROR }, '-3 is invalid');
});

t.test('maps and consistency read back', async (t) => {
  const buf = Buffer.from('0001' + '000141' + '000142' + '0001' + '00016b' + '00000001' + '07' + '000a', 'hex');
  const r = new BodyReader(buf);
  t.same([...r.stringMap()], [['A', 'B']]);
  t.same([...r.bytesMap()], [['k', Buffer.from([7])]]);
  t.equal(r.consistency(), 0x0a, 'LOCAL_ONE');
  t.throws(() => new BodyReader(Buffer.from('000b', 'hex')).consistency(), { code: ErrorCode.PROTOCOL_ERROR }, 'unknown consistency');
  t.throws(() => new BodyReader(Buffer.from('03010203040000', 'hex')).inet(), { code: ErrorCode.PROTOCOL_ERROR }, 'inet of 3 bytes');
  t.throws(() => new BodyReader(Buffer.from('0002fffe', 'hex')).string(), { code: ErrorCode.PROTOCOL_ERROR }, 'invalid UTF-8');
});

type Item =
  | { kind: 'byte'; v: number }
  | { kind: 'short'; v: number }
  | { kind: 'int'; v: number }
  | { kind: 'long'; v: bigint }
  | { kind: 'string'; v: string }
  | { kind: 'longString'; v: string }
  | { kind: 'bytes'; v: Buffer | null }
  | { kind: 'shortBytes'; v: Buffer }
  | { kind: 'stringList'; v: string[] };

function randomString(rnd: SeededRandom): string {
  const alphabet = ['a', 'Z', '0', ' ', 'é', '中', '😀', "'"];
  let s = '';
  const n = rnd.int(12);
  for (let i = 0; i < n; i++) s += alphabet[rnd.int(alphabet.length)];
  return s;
}

function randomItem(rnd: SeededRandom): Item {
  switch (rnd.int(9)) {
    case 0:
      return { kind: 'byte', v: rnd.int(256) };
    case 1:
      return { kind: 'short', v: rnd.int(65536) };
    case 2:
      return { kind: 'int', v: rnd.int(2 ** 31) - 2 ** 30 };
    case 3:
      return { kind: 'long', v: BigInt(rnd.int(2 ** 31)) * BigInt(rnd.int(2 ** 31)) * (rnd.int(2) ? 1n : -1n) };
    case 4:
      return { kind: 'string', v: randomString(rnd) };
    case 5:
      return { kind: 'longString', v: randomString(rnd) };
    case 6:
      return { kind: 'bytes', v: rnd.int(4) === 0 ? null : Buffer.from(randomString(rnd)) };
    case 7:
      return { kind: 'shortBytes', v: Buffer.from(randomString(rnd)) };
    default:
      return { kind: 'stringList', v: Array.from({ length: rnd.int(4) }, () => randomString(rnd)) };
  }
}

function writeItem(w: FrameWriter, it: Item): void {
  switch (it.kind) {
    case 'byte': return w.byte(it.v);
    case 'short': return w.short(it.v);
    case 'int': return w.int(it.v);
    case 'long': return w.long(it.v);
    case 'string': return w.string(it.v);
    case 'longString': return w.longString(it.v);
    case 'bytes': return w.bytes(it.v);
    case 'shortBytes': return w.shortBytes(it.v);
    case 'stringList': return w.stringList(it.v);
  }
}

function readItem(r: BodyReader, kind: Item['kind']): unknown {
  switch (kind) {
    case 'byte': return r.byte();
    case 'short': return r.short();
    case 'int': return r.int();
    case 'long': return r.long();
    case 'string': return r.string();
    case 'longString': return r.longString();
    case 'bytes': return r.bytes();
    case 'shortBytes': return r.shortBytes();
    case 'stringList': return r.stringList();
  }
}

t.test('random sequences round-trip, and every truncation is a protocol error', async (t) => {
  const rnd = new SeededRandom(5);
  for (let round = 0; round < 300; round++) {
    const items = Array.from({ length: 1 + rnd.int(8) }, () => randomItem(rnd));
    const bytes = written((w) => items.forEach((it) => writeItem(w, it)));
    const r = new BodyReader(bytes);
    const back = items.map((it) => readItem(r, it.kind));
    t.same(back, items.map((it) => it.v), `round ${round}`);
    t.equal(r.remaining, 0);
    // Put the bytes in a larger buffer with garbage after `end`: a reader must never look there.
    const padded = Buffer.concat([bytes, Buffer.alloc(64, 0x7f)]);
    for (let cut = 0; cut < bytes.length; cut++) {
      const tr = new BodyReader(padded, 0, cut);
      try {
        items.forEach((it) => readItem(tr, it.kind));
        t.fail(`reading ${cut} of ${bytes.length} bytes succeeded`);
      } catch (err) {
        if (!(err instanceof CqlError) || err.code !== ErrorCode.PROTOCOL_ERROR) throw err;
      }
      if (tr.pos > cut) t.fail(`reader moved past its end: ${tr.pos} > ${cut}`);
    }
  }
});

t.test('the writer grows across chunks and keeps taken bytes intact', async (t) => {
  const w = new FrameWriter(32);
  w.begin(0x84, 3, 0x08);
  w.bytes(Buffer.alloc(100, 1));
  w.end();
  const first = w.take()!;
  w.begin(0x84, 4, 0x08);
  w.bytes(Buffer.alloc(50, 2));
  w.abort();
  w.begin(0x84, 5, 0x08);
  w.int(7);
  w.end();
  const second = w.take()!;
  t.equal(first.length, 9 + 104);
  t.equal(first.readUInt32BE(5), 104, 'length patched after growth');
  t.equal(first[9 + 4], 1);
  t.equal(first[first.length - 1], 1, 'first frame untouched by later writes');
  t.same(second, Buffer.from('84000005080000000400000007', 'hex'), 'aborted frame left nothing');
  t.throws(() => w.string('x'.repeat(70000)), RangeError, '[string] over 65535 bytes');
});

// --- frame decoder ------------------------------------------------------------------------

function drain(d: FrameDecoder): Array<Frame | FrameError> {
  const out: Array<Frame | FrameError> = [];
  for (let i = 0; i < 100_000; i++) {
    const f = d.next();
    if (f === null) return out;
    out.push(f);
  }
  throw new Error('decoder did not stop');
}

const frames = [
  encodeFrame(0x04, 0, 0, Opcode.OPTIONS, Buffer.alloc(0)),
  encodeFrame(0x04, 0, 1, Opcode.QUERY, Buffer.from('hello world')),
  encodeFrame(0x04, 2, 300, Opcode.EXECUTE, Buffer.alloc(5000, 7)),
  encodeFrame(0x04, 0, -5, Opcode.REGISTER, Buffer.from([1])),
];
const stream = Buffer.concat(frames);

t.test('frames come out whole and in order however the bytes are split', async (t) => {
  const rnd = new SeededRandom(11);
  for (let round = 0; round < 200; round++) {
    const d = new FrameDecoder(1 << 20);
    const got: Array<Frame | FrameError> = [];
    let at = 0;
    while (at < stream.length) {
      const n = round === 0 ? 1 : 1 + rnd.int(round < 100 ? 20 : 4000);
      d.push(stream.subarray(at, at + n));
      at += n;
      got.push(...drain(d));
    }
    t.equal(got.length, frames.length, `round ${round}: frame count`);
    got.forEach((f, i) => {
      if (f instanceof FrameError) throw new Error(f.message);
      t.same(encodeFrame(f.version, f.flags, f.stream, f.opcode, f.body), frames[i], `round ${round}: frame ${i}`);
    });
    t.equal(d.bufferedBytes, 0);
  }
});

t.test('a frame inside one chunk is a view of it, not a copy', async (t) => {
  const d = new FrameDecoder(1 << 20);
  d.push(stream);
  const f = d.next() as Frame;
  const g = d.next() as Frame;
  t.equal(f.body.buffer, stream.buffer);
  t.equal(g.body.toString(), 'hello world');
  t.equal(g.body.buffer, stream.buffer);
});

t.test('an unsupported version is fatal and answered on the request stream', async (t) => {
  for (const version of [0x42, 0x41, 0x05, 0x03, 0x7f, 0x00]) {
    const d = new FrameDecoder(1 << 20);
    d.push(encodeFrame(version, 0, 7, Opcode.OPTIONS, Buffer.alloc(0)));
    const e = d.next();
    t.ok(e instanceof FrameError, `version 0x${version.toString(16)}`);
    const err = e as FrameError;
    t.equal(err.stream, 7);
    t.equal(err.replyVersion, 4);
    t.match(err.message, new RegExp(`^Invalid or unsupported protocol version \\(${version}\\); supported versions are \\(4/v4\\)$`));
    d.push(stream);
    t.equal(d.next(), null, 'nothing after a fatal error');
    t.ok(d.hasFailed);
  }
});

t.test('v1 and v2 are recognised by their 8-byte header', async (t) => {
  const d = new FrameDecoder(1 << 20);
  d.push(Buffer.from([0x02, 0x00, 0x05, Opcode.STARTUP, 0, 0, 0]));
  t.equal(d.next(), null, 'waits for the 8th byte');
  d.push(Buffer.from([0]));
  const e = d.next() as FrameError;
  t.equal(e.replyVersion, 2);
  t.equal(e.stream, 5);
});

t.test('a declared length over the maximum is fatal before the body arrives', async (t) => {
  const d = new FrameDecoder(1000);
  const header = encodeFrame(0x04, 0, 9, Opcode.QUERY, Buffer.alloc(0));
  header.writeUInt32BE(992, 5);
  d.push(header);
  const e = d.next() as FrameError;
  t.ok(e instanceof FrameError);
  t.equal(e.stream, 9);
  t.match(e.message, /Request is too big: length 1001 exceeds maximum allowed length 1000/);
  const ok = new FrameDecoder(1000);
  const exact = encodeFrame(0x04, 0, 1, Opcode.QUERY, Buffer.alloc(991));
  ok.push(exact);
  t.notOk(ok.next() instanceof FrameError, 'exactly the maximum is accepted');
  header.writeUInt32BE(0xffffffff, 5);
  const huge = new FrameDecoder(1 << 24);
  huge.push(header);
  t.ok(huge.next() instanceof FrameError, 'a 4 GiB length');
});

t.test('a response-direction frame is passed on for the connection to refuse', async (t) => {
  const d = new FrameDecoder(1 << 20);
  d.push(encodeFrame(0x84, 0, 1, Opcode.QUERY, Buffer.alloc(3)));
  const f = d.next() as Frame;
  t.equal(f.version, 0x84);
});

t.test('a large frame in many chunks is assembled with one copy', async (t) => {
  const big = encodeFrame(0x04, 0, 2, Opcode.QUERY, Buffer.alloc(1 << 20, 3));
  const d = new FrameDecoder(4 << 20);
  for (let at = 0; at < big.length; at += 65536) {
    t.equal(d.next(), null);
    d.push(big.subarray(at, at + 65536));
  }
  const f = d.next() as Frame;
  t.equal(f.body.length, 1 << 20);
  t.equal(f.body[12345], 3);
});

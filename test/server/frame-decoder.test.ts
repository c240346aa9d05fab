// The incremental frame decoder: any split of the byte stream gives the same frames; versions
// other than 4 and over-long frames are fatal errors carrying the request's stream.
import t from 'tap';
import { encodeFrame, FrameDecoder, FrameError, Opcode } from '../../src/server/index.js';
import type { Frame } from '../../src/server/index.js';
import { SeededRandom } from '../../src/seams/index.js';

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

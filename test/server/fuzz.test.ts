// Fuzz: random and mutated frames, 100,000 into a Connection (real decoder, fake wire) and
// 100,000 into a live listener. Invariant: every whole request frame gets exactly one response
// frame, a fatal header error gets one and ends the connection, the output is always whole frames,
// nothing throws, and a canary connection keeps answering throughout. Seeded; a failure names
// the seed (FUZZ_SEED=<n> replays it).
import t from 'tap';
import { invalidRequest } from '../../src/cql-lite/index.js';
import type { ResultMessage } from '../../src/query/api.js';
import { Connection, FrameDecoder, FrameError, FrameWriter, NativeServer, Opcode } from '../../src/server/index.js';
import type { Wire } from '../../src/server/index.js';
import { SeededRandom, silentLogger } from '../../src/seams/index.js';
import { FakeHandler, RawClient, requestFrame, startupFrame, textColumns, waitUntil, writeQueryParams } from './harness.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20260101);
const MAX_FRAME_BYTES = 64 * 1024;
const FRAMES_PER_TARGET = 100_000;

function fuzzHandler(): FakeHandler {
  const h = new FakeHandler();
  const answer = (text: string): ResultMessage => {
    switch (text.length % 3) {
      case 0:
        return { kind: 'void' };
      case 1:
        return { kind: 'rows', columns: textColumns('ks', 't', 'a'), rows: [[Buffer.from(text.slice(0, 8))]], pagingState: null };
      default:
        throw invalidRequest(`no such thing: ${text.slice(0, 20)}`);
    }
  };
  h.onQuery = (text) => answer(text);
  h.onExecute = (id) => answer(id.toString('latin1'));
  h.onBatch = (_type, entries) => answer('x'.repeat(entries.length));
  return h;
}

function randomBytes(rnd: SeededRandom, max: number): Buffer {
  return rnd.bytes(rnd.int(max + 1));
}

function randomText(rnd: SeededRandom): string {
  const words = ['SELECT', '*', 'FROM', 'ks.t', 'WHERE', 'k', '=', '?', 'INSERT', 'INTO', 'VALUES', '(', ')', "'x'", ';', 'é'];
  return Array.from({ length: rnd.int(8) }, () => words[rnd.int(words.length)]).join(' ');
}

/** A valid request frame of a random kind with random contents. */
function validFrame(rnd: SeededRandom): Buffer {
  const stream = rnd.int(32768);
  const params = (w: FrameWriter): void =>
    writeQueryParams(w, {
      consistency: rnd.int(11),
      values: rnd.int(2) ? Array.from({ length: rnd.int(4) }, () => (rnd.int(5) === 0 ? null : rnd.int(5) === 0 ? 'unset' : randomBytes(rnd, 8))) : undefined,
      skipMetadata: rnd.int(2) === 1,
      pageSize: rnd.int(2) ? rnd.int(1000) - 10 : undefined,
      pagingState: rnd.int(3) === 0 ? randomBytes(rnd, 8) : undefined,
      serialConsistency: rnd.int(4) === 0 ? 8 + rnd.int(2) : undefined,
      timestamp: rnd.int(4) === 0 ? BigInt(rnd.int(2 ** 30)) : undefined,
    });
  switch (rnd.int(8)) {
    case 0:
      return requestFrame(stream, Opcode.OPTIONS);
    case 1:
      return startupFrame(stream, rnd.int(2) ? { CQL_VERSION: '3.0.0' } : { CQL_VERSION: '3.0.0', COMPRESSION: 'snappy' });
    case 2:
      return requestFrame(stream, Opcode.REGISTER, (w) => w.stringList(['SCHEMA_CHANGE', 'STATUS_CHANGE', 'TOPOLOGY_CHANGE'].slice(rnd.int(3))));
    case 3:
      return requestFrame(stream, Opcode.PREPARE, (w) => w.longString(randomText(rnd)));
    case 4:
      return requestFrame(stream, Opcode.EXECUTE, (w) => (w.shortBytes(randomBytes(rnd, 16)), params(w)));
    case 5:
      return requestFrame(stream, Opcode.BATCH, (w) => {
        w.byte(rnd.int(3));
        const n = rnd.int(3);
        w.short(n);
        for (let i = 0; i < n; i++) {
          if (rnd.int(2)) {
            w.byte(0);
            w.longString(randomText(rnd));
          } else {
            w.byte(1);
            w.shortBytes(randomBytes(rnd, 16));
          }
          const m = rnd.int(3);
          w.short(m);
          for (let j = 0; j < m; j++) w.bytes(randomBytes(rnd, 6));
        }
        w.short(rnd.int(11));
        w.byte(rnd.int(2) ? 0x20 : 0);
        if (rnd.int(2)) w.long(5n);
      });
    default:
      return requestFrame(stream, Opcode.QUERY, (w) => (w.longString(randomText(rnd)), params(w)), rnd.int(5) === 0 ? 0x04 | 0x02 : 0);
  }
}

/** A random frame: valid, mutated in one of several ways, or pure noise. */
function fuzzFrame(rnd: SeededRandom): Buffer {
  const f = Buffer.from(validFrame(rnd));
  switch (rnd.int(12)) {
    case 0:
      return f;
    case 1: {
      for (let i = rnd.int(8) + 1; i > 0; i--) f[rnd.int(f.length)]! ^= 1 << rnd.int(8);
      return f;
    }
    case 2: {
      for (let i = rnd.int(4) + 1; i > 0; i--) f[9 + rnd.int(Math.max(1, f.length - 9))] = rnd.int(256);
      return f.subarray(0, Math.max(9, f.length));
    }
    case 3: {
      // Truncate the body and keep the header consistent: a short body, not a short frame.
      const cut = 9 + rnd.int(Math.max(1, f.length - 9));
      const g = Buffer.from(f.subarray(0, cut));
      g.writeUInt32BE(cut - 9, 5);
      return g;
    }
    case 4: {
      const g = Buffer.concat([f, randomBytes(rnd, 16)]);
      g.writeUInt32BE(g.length - 9, 5);
      return g;
    }
    case 5:
      f.writeUInt32BE(rnd.int(3) === 0 ? rnd.u32() : Math.max(0, f.length - 9 + rnd.int(16) - 8), 5);
      return f;
    case 6:
      f[4] = rnd.int(256);
      return f;
    case 7:
      f[1] = rnd.int(256);
      return f;
    case 8:
      f[0] = rnd.int(8) === 0 ? rnd.int(256) : 0x84;
      return f;
    case 9:
      return randomBytes(rnd, 40);
    case 10: {
      const g = Buffer.from(randomBytes(rnd, 30));
      return Buffer.concat([Buffer.from([0x04, 0, 0, 1, rnd.int(17)]), u32(g.length), g]);
    }
    default:
      return f.subarray(0, rnd.int(f.length));
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** How many responses the server owes for `input` when the client then ends its side. */
function expectedResponses(input: Buffer): number {
  const d = new FrameDecoder(MAX_FRAME_BYTES);
  d.push(input);
  let n = 0;
  for (;;) {
    const f = d.next();
    if (f === null) return n;
    n++;
    if (f instanceof FrameError) return n;
  }
}

/**
 * Splits response bytes into frames (v4 headers, or v1/v2 for a legacy version answer) and tallies
 * them by opcode (ERROR by code) into `tally`; null if the bytes are not whole frames.
 */
function countResponseFrames(bytes: Buffer, tally?: Map<string, number>): number | null {
  let at = 0;
  let n = 0;
  while (at < bytes.length) {
    const v = bytes[at]!;
    if ((v & 0x80) === 0) return null;
    const legacy = (v & 0x7f) === 1 || (v & 0x7f) === 2;
    const header = legacy ? 8 : 9;
    if (at + header > bytes.length) return null;
    const opcode = bytes[at + header - 5]!;
    const key = opcode === Opcode.ERROR ? `ERROR 0x${bytes.readInt32BE(at + header).toString(16)}` : `opcode ${opcode}`;
    tally?.set(key, (tally.get(key) ?? 0) + 1);
    at += header + bytes.readUInt32BE(at + header - 4);
    n++;
  }
  return at === bytes.length ? n : null;
}

t.test(`fuzz: ${FRAMES_PER_TARGET} frames into a Connection (seed ${SEED})`, async (t) => {
  const rnd = new SeededRandom(SEED);
  const handler = fuzzHandler();
  let sent = 0;
  let failures = 0;
  const tally = new Map<string, number>();
  for (let conn = 0; sent < FRAMES_PER_TARGET; conn++) {
    const out: Buffer[] = [];
    let ended = false;
    const wire: Wire = {
      write: (b) => (out.push(Buffer.from(b)), true),
      writableLength: 0,
      pause: () => {},
      resume: () => {},
      end: () => {
        ended = true;
      },
      destroy: () => {
        ended = true;
      },
    };
    const c = new Connection(wire, { handler, logger: silentLogger(), maxFrameBytes: MAX_FRAME_BYTES, maxInFlight: 64, maxPendingWriteBytes: 1 << 24 });
    const frames = [startupFrame(0)];
    const count = 1 + rnd.int(10);
    for (let i = 0; i < count; i++) frames.push(fuzzFrame(rnd));
    sent += count;
    const input = Buffer.concat(frames);
    // Deliver in random pieces, as TCP may.
    for (let at = 0; at < input.length; ) {
      const n = 1 + rnd.int(64);
      c.receive(input.subarray(at, at + n));
      at += n;
    }
    c.endOfInput();
    await waitUntil(() => ended, `connection ${conn} to end`);
    const got = countResponseFrames(Buffer.concat(out), tally);
    const want = expectedResponses(input);
    if (got !== want) {
      failures++;
      if (failures <= 5) t.fail(`seed ${SEED}, connection ${conn}: ${got} response frames for ${want} owed; input ${input.toString('hex').slice(0, 400)}`);
    }
  }
  t.equal(failures, 0, `every frame answered once, every connection ended (seed ${SEED})`);
  t.comment(`responses: ${[...tally].sort().map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  // The fuzz must reach past the decoder: results (0x08), READY (0x02) and SUPPORTED (0x06)
  // as well as protocol (0xa), invalid-request (0x2200) and server errors from bad results.
  for (const key of ['opcode 8', 'opcode 2', 'opcode 6', 'ERROR 0xa', 'ERROR 0x2200']) t.ok((tally.get(key) ?? 0) > 100, `${key} responses: ${tally.get(key) ?? 0}`);
});

t.test(`fuzz: ${FRAMES_PER_TARGET} frames into a live listener while a canary keeps working (seed ${SEED})`, async (t) => {
  const rnd = new SeededRandom(SEED + 1);
  const handler = fuzzHandler();
  const server = new NativeServer({ handler, port: 0, maxFrameBytes: MAX_FRAME_BYTES, lingerMs: 500 });
  await server.start();
  t.teardown(() => server.close());
  const canary = await RawClient.ready(server.port);
  t.teardown(() => canary.destroy());
  let canaryRounds = 0;
  let canaryError: unknown = null;
  let done = false;
  const canaryLoop = (async () => {
    while (!done) {
      try {
        const f = await canary.send(requestFrame(7, Opcode.OPTIONS), 7, 5000);
        if (f.opcode !== Opcode.SUPPORTED) throw new Error(`canary got opcode ${f.opcode}`);
        canaryRounds++;
      } catch (err) {
        canaryError = err;
        return;
      }
    }
  })();

  let sent = 0;
  let failures = 0;
  const oneConnection = async (input: Buffer, label: string): Promise<void> => {
    const c = await RawClient.connect(server.port);
    const chunks: Buffer[] = [];
    c.socket.on('data', (b: Buffer) => chunks.push(b));
    c.write(input);
    c.end();
    await c.waitClosed(`${label} to be closed`);
    const got = countResponseFrames(Buffer.concat(chunks));
    const want = expectedResponses(input);
    if (got !== want) {
      failures++;
      if (failures <= 5) t.fail(`seed ${SEED + 1}, ${label}: ${got} response frames for ${want} owed; input ${input.toString('hex').slice(0, 400)}`);
    }
  };
  const parallel = 16;
  let conn = 0;
  while (sent < FRAMES_PER_TARGET) {
    const batch: Promise<void>[] = [];
    for (let p = 0; p < parallel && sent < FRAMES_PER_TARGET; p++) {
      const frames = rnd.int(4) === 0 ? [] : [startupFrame(0)];
      const count = Math.min(1 + rnd.int(100), FRAMES_PER_TARGET - sent);
      for (let i = 0; i < count; i++) frames.push(fuzzFrame(rnd));
      sent += count;
      batch.push(oneConnection(Buffer.concat(frames), `connection ${conn++}`));
    }
    await Promise.all(batch);
    if (canaryError !== null) break;
  }
  done = true;
  await canaryLoop;
  t.equal(canaryError, null, 'the canary connection kept answering');
  t.ok(canaryRounds > 0, `canary round trips: ${canaryRounds}`);
  t.equal(failures, 0, `every frame answered once, every connection closed (seed ${SEED + 1}, ${conn} connections)`);
  const after = await canary.query('SELECT 10');
  t.equal(after.opcode, Opcode.RESULT, 'the canary still queries after the fuzz');
});

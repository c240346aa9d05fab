// The version handshake as each driver performs it: a DSE_V2 (0x42) first frame, then (Python)
// 0x41 and v5, then v4. Each unsupported version gets ERROR 0x000A "Invalid or unsupported
// protocol version" framed as v4 (0x84) on the request's stream, and the connection is closed.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import type { Test } from 'tap';
import { ErrorCode } from '../../src/cql-lite/index.js';
import { NativeServer, Opcode } from '../../src/server/index.js';
import { FakeHandler, parseError, RawClient, requestFrame, startupFrame } from './harness.js';

async function serve(t: Test): Promise<NativeServer> {
  const server = new NativeServer({ handler: new FakeHandler(), port: 0 });
  await server.start();
  t.teardown(() => server.close());
  return server;
}

/** Sends one raw frame on a fresh connection; returns the raw answer bytes once the server closes. */
async function answerTo(port: number, frame: Buffer): Promise<Buffer> {
  const c = await RawClient.connect(port);
  const chunks: Buffer[] = [];
  c.socket.on('data', (b: Buffer) => chunks.push(b));
  c.write(frame);
  await c.waitClosed();
  return Buffer.concat(chunks);
}

function withVersion(frame: Buffer, versionByte: number): Buffer {
  const copy = Buffer.from(frame);
  copy[0] = versionByte;
  return copy;
}

t.test('DSE_V2, DSE_V1 and v5 first frames get the downgrade error in v4 framing, then a close', async (t) => {
  const server = await serve(t);
  // Node.js driver: STARTUP first; Python driver: OPTIONS first. Both on stream 0.
  for (const [who, frame] of [
    ['node STARTUP', startupFrame(0)],
    ['python OPTIONS', requestFrame(0, Opcode.OPTIONS)],
  ] as const) {
    for (const version of [0x42, 0x41, 0x05, 0x06]) {
      const bytes = await answerTo(server.port, withVersion(frame, version));
      const what = `${who} at 0x${version.toString(16)}`;
      t.equal(bytes[0], 0x84, `${what}: response version byte 0x84`);
      // Node's rule: the answer's version (bytes[0] & 0x7f) is what it retries with when it differs from its own.
      t.equal(bytes[0]! & 0x7f, 4, `${what}: the Node driver retries with v4`);
      t.equal(bytes.readInt16BE(2), 0, `${what}: on the request stream`);
      t.equal(bytes[4], Opcode.ERROR);
      t.equal(bytes.length, 9 + bytes.readUInt32BE(5), `${what}: exactly one frame, then the close`);
      const e = parseError({ version: bytes[0]!, flags: bytes[1]!, stream: 0, opcode: bytes[4]!, body: bytes.subarray(9) });
      t.equal(e.code, ErrorCode.PROTOCOL_ERROR);
      t.equal(e.message, `Invalid or unsupported protocol version (${version}); supported versions are (4/v4)`);
      t.ok(e.message.indexOf('Invalid or unsupported protocol version') >= 0, 'Node: message test');
      t.ok(e.message.includes('unsupported protocol version'), 'Python: message test');
    }
  }
  const ok = await RawClient.connect(server.port);
  t.teardown(() => ok.destroy());
  t.equal((await ok.send(requestFrame(0, Opcode.OPTIONS), 0)).opcode, Opcode.SUPPORTED, 'v4 OPTIONS then works');
  t.equal((await ok.send(startupFrame(1), 1)).opcode, Opcode.READY, 'and v4 STARTUP');
});

t.test('the answer goes on the stream the client used', async (t) => {
  const server = await serve(t);
  const bytes = await answerTo(server.port, requestFrame(123, Opcode.OPTIONS, () => {}, 0, 0x42));
  t.equal(bytes.readInt16BE(2), 123);
});

t.test('v1 and v2 clients are answered in their own 8-byte framing', async (t) => {
  const server = await serve(t);
  for (const version of [1, 2]) {
    // v1/v2 header: version flags stream:i8 opcode length:u32
    const bytes = await answerTo(server.port, Buffer.from([version, 0, 3, Opcode.OPTIONS, 0, 0, 0, 0]));
    t.equal(bytes[0], 0x80 | version);
    t.equal(bytes.readInt8(2), 3, 'one-byte stream');
    t.equal(bytes[3], Opcode.ERROR);
    t.equal(bytes.length, 8 + bytes.readUInt32BE(4));
    t.equal(bytes.readInt32BE(8), ErrorCode.PROTOCOL_ERROR);
    t.match(bytes.subarray(14).toString(), `Invalid or unsupported protocol version (${version})`);
  }
});

t.test('a version error after STARTUP also closes that connection only', async (t) => {
  const server = await serve(t);
  const a = await RawClient.ready(server.port);
  const b = await RawClient.ready(server.port);
  t.teardown(() => (a.destroy(), b.destroy()));
  const e = parseError(await a.send(requestFrame(4, Opcode.OPTIONS, () => {}, 0, 0x03), 4));
  t.match(e.message, /Invalid or unsupported protocol version \(3\)/);
  await a.waitClosed();
  t.equal((await b.send(requestFrame(2, Opcode.OPTIONS), 2)).opcode, Opcode.SUPPORTED);
});

/** A python3 that has the DataStax driver (Debian's python3-cassandra), or null. */
function pythonWithDriver(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import cassandra.connection'], { encoding: 'utf8', timeout: 20_000 });
    if (r.status === 0) return py;
  }
  return null;
}

// The Python driver's own connection class and downgrade rule (ControlConnection._try_connect +
// Cluster.protocol_downgrade, reduced to the loop they run): connect at MAX_SUPPORTED, and on
// ProtocolVersionUnsupported retry at ProtocolVersion.get_lower_supported(version).
const PYTHON_HANDSHAKE = `
import json, sys
from cassandra import ProtocolVersion
from cassandra.connection import DefaultEndPoint, ProtocolVersionUnsupported
try:
    from cassandra.io.libevreactor import LibevConnection as Conn
except Exception:
    from cassandra.io.asyncorereactor import AsyncoreConnection as Conn
Conn.initialize_reactor()
port = int(sys.argv[1])
version = ProtocolVersion.MAX_SUPPORTED
tried = []
for _ in range(10):
    tried.append(version)
    try:
        conn = Conn.factory(DefaultEndPoint('127.0.0.1', port), 5, protocol_version=version)
        break
    except ProtocolVersionUnsupported:
        version = ProtocolVersion.get_lower_supported(version)
print(json.dumps({"tried": tried, "connected": conn.protocol_version, "cql_version": conn.cql_version}))
conn.close()
`;

const python = pythonWithDriver();
const pythonSkip = python === null ? 'python3-cassandra is not installed (apt-get install -y python3-cassandra)' : false;

t.test('the Python driver downgrades 0x42 -> 0x41 -> 5 -> 4 and connects', { skip: pythonSkip }, async (t) => {
  const py = python!;
  const server = await serve(t);
  const { spawn } = await import('node:child_process');
  const child = spawn(py, ['-c', PYTHON_HANDSHAKE, String(server.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0, err);
  const result = JSON.parse(out) as { tried: number[]; connected: number; cql_version: string };
  t.same(result.tried, [0x42, 0x41, 5, 4]);
  t.equal(result.connected, 4);
  t.equal(result.cql_version, '3.4.5', 'it took CQL_VERSION from SUPPORTED');
});

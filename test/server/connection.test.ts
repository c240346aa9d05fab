// The server over real TCP on 127.0.0.1 against a scripted handler: handshake, each request
// kind, events, concurrency, errors with their bodies, backpressure and shutdown.
import t from 'tap';
import type { Test } from 'tap';
import { CqlTypes, ErrorCode, protocolError, UnavailableError, UnpreparedError } from '../../src/cql-lite/index.js';
import type { CqlHandler, ResultMessage } from '../../src/query/api.js';
import { UNSET } from '../../src/query/api.js';
import { BodyReader, Connection, FrameFlag, NativeServer, Opcode } from '../../src/server/index.js';
import type { NativeServerOptions, Wire } from '../../src/server/index.js';
import { silentLogger } from '../../src/seams/index.js';
import { FakeHandler, parseError, parseEvent, parseResult, queryFrame, RawClient, requestFrame, startupFrame, textColumns, waitUntil, writeQueryParams } from './harness.js';
import type { Call } from './harness.js';

async function serve(t: Test, options: Partial<NativeServerOptions> = {}, handler: CqlHandler = new FakeHandler()): Promise<NativeServer> {
  const server = new NativeServer({ handler, host: '127.0.0.1', port: 0, ...options });
  await server.start();
  t.teardown(() => server.close());
  return server;
}

type Deferred = { resolve: (r: ResultMessage) => void; reject: (e: unknown) => void };

t.test('OPTIONS answers SUPPORTED before and after STARTUP', async (t) => {
  const server = await serve(t);
  const c = await RawClient.connect(server.port);
  t.teardown(() => c.destroy());
  for (const stream of [0, 17]) {
    const f = await c.send(requestFrame(stream, Opcode.OPTIONS), stream);
    t.equal(f.opcode, Opcode.SUPPORTED);
    t.equal(f.version, 0x84);
    t.same([...new BodyReader(f.body).stringMultimap()], [['CQL_VERSION', ['3.4.5']], ['COMPRESSION', []], ['PROTOCOL_VERSIONS', ['4/v4']]]);
    if (stream === 0) t.equal((await c.send(startupFrame(1), 1)).opcode, Opcode.READY);
  }
});

t.test('STARTUP: CQL_VERSION required, compression refused, only once', async (t) => {
  const server = await serve(t);
  const c = await RawClient.connect(server.port);
  t.teardown(() => c.destroy());
  let e = parseError(await c.send(queryFrame(3, 'SELECT 1'), 3));
  t.same([e.code, e.message], [ErrorCode.PROTOCOL_ERROR, 'Unexpected message QUERY, expecting STARTUP or OPTIONS']);
  e = parseError(await c.send(requestFrame(4, Opcode.REGISTER, (w) => w.stringList(['SCHEMA_CHANGE'])), 4));
  t.equal(e.code, ErrorCode.PROTOCOL_ERROR, 'REGISTER before STARTUP');
  e = parseError(await c.send(startupFrame(5, { DRIVER_NAME: 'x' }), 5));
  t.same([e.code, e.message], [ErrorCode.PROTOCOL_ERROR, 'Missing value CQL_VERSION in STARTUP message']);
  e = parseError(await c.send(startupFrame(6, { CQL_VERSION: '3.0.0', COMPRESSION: 'lz4' }), 6));
  t.equal(e.code, ErrorCode.PROTOCOL_ERROR);
  t.match(e.message, /Unsupported compression algorithm: lz4/);
  e = parseError(await c.send(startupFrame(7, { CQL_VERSION: '2.0.0' }), 7));
  t.match(e.message, /not supported/);
  const ready = await c.send(startupFrame(8, { CQL_VERSION: '3.0.0', NO_COMPACT: 'true', THROW_ON_OVERLOAD: 'true', DRIVER_NAME: 'test' }), 8);
  t.equal(ready.opcode, Opcode.READY);
  t.equal(ready.body.length, 0);
  e = parseError(await c.send(startupFrame(9), 9));
  t.match(e.message, /already initialized/);
  e = parseError(await c.send(requestFrame(10, Opcode.AUTH_RESPONSE, (w) => w.bytes(Buffer.from('x'))), 10));
  t.equal(e.code, ErrorCode.PROTOCOL_ERROR, 'AUTH_RESPONSE without an authenticator');
  t.notOk(c.closed, 'none of these errors closes the connection');
});

t.test('QUERY reaches the handler with its options and session; Rows honour skip_metadata', async (t) => {
  const handler = new FakeHandler();
  handler.onQuery = (text) => {
    if (text.startsWith('USE ')) return { kind: 'setKeyspace', keyspace: text.slice(4) };
    return { kind: 'rows', columns: textColumns('ks', 't', 'a', 'b'), rows: [[Buffer.from('x'), null]], pagingState: Buffer.from('more') };
  };
  const server = await serve(t, {}, handler);
  const c = await RawClient.ready(server.port);
  t.teardown(() => c.destroy());
  t.same(parseResult(await c.query('USE ks')), { kind: 'setKeyspace', keyspace: 'ks' });
  const rows = parseResult(await c.query('SELECT a, b FROM t', { consistency: 4, values: [Buffer.from('v'), 'unset'], pageSize: 2, pagingState: Buffer.from('ps'), timestamp: 9n, serialConsistency: 8 }));
  t.match(rows, { kind: 'rows', metadata: { flags: 0x0003, pagingState: Buffer.from('more'), columns: [{ name: 'a' }, { name: 'b' }] }, rows: [[Buffer.from('x'), null]] });
  const call = handler.calls[1] as Extract<Call, { op: 'query' }>;
  t.equal(call.session.keyspace, 'ks', 'the connection session carries USE');
  t.match(call.options, { consistency: 4, pageSize: 2, pagingState: Buffer.from('ps'), timestampMicros: 9n, serialConsistency: 8, skipMetadata: false });
  t.equal(call.options.values[1], UNSET);
  const skipped = parseResult(await c.query('SELECT a, b FROM t', { skipMetadata: true }));
  t.match(skipped, { kind: 'rows', metadata: { flags: 0x0006, columnCount: 2, columns: null } });
  const other = await RawClient.ready(server.port);
  t.teardown(() => other.destroy());
  await other.query('SELECT 1');
  t.equal((handler.calls[3] as Extract<Call, { op: 'query' }>).session.keyspace, null, 'sessions are per connection');
});

t.test('PREPARE and EXECUTE, Unprepared with its id, custom payloads skipped', async (t) => {
  const handler = new FakeHandler();
  const id = Buffer.from('0123456789abcdef');
  handler.onPrepare = () => ({
    kind: 'prepared',
    id,
    variables: [
      { keyspace: 'ks', table: 't', name: 'k', type: CqlTypes.int },
      { keyspace: 'ks', table: 't', name: 'v', type: CqlTypes.text },
    ],
    pkIndexes: [0],
    resultColumns: [],
  });
  handler.onExecute = (got) => {
    if (!got.equals(id)) throw new UnpreparedError(got);
    return { kind: 'void' };
  };
  const server = await serve(t, {}, handler);
  const c = await RawClient.ready(server.port);
  t.teardown(() => c.destroy());
  const prepared = parseResult(await c.send(requestFrame(2, Opcode.PREPARE, (w) => w.longString('INSERT INTO t (k, v) VALUES (?, ?)')), 2));
  t.match(prepared, { kind: 'prepared', id, flags: 1, pkIndexes: [0], variables: [{ name: 'k', type: 'int' }, { name: 'v', type: 'text' }], result: { flags: 4, columnCount: 0 } });
  const exec = (stream: number, theId: Buffer, flags = 0): Buffer =>
    requestFrame(
      stream,
      Opcode.EXECUTE,
      (w) => {
        if (flags & FrameFlag.CUSTOM_PAYLOAD) {
          w.short(1);
          w.string('key');
          w.bytes(Buffer.from('payload'));
        }
        w.shortBytes(theId);
        writeQueryParams(w, { values: [Buffer.from([0, 0, 0, 1]), Buffer.from('v')] });
      },
      flags,
    );
  t.same(parseResult(await c.send(exec(3, id), 3)), { kind: 'void' });
  t.same(parseResult(await c.send(exec(4, id, FrameFlag.CUSTOM_PAYLOAD | FrameFlag.TRACING), 4)), { kind: 'void' }, 'custom payload read past, tracing ignored');
  const call = handler.calls.find((x) => x.op === 'execute') as Extract<Call, { op: 'execute' }>;
  t.same(call.options.values, [Buffer.from([0, 0, 0, 1]), Buffer.from('v')]);
  const other = Buffer.from('ffffffffffffffff');
  const e = parseError(await c.send(exec(5, other), 5));
  t.equal(e.code, ErrorCode.UNPREPARED);
  t.same(e.reader.shortBytes(), other, 'Unprepared carries the unknown id');
});

t.test('BATCH reaches the handler with its entries and options', async (t) => {
  const handler = new FakeHandler();
  const server = await serve(t, {}, handler);
  const c = await RawClient.ready(server.port);
  t.teardown(() => c.destroy());
  const f = await c.send(
    requestFrame(6, Opcode.BATCH, (w) => {
      w.byte(0);
      w.short(2);
      w.byte(0);
      w.longString('INSERT INTO t (k) VALUES (?)');
      w.short(1);
      w.bytes(Buffer.from('a'));
      w.byte(1);
      w.shortBytes(Buffer.from('0123456789abcdef'));
      w.short(0);
      w.short(6);
      w.byte(0x20);
      w.long(1000n);
    }),
    6,
  );
  t.same(parseResult(f), { kind: 'void' });
  t.match(handler.calls[0], { op: 'batch', type: 'logged', options: { consistency: 6, serialConsistency: null, timestampMicros: 1000n } });
  t.match((handler.calls[0] as Extract<Call, { op: 'batch' }>).entries, [{ kind: 'query', values: [Buffer.from('a')] }, { kind: 'prepared', values: [] }]);
});

t.test('REGISTER: events go on stream -1 only to connections registered for their type', async (t) => {
  const handler = new FakeHandler();
  const server = await serve(t, {}, handler);
  const schema = await RawClient.ready(server.port);
  const status = await RawClient.ready(server.port);
  const none = await RawClient.ready(server.port);
  const unstarted = await RawClient.connect(server.port);
  t.teardown(() => [schema, status, none, unstarted].forEach((c) => c.destroy()));
  t.equal((await schema.send(requestFrame(1, Opcode.REGISTER, (w) => w.stringList(['SCHEMA_CHANGE', 'TOPOLOGY_CHANGE'])), 1)).opcode, Opcode.READY);
  t.equal((await status.send(requestFrame(1, Opcode.REGISTER, (w) => w.stringList(['STATUS_CHANGE'])), 1)).opcode, Opcode.READY);
  const bad = parseError(await none.send(requestFrame(1, Opcode.REGISTER, (w) => w.stringList(['NOPE'])), 1));
  t.equal(bad.code, ErrorCode.PROTOCOL_ERROR);
  t.equal(handler.schemaListeners, 1, 'the server subscribed once');
  handler.emitSchemaChange({ change: 'CREATED', target: 'TABLE', keyspace: 'ks', name: 't' });
  t.equal(server.broadcastEvent({ type: 'STATUS_CHANGE', change: 'DOWN', address: '127.0.0.3', port: 9042 }), 1);
  t.equal(server.broadcastEvent({ type: 'TOPOLOGY_CHANGE', change: 'NEW_NODE', address: '127.0.0.4', port: 9042 }), 1);
  await waitUntil(() => schema.events.length === 2 && status.events.length === 1, 'events');
  t.same(schema.events.map((f) => f.stream), [-1, -1]);
  t.same(parseEvent(schema.events[0]!), { type: 'SCHEMA_CHANGE', rest: { change: 'CREATED', target: 'TABLE', options: ['ks', 't'] } });
  t.same(parseEvent(schema.events[1]!), { type: 'TOPOLOGY_CHANGE', rest: { change: 'NEW_NODE', address: '127.0.0.4', port: 9042 } });
  t.same(parseEvent(status.events[0]!), { type: 'STATUS_CHANGE', rest: { change: 'DOWN', address: '127.0.0.3', port: 9042 } });
  // A round trip on each of the others proves nothing was queued for them before it.
  await none.query('SELECT 1');
  await unstarted.send(requestFrame(0, Opcode.OPTIONS), 0);
  t.equal(none.events.length + unstarted.events.length, 0);
});

t.test('many streams in flight complete out of order, each on its own stream', async (t) => {
  const handler = new FakeHandler();
  const pending = new Map<string, Deferred>();
  handler.onQuery = (text) => new Promise<ResultMessage>((resolve, reject) => pending.set(text, { resolve, reject }));
  const server = await serve(t, {}, handler);
  const c = await RawClient.ready(server.port);
  t.teardown(() => c.destroy());
  const n = 500;
  const responses = Array.from({ length: n }, (_, i) => c.response(i + 1));
  c.write(Buffer.concat(Array.from({ length: n }, (_, i) => queryFrame(i + 1, `SELECT ${i}`))));
  await waitUntil(() => pending.size === n, 'all requests to reach the handler concurrently');
  for (let i = n - 1; i >= 0; i--) {
    const d = pending.get(`SELECT ${i}`)!;
    if (i % 7 === 0) d.reject(protocolError(`no SELECT ${i}`));
    else d.resolve({ kind: 'setKeyspace', keyspace: `SELECT ${i}` });
  }
  const frames = await Promise.all(responses);
  let right = 0;
  frames.forEach((f, i) => {
    if (i % 7 === 0) {
      if (parseError(f).message === `no SELECT ${i}`) right++;
    } else if ((parseResult(f) as { keyspace?: string }).keyspace === `SELECT ${i}`) {
      right++;
    }
  });
  t.equal(right, n, 'every stream got its own request\'s answer');
});

t.test('handler errors become ERRORs with their bodies; a sync throw too', async (t) => {
  const handler: CqlHandler = {
    query: async (text) => {
      if (text === 'unavailable') throw new UnavailableError(5, 3, 1);
      if (text === 'bug') throw new TypeError('undefined is not a function');
      if (text === 'string') throw 'a string';
      return { kind: 'void' };
    },
    prepare: () => {
      throw new RangeError('sync throw');
    },
    execute: async () => ({ kind: 'rows', columns: textColumns('ks', 't', 'a'), rows: [[null, null]], pagingState: null }),
    batch: async () => ({ kind: 'void' }),
    onSchemaChange: () => () => {},
  };
  const server = await serve(t, {}, handler);
  const c = await RawClient.ready(server.port);
  t.teardown(() => c.destroy());
  let e = parseError(await c.query('unavailable'));
  t.same([e.code, e.reader.short(), e.reader.int(), e.reader.int()], [ErrorCode.UNAVAILABLE, 5, 3, 1]);
  e = parseError(await c.query('bug'));
  t.same([e.code, e.message], [ErrorCode.SERVER_ERROR, 'TypeError: undefined is not a function']);
  e = parseError(await c.query('string'));
  t.equal(e.code, ErrorCode.SERVER_ERROR);
  e = parseError(await c.send(requestFrame(9, Opcode.PREPARE, (w) => w.longString('x')), 9));
  t.same([e.code, e.message], [ErrorCode.SERVER_ERROR, 'RangeError: sync throw']);
  e = parseError(await c.send(requestFrame(10, Opcode.EXECUTE, (w) => (w.shortBytes(Buffer.from('id')), writeQueryParams(w, {}))), 10));
  t.equal(e.code, ErrorCode.SERVER_ERROR, 'a result that cannot be encoded is a server error, not a torn frame');
  t.same(parseResult(await c.query('fine')), { kind: 'void' }, 'the connection goes on');
});

t.test('malformed requests are protocol errors on their stream; the connection goes on', async (t) => {
  const server = await serve(t);
  const c = await RawClient.ready(server.port);
  t.teardown(() => c.destroy());
  const cases: Array<[string, Buffer, number]> = [
    ['truncated QUERY', requestFrame(2, Opcode.QUERY, (w) => w.int(100)), 2],
    ['unknown opcode', requestFrame(3, 0x1f), 3],
    ['a response opcode', requestFrame(4, Opcode.RESULT), 4],
    ['response direction', requestFrame(5, Opcode.OPTIONS, () => {}, 0, 0x84), 5],
    ['compressed body', requestFrame(6, Opcode.QUERY, (w) => w.int(5), FrameFlag.COMPRESSION), 6],
    ['bad consistency', requestFrame(7, Opcode.QUERY, (w) => (w.longString('x'), w.short(99), w.byte(0))), 7],
  ];
  for (const [what, frame, stream] of cases) {
    const e = parseError(await c.send(frame, stream));
    t.equal(e.code, ErrorCode.PROTOCOL_ERROR, what);
  }
  t.same(parseResult(await c.query('SELECT 1')), { kind: 'void' });
});

t.test('a frame over the maximum length is answered, then its connection closed; others unaffected', async (t) => {
  const server = await serve(t, { maxFrameBytes: 1024 });
  const bad = await RawClient.ready(server.port);
  const good = await RawClient.ready(server.port);
  t.teardown(() => (bad.destroy(), good.destroy()));
  const header = requestFrame(12, Opcode.QUERY);
  header.writeUInt32BE(5000, 5);
  const e = parseError(await bad.send(header, 12));
  t.equal(e.code, ErrorCode.PROTOCOL_ERROR);
  t.match(e.message, /Request is too big/);
  await bad.waitClosed();
  t.same(parseResult(await good.query('SELECT 1')), { kind: 'void' });
});

t.test('backpressure: at most maxInFlight requests run; the rest wait in TCP', async (t) => {
  const handler = new FakeHandler();
  const pending: Deferred[] = [];
  let running = 0;
  let maxRunning = 0;
  handler.onQuery = () =>
    new Promise<ResultMessage>((resolve, reject) => {
      maxRunning = Math.max(maxRunning, ++running);
      pending.push({ resolve: (r) => (running--, resolve(r)), reject });
    });
  const server = await serve(t, { maxInFlightPerConnection: 4 }, handler);
  const c = await RawClient.ready(server.port);
  t.teardown(() => c.destroy());
  const n = 50;
  const responses = Array.from({ length: n }, (_, i) => c.response(i + 1));
  c.write(Buffer.concat(Array.from({ length: n }, (_, i) => queryFrame(i + 1, `Q${i}`))));
  for (let resolved = 0; resolved < n; resolved++) {
    await waitUntil(() => pending.length > resolved, `request ${resolved}`);
    pending[resolved]!.resolve({ kind: 'void' });
  }
  t.equal((await Promise.all(responses)).length, n);
  t.equal(maxRunning, 4, 'never more than four at once');
});

t.test('backpressure: the connection pauses its wire while full and resumes when a request ends', async (t) => {
  const calls: string[] = [];
  const wire: Wire = { write: () => true, writableLength: 0, pause: () => calls.push('pause'), resume: () => calls.push('resume'), end: () => {}, destroy: () => {} };
  const handler = new FakeHandler();
  const pending: Deferred[] = [];
  handler.onQuery = () => new Promise<ResultMessage>((resolve, reject) => pending.push({ resolve, reject }));
  const conn = new Connection(wire, { handler, logger: silentLogger(), maxFrameBytes: 1 << 20, maxInFlight: 4, maxPendingWriteBytes: 1 << 20 });
  conn.receive(Buffer.concat([startupFrame(0), ...Array.from({ length: 10 }, (_, i) => queryFrame(i + 1, `Q${i}`))]));
  t.equal(handler.calls.length, 4, 'four requests started, six frames left buffered');
  t.same(calls, ['pause']);
  await waitUntil(() => pending.length === 4, 'four pending');
  pending[0]!.resolve({ kind: 'void' });
  await waitUntil(() => handler.calls.length === 5, 'a fifth request taken from the buffer');
  t.same(calls, ['pause'], 'still full, still paused');
  for (let i = 1; i < 10; i++) {
    await waitUntil(() => pending.length > i, `request ${i}`);
    pending[i]!.resolve({ kind: 'void' });
  }
  await waitUntil(() => conn.inFlight === 0, 'all done');
  t.same(calls, ['pause', 'resume']);
});

t.test('a client that half-closes still gets its answers', async (t) => {
  const handler = new FakeHandler();
  const pending: Deferred[] = [];
  handler.onQuery = () => new Promise<ResultMessage>((resolve, reject) => pending.push({ resolve, reject }));
  const server = await serve(t, {}, handler);
  const c = await RawClient.ready(server.port);
  const answers = [c.response(1), c.response(2)];
  c.write(Buffer.concat([queryFrame(1, 'a'), queryFrame(2, 'b'), queryFrame(3, 'partial').subarray(0, 12)]));
  c.end();
  await waitUntil(() => pending.length === 2, 'both queries running');
  pending.forEach((p) => p.resolve({ kind: 'void' }));
  t.equal((await Promise.all(answers)).length, 2);
  await c.waitClosed();
});

t.test('close() answers requests in flight, closes every connection, unsubscribes', async (t) => {
  const handler = new FakeHandler();
  const pending: Deferred[] = [];
  handler.onQuery = () => new Promise<ResultMessage>((resolve, reject) => pending.push({ resolve, reject }));
  const server = new NativeServer({ handler, port: 0 });
  await server.start();
  const port = server.port;
  const busy = await RawClient.ready(port);
  const idle = await RawClient.ready(port);
  const answer = busy.response(1);
  busy.write(queryFrame(1, 'slow'));
  await waitUntil(() => pending.length === 1, 'query running');
  const closed = server.close();
  await waitUntil(() => idle.closed, 'idle connection closed');
  t.notOk(busy.closed, 'a connection with a request in flight waits for it');
  pending[0]!.resolve({ kind: 'void' });
  t.same(parseResult(await answer), { kind: 'void' });
  await closed;
  await busy.waitClosed();
  t.equal(server.connectionCount, 0);
  t.equal(handler.schemaListeners, 0);
  await server.close();
  await t.rejects(RawClient.connect(port), 'no longer listening');
});

t.test('close() cuts requests that outlive closeTimeoutMs', async (t) => {
  const handler = new FakeHandler();
  handler.onQuery = () => new Promise<ResultMessage>(() => {});
  const server = new NativeServer({ handler, port: 0, closeTimeoutMs: 50 });
  await server.start();
  const c = await RawClient.ready(server.port);
  c.write(queryFrame(1, 'never'));
  await waitUntil(() => handler.calls.length === 1, 'query running');
  await server.close();
  await c.waitClosed();
  t.ok(c.closed, 'the connection was cut');
});

t.test('a client that reads nothing while events pile up is disconnected', async (t) => {
  const server = await serve(t, { maxPendingWriteBytes: 64 * 1024 });
  const c = await RawClient.ready(server.port);
  t.teardown(() => c.destroy());
  t.equal((await c.send(requestFrame(1, Opcode.REGISTER, (w) => w.stringList(['STATUS_CHANGE'])), 1)).opcode, Opcode.READY);
  c.socket.pause();
  for (let round = 0; round < 2000 && server.connectionCount > 0; round++) {
    for (let i = 0; i < 1000; i++) server.broadcastEvent({ type: 'STATUS_CHANGE', change: 'UP', address: '127.0.0.9', port: 9042 });
    await new Promise<void>((r) => setImmediate(r));
  }
  t.equal(server.connectionCount, 0, 'the slow reader was dropped');
});

t.test('responses completed in one tick leave in one write', async (t) => {
  const writes: Buffer[] = [];
  const wire: Wire = {
    write: (b) => (writes.push(Buffer.from(b)), true),
    writableLength: 0,
    pause: () => {},
    resume: () => {},
    end: () => {},
    destroy: () => {},
  };
  const conn = new Connection(wire, { handler: new FakeHandler(), logger: silentLogger(), maxFrameBytes: 1 << 20, maxInFlight: 100, maxPendingWriteBytes: 1 << 20 });
  conn.receive(Buffer.concat([startupFrame(0), ...Array.from({ length: 20 }, (_, i) => requestFrame(i + 1, Opcode.OPTIONS)), ...Array.from({ length: 20 }, (_, i) => queryFrame(100 + i, 'q'))]));
  await waitUntil(() => conn.inFlight === 0 && writes.length > 0, 'responses');
  await new Promise<void>((r) => setImmediate(r));
  t.equal(writes.length, 1, 'one write for READY, 20 SUPPORTED and 20 RESULTs');
  let frames = 0;
  for (let at = 0; at < writes[0]!.length; frames++) at += 9 + writes[0]!.readUInt32BE(at + 5);
  t.equal(frames, 41);
});

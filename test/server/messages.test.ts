// Request bodies decode into the api.ts types with every flag honoured; results, errors and
// events encode to the spec's layouts (checked byte for byte and with an independent parser).
import t from 'tap';
import {
  AlreadyExistsError,
  CqlError,
  CqlSyntaxError,
  CqlTypes,
  ErrorCode,
  invalidRequest,
  listOf,
  mapOf,
  ReadTimeoutError,
  UnavailableError,
  UnpreparedError,
  WriteTimeoutError,
} from '../../src/cql-lite/index.js';
import { UNSET } from '../../src/query/api.js';
import type { ResultMessage } from '../../src/query/api.js';
import { BodyReader, FrameWriter, Opcode } from '../../src/server/index.js';
import type { Frame } from '../../src/server/index.js';
import { writeError } from '../../src/server/errors.js';
import { writeEvent } from '../../src/server/events.js';
import { decodeBatch, decodeExecute, decodeQuery, decodeRegister } from '../../src/server/requests.js';
import { writePrepared, writeResult } from '../../src/server/results.js';
import { parseEvent, parseResult, writeQueryParams } from './harness.js';
import type { QueryParams } from './harness.js';

function body(fn: (w: FrameWriter) => void): Buffer {
  const w = new FrameWriter(64);
  fn(w);
  return Buffer.from(w.take() ?? Buffer.alloc(0));
}

function asFrame(opcode: number, b: Buffer): Frame {
  return { version: 0x84, flags: 0, stream: 1, opcode, body: b };
}

function isProtocolError(err: unknown): boolean {
  return err instanceof CqlError && err.code === ErrorCode.PROTOCOL_ERROR;
}

t.test('QUERY: every query-parameter flag is decoded', async (t) => {
  const p: QueryParams = {
    consistency: 6,
    values: [Buffer.from('a'), null, 'unset', Buffer.alloc(0)],
    names: ['K', 'v', 'w', 'x'],
    skipMetadata: true,
    pageSize: 100,
    pagingState: Buffer.from('ps'),
    serialConsistency: 9,
    timestamp: 1234567890123456n,
  };
  const q = decodeQuery(new BodyReader(body((w) => (w.longString('SELECT * FROM t WHERE k = :k'), writeQueryParams(w, p)))));
  t.equal(q.text, 'SELECT * FROM t WHERE k = :k');
  t.equal(q.options.consistency, 6);
  t.same(q.options.values, [Buffer.from('a'), null, UNSET, Buffer.alloc(0)]);
  t.equal(q.options.values[2], UNSET);
  t.same(q.options.names, ['k', 'v', 'w', 'x'], 'names folded to lower case');
  t.equal(q.options.skipMetadata, true);
  t.equal(q.options.pageSize, 100);
  t.same(q.options.pagingState, Buffer.from('ps'));
  t.equal(q.options.serialConsistency, 9);
  t.equal(q.options.timestampMicros, 1234567890123456n);

  const bare = decodeQuery(new BodyReader(body((w) => (w.longString('x'), writeQueryParams(w, {})))));
  t.same(bare.options, { consistency: 1, values: [], names: null, skipMetadata: false, pageSize: null, pagingState: null, serialConsistency: null, timestampMicros: null });
  const nonPositive = decodeQuery(new BodyReader(body((w) => (w.longString('x'), writeQueryParams(w, { pageSize: -1 })))));
  t.equal(nonPositive.options.pageSize, null, 'page size <= 0 means no paging');
});

t.test('QUERY: every truncation of a body is a protocol error', async (t) => {
  const full = body((w) => {
    w.longString('SELECT');
    writeQueryParams(w, { values: [Buffer.from('abc')], names: ['a'], pageSize: 5, pagingState: Buffer.from('p'), serialConsistency: 8, timestamp: 5n });
  });
  for (let cut = 0; cut < full.length; cut++) {
    t.throws(() => decodeQuery(new BodyReader(full.subarray(0, cut))), { code: ErrorCode.PROTOCOL_ERROR }, `cut at ${cut}`);
  }
  t.throws(() => decodeQuery(new BodyReader(body((w) => (w.longString('x'), w.short(0), w.byte(0x20), w.long(-(2n ** 63n)))))), /Out of bound timestamp/);
});

t.test('EXECUTE: id and parameters', async (t) => {
  const e = decodeExecute(new BodyReader(body((w) => (w.shortBytes(Buffer.from('0123456789abcdef')), writeQueryParams(w, { values: [Buffer.from([1])] })))));
  t.equal(e.id.toString(), '0123456789abcdef');
  t.same(e.options.values, [Buffer.from([1])]);
  t.equal(e.options.names, null);
});

function batchBody(type: number, withNames: boolean, flags: number, extra: (w: FrameWriter) => void = () => {}): Buffer {
  return body((w) => {
    w.byte(type);
    w.short(2);
    w.byte(0);
    w.longString('INSERT INTO t (k) VALUES (?)');
    w.short(1);
    if (withNames) w.string('K');
    w.bytes(Buffer.from('v1'));
    w.byte(1);
    w.shortBytes(Buffer.from('id-0123456789abc'));
    w.short(2);
    if (withNames) w.string('a');
    w.int(-2);
    if (withNames) w.string('b');
    w.bytes(null);
    w.short(4);
    w.byte(flags);
    extra(w);
  });
}

t.test('BATCH: types, entries, serial consistency, timestamp and names', async (t) => {
  const plain = decodeBatch(new BodyReader(batchBody(1, false, 0x30, (w) => (w.short(9), w.long(77n)))));
  t.equal(plain.type, 'unlogged');
  t.same(plain.options, { consistency: 4, serialConsistency: 9, timestampMicros: 77n });
  t.same(plain.entries[0], { kind: 'query', text: 'INSERT INTO t (k) VALUES (?)', values: [Buffer.from('v1')], names: null });
  t.same(plain.entries[1], { kind: 'prepared', id: Buffer.from('id-0123456789abc'), values: [UNSET, null], names: null });

  const named = decodeBatch(new BodyReader(batchBody(0, true, 0x40)));
  t.equal(named.type, 'logged');
  t.same(named.entries.map((e) => e.names), [['k'], ['a', 'b']]);
  t.same(named.entries[1]!.values, [UNSET, null]);

  t.equal(decodeBatch(new BodyReader(batchBody(2, false, 0))).type, 'counter');
  t.throws(() => decodeBatch(new BodyReader(batchBody(3, false, 0))), /Invalid BATCH message type 3/);
  t.throws(() => decodeBatch(new BodyReader(batchBody(0, false, 0x40))), { code: ErrorCode.PROTOCOL_ERROR }, 'names flag without names');
  t.throws(() => decodeBatch(new BodyReader(batchBody(0, true, 0))), { code: ErrorCode.PROTOCOL_ERROR }, 'names without the flag');
  t.throws(() => decodeBatch(new BodyReader(batchBody(0, false, 0x01))), /four lowest bits/);
  const badKind = batchBody(0, false, 0);
  badKind[3] = 7;
  t.throws(() => decodeBatch(new BodyReader(badKind)), /Invalid query kind in BATCH messages/);
  const full = batchBody(0, false, 0x30, (w) => (w.short(9), w.long(77n)));
  for (let cut = 0; cut < full.length; cut++) {
    try {
      decodeBatch(new BodyReader(full.subarray(0, cut)));
      t.fail(`cut at ${cut} decoded`);
    } catch (err) {
      if (!isProtocolError(err)) throw err;
    }
  }
});

t.test('REGISTER: known event types only', async (t) => {
  t.same(decodeRegister(new BodyReader(body((w) => w.stringList(['SCHEMA_CHANGE', 'STATUS_CHANGE'])))), ['SCHEMA_CHANGE', 'STATUS_CHANGE']);
  t.throws(() => decodeRegister(new BodyReader(body((w) => w.stringList(['schema_change'])))), { code: ErrorCode.PROTOCOL_ERROR });
});

function encodeResult(r: ResultMessage, skip = false): Buffer {
  return body((w) => writeResult(w, r, skip));
}

t.test('Rows: Global_tables_spec, per-column specs, paging state, No_metadata', async (t) => {
  const cols = [
    { keyspace: 'ks', table: 't', name: 'k', type: CqlTypes.int },
    { keyspace: 'ks', table: 't', name: 'v', type: listOf(CqlTypes.text) },
  ];
  const rows = [[Buffer.from([0, 0, 0, 1]), null], [Buffer.from([0, 0, 0, 2]), Buffer.alloc(0)]];
  const global = encodeResult({ kind: 'rows', columns: cols, rows, pagingState: null });
  t.same(
    global,
    Buffer.from(
      '00000002' + '00000001' + '00000002' + '00026b73' + '000174' + '00016b' + '0009' + '000176' + '0020000d' + '00000002' +
        '0000000400000001' + 'ffffffff' + '0000000400000002' + '00000000',
      'hex',
    ),
    'byte-exact rows with a global table spec',
  );
  const mixed = parseResult(asFrame(Opcode.RESULT, encodeResult({ kind: 'rows', columns: [cols[0]!, { ...cols[1]!, table: 'u' }], rows, pagingState: Buffer.from('next') })));
  t.equal(mixed.kind, 'rows');
  if (mixed.kind !== 'rows') return;
  t.equal(mixed.metadata.flags, 0x0002, 'no global spec when tables differ; has more pages');
  t.same(mixed.metadata.pagingState, Buffer.from('next'));
  t.same(mixed.metadata.columns!.map((c) => `${c.keyspace}.${c.table}.${c.name}:${c.type}`), ['ks.t.k:int', 'ks.u.v:list<text>']);
  t.same(mixed.rows, rows);
  const skipped = parseResult(asFrame(Opcode.RESULT, encodeResult({ kind: 'rows', columns: cols, rows, pagingState: Buffer.from('p') }, true)));
  if (skipped.kind !== 'rows') throw new Error('rows');
  t.equal(skipped.metadata.flags, 0x0006, 'No_metadata and Has_more_pages');
  t.equal(skipped.metadata.columnCount, 2);
  t.equal(skipped.metadata.columns, null);
  t.same(skipped.rows, rows);
  t.throws(() => encodeResult({ kind: 'rows', columns: cols, rows: [[null]], pagingState: null }), RangeError, 'a row with the wrong cell count');
});

t.test('Void, Set_keyspace, Schema_change', async (t) => {
  t.same(encodeResult({ kind: 'void' }), Buffer.from('00000001', 'hex'));
  t.same(encodeResult({ kind: 'setKeyspace', keyspace: 'ks' }), Buffer.from('0000000300026b73', 'hex'));
  t.same(
    parseResult(asFrame(Opcode.RESULT, encodeResult({ kind: 'schemaChange', change: { change: 'CREATED', target: 'TABLE', keyspace: 'ks', name: 't' } }))),
    { kind: 'schemaChange', change: 'CREATED', target: 'TABLE', options: ['ks', 't'] },
  );
  t.same(
    parseResult(asFrame(Opcode.RESULT, encodeResult({ kind: 'schemaChange', change: { change: 'DROPPED', target: 'FUNCTION', keyspace: 'ks', name: 'f', argTypes: ['int', 'text'] } }))),
    { kind: 'schemaChange', change: 'DROPPED', target: 'FUNCTION', options: ['ks', 'f', ['int', 'text']] },
  );
  t.throws(() => encodeResult({ kind: 'schemaChange', change: { change: 'CREATED', target: 'TABLE', keyspace: 'ks' } }), TypeError);
});

t.test('Prepared: id, pk indexes, bind metadata, result metadata', async (t) => {
  const id = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
  const insert = body((w) =>
    writePrepared(w, {
      kind: 'prepared',
      id,
      variables: [
        { keyspace: 'ks', table: 't', name: 'b', type: CqlTypes.text },
        { keyspace: 'ks', table: 't', name: 'a', type: CqlTypes.bigint },
      ],
      pkIndexes: [1, 0],
      resultColumns: [],
    }),
  );
  t.same(
    insert,
    Buffer.from(
      '00000004' + '0010' + id.toString('hex') + '00000001' + '00000002' + '00000002' + '0001' + '0000' + '00026b73' + '000174' + '000162' + '000d' + '000161' + '0002' +
        '00000004' + '00000000',
      'hex',
    ),
    'byte-exact INSERT prepared result (No_metadata result metadata)',
  );
  const select = parseResult(
    asFrame(
      Opcode.RESULT,
      body((w) =>
        writePrepared(w, {
          kind: 'prepared',
          id,
          variables: [{ keyspace: 'ks', table: 't', name: 'k', type: CqlTypes.uuid }],
          pkIndexes: [0],
          resultColumns: [{ keyspace: 'ks', table: 't', name: 'm', type: mapOf(CqlTypes.text, CqlTypes.int) }],
        }),
      ),
    ),
  );
  t.match(select, { kind: 'prepared', pkIndexes: [0], variables: [{ name: 'k', type: 'uuid' }], result: { flags: 1, columnCount: 1, columns: [{ name: 'm', type: 'map<text, int>' }] } });
  t.throws(() => body((w) => writePrepared(w, { kind: 'prepared', id, variables: [], pkIndexes: [0], resultColumns: [] })), RangeError, 'pk index out of range');
});

function encodeErr(err: unknown): BodyReader {
  const r = new BodyReader(body((w) => writeError(w, err)));
  return r;
}

t.test('ERROR bodies carry each code\'s fields', async (t) => {
  let r = encodeErr(new UnavailableError(4, 2, 1));
  t.same([r.int(), r.string(), r.short(), r.int(), r.int(), r.remaining], [0x1000, 'Cannot achieve consistency level QUORUM', 4, 2, 1, 0]);
  r = encodeErr(new WriteTimeoutError(1, 0, 1, 'BATCH_LOG'));
  t.same([r.int(), r.string(), r.short(), r.int(), r.int(), r.string(), r.remaining], [0x1100, 'Operation timed out - received only 0 responses.', 1, 0, 1, 'BATCH_LOG', 0]);
  r = encodeErr(new ReadTimeoutError(5, 2, 3, true));
  t.same([r.int(), r.string(), r.short(), r.int(), r.int(), r.byte(), r.remaining], [0x1200, 'Operation timed out - received only 2 responses.', 5, 2, 3, 1, 0]);
  r = encodeErr(new AlreadyExistsError('ks', 't'));
  t.same([r.int(), r.string(), r.string(), r.string(), r.remaining], [0x2400, 'Cannot add already existing table "t" to keyspace "ks"', 'ks', 't', 0]);
  r = encodeErr(new AlreadyExistsError('ks', ''));
  t.same([r.int(), r.string(), r.string(), r.string(), r.remaining], [0x2400, 'Cannot add existing keyspace "ks"', 'ks', '', 0]);
  const id = Buffer.from('feedfacefeedfacefeedfacefeedface', 'hex');
  r = encodeErr(new UnpreparedError(id));
  t.equal(r.int(), 0x2500);
  r.string();
  t.same(r.shortBytes(), id);
  t.equal(r.remaining, 0);
  r = encodeErr(new CqlSyntaxError(1, 7, "no viable alternative at input 'SELEC'"));
  t.same([r.int(), r.string(), r.remaining], [0x2000, "line 1:7 no viable alternative at input 'SELEC'", 0]);
  r = encodeErr(invalidRequest('Undefined column name x'));
  t.same([r.int(), r.string(), r.remaining], [0x2200, 'Undefined column name x', 0]);
  r = encodeErr(new TypeError('boom'));
  t.same([r.int(), r.string(), r.remaining], [0x0000, 'TypeError: boom', 0], 'anything else is a server error');
  r = encodeErr(new CqlError(0x1000, 'no fields', 'invalid'));
  t.same([r.int(), r.string(), r.short(), r.int(), r.int(), r.remaining], [0x1000, 'no fields', 0, 0, 0, 0], 'a bare CqlError with a field-carrying code still parses');
  r = encodeErr(new CqlError(0x1300, 'read failure', 'invalid'));
  t.same([r.int(), r.string(), r.short(), r.int(), r.int(), r.int(), r.byte(), r.remaining], [0x1300, 'read failure', 0, 0, 0, 0, 0, 0]);
  r = encodeErr(invalidRequest('x'.repeat(100_000)));
  r.int();
  t.ok(r.string().length <= 0xffff, 'a huge message is truncated to fit a [string]');
});

t.test('EVENT bodies', async (t) => {
  const ev = (e: Parameters<typeof writeEvent>[1]): unknown => parseEvent(asFrame(Opcode.EVENT, body((w) => writeEvent(w, e))));
  t.same(ev({ type: 'STATUS_CHANGE', change: 'UP', address: '127.0.0.2', port: 9042 }), { type: 'STATUS_CHANGE', rest: { change: 'UP', address: '127.0.0.2', port: 9042 } });
  t.same(ev({ type: 'TOPOLOGY_CHANGE', change: 'NEW_NODE', address: '10.0.0.1', port: 9043 }), { type: 'TOPOLOGY_CHANGE', rest: { change: 'NEW_NODE', address: '10.0.0.1', port: 9043 } });
  t.same(ev({ type: 'SCHEMA_CHANGE', change: { change: 'UPDATED', target: 'KEYSPACE', keyspace: 'ks' } }), { type: 'SCHEMA_CHANGE', rest: { change: 'UPDATED', target: 'KEYSPACE', options: ['ks'] } });
  const v6 = body((w) => writeEvent(w, { type: 'STATUS_CHANGE', change: 'DOWN', address: '::1', port: 1 }));
  t.equal(v6.length, 2 + 13 + 2 + 4 + 1 + 16 + 4, 'IPv6 [inet] has 16 address bytes');
  t.throws(() => body((w) => writeEvent(w, { type: 'STATUS_CHANGE', change: 'UP', address: 'nope', port: 1 })), TypeError);
});

import t from 'tap';
import {
  CqlTypes,
  decodeValue,
  EMPTY,
  encodeValue,
  ErrorCode,
  formatBytes,
  formatValue,
  listOf,
  mapOf,
  NATIVE_KINDS,
  parseTerm,
  setOf,
  termToBytes,
  tupleOf,
  typeToString,
  type CqlType,
  type CqlValue,
  type TermContext,
} from '../../src/cql-lite/index.js';
import { SeededRandom } from '../../src/seams/index.js';

const T = CqlTypes;
/** The literal `src` converted for `type`, decoded back to a JS value. */
const value = (type: CqlType, src: string, ctx?: TermContext) => {
  const b = termToBytes(type, parseTerm(src), ctx);
  return b === null ? null : decodeValue(type, b);
};
const bytesHex = (type: CqlType, src: string) => termToBytes(type, parseTerm(src))!.toString('hex');

t.test('numbers: every integer type, range errors, floats, decimals, varints', async (t) => {
  t.equal(value(T.int, '2147483647'), 2147483647);
  t.equal(value(T.int, '-2147483648'), -2147483648);
  t.throws(() => value(T.int, '2147483648'), { code: ErrorCode.INVALID, reason: 'marshal', message: "Unable to make int from '2147483648'" });
  t.throws(() => value(T.tinyint, '128'), { message: "Unable to make byte from '128'" });
  t.throws(() => value(T.smallint, '-32769'), { message: "Unable to make short from '-32769'" });
  t.equal(value(T.bigint, '-9223372036854775808'), -9223372036854775808n);
  t.throws(() => value(T.bigint, '9223372036854775808'), { message: "Unable to make long from '9223372036854775808'" });
  t.equal(value(T.counter, '5'), 5n);
  t.equal(value(T.varint, '123456789012345678901234567890'), 123456789012345678901234567890n);
  t.equal(value(T.double, '1.5e3'), 1500);
  t.equal(value(T.double, '7'), 7, 'integers are fine for doubles');
  t.ok(Number.isNaN(value(T.float, 'NaN') as number));
  t.equal(value(T.float, '-Infinity'), -Infinity);
  t.equal(value(T.float, '0.1'), Math.fround(0.1));
  t.strictSame(value(T.decimal, '1.50'), { unscaled: 150n, scale: 2 });
  t.strictSame(value(T.decimal, '-1.5e-3'), { unscaled: -15n, scale: 4 });
  t.strictSame(value(T.decimal, '12'), { unscaled: 12n, scale: 0 });
  t.throws(() => value(T.decimal, 'NaN'), { message: "unable to make BigDecimal from 'NaN'" });
  t.throws(() => value(T.int, '1.5'), { code: ErrorCode.INVALID, message: 'Invalid FLOAT constant (1.5) for "value" of type int' });
  t.throws(() => termToBytes(T.int, parseTerm("'1'"), { receiver: 'k' }), { message: 'Invalid STRING constant (1) for "k" of type int' });
});

t.test('dates, times and timestamps as Cassandra accepts them', async (t) => {
  t.equal(value(T.date, "'2024-01-02'"), 19724);
  t.equal(value(T.date, "'1970-01-01'"), 0);
  t.equal(value(T.date, "'1969-12-31'"), -1);
  t.equal(value(T.date, '2147483648'), 0, 'an integer is the raw unsigned day number');
  t.equal(value(T.date, '0'), -(2 ** 31));
  t.throws(() => value(T.date, '4294967296'), { code: ErrorCode.INVALID, reason: 'marshal' });
  t.throws(() => value(T.date, "'2023-02-29'"), { message: "Unable to coerce '2023-02-29' to a formatted date (long)" });
  t.equal(value(T.date, "'2024-02-29'"), 19782, 'leap day');
  t.throws(() => value(T.date, "'2024-1-2'"), { code: ErrorCode.INVALID, reason: 'marshal' }, 'dates are yyyy-mm-dd');

  t.equal(value(T.time, "'10:00:00'"), 36_000_000_000_000n);
  t.equal(value(T.time, "'10:00:00.000'"), 36_000_000_000_000n);
  t.equal(value(T.time, "'23:59:59.999999999'"), 86_399_999_999_999n);
  t.equal(value(T.time, "'01:02:03.5'"), 3_723_500_000_000n, 'a fraction is of a second');
  t.equal(value(T.time, '42'), 42n, 'an integer is nanoseconds');
  for (const bad of ["'24:00:00'", "'10:60:00'", "'10:00'", "'10:00:00.1234567890'", "'x'", '86400000000000']) {
    t.throws(() => value(T.time, bad), { code: ErrorCode.INVALID, reason: 'marshal' }, bad);
  }

  const day = 1_704_153_600_000n; // 2024-01-02T00:00:00Z
  const hour = 3_600_000n;
  const ts: Array<[string, bigint]> = [
    ["'2024-01-02'", day],
    ["'2024-01-02 10:00'", day + 10n * hour],
    ["'2024-01-02 10:00:00'", day + 10n * hour],
    ["'2024-01-02T10:00:00.123Z'", day + 10n * hour + 123n],
    ["'2024-01-02 10:00:00.5'", day + 10n * hour + 500n],
    ["'2024-01-02 10:00:00.000000+0000'", day + 10n * hour],
    ["'2024-01-02 10:00:00+0100'", day + 9n * hour],
    ["'2024-01-02T10:00-05:30'", day + 15n * hour + 30n * 60_000n],
    ["'2024-01-02 10:00:00 UTC'", day + 10n * hour],
    ["'2024-01-02 10:00:00 GMT+2'", day + 8n * hour],
    ["'2024-01-02Z'", day],
    ["'2024-01-02 +0100'", day - hour],
    ["'1969-12-31 23:59:59.999'", -1n],
    ['1704153600000', day],
    ['-5', -5n],
  ];
  for (const [src, ms] of ts) t.equal(value(T.timestamp, src), ms, src);
  for (const bad of ["'2024-01-32'", "'2024-01-02 25:00'", "'2024-01-02 10:00:00 XYZ'", "'yesterday'", "'2024-01-02 10:00:00+25'"]) {
    t.throws(() => value(T.timestamp, bad), { code: ErrorCode.INVALID, reason: 'marshal', message: /^Unable to parse a date\/time from '/ }, bad);
  }
  t.throws(() => value(T.timestamp, "'now'"), { code: ErrorCode.INVALID, reason: 'marshal' }, "'now' needs a clock");
  t.throws(() => value(T.timestamp, '9223372036854775808'), { message: "Unable to make long (for date) from: '9223372036854775808'" });
  t.throws(() => value(T.date, '-1'), { message: "Unable to make unsigned int (for date) from: '-1'" });
  t.throws(() => value(T.time, '86400000000000'), { message: "Unable to make long (for time) from: '86400000000000'" });
  t.same(termToBytes(T.timestamp, parseTerm("''")), Buffer.alloc(0), "'' is the empty timestamp, as Cassandra reads it");
  t.equal(value(T.timestamp, "'NOW'", { nowMs: () => 42 }), 42n);
});

t.test('strings, blobs, booleans, uuids, inet, durations', async (t) => {
  t.equal(value(T.text, "'it''s'"), "it's");
  t.equal(value(T.text, "$$héllo$$"), 'héllo');
  t.equal(value(T.ascii, "'abc'"), 'abc');
  t.throws(() => value(T.ascii, "'é'"), { code: ErrorCode.INVALID, reason: 'marshal' });
  t.equal(bytesHex(T.blob, '0xCAFE'), 'cafe');
  t.equal(bytesHex(T.blob, '0x'), '');
  t.throws(() => value(T.blob, '0xABC'), { code: ErrorCode.INVALID, reason: 'marshal', message: /hex/ });
  t.throws(() => value(T.blob, "'abc'"), { message: 'Invalid STRING constant (abc) for "value" of type blob' });
  t.equal(value(T.boolean, 'TRUE'), true);
  t.equal(value(T.boolean, 'false'), false);
  t.equal(value(T.uuid, '123E4567-E89B-12D3-A456-426614174000'), '123e4567-e89b-12d3-a456-426614174000');
  t.equal(value(T.timeuuid, 'e2d2f6a0-a8c1-11ee-8000-000000000000'), 'e2d2f6a0-a8c1-11ee-8000-000000000000');
  t.throws(() => value(T.timeuuid, '123e4567-e89b-42d3-a456-426614174000'), { message: 'TimeUUID supports only version 1 UUIDs' });
  t.throws(() => value(T.uuid, "'123e4567-e89b-42d3-a456-426614174000'"), { message: /Invalid STRING constant/ });
  t.equal(value(T.inet, "'10.0.0.1'"), '10.0.0.1');
  t.equal(value(T.inet, "'0:0:0:0:0:0:0:1'"), '::1');
  t.throws(() => value(T.inet, "'example.com'"), { message: "Unable to make inet address from 'example.com'" });
  t.equal(value(T.inet, "'::ffff:192.168.0.1'"), '192.168.0.1', 'an IPv4-mapped address is the IPv4 address, as Java reads it');
  t.same(termToBytes(T.inet, parseTerm("''")), Buffer.alloc(0), "'' is the empty inet");
  t.strictSame(value(T.duration, '1y2mo3w4d5h6m7s8ms9us10ns'), {
    months: 14,
    days: 25,
    nanoseconds: 5n * 3_600_000_000_000n + 6n * 60_000_000_000n + 7_000_000_000n + 8_000_000n + 9_000n + 10n,
  });
  t.strictSame(value(T.duration, '-1h'), { months: 0, days: 0, nanoseconds: -3_600_000_000_000n });
});

t.test('collections, tuples and NULL', async (t) => {
  t.strictSame(value(listOf(T.int), '[3, 1, 3]'), [3, 1, 3]);
  t.strictSame(value(setOf(T.int), '{3, 1, 3}'), [1, 3], 'set literals are sorted and de-duplicated');
  t.strictSame(value(mapOf(T.text, T.int), "{'b': 1, 'a': 2}"), new Map([['a', 2], ['b', 1]]));
  t.strictSame(value(mapOf(T.text, T.int), '{}'), new Map(), '{} is an empty map for a map');
  t.strictSame(value(setOf(T.int), '{}'), []);
  t.strictSame(value(listOf(listOf(T.int, true)), '[[1], []]'), [[1], []]);
  t.strictSame(value(tupleOf([T.int, T.text, T.boolean]), "(1, 'a', null)"), [1, 'a', null]);
  t.strictSame(value(tupleOf([T.int, T.text]), '(1)'), [1, null], 'fewer components than the type');
  t.equal(termToBytes(T.int, parseTerm('null')), null);
  t.throws(() => value(listOf(T.int), '[1, null]'), { message: 'null is not supported inside collections' });
  t.throws(() => value(tupleOf([T.int]), '(1, 2)'), { message: /too many elements/ });
  t.throws(() => value(setOf(T.int), '[1]'), { message: /Invalid list literal/ });
  t.throws(() => value(listOf(T.int), '{1}'), { message: /Invalid set literal/ });
  t.throws(() => value(T.int, '{1: 2}'), { message: /Invalid map literal/ });
  t.throws(() => value(T.int, '(1)'), { message: /Invalid tuple type literal/ });
  t.throws(() => value(listOf(T.int), "'x'"), { message: /Invalid STRING constant/ });
  t.throws(() => value(listOf(T.int), "['x']"), { message: "Invalid list literal for value: value 'x' is not of type int" });
  t.throws(() => value(mapOf(T.int, T.text), "{1: 2}"), { message: 'Invalid map literal for value: value 2 is not of type text' });
  t.throws(() => value(mapOf(T.int, T.text), "{'b': 'c'}"), { message: "Invalid map literal for value: key 'b' is not of type int" });
  t.throws(() => value(tupleOf([T.int, T.text]), '(1, 2)'), { message: 'Invalid tuple literal for value: component 1 is not of type text' });
});

t.test('bind markers and function calls go through the resolver; casts check their type', async (t) => {
  t.throws(() => termToBytes(T.int, parseTerm('?')), { code: ErrorCode.INVALID, message: '? cannot be evaluated here' });
  const seen: string[] = [];
  const ctx: TermContext = {
    resolve: (term, type) => {
      seen.push(`${term.kind}:${typeToString(type)}`);
      return term.kind === 'bind' && term.name === 'n' ? null : encodeValue(type, 7);
    },
  };
  t.strictSame(decodeValue(listOf(T.int), termToBytes(listOf(T.int), parseTerm('[?, f(1), 2]'), ctx)!), [7, 7, 2]);
  t.strictSame(seen, ['bind:int', 'function:int']);
  t.equal(termToBytes(T.int, parseTerm(':n'), ctx), null);
  t.throws(() => termToBytes(listOf(T.int), parseTerm('[:n]'), ctx), { message: 'null is not supported inside collections' });
  t.equal(value(T.int, '(int) 5'), 5);
  t.throws(() => value(T.bigint, '(int) 5'), { code: ErrorCode.INVALID, message: /Type error/ });
});

// --- formatting: formatValue text parses back to the same bytes -------------------------------------

t.test('formatValue writes CQL literals', async (t) => {
  const cases: Array<[CqlType, CqlValue, string]> = [
    [T.text, "it's", "'it''s'"],
    [T.blob, Buffer.from('cafe', 'hex'), '0xcafe'],
    [T.boolean, false, 'false'],
    [T.int, -5, '-5'],
    [T.bigint, 9223372036854775807n, '9223372036854775807'],
    [T.float, Math.fround(0.1), '0.1'],
    [T.float, 3, '3.0'],
    [T.double, -0, '-0.0'],
    [T.double, 1e21, '1e+21'],
    [T.double, NaN, 'NaN'],
    [T.float, -Infinity, '-Infinity'],
    [T.decimal, { unscaled: 150n, scale: 2 }, '1.50'],
    [T.decimal, { unscaled: -5n, scale: 3 }, '-0.005'],
    [T.decimal, { unscaled: 5n, scale: -3 }, '5E+3'],
    [T.decimal, { unscaled: 12n, scale: 10 }, '1.2E-9'],
    [T.timestamp, 1_704_189_600_123n, "'2024-01-02T10:00:00.123Z'"],
    [T.timestamp, -1n, "'1969-12-31T23:59:59.999Z'"],
    [T.date, 19724, "'2024-01-02'"],
    [T.date, -(2 ** 31), "'-5877641-06-23'"],
    [T.date, 2 ** 31 - 1, "'+5881580-07-11'"],
    [T.time, 3_723_500_000_000n, "'01:02:03.500000000'"],
    [T.uuid, '123e4567-e89b-12d3-a456-426614174000', '123e4567-e89b-12d3-a456-426614174000'],
    [T.inet, '::1', "'::1'"],
    [T.duration, { months: 14, days: 3, nanoseconds: 3_600_000_000_001n }, '1y2mo3d1h1ns'],
    [T.duration, { months: 0, days: 0, nanoseconds: 0n }, '0s'],
    [listOf(T.text), ['a', 'b'], "['a', 'b']"],
    [setOf(T.int), [1, 2], '{1, 2}'],
    [mapOf(T.text, listOf(T.int, true)), new Map([['k', [1]]]), "{'k': [1]}"],
    [tupleOf([T.int, T.text]), [1, null], '(1, null)'],
    [T.int, EMPTY, 'blobAsInt(0x)'],
    [T.int, null, 'null'],
  ];
  for (const [type, v, text] of cases) t.equal(formatValue(type, v), text, `${typeToString(type)} -> ${text}`);
  t.equal(formatBytes(T.int, null), 'null');
  t.equal(formatBytes(T.int, Buffer.from('0000002a', 'hex')), '42');
});

function randomValue(r: SeededRandom, type: CqlType): CqlValue {
  switch (type.kind) {
    case 'ascii':
      return Array.from({ length: r.int(6) }, () => String.fromCharCode(r.int(128))).join('');
    case 'text':
      return Array.from({ length: r.int(6) }, () => String.fromCodePoint(r.int(2) ? r.int(0xd800) : 0x10000 + r.int(0xfffff))).join('');
    case 'blob':
      return r.bytes(r.int(6));
    case 'boolean':
      return r.int(2) === 1;
    case 'tinyint':
      return r.int(256) - 128;
    case 'smallint':
      return r.int(65536) - 32768;
    case 'int':
      return r.int(2 ** 32) - 2 ** 31;
    case 'bigint':
    case 'counter':
      return BigInt.asIntN(64, (BigInt(r.u32()) << 32n) | BigInt(r.u32()));
    case 'timestamp':
      // Anything in the 64-bit range has a UTC text form (years up to about 292 million).
      return BigInt.asIntN(64, (BigInt(r.u32()) << 32n) | BigInt(r.u32()));
    case 'varint':
      return BigInt.asIntN(8 * (1 + r.int(20)), BigInt('0x' + r.bytes(20).toString('hex')));
    case 'float':
      return r.int(10) === 0 ? NaN : r.bytes(4).readFloatBE(0);
    case 'double':
      return r.int(10) === 0 ? -Infinity : r.bytes(8).readDoubleBE(0);
    case 'decimal':
      return { unscaled: BigInt.asIntN(80, BigInt('0x' + r.bytes(10).toString('hex'))), scale: r.int(2 ** 32) - 2 ** 31 };
    case 'date':
      return r.int(2 ** 32) - 2 ** 31;
    case 'time':
      return BigInt(r.int(86400)) * 1_000_000_000n + BigInt(r.int(1e9));
    case 'uuid':
    case 'timeuuid': {
      const b = r.bytes(16);
      if (type.kind === 'timeuuid') b[6] = (b[6]! & 0x0f) | 0x10;
      return decodeValue(T.uuid, b);
    }
    case 'inet':
      return decodeValue(T.inet, r.bytes(r.int(2) ? 4 : 16));
    case 'duration': {
      const s = r.int(2) ? -1 : 1;
      return { months: s * r.int(2 ** 31), days: s * r.int(2 ** 31), nanoseconds: BigInt(s) * BigInt(r.u32()) * BigInt(r.u32() >>> 1) };
    }
    case 'list':
    case 'set':
      return decodeValue(type, encodeValue(type, Array.from({ length: r.int(4) }, () => randomValue(r, type.element)))!);
    case 'map':
      return decodeValue(type, encodeValue(type, Array.from({ length: r.int(4) }, () => [randomValue(r, type.key), randomValue(r, type.value)]))!);
    case 'tuple':
      return type.elements.map((e) => (r.int(4) === 0 ? null : randomValue(r, e)));
  }
}

function randomType(r: SeededRandom, depth: number): CqlType {
  const pick = r.int(depth > 0 ? 10 : 6);
  if (pick < 6) return T[NATIVE_KINDS[r.int(NATIVE_KINDS.length)]!];
  const inner = () => {
    const x = randomType(r, depth - 1);
    return x.kind === 'list' || x.kind === 'set' || x.kind === 'map' ? { ...x, frozen: true } : x;
  };
  if (pick === 6) return listOf(inner());
  if (pick === 7) return setOf(inner());
  if (pick === 8) return mapOf(inner(), inner());
  return tupleOf(Array.from({ length: 1 + r.int(3) }, inner));
}

t.test('random values: formatValue -> parseTerm -> termToBytes gives back the same bytes', async (t) => {
  const seed = 31337;
  const r = new SeededRandom(seed);
  let checked = 0;
  const kinds = new Set<string>();
  const collect = (type: CqlType): void => {
    kinds.add(type.kind);
    if (type.kind === 'list' || type.kind === 'set') collect(type.element);
    else if (type.kind === 'map') [type.key, type.value].forEach(collect);
    else if (type.kind === 'tuple') type.elements.forEach(collect);
  };
  for (let i = 0; i < 3000; i++) {
    const type = randomType(r, 3);
    collect(type);
    const v = randomValue(r, type);
    const bytes = encodeValue(type, v)!;
    const text = formatValue(type, v);
    let back: Buffer | null;
    try {
      back = termToBytes(type, parseTerm(text), { resolve: () => null });
    } catch (e) {
      t.fail(`seed ${seed} #${i}: ${typeToString(type)} ${text}: ${(e as Error).message}`);
      continue;
    }
    if (back === null || Buffer.compare(back, bytes) !== 0) {
      t.fail(`seed ${seed} #${i}: ${typeToString(type)} ${text} read back as ${back?.toString('hex')} not ${bytes.toString('hex')}`);
    }
    checked++;
  }
  t.equal(checked, 3000);
  t.strictSame(
    [...NATIVE_KINDS, 'list', 'set', 'map', 'tuple'].filter((k) => !kinds.has(k)),
    [],
    'every type took part',
  );
});

import t from 'tap';
import { createRequire } from 'node:module';
import {
  CqlError,
  CqlTypes,
  compareValues,
  decodeValue,
  EMPTY,
  encodeValue,
  ErrorCode,
  listOf,
  mapOf,
  NATIVE_KINDS,
  parseTypeString,
  setOf,
  tupleOf,
  typeToString,
  validateValue,
  type CqlType,
  type CqlValue,
} from '../../src/cql-lite/index.js';
import { SeededRandom } from '../../src/seams/index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const enc = (type: CqlType, v: unknown) => encodeValue(type, v)!.toString('hex');
const T = CqlTypes;

t.test('known byte vectors from the spec (section 6)', async (t) => {
  // varint examples, verbatim from 6.23
  const varints: Array<[bigint, string]> = [[0n, '00'], [1n, '01'], [127n, '7f'], [128n, '0080'], [129n, '0081'], [-1n, 'ff'], [-128n, '80'], [-129n, 'ff7f']];
  for (const [v, h] of varints) {
    t.equal(enc(T.varint, v), h, `varint ${v}`);
    t.equal(decodeValue(T.varint, hex(h)), v, `varint ${h}`);
  }
  t.equal(decodeValue(T.varint, hex('000001')), 1n, 'non-minimal varints decode');
  // date: epoch at 2^31 (6.5)
  t.equal(enc(T.date, 0), '80000000');
  t.equal(decodeValue(T.date, hex('80000000')), 0);
  t.equal(decodeValue(T.date, hex('00000000')), -(2 ** 31));
  t.equal(decodeValue(T.date, hex('ffffffff')), 2 ** 31 - 1);
  t.equal(enc(T.date, '2024-01-02'), '80004d0c');
  t.equal(enc(T.date, '-5877641-06-23'), '00000000', "the spec's minimum date");
  t.equal(enc(T.date, '+5881580-07-11'), 'ffffffff', "the spec's maximum date (2^32 - 1)");
  // decimal: scale then unscaled varint (6.6)
  t.equal(enc(T.decimal, { unscaled: 12345n, scale: 2 }), '00000002' + '3039');
  t.equal(enc(T.decimal, '123.45'), '000000023039');
  t.equal(enc(T.decimal, '-1.5'), '00000001f1');
  t.equal(enc(T.decimal, '5E+3'), 'fffffffd05');
  t.strictSame(decodeValue(T.decimal, hex('fffffffd05')), { unscaled: 5n, scale: -3 });
  // inet (6.9)
  t.equal(enc(T.inet, '127.0.0.1'), '7f000001');
  t.equal(enc(T.inet, '::1'), '00000000000000000000000000000001');
  t.equal(enc(T.inet, '2001:db8::ff00:42:8329'), '20010db8000000000000ff0000428329');
  t.equal(enc(T.inet, '::ffff:1.2.3.4'), '00000000000000000000ffff01020304');
  t.equal(decodeValue(T.inet, hex('20010db8000000000000ff0000428329')), '2001:db8::ff00:42:8329');
  t.equal(decodeValue(T.inet, hex('00000000000000000000000000000000')), '::');
  t.equal(decodeValue(T.inet, hex('20010db8000000010000000000000001')), '2001:db8:0:1::1', 'the longest zero run is elided');
  // fixed-width numbers
  t.equal(enc(T.int, -2), 'fffffffe');
  t.equal(enc(T.bigint, 1n), '0000000000000001');
  t.equal(enc(T.smallint, -32768), '8000');
  t.equal(enc(T.tinyint, 127), '7f');
  t.equal(enc(T.float, 1.5), '3fc00000');
  t.equal(enc(T.double, -2), 'c000000000000000');
  t.equal(enc(T.boolean, true), '01');
  t.equal(decodeValue(T.boolean, hex('02')), true, 'any non-zero byte is true');
  t.equal(enc(T.timestamp, 1704153600000n), '0000018cc7785000');
  t.equal(enc(T.time, '10:00:00'), (36_000n * 1_000_000_000n).toString(16).padStart(16, '0'));
  t.equal(enc(T.uuid, '123E4567-E89B-12D3-A456-426614174000'), '123e4567e89b12d3a456426614174000');
  // duration: zig-zag vints (v5 spec 6.x): 1mo2d3ns
  t.equal(enc(T.duration, '1mo2d3ns'), '020406');
  t.equal(enc(T.duration, { months: 0, days: 0, nanoseconds: -1n }), '000001');
  // collections: [int n] then [int len] element (6.11-6.13), tuple (6.20)
  t.equal(enc(listOf(T.int), [1, 2]), '00000002' + '00000004' + '00000001' + '00000004' + '00000002');
  t.equal(enc(mapOf(T.text, T.int), new Map([['a', 1]])), '00000001' + '00000001' + '61' + '00000004' + '00000001');
  t.equal(enc(tupleOf([T.int, T.text]), [1, null]), '00000004' + '00000001' + 'ffffffff');
});

t.test('inet text forms', async (t) => {
  const good: Array<[string, string, string]> = [
    ['1.2.3.4', '01020304', '1.2.3.4'],
    ['::1.2.3.4', '00000000000000000000000001020304', '::102:304'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304', '1:2:3:4:5:6:102:304'],
    ['1::', '00010000000000000000000000000000', '1::'],
    ['1:0:0:2:0:0:0:3', '00010000000000020000000000000003', '1:0:0:2::3'],
    ['1:0:2:0:3:0:4:0', '00010000000200000003000000040000', '1:0:2:0:3:0:4:0'],
    ['ABCD:EF01::', 'abcdef01000000000000000000000000', 'abcd:ef01::'],
  ];
  for (const [text, bytes, canonical] of good) {
    t.equal(enc(T.inet, text), bytes, text);
    t.equal(decodeValue(T.inet, hex(bytes)), canonical, `${text} reads back as ${canonical}`);
  }
  for (const bad of ['', '1.2.3.256', '1.2.3.4.5', '01234.1.1.1', '1.2.3.-4', ':1', '1:', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::', '1:2:3:4:5:6:7::8', '::1.2.3', 'fe80::1%eth0']) {
    t.throws(() => encodeValue(T.inet, bad), { code: ErrorCode.INVALID, reason: 'marshal' }, JSON.stringify(bad));
  }
});

t.test('boundaries round-trip for every native type', async (t) => {
  const cases: Array<[CqlType, CqlValue[]]> = [
    [T.int, [0, 1, -1, 2147483647, -2147483648]],
    [T.bigint, [0n, 9223372036854775807n, -9223372036854775808n]],
    [T.counter, [0n, 9223372036854775807n, -9223372036854775808n]],
    [T.smallint, [0, 32767, -32768]],
    [T.tinyint, [0, 127, -128]],
    [T.float, [0, -0, 1.5, NaN, Infinity, -Infinity, 3.4028234663852886e38, 1.401298464324817e-45, -1.1754943508222875e-38]],
    [T.double, [0, -0, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, -Number.EPSILON, 0.1]],
    [T.boolean, [true, false]],
    [T.varint, [0n, 1n, -1n, 2n ** 200n, -(2n ** 200n), 2n ** 63n, -(2n ** 63n) - 1n]],
    [T.decimal, [{ unscaled: 0n, scale: 0 }, { unscaled: -123456789012345678901234567890n, scale: 2147483647 }, { unscaled: 1n, scale: -2147483648 }]],
    [T.timestamp, [0n, -1n, 9223372036854775807n, -9223372036854775808n]],
    [T.date, [0, -2147483648, 2147483647, 19724]],
    [T.time, [0n, 86399999999999n]],
    [T.uuid, ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']],
    [T.timeuuid, ['e2d2f6a0-a8c1-11ee-8000-000000000000']],
    [T.inet, ['0.0.0.0', '255.255.255.255', '::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::1']],
    [T.ascii, ['', 'abc', '\x00\x7f']],
    [T.text, ['', 'héllo', '😀 emoji', '\u0000']],
    [T.blob, [Buffer.alloc(0), hex('00ff10')]],
    [T.duration, [{ months: 0, days: 0, nanoseconds: 0n }, { months: 2147483647, days: 2147483647, nanoseconds: 9223372036854775807n }, { months: -2147483648, days: -2147483648, nanoseconds: -9223372036854775808n }]],
  ];
  for (const [type, values] of cases) {
    for (const v of values) {
      const b = encodeValue(type, v)!;
      validateValue(type, b);
      const back = decodeValue(type, b);
      // JSON.stringify escapes control characters, which would otherwise reach the TAP output raw.
      t.strictSame(back, v, `${typeToString(type)} ${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))}`);
      t.strictSame(encodeValue(type, back), b, 're-encodes to the same bytes');
    }
  }
  t.equal(Object.is(decodeValue(T.double, encodeValue(T.double, -0)!), -0), true, '-0 survives');
});

t.test('out-of-range and ill-typed JS values are refused with a marshal error', async (t) => {
  const bad: Array<[CqlType, unknown]> = [
    [T.int, 2147483648], [T.int, -2147483649], [T.int, 1.5], [T.int, '1'], [T.smallint, 32768], [T.tinyint, -129],
    [T.bigint, 2n ** 63n], [T.bigint, 2 ** 53], [T.counter, -(2n ** 63n) - 1n], [T.timestamp, 1.5],
    [T.date, 2 ** 31], [T.date, '2024-13-01'], [T.time, 86400000000000n], [T.time, -1n], [T.time, '24:00:00'],
    [T.uuid, 'not-a-uuid'], [T.timeuuid, '123e4567-e89b-42d3-a456-426614174000'], [T.inet, '1.2.3'], [T.inet, '::1::2'], [T.inet, 'localhost'],
    [T.ascii, 'é'], [T.text, '\ud800'], [T.boolean, 1], [T.decimal, 'abc'], [T.duration, { months: 1, days: -1, nanoseconds: 0n }],
    [listOf(T.int), [1, null]], [listOf(T.int), 5], [setOf(T.int), [1, undefined]], [mapOf(T.int, T.int), new Map([[1, null]])],
    [tupleOf([T.int]), [1, 2]], [T.smallint, EMPTY], [listOf(T.int), EMPTY],
  ];
  for (const [type, v] of bad) {
    t.throws(() => encodeValue(type, v), { code: ErrorCode.INVALID, reason: 'marshal' }, `${typeToString(type)} ${String(v)}`);
  }
  t.equal(encodeValue(T.int, null), null);
  t.equal(encodeValue(T.int, undefined), null);
});

t.test('empty values: EMPTY where Cassandra allows them, an error where it does not', async (t) => {
  const allows = ['int', 'bigint', 'counter', 'boolean', 'float', 'double', 'decimal', 'varint', 'uuid', 'timeuuid', 'timestamp', 'inet'];
  for (const k of allows) {
    const type = parseTypeString(k);
    t.equal(decodeValue(type, Buffer.alloc(0)), EMPTY, `${k} empty decodes to EMPTY`);
    t.equal(encodeValue(type, EMPTY)!.length, 0, `${k} EMPTY encodes to zero bytes`);
  }
  t.equal(decodeValue(tupleOf([T.int]), Buffer.alloc(0)), EMPTY);
  t.equal(decodeValue(T.text, Buffer.alloc(0)), '');
  t.equal(decodeValue(T.ascii, Buffer.alloc(0)), '');
  t.strictSame(decodeValue(T.blob, Buffer.alloc(0)), Buffer.alloc(0));
  for (const type of [T.smallint, T.tinyint, T.date, T.time, T.duration, listOf(T.int), setOf(T.int), mapOf(T.int, T.int)]) {
    t.throws(() => decodeValue(type, Buffer.alloc(0)), { code: ErrorCode.INVALID, reason: 'marshal' }, `${typeToString(type)} refuses empty`);
    t.throws(() => validateValue(type, Buffer.alloc(0)), { code: ErrorCode.INVALID }, `${typeToString(type)} refuses empty`);
  }
  t.strictSame(decodeValue(listOf(T.int), hex('00000002 00000000 00000004 00000007')), [EMPTY, 7], 'empty elements inside a list');
});

t.test('wrong lengths and malformed bytes are refused with Cassandra-like messages', async (t) => {
  const bad: Array<[CqlType, string, string | RegExp]> = [
    [T.int, '000000', 'Expected 4 or 0 byte int (3)'],
    [T.int, '0000000000', 'Expected 4 or 0 byte int (5)'],
    [T.bigint, '00', 'Expected 8 or 0 byte long (1)'],
    [T.smallint, '000000', 'Expected 2 bytes for a smallint (3)'],
    [T.tinyint, '0000', 'Expected 1 byte for a tinyint (2)'],
    [T.boolean, '0000', 'Expected 1 or 0 byte value (2)'],
    [T.float, '00', /float/],
    [T.double, '00', /double/],
    [T.timestamp, '00', 'Expected 8 or 0 byte long for date (1)'],
    [T.date, '000000', 'Expected 4 byte long for date (3)'],
    [T.time, '00', 'Expected 8 byte long for time (1)'],
    [T.uuid, '00', 'UUID should be 16 or 0 bytes (1)'],
    [T.timeuuid, '123e4567e89b42d3a456426614174000', 'Invalid version for TimeUUID type.'],
    [T.inet, '0102030405', /Expected 4 or 16 byte inetaddress/],
    [T.decimal, '00000001', /at least 5 bytes/],
    [T.ascii, '61ff', 'Invalid byte for ascii: 255'],
    [T.text, 'c328', "String didn't validate."],
    [T.duration, '02', /Not enough bytes/],
    [T.duration, '020406ff', /Not enough bytes|extraneous/],
    [T.duration, '020306', /same sign/],
    [listOf(T.int), '000000', /Not enough bytes to read a list/],
    [listOf(T.int), '00000001', /Not enough bytes/],
    [listOf(T.int), '00000001 ffffffff', 'null is not supported inside collections'],
    [listOf(T.int), '00000001 fffffffe', /negative length/],
    [listOf(T.int), 'ffffffff', /negative element count/],
    [listOf(T.int), '7fffffff 00000000', /Not enough bytes/],
    [listOf(T.int), '00000001 00000004 00000001 00', 'Unexpected extraneous bytes after list value'],
    [listOf(T.int), '00000001 00000003 000001', 'Expected 4 or 0 byte int (3)'],
    [mapOf(T.int, T.int), '00000001 00000004 00000001', /Not enough bytes to read a map/],
    [setOf(T.text), '00000001 00000001 ff', "String didn't validate."],
    [tupleOf([T.int]), '00000004 00000001 00000004 00000002', /more components/],
    [tupleOf([T.int]), '000000', /Not enough bytes/],
  ];
  for (const [type, h, message] of bad) {
    const what = `${typeToString(type)} 0x${h.replace(/\s+/g, '')}`;
    t.throws(() => decodeValue(type, hex(h)), { code: ErrorCode.INVALID, reason: 'marshal', message }, `decode ${what}`);
    t.throws(() => validateValue(type, hex(h)), { code: ErrorCode.INVALID, reason: 'marshal', message }, `validate ${what}`);
  }
});

t.test('collections: nesting, set order and de-duplication, map order, tuples with nulls', async (t) => {
  const nested = listOf(mapOf(T.text, setOf(T.int, true), true));
  const v = [new Map([['a', [1, 2]], ['b', []]]), new Map()];
  const b = encodeValue(nested, v)!;
  t.strictSame(decodeValue(nested, b), v);
  validateValue(nested, b);
  // Sets are stored sorted in the element type's order, without duplicates, whatever the input order.
  t.strictSame(decodeValue(setOf(T.int), encodeValue(setOf(T.int), [3, -1, 2, 3, -1])!), [-1, 2, 3]);
  t.strictSame(decodeValue(setOf(T.text), encodeValue(setOf(T.text), new Set(['b', 'a', 'é', 'B']))!), ['B', 'a', 'b', 'é']);
  t.strictSame(decodeValue(setOf(T.varint), encodeValue(setOf(T.varint), [300n, -5n, 0n, 2n ** 70n])!), [-5n, 0n, 300n, 2n ** 70n]);
  // Maps are sorted by key; of two equal keys the last one wins.
  const m = decodeValue(mapOf(T.int, T.text), encodeValue(mapOf(T.int, T.text), [[2, 'x'], [1, 'y'], [2, 'z']])!) as Map<CqlValue, CqlValue>;
  t.strictSame([...m.entries()], [[1, 'y'], [2, 'z']]);
  // Tuples: nulls, and fewer components than the type (read as trailing nulls).
  const tt = tupleOf([T.int, T.text, listOf(T.int, true)]);
  t.strictSame(decodeValue(tt, encodeValue(tt, [1, null, [5]])!), [1, null, [5]]);
  t.strictSame(decodeValue(tt, hex('00000004 00000009')), [9, null, null]);
  t.strictSame(decodeValue(tt, encodeValue(tt, [null, null, null])!), [null, null, null]);
  const frozenTuples = setOf(tupleOf([T.int, T.text]), true);
  t.strictSame(decodeValue(frozenTuples, encodeValue(frozenTuples, [[2, 'a'], [1, 'b'], [1, 'a'], [1, 'a']])!), [[1, 'a'], [1, 'b'], [2, 'a']]);
});

t.test('compareValues orders values as Cassandra does', async (t) => {
  const seed = 7;
  const r = new SeededRandom(seed);
  const cmpSign = (type: CqlType, a: unknown, b: unknown) => Math.sign(compareValues(type, encodeValue(type, a)!, encodeValue(type, b)!));
  for (let i = 0; i < 2000; i++) {
    const a = r.int(2 ** 32) - 2 ** 31;
    const b = r.int(2 ** 32) - 2 ** 31;
    t.equal(cmpSign(T.int, a, b), Math.sign(a - b), `seed ${seed}: int ${a} vs ${b}`);
    const x = BigInt(a) * BigInt(r.int(2 ** 30)) ** 3n;
    const y = BigInt(b) * BigInt(r.int(2 ** 30)) ** 2n;
    t.equal(cmpSign(T.varint, x, y), x < y ? -1 : x > y ? 1 : 0, `seed ${seed}: varint ${x} vs ${y}`);
    t.equal(cmpSign(T.bigint, x % 2n ** 62n, y % 2n ** 62n), x % 2n ** 62n < y % 2n ** 62n ? -1 : x % 2n ** 62n > y % 2n ** 62n ? 1 : 0);
  }
  t.equal(cmpSign(T.decimal, '1.10', '1.1'), 0, 'decimals compare by value, not scale');
  t.equal(cmpSign(T.decimal, { unscaled: 1n, scale: 2147483647 }, { unscaled: 1n, scale: -2147483648 }), -1, 'extreme scales compare without aligning them');
  t.equal(cmpSign(T.decimal, { unscaled: -1n, scale: 2147483647 }, { unscaled: -1n, scale: -2147483648 }), 1);
  t.equal(cmpSign(T.decimal, { unscaled: 0n, scale: -2147483648 }, { unscaled: -1n, scale: 2147483647 }), 1);
  for (let i = 0; i < 2000; i++) {
    // Against exact alignment, which is cheap for small scales.
    const x = { unscaled: BigInt(r.int(2001) - 1000) * 10n ** BigInt(r.int(3)), scale: r.int(9) - 4 };
    const y = { unscaled: BigInt(r.int(2001) - 1000), scale: r.int(9) - 4 };
    const s = 8;
    const diff = x.unscaled * 10n ** BigInt(s - x.scale) - y.unscaled * 10n ** BigInt(s - y.scale);
    t.equal(cmpSign(T.decimal, x, y), diff < 0n ? -1 : diff > 0n ? 1 : 0, `seed ${seed}: decimal ${x.unscaled}e${-x.scale} vs ${y.unscaled}e${-y.scale}`);
  }
  t.equal(cmpSign(T.decimal, '-0.001', '-1E-4'), -1);
  t.equal(cmpSign(T.double, NaN, Infinity), 1, 'NaN sorts last');
  t.equal(cmpSign(T.double, -0, 0), -1, '-0 before 0');
  t.equal(cmpSign(T.date, -1, 0), -1);
  t.equal(cmpSign(T.timestamp, -1n, 0n), -1);
  t.equal(cmpSign(T.text, 'b', 'a'), 1);
  t.equal(cmpSign(T.int, EMPTY, -5), -1, 'empty sorts first');
  // Time UUIDs by their timestamp, not their bytes: time_low comes first in the bytes.
  const early = '00000002-0000-1000-8000-000000000000';
  const late = '00000001-0001-1000-8000-000000000000';
  t.equal(cmpSign(T.timeuuid, early, late), -1);
  t.equal(cmpSign(T.uuid, early, late), -1);
  t.equal(cmpSign(T.uuid, '00000000-0000-4000-8000-000000000000', early), 1, 'uuids: by version first');
  t.equal(cmpSign(listOf(T.int, true), [1, 2], [1, 2, 0]), -1, 'shorter list first');
  t.equal(cmpSign(listOf(T.int, true), [2], [1, 5]), 1);
  t.equal(cmpSign(tupleOf([T.int, T.int]), [1, null], [1, 0]), -1, 'null component first');
});

// --- random values, checked against the DataStax driver's encoder ---------------------------------

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const DriverEncoder = require('cassandra-driver/lib/encoder.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { types: driverTypes } = require('cassandra-driver');
const driver = new DriverEncoder(4, {});

function digits(r: SeededRandom, max: number): string {
  let s = String(1 + r.int(9));
  const n = r.int(max);
  for (let i = 0; i < n; i++) s += String(r.int(10));
  return s;
}

t.test('random values encode byte-for-byte as the DataStax driver encodes them', async (t) => {
  const seed = 4242;
  const r = new SeededRandom(seed);
  const pad2 = (n: number) => String(n).padStart(2, '0');
  for (let i = 0; i < 400; i++) {
    const ctx = `seed ${seed} #${i}`;
    const vi = (r.int(2) ? '-' : '') + digits(r, 40);
    t.equal(enc(T.varint, BigInt(vi)), driver.encode(driverTypes.Integer.fromString(vi), { code: 0x0e }).toString('hex'), `${ctx} varint ${vi}`);
    const dec = (r.int(2) ? '-' : '') + digits(r, 20) + '.' + digits(r, 10);
    t.equal(enc(T.decimal, dec), driver.encode(driverTypes.BigDecimal.fromString(dec), { code: 0x06 }).toString('hex'), `${ctx} decimal ${dec}`);
    const date = `${1 + r.int(9998)}`.padStart(4, '0') + `-${pad2(1 + r.int(12))}-${pad2(1 + r.int(28))}`;
    t.equal(enc(T.date, date), driver.encode(driverTypes.LocalDate.fromString(date), { code: 0x11 }).toString('hex'), `${ctx} date ${date}`);
    const time = `${pad2(r.int(24))}:${pad2(r.int(60))}:${pad2(r.int(60))}.${String(r.int(1e9)).padStart(9, '0')}`;
    t.equal(enc(T.time, time), driver.encode(driverTypes.LocalTime.fromString(time), { code: 0x12 }).toString('hex'), `${ctx} time ${time}`);
    const groups = Array.from({ length: 8 }, () => (r.int(3) === 0 ? 0 : r.int(65536)).toString(16));
    const ip6 = groups.join(':');
    t.equal(enc(T.inet, ip6), driver.encode(driverTypes.InetAddress.fromString(ip6), { code: 0x10 }).toString('hex'), `${ctx} inet ${ip6}`);
    const sign = r.int(2) ? '-' : '';
    const dur = `${sign}${r.int(100)}y${r.int(12)}mo${r.int(30)}d${r.int(24)}h${r.int(60)}m${r.int(60)}s${r.int(1000)}ms${r.int(1000)}us${r.int(1000)}ns`;
    t.equal(enc(T.duration, dur), driver.encode(driverTypes.Duration.fromString(dur), { code: 0x15 }).toString('hex'), `${ctx} duration ${dur}`);
    const ms = BigInt(r.int(2 ** 31)) * BigInt(r.int(2 ** 12)) * (r.int(2) ? -1n : 1n);
    t.equal(enc(T.timestamp, ms), driver.encode(new Date(Number(ms)), { code: 0x0b }).toString('hex'), `${ctx} timestamp ${ms}`);
    const f = (r.next() - 0.5) * 10 ** (r.int(60) - 30);
    t.equal(enc(T.float, f), driver.encode(f, { code: 0x08 }).toString('hex'), `${ctx} float ${f}`);
    t.equal(enc(T.double, f), driver.encode(f, { code: 0x07 }).toString('hex'), `${ctx} double ${f}`);
    const ints = [r.int(2 ** 16) - 2 ** 15, r.int(2 ** 16) - 2 ** 15];
    t.equal(enc(listOf(T.smallint), ints), driver.encode(ints, { code: 0x20, info: { code: 0x13 } }).toString('hex'), `${ctx} list<smallint>`);
  }
});

// --- random values of random types ---------------------------------------------------------------

function randomType(r: SeededRandom, depth: number): CqlType {
  const pick = r.int(depth > 0 ? 10 : 6);
  if (pick < 6) return T[NATIVE_KINDS[r.int(NATIVE_KINDS.length)]!];
  const inner = () => randomType(r, depth - 1);
  const frozenInner = (): CqlType => {
    const x = inner();
    return x.kind === 'list' || x.kind === 'set' || x.kind === 'map' ? { ...x, frozen: true } : x;
  };
  if (pick === 6) return listOf(frozenInner(), r.int(2) === 0);
  if (pick === 7) return setOf(frozenInner(), r.int(2) === 0);
  if (pick === 8) return mapOf(frozenInner(), frozenInner(), r.int(2) === 0);
  return tupleOf(Array.from({ length: 1 + r.int(3) }, frozenInner));
}

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
    case 'timestamp':
      return BigInt.asIntN(64, (BigInt(r.u32()) << 32n) | BigInt(r.u32()));
    case 'varint':
      return BigInt.asIntN(8 * (1 + r.int(20)), BigInt('0x' + r.bytes(20).toString('hex')));
    case 'float':
      return r.int(10) === 0 ? NaN : r.bytes(4).readFloatBE(0);
    case 'double':
      return r.bytes(8).readDoubleBE(0);
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
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case 'inet': {
      if (r.int(2)) return Array.from(r.bytes(4)).join('.');
      const groups = Array.from({ length: 8 }, () => (r.int(2) ? 0 : r.int(65536)));
      return decodeValue(type, Buffer.from(groups.flatMap((g) => [g >> 8, g & 0xff]))) as string;
    }
    case 'duration': {
      const s = r.int(2) ? -1 : 1;
      return { months: s * r.int(2 ** 31), days: s * r.int(2 ** 31), nanoseconds: BigInt(s) * BigInt(r.u32()) * BigInt(r.u32() >>> 1) };
    }
    case 'list':
      return Array.from({ length: r.int(4) }, () => randomValue(r, type.element));
    case 'set': {
      // Sets decode in the type's order without duplicates: build the expected value that way.
      const items = Array.from({ length: r.int(4) }, () => randomValue(r, type.element));
      return decodeValue(type, encodeValue(type, items)!);
    }
    case 'map': {
      const pairs = Array.from({ length: r.int(4) }, () => [randomValue(r, type.key), randomValue(r, type.value)] as const);
      return decodeValue(type, encodeValue(type, pairs)!);
    }
    case 'tuple':
      return type.elements.map((e) => (r.int(4) === 0 ? null : randomValue(r, e)));
  }
}

t.test('random values of random (nested) types round-trip through bytes', async (t) => {
  const seed = 99;
  const r = new SeededRandom(seed);
  let checked = 0;
  for (let i = 0; i < 3000; i++) {
    const type = randomType(r, 3);
    const v = randomValue(r, type);
    const b = encodeValue(type, v)!;
    validateValue(type, b);
    const back = decodeValue(type, b);
    // NaN !== NaN: compare through the bytes, which are canonical.
    const ok = Buffer.compare(encodeValue(type, back)!, b) === 0;
    if (!ok) t.fail(`seed ${seed} #${i}: ${typeToString(type)} did not round-trip`);
    checked++;
  }
  t.equal(checked, 3000);
});

t.test('random bytes decode to a value or a CqlError, never anything else', async (t) => {
  const seed = 1234;
  const r = new SeededRandom(seed);
  let values = 0;
  let errors = 0;
  for (let i = 0; i < 20000; i++) {
    const type = randomType(r, 2);
    // Half pure noise, half a valid value with a byte flipped or cut.
    let b: Buffer;
    if (r.int(2) === 0) b = r.bytes(r.int(24));
    else {
      b = Buffer.from(encodeValue(type, randomValue(r, type))!);
      if (b.length > 0 && r.int(2) === 0) b[r.int(b.length)] = r.int(256);
      else b = b.subarray(0, r.int(b.length + 1));
    }
    try {
      decodeValue(type, b);
      validateValue(type, b);
      values++;
    } catch (e) {
      if (!(e instanceof CqlError)) {
        t.fail(`seed ${seed} #${i}: ${typeToString(type)} 0x${b.toString('hex')} threw ${(e as Error).stack}`);
        return;
      }
      // decode and validate agree on what is invalid
      t.throws(() => validateValue(type, b), CqlError);
      errors++;
    }
  }
  t.ok(values > 1000 && errors > 1000, `${values} decoded, ${errors} refused`);
});

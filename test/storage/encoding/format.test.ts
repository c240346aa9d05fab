// The encoded bytes are on disk (memtable flushes, SSTables, range tombstones): these exact
// vectors pin the format, so that a change to it fails here rather than in old data files.
import t from 'tap';
import { type ClusteringColumnType, type ValueType, decodeClustering, decodeComponent, encodeClustering, encodeComponent } from '../../../src/storage/encoding/index.js';
import { T, collection, decimalBytes, float64, int32, list, map, set, tuple, tupleBytes } from './reference.js';

const b = (h: string): Buffer => Buffer.from(h.replace(/ /g, ''), 'hex');

const VECTORS: Array<[string, ValueType, Buffer, string]> = [
  ['empty int', T.int, Buffer.alloc(0), '02'],
  ['int 1', T.int, int32(1), '03 80000001'],
  ['int -1', T.int, int32(-1), '03 7fffffff'],
  ['tinyint -128', T.tinyint, b('80'), '03 00'],
  ['bigint 0', T.bigint, b('0000000000000000'), '03 8000000000000000'],
  ['date epoch', T.date, b('80000000'), '03 80000000'],
  ['time 1ns', T.time, b('0000000000000001'), '03 0000000000000001'],
  ['boolean true (0xff)', T.boolean, b('ff'), '03 01'],
  ['double 1.0', T.double, float64(1), '03 bff0000000000000'],
  ['double -0.0', T.double, float64(-0), '03 7fffffffffffffff'],
  ['float NaN', T.float, b('ffc00001'), '03 ffc00000'],
  ['text a\\0b', T.text, Buffer.from('a\0b'), '03 61 00ff 62 0000'],
  ['empty text', T.text, Buffer.alloc(0), '02'],
  ['blob ff', T.blob, b('ff'), '03 ff 0000'],
  ['inet 127.0.0.1', T.inet, b('7f000001'), '03 7f000001 00'],
  ['inet ::1', T.inet, b('00000000000000000000000000000001'), '03 00000000 01 000000000000000000000001'],
  ['varint 0', T.varint, b('00'), '03 81 00'],
  ['varint -1 (redundant)', T.varint, b('ffff'), '03 7e ff'],
  ['varint 128', T.varint, b('0080'), '03 82 0080'],
  ['varint of 127 bytes', T.varint, Buffer.concat([b('01'), Buffer.alloc(126)]), `03 ff 0000007f 01${'00'.repeat(126)}`],
  ['decimal 0.00', T.decimal, decimalBytes(0n, 2), '03 80'],
  ['decimal 1.50', T.decimal, decimalBytes(150n, 2), '03 c1 10 00'],
  ['decimal -7', T.decimal, decimalBytes(-7n, 0), '03 3e b8 ff'],
  ['decimal 0.0123', T.decimal, decimalBytes(123n, 4), '03 bf 0d 1f 00'],
  ['decimal 1E+100', T.decimal, decimalBytes(1n, -100), '03 ff 010000000065 0b 00'],
  ['uuid v4', T.uuid, b('00112233445546778899aabbccddeeff'), '03 40011223 34455677 8899aabbccddeeff'],
  ['uuid v6', T.uuid, b('0011223344556a778899aabbccddeeff'), '03 60011223 34455a77 8899aabbccddeeff'],
  ['uuid v1', T.uuid, b('00112233445516778899aabbccddeeff'), '03 16774455 00112233 8899aabbccddeeff'],
  ['timeuuid', T.timeuuid, b('00112233445516778899aabbccddeeff'), '03 16774455 00112233 0819 2a3b 4c5d 6e7f'],
  ['list<int> [1, 2]', list(T.int), collection([int32(1), int32(2)]), '03 03 80000001 03 80000002 00'],
  ['list<int> []', list(T.int), collection([]), '03 00'],
  ['map<text, int> {a: 1}', map(T.text, T.int), collection([Buffer.from('a'), int32(1)], 1), '03 03 61 0000 03 80000001 00'],
  ['tuple<int, text> (1, null)', tuple(T.int, T.text), tupleBytes([int32(1), null]), '03 03 80000001 00'],
  ['tuple<int, text> (null, "")', tuple(T.int, T.text), tupleBytes([null, Buffer.alloc(0)]), '03 01 02 00'],
];

t.test('encodings are exactly the documented bytes, ASC and (inverted) DESC', (t) => {
  for (const [name, type, value, want] of VECTORS) {
    const wantAsc = b(want);
    t.equal(encodeComponent({ ...type, desc: false }, value).toString('hex'), wantAsc.toString('hex'), `${name} ASC`);
    const wantDesc = Buffer.from(wantAsc.map((x) => 0xff - x));
    t.equal(encodeComponent({ ...type, desc: true }, value).toString('hex'), wantDesc.toString('hex'), `${name} DESC`);
    t.equal(decodeComponent({ ...type, desc: true }, wantDesc).toString('hex'), decodeComponent({ ...type, desc: false }, wantAsc).toString('hex'), `${name} decodes alike`);
  }
  t.end();
});

t.test('a clustering is its components back to back', (t) => {
  const types: ClusteringColumnType[] = [
    { ...T.int, desc: false },
    { ...T.text, desc: true },
  ];
  t.equal(encodeClustering(types, [int32(5), Buffer.from('a')]).toString('hex'), '0380000005' + 'fc9effff');
  t.equal(encodeClustering(types, [int32(5)]).toString('hex'), '0380000005', 'a prefix encodes its components only');
  t.equal(encodeClustering(types, []).length, 0, 'the empty prefix is zero bytes');
  t.end();
});

t.test('one buffer given for several columns encodes as the type of each column', (t) => {
  // Valid both as set<int> {7} and as a decimal (scale 1): the costly-payload cache must not mix them.
  const shared = collection([int32(7)]);
  const types: ClusteringColumnType[] = [
    { ...T.decimal, desc: false },
    { ...set(T.int), desc: true },
    { ...T.decimal, desc: true },
    { ...set(T.int), desc: false },
  ];
  const whole = encodeClustering(types, [shared, shared, shared, shared]);
  const parts = Buffer.concat(types.map((c) => encodeComponent(c, shared)));
  t.equal(whole.toString('hex'), parts.toString('hex'));
  const asDecimal = decimalBytes(0x0000000400000007n, 1).toString('hex');
  t.same(
    decodeClustering(types, whole).map((v) => v.toString('hex')),
    [asDecimal, shared.toString('hex'), asDecimal, shared.toString('hex')],
  );
  t.end();
});

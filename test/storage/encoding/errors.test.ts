// Bad input gets a typed error with a stable code: values a type cannot hold, unsupported types,
// impossible bounds, and stored bytes that no encode could have produced (never a crash, a hang
// or a wrong value).
import t from 'tap';
import { SeededRandom } from '../../../src/seams/index.js';
import {
  type ClusteringColumnType,
  EncodingError,
  type ValueType,
  decodeClustering,
  decodeComponent,
  encodeClustering,
  encodeComponent,
  sliceFor,
  tupleSlices,
} from '../../../src/storage/encoding/index.js';
import { SCALARS, T, collection, gen, int32, list, map, seedFrom, set, tuple, tupleBytes } from './reference.js';

const SEED = seedFrom(0x5eed0003);
t.comment(`seed ${SEED} (set RINGTAIL_SEED to replay another)`);

const asc = (type: ValueType): ClusteringColumnType => ({ ...type, desc: false });
const b = (h: string): Buffer => Buffer.from(h, 'hex');

function code(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof EncodingError ? e.code : `untyped ${String(e)}`;
  }
}

t.test('values a type cannot hold are INVALID_VALUE', (t) => {
  const bad: Array<[string, ValueType, Buffer]> = [
    ['int of 3 bytes', T.int, b('000001')],
    ['bigint of 4 bytes', T.bigint, b('00000001')],
    ['boolean of 2 bytes', T.boolean, b('0001')],
    ['double of 4 bytes', T.double, b('3f800000')],
    ['uuid of 15 bytes', T.uuid, Buffer.alloc(15)],
    ['timeuuid of version 4', T.timeuuid, b('00112233445546778899aabbccddeeff')],
    ['inet of 5 bytes', T.inet, Buffer.alloc(5)],
    ['decimal without unscaled bytes', T.decimal, b('00000001')],
    ['list with a null element', list(T.int), Buffer.concat([int32(1), int32(-1)])],
    ['list cut short', list(T.int), Buffer.concat([int32(2), int32(4), int32(7)])],
    ['list with bytes after the last element', list(T.int), Buffer.concat([collection([int32(1)]), b('00')])],
    ['list with an absurd count', list(T.int), int32(0x7fffffff)],
    ['list with a negative count', list(T.int), int32(-2)],
    ['list of 2 bytes', list(T.int), b('0000')],
    ['list whose element is invalid', list(T.int), collection([b('01')])],
    ['set with a null element', set(T.text), Buffer.concat([int32(1), int32(-1)])],
    ['map missing a value', map(T.int, T.int), Buffer.concat([int32(1), int32(4), int32(1)])],
    ['tuple with too many fields', tuple(T.int), tupleBytes([int32(1), int32(2)])],
    ['tuple with a truncated length', tuple(T.int, T.int), Buffer.concat([int32(4), int32(1), b('0000')])],
    ['tuple whose field is invalid', tuple(T.int, T.int), tupleBytes([null, b('01')])],
  ];
  for (const [name, type, value] of bad) {
    t.equal(code(() => encodeComponent(asc(type), value)), 'INVALID_VALUE', name);
    t.equal(code(() => encodeClustering([asc(T.int), { ...type, desc: true }], [int32(1), value])), 'INVALID_VALUE', `${name}, DESC, second column`);
  }
  t.end();
});

t.test('unsupported types are INVALID_TYPE; too many values TOO_MANY_VALUES; impossible bounds BAD_BOUND', (t) => {
  t.equal(code(() => encodeComponent({ kind: 'counter' as never, desc: false }, int32(1))), 'INVALID_TYPE');
  t.equal(code(() => encodeComponent({ kind: 'list', desc: false }, collection([]))), 'INVALID_TYPE', 'a list without its element type');
  t.equal(code(() => encodeComponent({ kind: 'map', elements: [T.int], desc: false }, collection([]))), 'INVALID_TYPE', 'a map with one element type');
  t.equal(code(() => encodeComponent({ kind: 'tuple', elements: [], desc: false }, int32(-1))), 'INVALID_TYPE', 'a tuple without fields');
  t.equal(code(() => decodeComponent({ kind: 'counter' as never, desc: false }, b('0380000001'))), 'INVALID_TYPE');
  t.equal(code(() => encodeComponent({ kind: 'counter' as never, desc: false }, Buffer.alloc(0))), 'INVALID_TYPE', 'even for the empty value');
  t.equal(code(() => decodeComponent({ kind: 'duration' as never, desc: false }, b('02'))), 'INVALID_TYPE', 'decoding the empty value');

  const types = [asc(T.int), asc(T.text)];
  t.equal(code(() => encodeClustering(types, [int32(1), Buffer.from('a'), int32(2)])), 'TOO_MANY_VALUES');
  t.equal(code(() => sliceFor(types, [int32(1), Buffer.from('a')], { value: int32(1), inclusive: true })), 'BAD_BOUND', 'a bound after the last column');
  t.equal(code(() => sliceFor(types, [int32(1), Buffer.from('a')])), 'no error', 'a full-clustering prefix without bounds');
  t.equal(code(() => tupleSlices(types, [], { values: [], inclusive: true })), 'BAD_BOUND', 'a tuple bound without values');
  t.equal(code(() => tupleSlices(types, [int32(1)], undefined, { values: [b('61'), b('62')], inclusive: true })), 'BAD_BOUND', 'a tuple bound past the last column');
  t.end();
});

t.test('damaged encodings are CORRUPT_ENCODING', (t) => {
  const cases: Array<[string, ValueType, string]> = [
    ['bad header', T.int, '0480000001'],
    ['a null header outside a tuple', T.int, '01'],
    ['truncated int', T.int, '03800000'],
    ['bytes after the component', T.int, '038000000100'],
    ['unterminated text', T.text, '036162'],
    ['bad text escape', T.text, '0361000162'],
    ['bad boolean', T.boolean, '0302'],
    ['bad inet marker', T.inet, '037f00000102'],
    ['varint class with no bytes', T.varint, '0380'],
    ['varint sign against its class', T.varint, '0381ff'],
    ['varint long class with a short length', T.varint, '03ff0000000101'],
    ['decimal digit pair above 99', T.decimal, '03c16500'],
    ['decimal without digits', T.decimal, '03c100'],
    ['decimal with a leading zero digit', T.decimal, '03c10200'],
    ['decimal exponent in the wrong class', T.decimal, '03ff0100000000010200'],
    ['decimal with a huge negative scale', T.decimal, '03ff01ffffffffff0b00'],
    ['timeuuid of version 4', T.timeuuid, '03' + '4677445500112233' + '0000000000000000'],
    ['unterminated list', list(T.int), '030380000001'],
    ['tuple ending in null', tuple(T.int, T.int), '03010100'],
    ['tuple with too many fields', tuple(T.int), '030380000001038000000200'],
  ];
  for (const [name, type, hexBytes] of cases) {
    t.equal(code(() => decodeComponent(asc(type), b(hexBytes))), 'CORRUPT_ENCODING', name);
    const inverted = Buffer.from(b(hexBytes).map((x) => 0xff - x));
    t.equal(code(() => decodeComponent({ ...type, desc: true }, inverted)), 'CORRUPT_ENCODING', `${name}, DESC`);
  }
  t.equal(code(() => decodeClustering([asc(T.int)], b('03800000010380000001'))), 'CORRUPT_ENCODING', 'more components than columns');
  t.end();
});

t.test('random damage to valid encodings decodes or fails with CORRUPT_ENCODING, nothing else', (t) => {
  const r = new SeededRandom(SEED);
  const schemas: ClusteringColumnType[][] = [
    SCALARS.map((s, i) => ({ ...s, desc: i % 2 === 1 })),
    [asc(list(T.text)), { ...map(T.int, T.decimal), desc: true }, asc(tuple(T.varint, T.uuid)), { ...set(T.double), desc: true }],
  ];
  const untyped: string[] = [];
  let corrupt = 0;
  let decoded = 0;
  for (const types of schemas) {
    for (let n = 0; n < 1500; n++) {
      const enc = encodeClustering(
        types,
        types.map((c) => gen(c, r)),
      );
      const damaged = Buffer.from(enc);
      const how = r.int(3);
      let input: Buffer;
      if (how === 0) input = damaged.subarray(0, r.int(damaged.length)); // truncated
      else if (how === 1) {
        for (let k = 0; k <= r.int(3); k++) damaged[r.int(damaged.length)] = r.int(256);
        input = damaged;
      } else input = r.bytes(r.int(40));
      const c = code(() => decodeClustering(types, input));
      if (c === 'no error') decoded++;
      else if (c === 'CORRUPT_ENCODING') corrupt++;
      else untyped.push(`${input.toString('hex')}: ${c}`);
    }
  }
  t.same(untyped.slice(0, 5), [], `seed ${SEED}`);
  t.ok(corrupt > 1000, `${corrupt} refused, ${decoded} decoded`);
  t.end();
});

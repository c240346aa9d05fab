import t from 'tap';
import {
  CqlTypes,
  decodeTypeOption,
  encodeTypeOption,
  ErrorCode,
  freeze,
  isFrozen,
  listOf,
  mapOf,
  NATIVE_KINDS,
  parseTypeString,
  setOf,
  tupleOf,
  typeEquals,
  typeToString,
  type CqlType,
} from '../../src/cql-lite/index.js';
import { SeededRandom } from '../../src/seams/index.js';

t.test('type names as system_schema shows them, and back', async (t) => {
  const cases: Array<[string, CqlType, string]> = [
    ['text', CqlTypes.text, 'text'],
    ['VARCHAR', CqlTypes.text, 'text'],
    ['int', CqlTypes.int, 'int'],
    ['list<int>', listOf(CqlTypes.int), 'list<int>'],
    ['frozen<list<int>>', listOf(CqlTypes.int, true), 'frozen<list<int>>'],
    ['map<text,int>', mapOf(CqlTypes.text, CqlTypes.int), 'map<text, int>'],
    ['set<frozen<map<int, text>>>', setOf(mapOf(CqlTypes.int, CqlTypes.text, true)), 'set<frozen<map<int, text>>>'],
    ['frozen<list<list<int>>>', listOf(listOf(CqlTypes.int, true), true), 'frozen<list<frozen<list<int>>>>'],
    ['tuple<int, text>', tupleOf([CqlTypes.int, CqlTypes.text]), 'frozen<tuple<int, text>>'],
    ['frozen<tuple<int, list<int>>>', tupleOf([CqlTypes.int, listOf(CqlTypes.int, true)]), 'frozen<tuple<int, frozen<list<int>>>>'],
    ['list<frozen<tuple<int>>>', listOf(tupleOf([CqlTypes.int])), 'list<frozen<tuple<int>>>'],
    ['map<timeuuid, frozen<set<inet>>>', mapOf(CqlTypes.timeuuid, setOf(CqlTypes.inet, true)), 'map<timeuuid, frozen<set<inet>>>'],
  ];
  for (const [src, type, name] of cases) {
    const parsed = parseTypeString(src);
    t.strictSame(parsed, type, src);
    t.equal(typeToString(parsed), name, src);
    t.strictSame(parseTypeString(name), type, `${name} reads back`);
    t.ok(typeEquals(parsed, type));
  }
  for (const k of NATIVE_KINDS) {
    t.equal(typeToString(parseTypeString(k)), k);
    t.equal(typeToString(parseTypeString(k.toUpperCase())), k, 'type names are case-insensitive');
  }
});

t.test('frozen flags and equality', async (t) => {
  t.ok(isFrozen(CqlTypes.int));
  t.notOk(isFrozen(listOf(CqlTypes.int)));
  t.ok(isFrozen(tupleOf([CqlTypes.int])));
  t.strictSame(freeze(mapOf(CqlTypes.int, listOf(CqlTypes.int, true))), mapOf(CqlTypes.int, listOf(CqlTypes.int, true), true));
  t.notOk(typeEquals(listOf(CqlTypes.int), listOf(CqlTypes.int, true)));
  t.notOk(typeEquals(listOf(CqlTypes.int), setOf(CqlTypes.int)));
  t.notOk(typeEquals(tupleOf([CqlTypes.int]), tupleOf([CqlTypes.int, CqlTypes.int])));
  t.ok(typeEquals(parseTypeString('varchar'), CqlTypes.text));
});

t.test('bad type strings', async (t) => {
  t.throws(() => parseTypeString('frozen<int>'), { code: ErrorCode.SYNTAX_ERROR });
  t.throws(() => parseTypeString('list<list<int>>'), { code: ErrorCode.INVALID, message: 'Non-frozen collections are not allowed inside collections: list<list<int>>' });
  t.throws(() => parseTypeString('map<duration, int>'), { code: ErrorCode.INVALID, message: 'Durations are not allowed as map keys: map<duration, int>' });
  t.throws(() => parseTypeString('tuple<counter>'), { code: ErrorCode.INVALID, message: 'Counters are not allowed inside tuples' });
  t.throws(() => parseTypeString('list<int> x'), { code: ErrorCode.SYNTAX_ERROR });
  t.throws(() => parseTypeString('vector<float, 3>'), { code: ErrorCode.INVALID });
  t.throws(() => parseTypeString('ks.address'), { code: ErrorCode.INVALID, message: /Unknown type ks.address/ });
});

t.test('native-protocol type options (spec v4 4.2.5.2)', async (t) => {
  const hex = (type: CqlType) => encodeTypeOption(type).toString('hex');
  const ids: Record<string, string> = {
    ascii: '0001', bigint: '0002', blob: '0003', boolean: '0004', counter: '0005', decimal: '0006', double: '0007', float: '0008',
    int: '0009', timestamp: '000b', uuid: '000c', text: '000d', varint: '000e', timeuuid: '000f', inet: '0010', date: '0011',
    time: '0012', smallint: '0013', tinyint: '0014',
  };
  for (const [k, id] of Object.entries(ids)) t.equal(hex(parseTypeString(k)), id, k);
  t.equal(hex(parseTypeString('varchar')), '000d');
  t.equal(hex(listOf(CqlTypes.int)), '00200009');
  t.equal(hex(setOf(CqlTypes.text)), '0022000d');
  t.equal(hex(mapOf(CqlTypes.text, CqlTypes.bigint)), '0021000d0002');
  t.equal(hex(tupleOf([CqlTypes.int, CqlTypes.text])), '003100020009000d');
  t.equal(hex(listOf(mapOf(CqlTypes.int, tupleOf([CqlTypes.uuid]), true))), '002000210009003100010' + '00c');
  const durationClass = 'org.apache.cassandra.db.marshal.DurationType';
  t.equal(hex(CqlTypes.duration), '0000' + durationClass.length.toString(16).padStart(4, '0') + Buffer.from(durationClass).toString('hex'));

  // Decoding: the bytes read back to the type (collections from the wire are non-frozen at top level).
  const buf = Buffer.concat([Buffer.from('ff', 'hex'), encodeTypeOption(mapOf(CqlTypes.text, listOf(CqlTypes.int, true))), Buffer.from('ee', 'hex')]);
  const r = decodeTypeOption(buf, 1);
  t.strictSame(r.type, mapOf(CqlTypes.text, listOf(CqlTypes.int, true)));
  t.equal(r.offset, buf.length - 1);
  t.strictSame(decodeTypeOption(Buffer.from('000a', 'hex')).type, CqlTypes.text, 'the v1 text id reads as text');
  t.strictSame(decodeTypeOption(encodeTypeOption(CqlTypes.duration)).type, CqlTypes.duration);
  t.throws(() => decodeTypeOption(Buffer.from('0020', 'hex')), { code: ErrorCode.PROTOCOL_ERROR });
  t.throws(() => decodeTypeOption(Buffer.from('0099', 'hex')), { code: ErrorCode.PROTOCOL_ERROR, message: /0x0099/ });
  t.throws(() => decodeTypeOption(Buffer.from('0030', 'hex')), { code: ErrorCode.PROTOCOL_ERROR, message: /User-defined/ });
  t.throws(() => decodeTypeOption(Buffer.from('00000003616263', 'hex')), { code: ErrorCode.PROTOCOL_ERROR, message: /custom type abc/ });
  t.throws(() => decodeTypeOption(Buffer.from('0020'.repeat(1000) + '0009', 'hex')), { code: ErrorCode.PROTOCOL_ERROR, message: /nested/ });
});

/** A random valid type, nested to at most `depth`. */
function randomType(r: SeededRandom, depth: number, frozen = false): CqlType {
  const pick = r.int(depth > 0 ? 10 : 6);
  if (pick < 6) {
    const k = NATIVE_KINDS[r.int(NATIVE_KINDS.length)]!;
    return k === 'counter' || k === 'duration' ? CqlTypes.int : CqlTypes[k];
  }
  const inner = () => randomType(r, depth - 1, true);
  switch (pick) {
    case 6:
      return listOf(inner(), frozen);
    case 7:
      return setOf(inner(), frozen);
    case 8:
      return mapOf(inner(), inner(), frozen);
    default:
      return tupleOf(Array.from({ length: 1 + r.int(3) }, inner));
  }
}

t.test('random types: name and option encodings round-trip', async (t) => {
  const seed = 20240102;
  const r = new SeededRandom(seed);
  for (let i = 0; i < 500; i++) {
    const type = randomType(r, 3, r.int(2) === 0);
    const name = typeToString(type);
    t.strictSame(parseTypeString(name), type, `seed ${seed} #${i}: ${name}`);
    const back = decodeTypeOption(encodeTypeOption(type)).type;
    t.equal(typeToString(back), typeToString(type).replace(/^frozen<((?:list|set|map)<.*>)>$/, '$1'), `seed ${seed} #${i}: option of ${name}`);
  }
});

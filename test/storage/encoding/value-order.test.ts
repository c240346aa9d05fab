// Property tests: for every type, ASC and DESC, sorting encoded values with Buffer.compare gives
// Cassandra's order (reference.ts transcribes its comparators), equal encodings are exactly the
// values Cassandra compares equal, and decoding returns the value (or its canonical form).
import t from 'tap';
import { SeededRandom } from '../../../src/seams/index.js';
import { type ClusteringColumnType, type ValueType, decodeComponent, encodeComponent } from '../../../src/storage/encoding/index.js';
import { SCALARS, T, canonical, gen, hex, list, map, refCompare, seedFrom, set, sgn, tuple, udt } from './reference.js';

const SEED = seedFrom(0x5eed0001);
t.comment(`seed ${SEED} (set RINGTAIL_SEED to replay another)`);

function describe(t: ValueType): string {
  return t.elements === undefined ? t.kind : `${t.kind}<${t.elements.map(describe).join(', ')}>`;
}

/**
 * Checks the encoding of `values` against the reference order; returns the first disagreement,
 * or null. Sorting by encoding, then checking each adjacent pair with the reference, proves the
 * two orders equal (the reference being a total preorder).
 */
function checkOrder(type: ValueType, desc: boolean, values: Buffer[], r: SeededRandom): string | null {
  const ct: ClusteringColumnType = { ...type, desc };
  const dir = desc ? -1 : 1;
  const enc = values.map((v) => encodeComponent(ct, v));
  const idx = values.map((_, i) => i).sort((a, b) => Buffer.compare(enc[a]!, enc[b]!));
  const show = (i: number): string => `${hex(values[i]!)} -> ${hex(enc[i]!)}`;
  for (let j = 0; j + 1 < idx.length; j++) {
    const a = idx[j]!;
    const b = idx[j + 1]!;
    const ref = dir * refCompare(type, values[a]!, values[b]!);
    const same = enc[a]!.equals(enc[b]!);
    if (ref > 0 || (ref === 0) !== same) return `adjacent after sorting: ${show(a)} and ${show(b)}: reference ${ref}, encodings ${same ? 'equal' : 'ordered'}`;
  }
  for (let n = 0; n < 2000; n++) {
    const a = r.int(values.length);
    const b = r.int(values.length);
    const want = dir * refCompare(type, values[a]!, values[b]!);
    const got = sgn(Buffer.compare(enc[a]!, enc[b]!));
    if (want !== got) return `pair ${show(a)} vs ${show(b)}: reference ${want}, bytes ${got}`;
  }
  for (let i = 0; i < values.length; i++) {
    const e = enc[i]!;
    if (e.length === 0 || e[0] === 0xff) return `component starts with 0x${e[0]?.toString(16)}: ${show(i)}`;
    const back = decodeComponent(ct, e);
    const want = canonical(type, values[i]!);
    if (!back.equals(want)) return `decode ${show(i)} gave ${hex(back)}, want ${hex(want)}`;
    if (!encodeComponent(ct, back).equals(e)) return `re-encoding the decoded ${show(i)} changed it`;
  }
  return null;
}

function run(type: ValueType, count: number): void {
  t.test(`${describe(type)}: byte order is Cassandra's order, ASC and DESC; decode round-trips`, (t) => {
    for (const desc of [false, true]) {
      const r = new SeededRandom(SEED ^ hashName(describe(type)) ^ (desc ? 0xd35c : 0));
      const values: Buffer[] = [];
      for (let i = 0; i < count; i++) values.push(gen(type, r, i % 5 === 0));
      const problem = checkOrder(type, desc, values, r);
      t.equal(problem, null, `${desc ? 'DESC' : 'ASC'} over ${count} values (seed ${SEED})`);
    }
    t.end();
  });
}

function hashName(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h >>> 0;
}

for (const type of SCALARS) run(type, 2500);

const COMPOSITES: ValueType[] = [
  list(T.int),
  list(T.text),
  set(T.varint),
  set(T.decimal),
  map(T.text, T.int),
  map(T.int, T.decimal),
  tuple(T.int, T.text),
  tuple(T.int, T.text, T.double),
  udt(T.boolean, T.uuid, T.blob),
  list(tuple(T.int, T.text)),
  tuple(list(T.int), T.boolean),
  set(set(T.smallint)),
  map(T.timeuuid, list(T.ascii)),
  tuple(map(T.inet, T.float), set(T.date), T.time),
];
for (const type of COMPOSITES) run(type, 1500);

t.test('hand-picked orders that the random values might miss', (t) => {
  const b = (h: string): Buffer => Buffer.from(h, 'hex');
  const cases: Array<[ValueType, string[]]> = [
    // ascending lists of values as Cassandra sorts them
    [T.float, ['', 'ff800000', 'bf800000', '80000001', '80000000', '00000000', '00000001', '3f800000', '7f800000', '7fc00000']],
    [T.double, ['', 'fff0000000000000', '8000000000000000', '0000000000000000', '7ff0000000000000', 'fff8000000000001']],
    [T.varint, ['', 'ff00', 'ff7f', '80', 'ffff', '00', '7f', '0080', '7fff', '008000', '7fffffffffffffffffff']],
    [T.text, ['', '00', '0000', '0001', '01', '61', '6100', '610000', '6101', '62', 'ff', 'ffff']],
    [T.inet, ['', '00000000', '0000000000000000000000000000ffff', '7f000001', '7f00000100000000000000000000000f', 'ffffffff']],
    [T.boolean, ['', '00', '01']],
    [T.date, ['', '00000000', '7fffffff', '80000000', 'ffffffff']],
  ];
  for (const [type, ordered] of cases) {
    for (const desc of [false, true]) {
      const ct: ClusteringColumnType = { ...type, desc };
      for (let i = 0; i + 1 < ordered.length; i++) {
        const c = sgn(Buffer.compare(encodeComponent(ct, b(ordered[i]!)), encodeComponent(ct, b(ordered[i + 1]!))));
        t.equal(c, desc ? 1 : -1, `${type.kind} ${desc ? 'DESC' : 'ASC'}: ${ordered[i] || '<empty>'} before ${ordered[i + 1] || '<empty>'}`);
      }
    }
  }
  // Equal values, different bytes: one encoding.
  const same: Array<[ValueType, string, string]> = [
    [T.varint, '01', '000001'],
    [T.varint, 'ff', 'ffffff'],
    [T.decimal, '000000010f', '00000002000096'], // 1.5 and 1.50
    [T.decimal, '0000000000', '0000000500'], // 0 and 0.00000
    [T.decimal, 'fffffffe01', '0000000000000064'], // 1E+2 and 100
    [T.boolean, '01', 'ff'],
    [T.float, '7fc00000', 'ffc00001'],
    [T.double, '7ff8000000000000', 'fff0000000000001'],
    [tuple(T.int, T.int), '0000000400000001', '0000000400000001ffffffff'], // (1) and (1, null)
  ];
  for (const [type, x, y] of same) {
    t.same(encodeComponent({ ...type, desc: false }, b(x)), encodeComponent({ ...type, desc: false }, b(y)), `${type.kind} ${x} = ${y}`);
  }
  t.end();
});

t.test('sets and maps encode alike whatever the order and repetition the client sent', (t) => {
  const r = new SeededRandom(SEED ^ 0x5e75);
  const cases: ValueType[] = [set(T.int), set(T.varint), set(T.text), map(T.int, T.text), map(T.decimal, T.int)];
  let checked = 0;
  const failures: string[] = [];
  for (const type of cases) {
    const ct: ClusteringColumnType = { ...type, desc: r.int(2) === 0 };
    for (let n = 0; n < 300; n++) {
      const v = gen(type, r);
      if (v.length === 0) continue;
      const perEntry = type.kind === 'map' ? 2 : 1;
      const parts = splitEntries(v, perEntry);
      // Shuffle the entries and repeat some of them (a repeated map key keeps its last value,
      // so repeats go before the original).
      const shuffled = [...parts];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = r.int(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const withRepeats = shuffled.length > 0 && r.int(2) === 0 ? [shuffled[r.int(shuffled.length)]!, ...shuffled] : shuffled;
      const messy = frameEntries(withRepeats, perEntry);
      if (!encodeComponent(ct, messy).equals(encodeComponent(ct, v))) failures.push(`${describe(type)} ${hex(messy)}`);
      checked++;
    }
  }
  t.same(failures, [], `seed ${SEED}`);
  t.ok(checked > 1000, `checked ${checked} collections`);
  t.end();
});

function splitEntries(v: Buffer, perEntry: number): Buffer[][] {
  const n = v.readInt32BE(0);
  const out: Buffer[][] = [];
  let p = 4;
  for (let i = 0; i < n; i++) {
    const entry: Buffer[] = [];
    for (let k = 0; k < perEntry; k++) {
      const len = v.readInt32BE(p);
      entry.push(v.subarray(p + 4, p + 4 + len));
      p += 4 + len;
    }
    out.push(entry);
  }
  return out;
}

function frameEntries(entries: Buffer[][], perEntry: number): Buffer {
  const chunks: Buffer[] = [Buffer.alloc(4)];
  chunks[0]!.writeInt32BE(entries.length);
  for (const e of entries) {
    for (let k = 0; k < perEntry; k++) {
      const len = Buffer.alloc(4);
      len.writeInt32BE(e[k]!.length);
      chunks.push(len, e[k]!);
    }
  }
  return Buffer.concat(chunks);
}

// Property tests for whole clusterings: multi-column order with ties, prefix bounds, CQL slices
// (single column and multi-column, ASC, DESC and mixed), all against a reference built from
// Cassandra's per-type comparators.
import t from 'tap';
import { SeededRandom } from '../../../src/seams/index.js';
import {
  type ByteRange,
  type ClusteringColumnType,
  type ValueType,
  decodeClustering,
  encodeClustering,
  endBound,
  sliceFor,
  startBound,
  tupleSlices,
} from '../../../src/storage/encoding/index.js';
import { END_UNBOUNDED, FULL_SLICE, exclusiveStartAfter } from '../../../src/storage/model/types.js';
import { T, canonical, gen, hex, list, refCompare, seedFrom, sgn, tuple } from './reference.js';

const SEED = seedFrom(0x5eed0002);
t.comment(`seed ${SEED} (set RINGTAIL_SEED to replay another)`);

const asc = (type: ValueType): ClusteringColumnType => ({ ...type, desc: false });
const desc = (type: ValueType): ClusteringColumnType => ({ ...type, desc: true });

const SCHEMAS: ClusteringColumnType[][] = [
  [asc(T.int), desc(T.text), asc(T.double)],
  [desc(T.text), desc(T.decimal), desc(T.uuid)],
  [asc(T.boolean), desc(tuple(T.int, T.text)), asc(T.varint), desc(T.blob)],
  [desc(T.timeuuid), asc(list(T.int))],
  [asc(T.bigint), asc(T.float), asc(T.inet)],
  [desc(T.date), desc(T.smallint), asc(T.ascii), desc(T.time)],
];

const show = (types: readonly ClusteringColumnType[]): string => types.map((c) => `${c.kind}${c.desc ? ' DESC' : ''}`).join(', ');

/** Small per-column pools of values, so that clusterings often tie on their first columns. */
function pools(types: readonly ClusteringColumnType[], r: SeededRandom): Buffer[][] {
  return types.map((c) => {
    const pool: Buffer[] = [];
    for (let i = 0; i < 3 + r.int(5); i++) pool.push(gen(c, r, i % 2 === 0));
    return pool;
  });
}

function pickFrom(pool: Buffer[], r: SeededRandom): Buffer {
  return pool[r.int(pool.length)]!;
}

function clusterings(types: readonly ClusteringColumnType[], r: SeededRandom, n: number): Buffer[][] {
  const p = pools(types, r);
  const out: Buffer[][] = [];
  for (let i = 0; i < n; i++) out.push(types.map((c, k) => (r.int(8) === 0 ? gen(c, r) : pickFrom(p[k]!, r))));
  return out;
}

/** Clustering order of the first prefix.length columns of c against the prefix (DESC inverted). */
function comparePrefix(types: readonly ClusteringColumnType[], c: readonly Buffer[], prefix: readonly Buffer[]): number {
  for (let i = 0; i < prefix.length; i++) {
    const x = refCompare(types[i]!, c[i]!, prefix[i]!);
    if (x !== 0) return types[i]!.desc ? -x : x;
  }
  return 0;
}

/** Tuple comparison in value order (CQL's `(a, b) > (1, 2)`), whatever the clustering order. */
function compareValues(types: readonly ClusteringColumnType[], from: number, c: readonly Buffer[], values: readonly Buffer[]): number {
  for (let i = 0; i < values.length; i++) {
    const x = refCompare(types[from + i]!, c[from + i]!, values[i]!);
    if (x !== 0) return x;
  }
  return 0;
}

const inRange = (e: Buffer, r: ByteRange): boolean => Buffer.compare(r.start, e) <= 0 && Buffer.compare(e, r.end) < 0;

t.test('clusterings sort as Cassandra sorts them, column by column, ties passing to the next', (t) => {
  for (const [s, types] of SCHEMAS.entries()) {
    const r = new SeededRandom(SEED + s);
    const cs = clusterings(types, r, 1500);
    const enc = cs.map((c) => encodeClustering(types, c));
    const idx = cs.map((_, i) => i).sort((a, b) => Buffer.compare(enc[a]!, enc[b]!));
    const problems: string[] = [];
    let ties = 0;
    for (let j = 0; j + 1 < idx.length; j++) {
      const a = idx[j]!;
      const b = idx[j + 1]!;
      if (refCompare(types[0]!, cs[a]![0]!, cs[b]![0]!) === 0) ties++;
      const ref = comparePrefix(types, cs[a]!, cs[b]!);
      if (ref > 0 || (ref === 0) !== enc[a]!.equals(enc[b]!)) problems.push(`${cs[a]!.map(hex)} vs ${cs[b]!.map(hex)}: reference ${ref}`);
    }
    for (let n = 0; n < 3000; n++) {
      const a = r.int(cs.length);
      const b = r.int(cs.length);
      const want = comparePrefix(types, cs[a]!, cs[b]!);
      if (sgn(Buffer.compare(enc[a]!, enc[b]!)) !== want) problems.push(`pair ${cs[a]!.map(hex)} vs ${cs[b]!.map(hex)}: reference ${want}`);
    }
    for (let i = 0; i < cs.length; i++) {
      const back = decodeClustering(types, enc[i]!);
      const want = cs[i]!.map((v, k) => canonical(types[k]!, v));
      if (back.length !== want.length || back.some((v, k) => !v.equals(want[k]!))) problems.push(`decode of ${cs[i]!.map(hex)} gave ${back.map(hex)}`);
      if (Buffer.compare(enc[i]!, END_UNBOUNDED) >= 0) problems.push(`${hex(enc[i]!)} not below END_UNBOUNDED`);
    }
    t.same(problems.slice(0, 5), [], `${show(types)} (seed ${SEED})`);
    t.ok(ties > 100, `${ties} adjacent pairs tie on the first column`);
  }
  t.end();
});

t.test('prefix bounds: inclusive / exclusive starts and ends select exactly the clusterings before, at or after the prefix', (t) => {
  for (const [s, types] of SCHEMAS.entries()) {
    const r = new SeededRandom(SEED ^ (0xb0 + s));
    const cs = clusterings(types, r, 400);
    const enc = cs.map((c) => encodeClustering(types, c));
    const problems: string[] = [];
    const seen = { before: 0, at: 0, after: 0 };
    for (let n = 0; n < 60; n++) {
      const m = r.int(types.length + 1);
      // Prefixes of existing clusterings, so that many clusterings extend them.
      const prefix = r.int(4) === 0 ? clusterings(types, r, 1)[0]!.slice(0, m) : cs[r.int(cs.length)]!.slice(0, m);
      const bounds = {
        inclusiveStart: startBound(types, prefix, true),
        exclusiveStart: startBound(types, prefix, false),
        inclusiveEnd: endBound(types, prefix, true),
        exclusiveEnd: endBound(types, prefix, false),
      };
      t.ok(bounds.inclusiveStart.equals(encodeClustering(types, prefix)), 'the inclusive start is the prefix itself');
      for (let i = 0; i < cs.length; i++) {
        const where = comparePrefix(types, cs[i]!, prefix);
        seen[where < 0 ? 'before' : where === 0 ? 'at' : 'after']++;
        const e = enc[i]!;
        const checks: Array<[string, boolean, boolean]> = [
          ['>= inclusive start', Buffer.compare(e, bounds.inclusiveStart) >= 0, where >= 0],
          ['>= exclusive start', Buffer.compare(e, bounds.exclusiveStart) >= 0, where > 0],
          ['< inclusive end', Buffer.compare(e, bounds.inclusiveEnd) < 0, where <= 0],
          ['< exclusive end', Buffer.compare(e, bounds.exclusiveEnd) < 0, where < 0],
        ];
        for (const [what, got, want] of checks) {
          if (got !== want) problems.push(`${cs[i]!.map(hex)} ${what} of prefix ${prefix.map(hex)}: got ${got}, want ${want}`);
        }
      }
    }
    t.same(problems.slice(0, 5), [], `${show(types)} (seed ${SEED})`);
    t.ok(seen.before > 0 && seen.at > 0 && seen.after > 0, `before / at / after the prefix all seen: ${JSON.stringify(seen)}`);
  }
  t.end();
});

t.test('the empty prefix gives the full slice, and resuming after a clustering skips exactly it', (t) => {
  const types = SCHEMAS[0]!;
  t.same(startBound(types, [], true), FULL_SLICE.start);
  t.same(endBound(types, [], true), FULL_SLICE.end);
  t.same(sliceFor(types, []), { start: FULL_SLICE.start, end: END_UNBOUNDED });
  const r = new SeededRandom(SEED ^ 0x9a9e);
  const cs = clusterings(types, r, 300);
  const enc = cs.map((c) => encodeClustering(types, c));
  let wrong = 0;
  for (let n = 0; n < 50; n++) {
    const i = r.int(cs.length);
    const after = exclusiveStartAfter(enc[i]!);
    t.ok(after.equals(startBound(types, cs[i]!, false)), 'exclusiveStartAfter is the exclusive start of the full clustering');
    for (let j = 0; j < cs.length; j++) {
      if (Buffer.compare(enc[j]!, after) >= 0 !== comparePrefix(types, cs[j]!, cs[i]!) > 0) wrong++;
    }
  }
  t.equal(wrong, 0, `seed ${SEED}`);
  t.end();
});

t.test('sliceFor: a restriction on the column after an equality prefix, in value order, on ASC and DESC columns', (t) => {
  for (const [s, types] of SCHEMAS.entries()) {
    const r = new SeededRandom(SEED ^ (0x51ce + s));
    const p = pools(types, r);
    const cs: Buffer[][] = [];
    for (let i = 0; i < 500; i++) cs.push(types.map((c, k) => (r.int(8) === 0 ? gen(c, r) : pickFrom(p[k]!, r))));
    const enc = cs.map((c) => encodeClustering(types, c));
    const problems: string[] = [];
    let selected = 0;
    for (let n = 0; n < 80; n++) {
      const k = r.int(types.length + 1);
      const eq = types.slice(0, k).map((_, i) => pickFrom(p[i]!, r));
      const bound = (): { value: Buffer; inclusive: boolean } | undefined => (k < types.length && r.int(5) < 3 ? { value: pickFrom(p[k]!, r), inclusive: r.int(2) === 0 } : undefined);
      const lower = bound();
      const upper = bound();
      const slice = sliceFor(types, eq, lower, upper);
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        let want = comparePrefix(types, c, eq) === 0;
        if (want && lower !== undefined) {
          const x = refCompare(types[k]!, c[k]!, lower.value);
          want = lower.inclusive ? x >= 0 : x > 0;
        }
        if (want && upper !== undefined) {
          const x = refCompare(types[k]!, c[k]!, upper.value);
          want = upper.inclusive ? x <= 0 : x < 0;
        }
        if (want) selected++;
        if (inRange(enc[i]!, slice) !== want) {
          problems.push(`${c.map(hex)} with eq ${eq.map(hex)}, ${lower ? `${lower.inclusive ? '>=' : '>'} ${hex(lower.value)}` : ''} ${upper ? `${upper.inclusive ? '<=' : '<'} ${hex(upper.value)}` : ''}: want ${want}`);
        }
      }
    }
    t.same(problems.slice(0, 5), [], `${show(types)} (seed ${SEED})`);
    t.ok(selected > 100, `${selected} selections`);
  }
  t.end();
});

t.test('tupleSlices: multi-column restrictions in value order, one range per same-direction bound, several when directions mix', (t) => {
  for (const [s, types] of SCHEMAS.entries()) {
    const r = new SeededRandom(SEED ^ (0x7091e + s));
    const p = pools(types, r);
    const cs: Buffer[][] = [];
    for (let i = 0; i < 400; i++) cs.push(types.map((c, k) => (r.int(10) === 0 ? gen(c, r) : pickFrom(p[k]!, r))));
    const enc = cs.map((c) => encodeClustering(types, c));
    const problems: string[] = [];
    let selected = 0;
    let multiRange = 0;
    for (let n = 0; n < 80; n++) {
      const k = r.int(types.length);
      const eq = types.slice(0, k).map((_, i) => pickFrom(p[i]!, r));
      const bound = (): { values: Buffer[]; inclusive: boolean } | undefined => {
        if (r.int(5) >= 3) return undefined;
        const m = 1 + r.int(types.length - k);
        // Often a bound taken from a real clustering, so equality on the bound's columns happens.
        const source = r.int(2) === 0 ? cs[r.int(cs.length)]!.slice(k, k + m) : types.slice(k, k + m).map((_, i) => pickFrom(p[k + i]!, r));
        return { values: source, inclusive: r.int(2) === 0 };
      };
      const lower = bound();
      const upper = bound();
      const ranges = tupleSlices(types, eq, lower, upper);
      for (let i = 0; i + 1 < ranges.length; i++) {
        if (Buffer.compare(ranges[i]!.end, ranges[i + 1]!.start) >= 0) problems.push('ranges overlap, touch or are out of order');
      }
      if (ranges.some((x) => Buffer.compare(x.start, x.end) >= 0)) problems.push('an empty range');
      const span = Math.max(lower?.values.length ?? 1, upper?.values.length ?? 1);
      const oneDirection = types.slice(k, k + span).every((c) => c.desc === types[k]!.desc);
      if (oneDirection && ranges.length > 1) problems.push(`${ranges.length} ranges for one direction`);
      if (ranges.length > 1) multiRange++;
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!;
        let want = comparePrefix(types, c, eq) === 0;
        if (want && lower !== undefined) {
          const x = compareValues(types, k, c, lower.values);
          want = lower.inclusive ? x >= 0 : x > 0;
        }
        if (want && upper !== undefined) {
          const x = compareValues(types, k, c, upper.values);
          want = upper.inclusive ? x <= 0 : x < 0;
        }
        if (want) selected++;
        const got = ranges.some((x) => inRange(enc[i]!, x));
        if (got !== want) {
          problems.push(`${c.map(hex)} eq ${eq.map(hex)} lower ${lower ? `${lower.inclusive ? '>=' : '>'} (${lower.values.map(hex)})` : '-'} upper ${upper ? `${upper.inclusive ? '<=' : '<'} (${upper.values.map(hex)})` : '-'}: want ${want}`);
        }
      }
    }
    t.same(problems.slice(0, 5), [], `${show(types)} (seed ${SEED})`);
    t.ok(selected > 100, `${selected} selections`);
    const mixed = types.some((c, i) => i > 0 && c.desc !== types[i - 1]!.desc);
    if (mixed) t.ok(multiRange > 0, `mixed directions produced ${multiRange} multi-range answers`);
  }
  t.end();
});

t.test('tupleSlices over one column matches sliceFor', (t) => {
  const types = SCHEMAS[2]!;
  const r = new SeededRandom(SEED ^ 0x0e);
  const p = pools(types, r);
  for (let n = 0; n < 40; n++) {
    const k = r.int(types.length);
    const eq = types.slice(0, k).map((_, i) => pickFrom(p[i]!, r));
    const lower = { value: pickFrom(p[k]!, r), inclusive: r.int(2) === 0 };
    const upper = { value: pickFrom(p[k]!, r), inclusive: r.int(2) === 0 };
    const single = sliceFor(types, eq, lower, upper);
    const multi = tupleSlices(types, eq, { values: [lower.value], inclusive: lower.inclusive }, { values: [upper.value], inclusive: upper.inclusive });
    const nonEmpty = Buffer.compare(single.start, single.end) < 0;
    t.same(multi, nonEmpty ? [single] : [], `column ${k} (${types[k]!.desc ? 'DESC' : 'ASC'})`);
  }
  t.end();
});

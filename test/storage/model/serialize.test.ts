import t from 'tap';
import { SeededRandom } from '../../../src/seams/index.js';
import {
  CorruptDataError,
  ModelInvariantError,
  cell,
  deletionTime,
  deserializeMutation,
  deserializePartitionUpdate,
  liveness,
  mutation,
  partitionUpdate,
  rangeTombstone,
  row,
  serializeMutation,
  serializePartitionUpdate,
  staticRow,
  tombstoneCell,
} from '../../../src/storage/model/index.js';
import type { Cell, Mutation, PartitionUpdate } from '../../../src/storage/model/index.js';
import { forEachSeed, seeds, universe, updateOf } from './arbitrary.js';

const NOW = 1_700_000_000;
const KEY = Buffer.from('pk');
const TOKEN = -1234567890123n;

function randomMutation(seed: number): Mutation {
  const u = universe(seed, { wideTimestamps: seed % 3 === 0 });
  const tables = ['t1', 'tåble-2', '3'].slice(0, 1 + u.r.int(3));
  const updates = tables.map((id) => updateOf(u, id));
  return { keyspace: u.r.next() < 0.5 ? 'ks' : 'ключ', key: u.key, token: u.token, updates };
}

/** Decoding must either succeed or throw CorruptDataError; returns the error, or null. */
function decodeOutcome(decode: () => unknown): Error | null {
  try {
    decode();
    return null;
  } catch (e) {
    return e as Error;
  }
}

t.test('mutations round-trip exactly, and re-encode to the same bytes', async (t) => {
  const ran = forEachSeed(t, seeds(1500, 31), 15_000, (seed, check) => {
    const m = randomMutation(seed);
    const bytes = serializeMutation(m);
    const back = deserializeMutation(bytes);
    check.same(back, m, 'round trip');
    check.same(serializeMutation(back), bytes, 'canonical bytes');
    const u = m.updates[0]!;
    check.same(deserializePartitionUpdate(serializePartitionUpdate(u)), u, 'standalone partition update round trip');
  });
  t.ok(ran >= 300, `ran ${ran} seeds`);
});

t.test('extreme values survive', async (t) => {
  const max = Number.MAX_SAFE_INTEGER;
  const u = partitionUpdate('t', Buffer.alloc(0), -(2n ** 63n), {
    deletion: deletionTime(-max, 0),
    staticRow: staticRow([cell('s', Buffer.alloc(0), max)]),
    rangeTombstones: [rangeTombstone(Buffer.alloc(0), Buffer.from([0xff]), -1, 2 ** 31 - 1)],
    rows: [
      row(Buffer.alloc(0), [cell('a', 'x', -max, { ttlSec: 2 ** 31 - 1, nowSec: 0 }), tombstoneCell('b', 0, -5)], { liveness: liveness(max) }),
      row(Buffer.from([0xfe, 0xff, 0xff]), [cell('m', 'v', 7, { path: Buffer.alloc(0) }), cell('m', 'w', 7, { path: Buffer.from([0]) })], {
        liveness: liveness(-3, { ttlSec: 1, nowSec: -100 }),
        deletion: deletionTime(-2, NOW),
      }),
    ],
  });
  t.strictSame(deserializePartitionUpdate(serializePartitionUpdate(u)), u, 'timestamps spanning the whole safe range (absolute encoding)');
  const m = mutation('ks', KEY, 2n ** 63n - 1n, [partitionUpdate('t', KEY, 2n ** 63n - 1n, { rows: [row(Buffer.from([1]), [cell('a', 'x', -1)])] })]);
  t.strictSame(deserializeMutation(serializeMutation(m)), m, 'negative timestamps, max token');
  const empty = mutation('ks', KEY, TOKEN, []);
  t.strictSame(deserializeMutation(serializeMutation(empty)), empty, 'a mutation with no updates');
});

t.test('the encoding is compact: delta timestamps, shared column names', async (t) => {
  const base = 1_700_000_000_000_000;
  const rows = Array.from({ length: 100 }, (_, i) =>
    row(Buffer.from([1, i]), [cell('name', 'abcd', base + i), cell('value', 'efgh', base + i), cell('when', 'ijkl', base + i)], {
      liveness: liveness(base + i),
    }),
  );
  const bytes = serializePartitionUpdate(partitionUpdate('t', KEY, TOKEN, { rows }));
  const perCell = bytes.length / 300;
  t.ok(perCell < 11, `${perCell.toFixed(2)} bytes per 4-byte cell (flags, column ref, timestamp delta, length, value)`);
});

t.test('decoded values do not alias the input buffer', async (t) => {
  const m = mutation('ks', KEY, TOKEN, [partitionUpdate('t', KEY, TOKEN, { rows: [row(Buffer.from([1]), [cell('a', 'value', 5)])] })]);
  const bytes = serializeMutation(m);
  const back = deserializeMutation(bytes);
  bytes.fill(0);
  t.strictSame(back, m);
});

t.test('every truncation of a valid buffer throws CorruptDataError', async (t) => {
  let prefixes = 0;
  const ran = forEachSeed(t, seeds(150, 32), 15_000, (seed, check) => {
    const bytes = serializeMutation(randomMutation(seed));
    for (let len = 0; len < bytes.length; len++) {
      prefixes++;
      const e = decodeOutcome(() => deserializeMutation(bytes.subarray(0, len)));
      if (!(e instanceof CorruptDataError)) check.same(String(e), 'CorruptDataError', `prefix of ${len}/${bytes.length} bytes`);
    }
    const u = serializePartitionUpdate(randomMutation(seed).updates[0]!);
    for (let len = 0; len < u.length; len++) {
      prefixes++;
      const e = decodeOutcome(() => deserializePartitionUpdate(u.subarray(0, len)));
      if (!(e instanceof CorruptDataError)) check.same(String(e), 'CorruptDataError', `update prefix of ${len}/${u.length} bytes`);
    }
  });
  t.ok(ran >= 50 && prefixes > 1000, `${prefixes} prefixes of ${ran} buffers`);
});

t.test('random byte flips throw CorruptDataError or decode to a valid value; never anything else', async (t) => {
  let decoded = 0;
  let rejected = 0;
  const ran = forEachSeed(t, seeds(3000, 33), 15_000, (seed, check) => {
    const r = new SeededRandom(seed ^ 0x5eed);
    const bytes = Buffer.from(serializeMutation(randomMutation(seed)));
    const flips = 1 + r.int(3);
    for (let i = 0; i < flips; i++) {
      const at = r.int(bytes.length);
      bytes[at] = r.next() < 0.5 ? bytes[at]! ^ (1 << r.int(8)) : r.int(256);
    }
    let m: Mutation | null = null;
    const e = decodeOutcome(() => {
      m = deserializeMutation(bytes);
    });
    if (e === null) {
      decoded++;
      // What decodes is a valid model value: the encoder accepts it and it round-trips.
      check.same(deserializeMutation(serializeMutation(m!)), m, 'a decoded corruption re-encodes');
    } else if (e instanceof CorruptDataError) {
      rejected++;
      if (!(e.offset >= 0 && e.offset <= bytes.length && e.code === 'CORRUPT_DATA')) check.same(e.offset, 'an offset in the buffer', 'error offset');
    } else {
      check.same(String(e), 'CorruptDataError', `flipped bytes gave another error`);
    }
  });
  t.ok(ran >= 500, `ran ${ran} seeds: ${decoded} decoded, ${rejected} rejected`);
  t.ok(rejected > 0, 'some corruptions are detected');
});

t.test('random garbage never escapes as another error', async (t) => {
  const ran = forEachSeed(t, seeds(3000, 34), 10_000, (seed, check) => {
    const r = new SeededRandom(seed);
    const garbage = r.bytes(r.int(80));
    if (garbage.length > 0 && r.next() < 0.7) garbage[0] = 1;
    for (const decode of [deserializeMutation, deserializePartitionUpdate]) {
      const e = decodeOutcome(() => decode(garbage));
      if (e !== null && !(e instanceof CorruptDataError)) check.same(String(e), 'CorruptDataError', 'garbage gave another error');
    }
  });
  t.ok(ran >= 500, `ran ${ran} seeds`);
});

/** Hand-built bytes, following the grammar, to hit each rejection on purpose. */
function uvarint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}
function header(): number[] {
  return [1, ...uvarint(2), 0x70, 0x6b, 0, 0, 0, 0, 0, 0, 0, 7]; // version, key "pk", token 7
}
function body(parts: { flags?: number; columns?: string[]; rows?: number[][]; rts?: number[][]; extra?: number[] }): number[] {
  const cols = parts.columns ?? [];
  return [
    1,
    0x74, // tableId "t"
    parts.flags ?? 0,
    ...(parts.extra ?? []),
    ...uvarint(cols.length),
    ...cols.flatMap((c) => [c.length, ...Buffer.from(c)]),
    ...uvarint((parts.rts ?? []).length),
    ...(parts.rts ?? []).flat(),
    ...uvarint((parts.rows ?? []).length),
    ...(parts.rows ?? []).flat(),
  ];
}
function reason(bytes: number[]): string {
  const e = decodeOutcome(() => deserializePartitionUpdate(Buffer.from(bytes)));
  return e instanceof CorruptDataError ? `${e.reason}@${e.offset}` : String(e);
}

t.test('hand-made corruptions are rejected with their reason and offset', async (t) => {
  const emptyRow = (c: number): number[] => [0, 1, c, 0];
  t.equal(reason([...header(), ...body({})]), 'null', 'the baseline decodes');
  t.equal(reason([2, ...header().slice(1), ...body({})]), 'unsupported-version@0');
  t.equal(reason([...header(), ...body({}), 0]), 'trailing-bytes@18');
  t.equal(reason([...header(), ...body({ flags: 0x10 })]), 'bad-flags@14');
  t.equal(reason([...header(), ...body({ rows: [emptyRow(2), emptyRow(1)] })]), 'out-of-order@22', 'rows out of order');
  t.equal(reason([...header(), ...body({ rows: [emptyRow(1), emptyRow(1)] })]), 'out-of-order@22', 'duplicate rows');
  // A cell referring to column 1 of a table of one column: flags 0, colref 1, ts 0, value "".
  t.equal(reason([...header(), ...body({ columns: ['a'], rows: [[0, 1, 1, 1, 0, 1, 0, 0]] })]), 'bad-column-ref@25');
  // EXPIRING and TOMBSTONE together.
  t.equal(reason([...header(), ...body({ columns: ['a'], rows: [[0, 1, 1, 1, 0x06, 0, 0, 0]] })]), 'bad-flags@24');
  // An expiring cell with TTL 0.
  t.equal(reason([...header(), ...body({ columns: ['a'], rows: [[0, 1, 1, 1, 0x02, 0, 0, 0, 0, 0]] })]), 'bad-value@27');
  // tsBase as an overlong varint (0x80 0x00), and as negative zero (sign bit, magnitude 0).
  t.equal(reason([...header(), ...body({ flags: 0x04, extra: [0x80, 0x00] })]), 'bad-varint@15');
  t.equal(reason([...header(), ...body({ flags: 0x04, extra: [0x01] })]), 'bad-varint@15');
  // A row count far beyond the bytes left is refused before anything is allocated.
  t.equal(reason([...header(), 1, 0x74, 0, 0, 0, ...uvarint(2 ** 40)]), 'truncated@17');
  // A varint of 9 bytes.
  t.equal(reason([...header(), 1, 0x74, 0, ...Array(8).fill(0xff), 1]), 'bad-varint@15');
  // A static row with a clustering.
  t.equal(reason([...header(), 1, 0x74, 0x02, 0, ...[0, 1, 5, 0], 0, 0]), 'bad-value@16');
});

t.test('the encoder refuses values that break the model contract', async (t) => {
  const bad: Cell = { ...cell('a', 'x', 1), localDeletionTimeSec: 5 };
  const asUpdate = (cells: Cell[]): PartitionUpdate => ({ ...partitionUpdate('t', KEY, TOKEN), rows: [{ ...row(Buffer.from([1])), cells }] });
  t.throws(() => serializePartitionUpdate(asUpdate([bad])), ModelInvariantError, 'a live cell with a deletion time');
  t.throws(() => serializePartitionUpdate(asUpdate([cell('b', 'x', 1), cell('a', 'x', 1)])), ModelInvariantError, 'cells out of order');
  t.throws(() => serializePartitionUpdate(asUpdate([cell('a', 'x', 1.5)])), ModelInvariantError, 'a fractional timestamp');
  const u = partitionUpdate('t', KEY, TOKEN);
  t.throws(() => serializeMutation({ keyspace: 'ks', key: Buffer.from('other'), token: TOKEN, updates: [u] }), ModelInvariantError, 'an update for another key');
  t.throws(() => serializeMutation({ keyspace: 'ks', key: KEY, token: TOKEN, updates: [u, u] }), ModelInvariantError, 'two updates for one table');
  t.throws(() => mutation('ks', Buffer.from('x'), TOKEN, [u]), ModelInvariantError, 'the builder checks too');
  // After a refused value the shared scratch buffer is fine for the next call.
  t.strictSame(deserializePartitionUpdate(serializePartitionUpdate(u)), u);
});

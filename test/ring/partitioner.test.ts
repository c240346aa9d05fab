// The partitioners: Murmur3 must be bit-exact with Cassandra's (checked against the Murmur3
// tokenizer inside the DataStax driver), the default must be xxHash64 read as signed, and the
// fast approxTokenOf must equal Number(tokenOf) so the ring's double-based search is exact.
import t from 'tap';
import { createRequire } from 'node:module';
import { SeededRandom } from '../../src/seams/index.js';
import { xxh64Signed } from '../../src/hash/index.js';
import {
  DEFAULT_PARTITIONER,
  MAX_TOKEN,
  MIN_TOKEN,
  MURMUR3_PARTITIONER,
  RingError,
  partitionerByName,
} from '../../src/ring/index.js';

const require = createRequire(import.meta.url);
const { Murmur3Tokenizer } = require('cassandra-driver/lib/tokenizer.js') as {
  Murmur3Tokenizer: new () => { hash(b: Buffer): { getValue(): { toString(): string } } };
};
const driver = new Murmur3Tokenizer();

/** The driver's token, with Cassandra's normalisation of Long.MIN_VALUE (which the driver skips). */
function driverToken(key: Buffer): bigint {
  const v = BigInt(driver.hash(key).getValue().toString());
  return v === MIN_TOKEN ? MAX_TOKEN : v;
}

t.test('Murmur3Partitioner matches the cassandra-driver tokenizer on random keys of every length', async (t) => {
  const seed = 0x5eed01;
  const random = new SeededRandom(seed);
  let mismatches = 0;
  let highBytes = 0;
  const lengths = new Set<number>();
  for (let i = 0; i < 6000; i++) {
    const length = i < 200 ? i : random.int(120);
    const key = random.bytes(length);
    if (key.some((b) => b >= 0x80)) highBytes++;
    lengths.add(length % 16);
    const want = driverToken(key);
    const got = MURMUR3_PARTITIONER.tokenOf(key);
    if (got !== want) {
      mismatches++;
      if (mismatches <= 3) t.fail(`seed ${seed}: key ${key.toString('hex')} -> ${got}, driver says ${want}`);
    }
  }
  t.equal(mismatches, 0, `no mismatches (seed ${seed})`);
  t.equal(lengths.size, 16, 'every tail length 0..15 was covered');
  t.ok(highBytes > 5000, 'most keys hold bytes >= 0x80 (signed tail bytes)');
});

t.test('Murmur3Partitioner on all-0xff and all-0x80 tails (sign extension in every tail position)', async (t) => {
  for (let length = 0; length <= 48; length++) {
    for (const fill of [0xff, 0x80, 0x7f, 0x00]) {
      const key = Buffer.alloc(length, fill);
      t.equal(MURMUR3_PARTITIONER.tokenOf(key), driverToken(key), `length ${length} fill ${fill.toString(16)}`);
    }
  }
});

t.test('known Cassandra Murmur3 tokens (SELECT token(k) of int keys on Apache Cassandra)', async (t) => {
  const int = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return b;
  };
  const vectors: Array<[number, bigint]> = [
    [0, -3485513579396041028n],
    [1, -4069959284402364209n],
    [2, -3248873570005575792n],
    [5, -7509452495886106294n],
    [42, -7160136740246525330n],
    [-1, 7297452126230313552n],
  ];
  for (const [v, token] of vectors) t.equal(MURMUR3_PARTITIONER.tokenOf(int(v)), token, `token(${v})`);
  // An empty key: the driver hashes it to 0 (Cassandra refuses empty partition keys).
  t.equal(MURMUR3_PARTITIONER.tokenOf(Buffer.alloc(0)), 0n, 'empty key');
});

t.test('the default partitioner is xxHash64 read as a signed 64-bit integer', async (t) => {
  const random = new SeededRandom(7);
  for (let i = 0; i < 500; i++) {
    const key = random.bytes(random.int(64));
    const want = xxh64Signed(key);
    t.equal(DEFAULT_PARTITIONER.tokenOf(key), want === MIN_TOKEN ? MAX_TOKEN : want);
  }
});

t.test('approxTokenOf equals Number(tokenOf) for both partitioners', async (t) => {
  const random = new SeededRandom(11);
  for (const p of [DEFAULT_PARTITIONER, MURMUR3_PARTITIONER]) {
    let bad = 0;
    for (let i = 0; i < 3000; i++) {
      const key = random.bytes(random.int(80));
      if (p.approxTokenOf(key) !== Number(p.tokenOf(key))) bad++;
    }
    t.equal(bad, 0, p.shortName);
  }
});

t.test('names, lookup by name, and the token space', async (t) => {
  t.equal(MURMUR3_PARTITIONER.name, 'org.apache.cassandra.dht.Murmur3Partitioner');
  t.equal(DEFAULT_PARTITIONER.name, 'org.ringtail.dht.XxHash64Partitioner');
  t.equal(partitionerByName('Murmur3Partitioner'), MURMUR3_PARTITIONER);
  t.equal(partitionerByName('org.apache.cassandra.dht.Murmur3Partitioner'), MURMUR3_PARTITIONER);
  t.equal(partitionerByName('XxHash64Partitioner'), DEFAULT_PARTITIONER);
  t.equal(partitionerByName(DEFAULT_PARTITIONER.name), DEFAULT_PARTITIONER);
  t.throws(() => partitionerByName('RandomPartitioner'), { code: 'UNKNOWN_PARTITIONER' });
  t.throws(() => partitionerByName('RandomPartitioner'), RingError);
  for (const p of [DEFAULT_PARTITIONER, MURMUR3_PARTITIONER]) {
    t.equal(p.minToken, -(2n ** 63n));
    t.equal(p.maxToken, 2n ** 63n - 1n);
    t.equal(p.parseToken('-9223372036854775808'), MIN_TOKEN);
    t.equal(p.tokenToString(MAX_TOKEN), '9223372036854775807');
    t.throws(() => p.parseToken('9223372036854775808'), /out of the signed 64-bit range/);
    t.throws(() => p.parseToken('12a'), /not a 64-bit token/);
    t.equal(p.rangeSize(5n, 5n), 2n ** 64n, '(t, t] is the whole ring');
    t.equal(p.rangeSize(MAX_TOKEN, MIN_TOKEN), 1n, 'wrapping range of one token');
    t.equal(p.rangeSize(10n, -10n), 2n ** 64n - 20n);
    const fractions = p.ownershipFractions([-(2n ** 62n), 0n, 2n ** 62n, 2n ** 63n - 1n]);
    t.same(fractions.map((f) => Math.round(f * 1000) / 1000), [0.25, 0.25, 0.25, 0.25]);
    t.equal(p.ownershipFractions([42n])[0], 1);
    const random = new SeededRandom(3);
    for (let i = 0; i < 100; i++) {
      const tok = p.randomToken(random);
      t.ok(tok > MIN_TOKEN && tok <= MAX_TOKEN);
    }
  }
});

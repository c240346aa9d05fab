// Token ranges are (left, right], with wrap-around spelled out: left > right wraps past
// MAX_TOKEN, left === right is the whole ring, right === MIN_TOKEN reaches the end of the ring.
import t from 'tap';
import { SeededRandom } from '../../src/seams/index.js';
import {
  FULL_RING,
  MAX_TOKEN,
  MIN_TOKEN,
  RING_SIZE,
  intersection,
  isWrapAround,
  rangeContains,
  rangeTokenCount,
  rangesIntersect,
  rangeToString,
  tokenRange,
  unwrap,
} from '../../src/ring/index.js';

t.test('contains: plain, wrapping, whole ring, and the ends', async (t) => {
  const plain = tokenRange(-10n, 10n);
  t.notOk(rangeContains(plain, -10n), 'left is excluded');
  t.ok(rangeContains(plain, -9n));
  t.ok(rangeContains(plain, 10n), 'right is included');
  t.notOk(rangeContains(plain, 11n));
  t.notOk(isWrapAround(plain));

  const wrap = tokenRange(100n, -100n);
  t.ok(isWrapAround(wrap));
  t.ok(rangeContains(wrap, MAX_TOKEN));
  t.ok(rangeContains(wrap, MIN_TOKEN));
  t.ok(rangeContains(wrap, -100n));
  t.ok(rangeContains(wrap, 101n));
  t.notOk(rangeContains(wrap, 100n));
  t.notOk(rangeContains(wrap, 0n));

  t.ok(isWrapAround(FULL_RING));
  for (const tok of [MIN_TOKEN, 0n, MAX_TOKEN]) {
    t.ok(rangeContains(FULL_RING, tok));
    t.ok(rangeContains(tokenRange(7n, 7n), tok), '(t, t] is everything');
  }
  t.equal(rangeTokenCount(FULL_RING), RING_SIZE);
  t.equal(rangeTokenCount(wrap), RING_SIZE - 200n);
  t.equal(rangeTokenCount(tokenRange(MAX_TOKEN, MIN_TOKEN)), 1n);

  const toEnd = tokenRange(5n, MIN_TOKEN);
  t.ok(rangeContains(toEnd, MAX_TOKEN));
  t.ok(rangeContains(toEnd, MIN_TOKEN), 'only MIN_TOKEN itself from the far side, never a key token');
  t.notOk(rangeContains(toEnd, MIN_TOKEN + 1n));
  t.equal(rangeToString(plain), '(-10, 10]');
});

t.test('unwrap splits at the end of the ring and keeps the same tokens', async (t) => {
  t.same(unwrap(tokenRange(1n, 2n)), [tokenRange(1n, 2n)]);
  t.same(unwrap(tokenRange(10n, -10n)), [tokenRange(10n, MIN_TOKEN), tokenRange(MIN_TOKEN, -10n)]);
  t.same(unwrap(tokenRange(10n, MIN_TOKEN)), [tokenRange(10n, MIN_TOKEN)]);
  t.same(unwrap(FULL_RING), [FULL_RING]);
  t.same(unwrap(tokenRange(3n, 3n)), [tokenRange(3n, MIN_TOKEN), tokenRange(MIN_TOKEN, 3n)]);
  const random = new SeededRandom(5);
  for (let i = 0; i < 300; i++) {
    const r = tokenRange(random.bytes(8).readBigInt64LE(0), random.bytes(8).readBigInt64LE(0));
    const pieces = unwrap(r);
    t.equal(pieces.reduce((s, p) => s + rangeTokenCount(p), 0n), rangeTokenCount(r));
    for (let k = 0; k < 5; k++) {
      const tok = random.bytes(8).readBigInt64LE(0);
      t.equal(pieces.some((p) => rangeContains(p, tok)), rangeContains(r, tok));
    }
  }
});

t.test('intersection agrees with contains on random ranges and tokens', async (t) => {
  const seed = 17;
  const random = new SeededRandom(seed);
  // Small coordinates so that random probe tokens often hit edges.
  const ends = [MIN_TOKEN, MIN_TOKEN + 1n, MAX_TOKEN, MAX_TOKEN - 1n];
  const tok = (): bigint => (random.int(8) === 0 ? ends[random.int(4)]! : BigInt(random.int(41) - 20) * 2n ** 58n + BigInt(random.int(3) - 1));
  for (let i = 0; i < 400; i++) {
    const a = tokenRange(tok(), tok());
    const b = tokenRange(tok(), tok());
    const both = intersection(a, b);
    for (let k = 0; k < 20; k++) {
      const p = tok();
      // MIN_TOKEN is the sentinel no key has; a piece "to the end of the ring" may claim it.
      if (p === MIN_TOKEN) continue;
      const want = rangeContains(a, p) && rangeContains(b, p);
      t.equal(both.some((r) => rangeContains(r, p)), want, `seed ${seed}: ${rangeToString(a)} ∩ ${rangeToString(b)} at ${p}`);
    }
    t.equal(rangesIntersect(a, b), both.length > 0);
  }
  t.same(intersection(tokenRange(0n, 10n), tokenRange(5n, 20n)), [tokenRange(5n, 10n)]);
  t.same(intersection(tokenRange(0n, 10n), tokenRange(10n, 20n)), []);
  t.same(intersection(tokenRange(100n, -100n), tokenRange(-200n, 200n)), [tokenRange(-200n, -100n), tokenRange(100n, 200n)]);
});

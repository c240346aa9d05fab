// Token allocation: with 16 tokens per node and factor 3 the balancing allocator keeps the
// max/min ownership ratio under 1.25 from 3 to 50 nodes; random allocation's ratio is reported
// beside it.
import t from 'tap';
import { SeededRandom } from '../../src/seams/index.js';
import {
  DEFAULT_PARTITIONER,
  MIN_TOKEN,
  RING_SIZE,
  Ring,
  allocateBalancedTokens,
  allocateRandomTokens,
  endpoint,
  networkTopologyStrategy,
  ownershipSpread,
  simpleStrategy,
  type Endpoint,
} from '../../src/ring/index.js';

const node = (i: number, dc = 'dc1', rack = 'r1'): Endpoint =>
  endpoint({ hostId: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, address: `10.0.0.${i}`, datacenter: dc, rack });

t.test('balanced allocation keeps max/min ownership under 1.25 for 3..50 nodes (16 tokens, rf 3)', async (t) => {
  const seed = 42;
  const random = new SeededRandom(seed);
  const strategy = simpleStrategy(3);
  let balanced = Ring.empty(DEFAULT_PARTITIONER);
  let randomRing = Ring.empty(DEFAULT_PARTITIONER);
  const report: string[] = [];
  let worst = 0;
  let worstRandom = 0;
  for (let n = 1; n <= 50; n++) {
    const e = node(n);
    balanced = balanced.withEndpoint(e, allocateBalancedTokens(balanced, e, 16, 3, { random }));
    randomRing = randomRing.withEndpoint(e, allocateRandomTokens(randomRing, 16, random));
    if (n < 3) continue;
    const b = ownershipSpread(balanced, strategy).ratio;
    const r = ownershipSpread(randomRing, strategy).ratio;
    worst = Math.max(worst, b);
    worstRandom = Math.max(worstRandom, r);
    if (b >= 1.25) t.fail(`seed ${seed}: ${n} nodes: balanced max/min ${b.toFixed(3)}`);
    if (n % 5 === 0 || n === 3) report.push(`${String(n).padStart(3)} nodes: balanced ${b.toFixed(3)}  random ${r.toFixed(3)}`);
  }
  t.comment(['max/min replicated ownership, rf 3, 16 tokens:', ...report, `worst: balanced ${worst.toFixed(3)}, random ${worstRandom.toFixed(3)}`].join('\n'));
  t.ok(worst < 1.25, `worst balanced ratio ${worst.toFixed(3)} < 1.25`);
  t.ok(worstRandom > worst, 'random allocation spreads wider');
  t.equal(balanced.tokenCount, 50 * 16);
});

t.test('balanced allocation with NetworkTopologyStrategy, two datacenters of three racks', async (t) => {
  const strategy = networkTopologyStrategy({ dc1: 3, dc2: 3 });
  let ring = Ring.empty(DEFAULT_PARTITIONER);
  for (let i = 0; i < 36; i++) {
    const e = node(i, i % 2 === 0 ? 'dc1' : 'dc2', `rack${(Math.floor(i / 2) % 3) + 1}`);
    ring = ring.withEndpoint(e, allocateBalancedTokens(ring, e, 16, 3));
  }
  // 18 nodes per datacenter, 6 per rack: every node should hold a sixth of its rack's full copy.
  const spread = ownershipSpread(ring, strategy);
  t.ok(spread.ratio < 1.25, `worst datacenter max/min ${spread.ratio.toFixed(3)}`);
  t.ok(Math.abs(spread.min - 1 / 6) < 0.03 && Math.abs(spread.max - 1 / 6) < 0.03, `ownership ${spread.min.toFixed(4)}..${spread.max.toFixed(4)}`);
});

t.test('balanced allocation: fresh tokens, deterministic, evenly spaced for a first node', async (t) => {
  let ring = Ring.empty(DEFAULT_PARTITIONER);
  const first = allocateBalancedTokens(ring, node(1), 8, 3);
  const step = RING_SIZE / 8n;
  t.same(first, Array.from({ length: 8 }, (_, i) => (i === 0 ? MIN_TOKEN + 1n : MIN_TOKEN + BigInt(i) * step)), 'an even grid from the start of the ring');
  ring = ring.withEndpoint(node(1), first);
  // The next nodes (up to rf) interleave on a finer grid.
  const second = allocateBalancedTokens(ring, node(2), 8, 3);
  ring = ring.withEndpoint(node(2), second);
  const gaps = ring.tokens().map((tok, i, all) => (i === 0 ? null : tok - all[i - 1]!)).slice(1);
  t.ok(gaps.every((g) => g! > RING_SIZE / 48n), 'no two tokens closer than a grid step');
  for (let i = 3; i <= 8; i++) ring = ring.withEndpoint(node(i), allocateBalancedTokens(ring, node(i), 8, 3));
  const again = allocateBalancedTokens(ring, node(9), 8, 3);
  t.same(allocateBalancedTokens(ring, node(9), 8, 3), again, 'same ring, same tokens');
  const taken = new Set(ring.tokens());
  t.equal(new Set(again).size, 8);
  t.ok(again.every((tok) => !taken.has(tok) && tok !== MIN_TOKEN));
  t.throws(() => allocateBalancedTokens(ring, node(9), 0, 3), { code: 'BAD_RING' });
  t.throws(() => allocateBalancedTokens(ring, node(9), 4, 0), { code: 'BAD_RING' });
});

t.test('random allocation: distinct, unused, reproducible for a seed', async (t) => {
  const ring = Ring.create(DEFAULT_PARTITIONER, [{ endpoint: node(1), tokens: [1n, 2n, 3n] }]);
  const a = allocateRandomTokens(ring, 256, new SeededRandom(9));
  t.equal(a.length, 256);
  t.equal(new Set(a).size, 256);
  t.ok(a.every((tok) => tok !== 1n && tok !== 2n && tok !== 3n && tok !== MIN_TOKEN));
  t.same(allocateRandomTokens(ring, 256, new SeededRandom(9)), a);
  t.same([...a].sort((x, y) => (x < y ? -1 : 1)), a, 'sorted');
});

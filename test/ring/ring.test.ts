// The Ring value: owner by binary search with the wrap-around, ranges, memoised replica lists,
// immutable updates, statuses, LocalStrategy, and ownership.
import t from 'tap';
import {
  DEFAULT_PARTITIONER,
  LOCAL_STRATEGY,
  MAX_TOKEN,
  MIN_TOKEN,
  Ring,
  RingError,
  endpoint,
  networkTopologyStrategy,
  simpleStrategy,
  tokenRange,
  type Endpoint,
} from '../../src/ring/index.js';

const ep = (id: string, dc = 'dc1', rack = 'r1'): Endpoint => endpoint({ hostId: id, address: `addr-${id}`, datacenter: dc, rack });
const names = (list: readonly Endpoint[]): string[] => list.map((e) => e.hostId);

// a: -100, 300   b: 0   c: 100, 200
const abc = (): Ring =>
  Ring.create(DEFAULT_PARTITIONER, [
    { endpoint: ep('c'), tokens: [200n, 100n] },
    { endpoint: ep('a'), tokens: [-100n, 300n] },
    { endpoint: ep('b'), tokens: [0n] },
  ]);

t.test('owner of a token: first token >= it, wrapping past the last', async (t) => {
  const ring = abc();
  t.same(ring.tokens(), [-100n, 0n, 100n, 200n, 300n]);
  const cases: Array<[bigint, string, number]> = [
    [MIN_TOKEN, 'a', 0],
    [-101n, 'a', 0],
    [-100n, 'a', 0],
    [-99n, 'b', 1],
    [0n, 'b', 1],
    [1n, 'c', 2],
    [150n, 'c', 3],
    [200n, 'c', 3],
    [201n, 'a', 4],
    [300n, 'a', 4],
    [301n, 'a', 0],
    [MAX_TOKEN, 'a', 0],
  ];
  for (const [tok, owner, index] of cases) {
    t.equal(ring.ownerOf(tok)?.hostId, owner, `owner of ${tok}`);
    t.equal(ring.rangeIndexOf(tok), index, `range index of ${tok}`);
  }
  t.same(ring.ranges(), [
    tokenRange(300n, -100n),
    tokenRange(-100n, 0n),
    tokenRange(0n, 100n),
    tokenRange(100n, 200n),
    tokenRange(200n, 300n),
  ]);
  t.equal(ring.ranges(), ring.ranges(), 'ranges are memoised');
  t.same(ring.tokensOf('c'), [100n, 200n]);
  t.same(names(ring.endpoints()), ['a', 'b', 'c'], 'endpoints by host id');
});

t.test('SimpleStrategy walks clockwise over distinct endpoints', async (t) => {
  const ring = abc();
  const rf2 = simpleStrategy(2);
  t.same(names(ring.replicasFor(50n, rf2)), ['c', 'a']);
  t.same(names(ring.replicasFor(250n, rf2)), ['a', 'b'], 'wraps past the last token');
  t.same(names(ring.replicasFor(-50n, simpleStrategy(3))), ['b', 'c', 'a']);
  t.same(names(ring.replicasFor(-50n, simpleStrategy(7))), ['b', 'c', 'a'], 'capped at the node count');
  t.same(names(ring.replicasFor(-50n, simpleStrategy(0))), []);
  t.equal(ring.replicasFor(50n, rf2), ring.replicasFor(60n, simpleStrategy(2)), 'memoised per range and per equal strategy');
  t.ok(Object.isFrozen(ring.replicasFor(50n, rf2)));
});

t.test('NetworkTopologyStrategy: per datacenter, distinct racks first', async (t) => {
  const ring = Ring.create(DEFAULT_PARTITIONER, [
    { endpoint: ep('a1', 'dc1', 'r1'), tokens: [0n] },
    { endpoint: ep('a2', 'dc1', 'r1'), tokens: [10n] },
    { endpoint: ep('b1', 'dc2', 'r1'), tokens: [15n] },
    { endpoint: ep('a3', 'dc1', 'r2'), tokens: [20n] },
    { endpoint: ep('b2', 'dc2', 'r1'), tokens: [25n] },
    { endpoint: ep('a4', 'dc1', 'r3'), tokens: [30n] },
  ]);
  // From 1: a2(r1) b1 a3(r2) b2 a4(r3) a1(r1)
  t.same(names(ring.replicasFor(1n, networkTopologyStrategy({ dc1: 2 }))), ['a2', 'a3'], 'skips nothing: racks r1, r2');
  t.same(names(ring.replicasFor(1n, networkTopologyStrategy({ dc1: 3, dc2: 1 }))), ['a2', 'b1', 'a3', 'a4']);
  t.same(names(ring.replicasFor(1n, networkTopologyStrategy({ dc1: 4 }))), ['a2', 'a3', 'a4', 'a1'], 'one rack repeat allowed with 3 racks and rf 4');
  // dc2 has one rack: rf 2 takes both nodes.
  t.same(names(ring.replicasFor(1n, networkTopologyStrategy({ dc2: 2 }))), ['b1', 'b2']);
  t.same(names(ring.replicasFor(1n, networkTopologyStrategy({ dc2: 5, dc9: 3 }))), ['b1', 'b2'], 'capped at the nodes there; unknown dc ignored');
  // From 11: b1 a3(r2) b2 a4(r3) a1(r1) a2(r1); dc1 rf 2 over racks r2, r3.
  t.same(names(ring.replicasFor(11n, networkTopologyStrategy({ dc1: 2 }))), ['a3', 'a4']);
  t.same(ring.datacenters(), ['dc1', 'dc2']);
});

t.test('replicasForKey hashes the key and matches replicasFor(tokenOf(key))', async (t) => {
  const ring = abc();
  const s = simpleStrategy(2);
  for (let i = 0; i < 200; i++) {
    const key = Buffer.from(`key-${i}`);
    t.equal(ring.replicasForKey(key, s), ring.replicasFor(ring.tokenOf(key), s));
  }
});

t.test('an empty ring and a one-token ring', async (t) => {
  const empty = Ring.empty(DEFAULT_PARTITIONER);
  t.same(empty.replicasFor(5n, simpleStrategy(3)), []);
  t.same(empty.replicasForKey(Buffer.from('k'), simpleStrategy(3)), []);
  t.equal(empty.ownerOf(5n), undefined);
  t.same(empty.ranges(), []);
  const one = Ring.create(DEFAULT_PARTITIONER, [{ endpoint: ep('solo'), tokens: [7n] }]);
  t.same(one.ranges(), [tokenRange(7n, 7n)], 'the whole ring');
  t.equal(one.ownership().get('solo'), 1);
  t.same(names(one.replicasFor(MIN_TOKEN, simpleStrategy(3))), ['solo']);
});

t.test('bad rings are refused', async (t) => {
  t.throws(() => Ring.create(DEFAULT_PARTITIONER, [{ endpoint: ep('a'), tokens: [1n] }, { endpoint: ep('b'), tokens: [1n] }]), {
    code: 'BAD_RING',
    message: /token 1 is claimed by both a and b/,
  });
  t.throws(() => Ring.create(DEFAULT_PARTITIONER, [{ endpoint: ep('a'), tokens: [1n] }, { endpoint: ep('a'), tokens: [2n] }]), /appears twice/);
  t.throws(() => Ring.create(DEFAULT_PARTITIONER, [{ endpoint: ep('a'), tokens: [] }]), /has no tokens/);
  t.throws(() => Ring.create(DEFAULT_PARTITIONER, [{ endpoint: ep('a'), tokens: [3n, 3n] }]), /twice/);
  t.throws(() => Ring.create(DEFAULT_PARTITIONER, [{ endpoint: ep('a'), tokens: [2n ** 63n] }]), /outside the signed 64-bit range/);
  t.throws(() => abc().withEndpoint(ep('new')), /needs tokens/);
  t.throws(() => abc().withStatus('zzz', 'LEAVING'), RingError);
});

t.test('updates make new rings and leave the old one alone', async (t) => {
  const ring = abc();
  const s = simpleStrategy(1);
  const before = names(ring.replicasFor(50n, s));
  const added = ring.withEndpoint(ep('d'), [50n]);
  t.same(names(added.replicasFor(50n, s)), ['d']);
  t.same(names(ring.replicasFor(50n, s)), before, 'the old ring is unchanged');
  const removed = added.withoutEndpoint('c');
  t.same(names(removed.replicasFor(150n, s)), ['a']);
  t.equal(removed.withoutEndpoint('nobody'), removed);
  // Moving an endpoint: same host id, new tokens.
  const moved = ring.withEndpoint(ep('b'), [150n]);
  t.same(moved.tokensOf('b'), [150n]);
  t.equal(moved.ownerOf(120n)?.hostId, 'b');
  // A new address keeps the tokens.
  const readdressed = ring.withEndpoint(endpoint({ hostId: 'b', address: '10.9.9.9', datacenter: 'dc1', rack: 'r1' }));
  t.equal(readdressed.ownerOf(0n)?.address, '10.9.9.9');
  t.same(readdressed.tokensOf('b'), [0n]);
});

t.test('JOINING endpoints own nothing until NORMAL; LEAVING and REMOVING still own', async (t) => {
  const ring = abc().withEndpoint(endpoint({ hostId: 'j', address: 'j', datacenter: 'dc1', rack: 'r1', status: 'JOINING' }), [50n]);
  t.equal(ring.ownerOf(50n)?.hostId, 'c', 'not an owner while joining');
  t.equal(ring.size, 4);
  t.same(names(ring.owningEndpoints()), ['a', 'b', 'c']);
  t.notOk(ring.ownership().has('j'));
  t.equal(ring.withStatus('j', 'NORMAL').ownerOf(50n)?.hostId, 'j');
  t.equal(ring.withStatus('c', 'LEAVING').ownerOf(150n)?.hostId, 'c');
  t.equal(ring.withStatus('c', 'REMOVING').ownerOf(150n)?.status, 'REMOVING');
  t.throws(() => ring.withEndpoint(ep('x'), [50n]), /claimed by both/, 'a joining node still holds its tokens');
});

t.test('LocalStrategy: the local node only', async (t) => {
  const ring = abc();
  t.throws(() => ring.replicasFor(1n, LOCAL_STRATEGY), { code: 'NO_REPLICAS' });
  const local = ep('me');
  const mine = ring.withLocal(local);
  t.same(names(mine.replicasFor(1n, LOCAL_STRATEGY)), ['me']);
  t.same(names(mine.replicasForKey(Buffer.from('x'), LOCAL_STRATEGY)), ['me']);
  t.same(names(Ring.empty(DEFAULT_PARTITIONER, { local }).replicasFor(0n, LOCAL_STRATEGY)), ['me'], 'even before joining');
  t.equal(mine.withoutEndpoint('a').local, local, 'kept across updates');
});

t.test('ownership, primary and replicated', async (t) => {
  // (c, a] and (a, b] are quarters of the ring, (b, c] is a half.
  const q = 1n << 62n;
  const ring = Ring.create(DEFAULT_PARTITIONER, [
    { endpoint: ep('a'), tokens: [-q] },
    { endpoint: ep('b'), tokens: [0n] },
    { endpoint: ep('c'), tokens: [2n * q - 1n] },
  ]);
  const primary = ring.ownership();
  t.ok(Math.abs(primary.get('a')! - 0.25) < 1e-12);
  t.ok(Math.abs(primary.get('b')! - 0.25) < 1e-12);
  t.ok(Math.abs(primary.get('c')! - 0.5) < 1e-12);
  const rf2 = ring.ownership(simpleStrategy(2));
  // (c, a] quarter: a, b; (a, b] quarter: b, c; (b, c] half: c, a.
  t.ok(Math.abs(rf2.get('a')! - 0.75) < 1e-12);
  t.ok(Math.abs(rf2.get('b')! - 0.5) < 1e-12);
  t.ok(Math.abs(rf2.get('c')! - 0.75) < 1e-12);
});

t.test('keys whose token rounds to the same double as a ring token still find their exact range', async (t) => {
  // Doubles hold 53 bits: tokens a few apart look equal to the fast search, which must then
  // settle the order exactly.
  let tested = 0;
  for (let i = 0; i < 120; i++) {
    const key = Buffer.from(`tie-${i}`);
    const tok = DEFAULT_PARTITIONER.tokenOf(key);
    if (tok > MAX_TOKEN - 1_000_000n || tok < MIN_TOKEN + 1_000_000n) continue;
    // Near a rounding boundary the neighbours may round apart; those keys test nothing here.
    if (Number(tok - 2n) !== Number(tok + 1n)) continue;
    tested++;
    const at = (layout: Array<[string, bigint]>): string =>
      Ring.create(
        DEFAULT_PARTITIONER,
        layout.map(([id, token]) => ({ endpoint: ep(id), tokens: [token] })),
      ).replicasForKey(key, simpleStrategy(1))[0]!.hostId;
    t.equal(at([['below', tok - 1n], ['exact', tok], ['above', tok + 1n], ['far', tok + 1_000_000n]]), 'exact');
    t.equal(at([['below', tok - 1n], ['above', tok + 1n], ['far', tok + 1_000_000n]]), 'above');
    t.equal(at([['below', tok - 2n], ['below2', tok - 1n], ['far', tok + 1_000_000n]]), 'far');
  }
  t.ok(tested >= 90, `${tested} keys had indistinguishable neighbours`);
});

// Property tests over random rings (1-200 nodes, 1-256 tokens each, 1-5 datacenters, several
// racks): replicas are distinct, there are min(factor, nodes) of them per datacenter, racks are
// distinct where there are enough, the ranges cover the token space exactly once, and placement
// equals the brute-force reference. Each ring's seed is printed on failure.
import t from 'tap';
import { SeededRandom } from '../../src/seams/index.js';
import {
  DEFAULT_PARTITIONER,
  MAX_TOKEN,
  MIN_TOKEN,
  MURMUR3_PARTITIONER,
  RING_SIZE,
  Ring,
  networkTopologyStrategy,
  rangeContains,
  rangeTokenCount,
  simpleStrategy,
  type Endpoint,
  type ReplicationStrategy,
} from '../../src/ring/index.js';
import { randomFactors, randomMembers, randomShape, referenceFor } from './reference.js';

const RINGS = 36;
const TIME_BUDGET_MS = 20_000;

function ids(list: readonly Endpoint[]): string[] {
  return list.map((e) => e.hostId);
}

t.test('random rings: coverage, placement properties, and the brute-force reference', async (t) => {
  const started = Date.now();
  let checkedRings = 0;
  for (let n = 0; n < RINGS && Date.now() - started < TIME_BUDGET_MS; n++) {
    const seed = 1000 + n;
    const random = new SeededRandom(seed);
    const shape = n === 0 ? { nodes: 200, tokensPerNode: 256, datacenters: 5, racksPerDc: 4 } : n === 1 ? { nodes: 1, tokensPerNode: 1, datacenters: 1, racksPerDc: 1 } : randomShape(random);
    const members = randomMembers(random, shape);
    const partitioner = random.int(2) === 0 ? DEFAULT_PARTITIONER : MURMUR3_PARTITIONER;
    const ring = Ring.create(partitioner, members);
    const where = `seed ${seed} (${shape.nodes} nodes x ${shape.tokensPerNode} tokens, ${shape.datacenters} dcs, ${shape.racksPerDc} racks)`;
    const failures: string[] = [];
    const check = (ok: boolean, what: string): void => {
      if (!ok && failures.length < 5) failures.push(what);
    };

    // Coverage: consecutive (left, right] ranges, ascending rights, sizes summing to 2^64.
    const ranges = ring.ranges();
    const tokens = ring.tokens();
    check(ranges.length === shape.nodes * shape.tokensPerNode, 'one range per token');
    let total = 0n;
    for (let i = 0; i < ranges.length; i++) {
      total += rangeTokenCount(ranges[i]!);
      check(ranges[i]!.right === tokens[i], `range ${i} ends at token ${i}`);
      check(ranges[i]!.left === ranges[(i + ranges.length - 1) % ranges.length]!.right, `range ${i} starts where ${i - 1} ends`);
      if (i > 0) check(tokens[i - 1]! < tokens[i]!, 'tokens ascend');
    }
    check(total === RING_SIZE, `sizes sum to 2^64, got ${total}`);
    // Every probe token lies in exactly one range, the one rangeIndexOf names.
    const probes = [MIN_TOKEN, MIN_TOKEN + 1n, MAX_TOKEN, 0n];
    for (let k = 0; k < 30; k++) {
      const tok = tokens[random.int(tokens.length)]!;
      probes.push(tok, tok - 1n, tok + 1n, random.bytes(8).readBigInt64LE(0));
    }
    for (const p of probes) {
      if (p < MIN_TOKEN || p > MAX_TOKEN) continue;
      const holders = ranges.length <= 4096 ? ranges.filter((r) => rangeContains(r, p)).length : 1;
      check(holders === 1, `token ${p} lies in ${holders} ranges`);
      check(rangeContains(ranges[ring.rangeIndexOf(p)]!, p), `rangeIndexOf(${p}) names its range`);
    }

    const dcNodes = new Map<string, Endpoint[]>();
    for (const e of ring.owningEndpoints()) dcNodes.set(e.datacenter, [...(dcNodes.get(e.datacenter) ?? []), e]);
    const strategies: ReplicationStrategy[] = [simpleStrategy(1 + random.int(5)), networkTopologyStrategy(randomFactors(random, shape.datacenters))];

    for (const strategy of strategies) {
      // All ranges on small rings, a sample on big ones.
      const indexes = ranges.length <= 3000 ? ranges.map((_, i) => i) : Array.from({ length: 3000 }, () => random.int(ranges.length));
      for (const i of indexes) {
        const reps = ring.replicasAt(i, strategy);
        check(new Set(ids(reps)).size === reps.length, `range ${i}: replicas distinct`);
        if (strategy.kind === 'SimpleStrategy') {
          check(reps.length === Math.min(strategy.replicationFactor, shape.nodes), `range ${i}: ${reps.length} replicas for rf ${strategy.replicationFactor}`);
          check(reps[0] === ring.ownerAt(i), `range ${i}: the owner is the first replica`);
        } else if (strategy.kind === 'NetworkTopologyStrategy') {
          for (const [dc, nodes] of dcNodes) {
            const rf = strategy.factors[dc] ?? 0;
            const inDc = reps.filter((e) => e.datacenter === dc);
            check(inDc.length === Math.min(rf, nodes.length), `range ${i}: ${inDc.length} replicas in ${dc} for rf ${rf}, ${nodes.length} nodes`);
            const racks = new Set(nodes.map((e) => e.rack)).size;
            const usedRacks = new Set(inDc.map((e) => e.rack)).size;
            check(usedRacks === Math.min(inDc.length, racks), `range ${i}: ${usedRacks} racks used in ${dc}, ${racks} available`);
          }
          check(reps.every((e) => (strategy.factors[e.datacenter] ?? 0) > 0), `range ${i}: only datacenters with a factor`);
        }
      }
      // The brute-force reference, on ring tokens, their neighbours and random tokens.
      const referenceReplicas = referenceFor(members);
      for (const p of probes) {
        if (p < MIN_TOKEN || p > MAX_TOKEN) continue;
        const want = referenceReplicas(p, strategy);
        const got = ids(ring.replicasFor(p, strategy));
        check(JSON.stringify(got) === JSON.stringify(want), `${strategy.key} at ${p}: ${got} vs reference ${want}`);
      }
      // Keys: hashing + search equals the exact token path.
      for (let k = 0; k < 200; k++) {
        const key = random.bytes(random.int(40));
        check(ring.replicasForKey(key, strategy) === ring.replicasFor(partitioner.tokenOf(key), strategy), 'replicasForKey agrees with replicasFor(tokenOf)');
      }
      // Ownership: replicated fractions sum to the replicas placed per range.
      const own = ring.ownership(strategy);
      let sum = 0;
      for (const v of own.values()) sum += v;
      let perRange = 0;
      if (strategy.kind === 'SimpleStrategy') perRange = Math.min(strategy.replicationFactor, shape.nodes);
      else if (strategy.kind === 'NetworkTopologyStrategy') for (const [dc, nodes] of dcNodes) perRange += Math.min(strategy.factors[dc] ?? 0, nodes.length);
      check(Math.abs(sum - perRange) < 1e-9 * Math.max(1, perRange), `ownership sums to ${perRange}, got ${sum}`);
    }
    let primary = 0;
    for (const v of ring.ownership().values()) primary += v;
    check(Math.abs(primary - 1) < 1e-9, `primary ownership sums to 1, got ${primary}`);

    t.same(failures, [], where);
    checkedRings++;
  }
  t.ok(checkedRings >= 10, `checked ${checkedRings} rings within the time budget`);
});

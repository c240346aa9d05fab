// Shared by the ring property tests: a random ring generator and a brute-force reference for
// replica placement, written independently of src/ring/placement.ts (per datacenter, linear
// scans, sets of strings). Run directly, it checks the reference itself on hand-worked rings.
import t from 'tap';
import { pathToFileURL } from 'node:url';
import type { SeededRandom } from '../../src/seams/index.js';
import { endpoint, type Endpoint, type ReplicationStrategy, type RingMember } from '../../src/ring/index.js';

export interface RandomRingShape {
  nodes: number;
  tokensPerNode: number;
  datacenters: number;
  racksPerDc: number;
}

export function randomShape(random: SeededRandom): RandomRingShape {
  // Mostly moderate rings, sometimes the extremes (1-200 nodes, 1-256 tokens each).
  const pick = random.int(10);
  const nodes = pick === 0 ? 200 : pick === 1 ? 1 : 1 + random.int(60);
  const tokensPerNode = pick === 0 ? 1 + random.int(256) : pick === 2 ? 256 : 1 + random.int(32);
  return { nodes, tokensPerNode, datacenters: 1 + random.int(5), racksPerDc: 1 + random.int(4) };
}

export function hostId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

/** Members with distinct random tokens; datacenters and racks assigned at random. */
export function randomMembers(random: SeededRandom, shape: RandomRingShape): RingMember[] {
  const used = new Set<bigint>();
  const members: RingMember[] = [];
  for (let i = 0; i < shape.nodes; i++) {
    const tokens: bigint[] = [];
    while (tokens.length < shape.tokensPerNode) {
      const tok = random.bytes(8).readBigInt64LE(0);
      if (used.has(tok)) continue;
      used.add(tok);
      tokens.push(tok);
    }
    const ep = endpoint({
      hostId: hostId(i),
      address: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
      datacenter: `dc${1 + random.int(shape.datacenters)}`,
      rack: `r${1 + random.int(shape.racksPerDc)}`,
    });
    members.push({ endpoint: ep, tokens });
  }
  return members;
}

/** A random strategy over datacenters dc1..dc(n+1) (one may be absent from the ring). */
export function randomFactors(random: SeededRandom, datacenters: number): Record<string, number> {
  const factors: Record<string, number> = {};
  for (let d = 1; d <= datacenters + 1; d++) if (random.int(4) > 0) factors[`dc${d}`] = random.int(5);
  return factors;
}

/**
 * The natural replicas of `token`, by brute force: list the owners clockwise from the first token
 * >= `token`, then choose per datacenter (distinct racks first, Cassandra's rack repeats when a
 * datacenter has fewer racks than its factor), ordered by first appearance.
 */
export function referenceReplicas(members: readonly RingMember[], token: bigint, strategy: ReplicationStrategy): string[] {
  return referenceFor(members)(token, strategy);
}

/** referenceReplicas with the token list sorted once, for many queries on one ring. */
export function referenceFor(members: readonly RingMember[]): (token: bigint, strategy: ReplicationStrategy) => string[] {
  const owning = members.filter((m) => m.endpoint.status !== 'JOINING');
  const pairs: Array<[bigint, Endpoint]> = [];
  for (const m of owning) for (const tok of m.tokens) pairs.push([tok, m.endpoint]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return (token, strategy) => (pairs.length === 0 ? [] : bruteForce(owning, pairs, token, strategy));
}

function bruteForce(owning: readonly RingMember[], pairs: ReadonlyArray<[bigint, Endpoint]>, token: bigint, strategy: ReplicationStrategy): string[] {
  let start = pairs.findIndex(([tok]) => tok >= token);
  if (start < 0) start = 0;
  const walk: Endpoint[] = [];
  for (let k = 0; k < pairs.length; k++) walk.push(pairs[(start + k) % pairs.length]![1]);
  const firstSeen = new Map<string, number>();
  walk.forEach((e, i) => {
    if (!firstSeen.has(e.hostId)) firstSeen.set(e.hostId, i);
  });

  let chosen: string[] = [];
  if (strategy.kind === 'SimpleStrategy') {
    chosen = [...firstSeen.keys()].slice(0, strategy.replicationFactor);
  } else if (strategy.kind === 'NetworkTopologyStrategy') {
    for (const [dc, rf] of Object.entries(strategy.factors)) {
      const inDc = owning.filter((m) => m.endpoint.datacenter === dc).map((m) => m.endpoint);
      if (rf <= 0 || inDc.length === 0) continue;
      const racks = new Set(inDc.map((e) => e.rack));
      const need = Math.min(rf, inDc.length);
      let repeats = rf - racks.size;
      const seenRacks = new Set<string>();
      const mine: string[] = [];
      for (const e of walk) {
        if (mine.length === need) break;
        if (e.datacenter !== dc) continue;
        if (!seenRacks.has(e.rack)) {
          seenRacks.add(e.rack);
          mine.push(e.hostId);
        } else if (repeats > 0 && !mine.includes(e.hostId)) {
          mine.push(e.hostId);
          repeats--;
        }
      }
      chosen.push(...mine);
    }
  } else {
    throw new Error('no reference for LocalStrategy');
  }
  return chosen.sort((a, b) => firstSeen.get(a)! - firstSeen.get(b)!);
}

// Run directly: the reference agrees with placements worked out by hand.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const m = (id: string, dc: string, rack: string, tokens: bigint[]): RingMember => ({
    endpoint: endpoint({ hostId: id, address: id, datacenter: dc, rack }),
    tokens,
  });
  t.test('the brute-force reference on hand-worked rings', async (t) => {
    const simple = [m('a', 'dc1', 'r1', [0n]), m('b', 'dc1', 'r1', [10n]), m('c', 'dc1', 'r1', [20n, 30n])];
    t.same(referenceReplicas(simple, 5n, { kind: 'SimpleStrategy', replicationFactor: 2, key: 's2' }), ['b', 'c']);
    t.same(referenceReplicas(simple, 31n, { kind: 'SimpleStrategy', replicationFactor: 5, key: 's5' }), ['a', 'b', 'c']);
    t.same(referenceReplicas(simple, 25n, { kind: 'SimpleStrategy', replicationFactor: 2, key: 's2' }), ['c', 'a']);
    // dc1 walk from 1: b(r1) c(r1) d(r2) a(r1); rf 2 with 2 racks: b, then d (c's rack is taken).
    const racks = [m('a', 'dc1', 'r1', [0n]), m('b', 'dc1', 'r1', [10n]), m('c', 'dc1', 'r1', [20n]), m('d', 'dc1', 'r2', [30n]), m('x', 'dc2', 'r1', [15n])];
    const nts = (f: Record<string, number>): ReplicationStrategy => ({ kind: 'NetworkTopologyStrategy', factors: f, key: JSON.stringify(f) });
    t.same(referenceReplicas(racks, 1n, nts({ dc1: 2 })), ['b', 'd']);
    // rf 3 with 2 racks: one rack repeat allowed, taken by the first node met after b: c.
    t.same(referenceReplicas(racks, 1n, nts({ dc1: 3 })), ['b', 'c', 'd']);
    t.same(referenceReplicas(racks, 1n, nts({ dc1: 1, dc2: 1 })), ['b', 'x']);
    t.same(referenceReplicas(racks, 1n, nts({ dc2: 5, dc3: 2 })), ['x']);
  });
}

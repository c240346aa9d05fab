// bench:ring — the token ring's hot path and its planners, on a 100-node x 16-token ring in two
// datacenters (50 nodes each, 3 racks each) under NetworkTopologyStrategy {dc1: 3, dc2: 3}:
// - replica lookups per second for random partition keys, hashing included, for each partitioner
//   (beside it, for reference, the DataStax driver's own Murmur3 tokenizer hashing alone);
// - the time to plan one join (pending ranges and streams) on that ring;
// - the max/min replicated-ownership ratio that the balancing and the random allocators reach.
// Ends with one JSON line.
import { createRequire } from 'node:module';
import { SeededRandom } from '../src/seams/index.js';
import {
  DEFAULT_PARTITIONER,
  MURMUR3_PARTITIONER,
  Ring,
  allocateBalancedTokens,
  allocateRandomTokens,
  endpoint,
  networkTopologyStrategy,
  ownershipSpread,
  planMovements,
  type Endpoint,
  type Partitioner,
  type ReplicationStrategy,
} from '../src/ring/index.js';

const NODES = 100;
const TOKENS = 16;
const KEYS = 1 << 16;
const LOOKUP_SECONDS = Number(process.env.BENCH_LOOKUP_SECONDS ?? 2);
const STRATEGY = networkTopologyStrategy({ dc1: 3, dc2: 3 });

function nodeEndpoint(i: number): Endpoint {
  const hex = i.toString(16).padStart(12, '0');
  return endpoint({
    hostId: `00000000-0000-4000-8000-${hex}`,
    address: `10.0.${i >> 8}.${i & 255}`,
    datacenter: i % 2 === 0 ? 'dc1' : 'dc2',
    rack: `rack${(Math.floor(i / 2) % 3) + 1}`,
  });
}

function buildRing(partitioner: Partitioner, balanced: boolean, seed: number): Ring {
  const random = new SeededRandom(seed);
  let ring = Ring.empty(partitioner);
  for (let i = 0; i < NODES; i++) {
    const ep = nodeEndpoint(i);
    const tokens = balanced ? allocateBalancedTokens(ring, ep, TOKENS, 3, { random }) : allocateRandomTokens(ring, TOKENS, random);
    ring = ring.withEndpoint(ep, tokens);
  }
  return ring;
}

function makeKeys(seed: number): Buffer[] {
  const random = new SeededRandom(seed);
  const keys: Buffer[] = [];
  for (let i = 0; i < KEYS; i++) keys.push(random.bytes(8 + random.int(33)));
  return keys;
}

/** Operations per second of `op` over the keys, run for about `seconds` after a warm-up. */
function rate(keys: Buffer[], seconds: number, op: (key: Buffer) => unknown): number {
  const mask = keys.length - 1;
  let sink = 0;
  for (let i = 0; i < 200_000; i++) if (op(keys[i & mask]!) !== undefined) sink++;
  let done = 0;
  const start = performance.now();
  let elapsedMs = 0;
  while (elapsedMs < seconds * 1000) {
    for (let i = 0; i < 100_000; i++) if (op(keys[(done + i) & mask]!) !== undefined) sink++;
    done += 100_000;
    elapsedMs = performance.now() - start;
  }
  if (sink === 0) throw new Error('the lookups returned nothing');
  return done / (elapsedMs / 1000);
}

function lookupRate(ring: Ring, keys: Buffer[], strategy: ReplicationStrategy): number {
  return rate(keys, LOOKUP_SECONDS, (key) => ring.replicasForKey(key, strategy)[0]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Plan one join into a ring whose memo is cold (as right after a ring change) or warm. */
function joinPlanMs(ring: Ring, warm: boolean): { ms: number; changes: number; streams: number } {
  const joiner = endpoint({ hostId: 'ffffffff-0000-4000-8000-000000000000', address: '10.9.9.9', datacenter: 'dc1', rack: 'rack1' });
  const tokens = allocateBalancedTokens(ring, joiner, TOKENS, 3);
  const times: number[] = [];
  let changes = 0;
  let streams = 0;
  for (let i = 0; i < 15; i++) {
    const before = Ring.create(ring.partitioner, ring.members());
    if (warm) for (let r = 0; r < before.tokenCount; r++) before.replicasAt(r, STRATEGY);
    const start = performance.now();
    const plan = planMovements(before, [{ kind: 'join', endpoint: joiner, tokens }], STRATEGY);
    times.push(performance.now() - start);
    changes = plan.changes.length;
    streams = plan.streams.length;
  }
  return { ms: median(times), changes, streams };
}

function row(name: string, value: string): string {
  return `  ${name.padEnd(58)} ${value.padStart(14)}`;
}

function main(): void {
  const t0 = performance.now();
  const balanced = buildRing(DEFAULT_PARTITIONER, true, 1);
  const buildMs = performance.now() - t0;
  const random = buildRing(DEFAULT_PARTITIONER, false, 2);
  const balancedRatio = ownershipSpread(balanced, STRATEGY).ratio;
  const randomRatio = ownershipSpread(random, STRATEGY).ratio;

  const keys = makeKeys(3);
  const murmurRing = Ring.create(MURMUR3_PARTITIONER, balanced.members());
  const xxLookups = lookupRate(balanced, keys, STRATEGY);
  const murmurLookups = lookupRate(murmurRing, keys, STRATEGY);

  const require = createRequire(import.meta.url);
  const { Murmur3Tokenizer } = require('cassandra-driver/lib/tokenizer.js') as { Murmur3Tokenizer: new () => { hash(b: Buffer): unknown } };
  const driverTokenizer = new Murmur3Tokenizer();
  const driverHashes = rate(keys, LOOKUP_SECONDS / 2, (key) => driverTokenizer.hash(key));

  const cold = joinPlanMs(balanced, false);
  const warm = joinPlanMs(balanced, true);

  console.log(`ring: ${NODES} nodes x ${TOKENS} tokens, dc1/dc2 x 3 racks, NetworkTopologyStrategy {dc1: 3, dc2: 3}`);
  console.log(row('replica lookups/s, XxHash64Partitioner (hash included)', Math.round(xxLookups).toLocaleString('en-US')));
  console.log(row('replica lookups/s, Murmur3Partitioner (hash included)', Math.round(murmurLookups).toLocaleString('en-US')));
  console.log(row('reference: cassandra-driver Murmur3Tokenizer.hash/s alone', Math.round(driverHashes).toLocaleString('en-US')));
  console.log(row('plan one join, cold replica memo (ms, median of 15)', cold.ms.toFixed(2)));
  console.log(row('plan one join, warm replica memo (ms, median of 15)', warm.ms.toFixed(2)));
  console.log(row('  ranges changed / streams', `${cold.changes} / ${cold.streams}`));
  console.log(row('ownership max/min, balanced allocator (worst dc)', balancedRatio.toFixed(3)));
  console.log(row('ownership max/min, random allocator (worst dc)', randomRatio.toFixed(3)));
  console.log(row('build the balanced 100-node ring, one node at a time (ms)', buildMs.toFixed(0)));
  console.log(
    JSON.stringify({
      replica_lookups_s: Math.round(xxLookups),
      murmur3_replica_lookups_s: Math.round(murmurLookups),
      pending_ranges_ms: Number(cold.ms.toFixed(3)),
      balanced_owner_ratio: Number(balancedRatio.toFixed(4)),
      random_owner_ratio: Number(randomRatio.toFixed(4)),
    }),
  );
}

main();

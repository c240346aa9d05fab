// Range movements: a join moves only the ranges the new node takes (about 1/N of the data), a
// decommission sends every range the leaving node held to exactly the endpoint that gains it, a
// removal re-replicates every range that lost a replica; pending endpoints keep every write that
// lands during the movement on its future replicas; conflicting movements are refused.
import t from 'tap';
import { SeededRandom } from '../../src/seams/index.js';
import {
  DEFAULT_PARTITIONER,
  RING_SIZE,
  Ring,
  allocateBalancedTokens,
  allocateRandomTokens,
  endpoint,
  networkTopologyStrategy,
  planMovements,
  rangeContains,
  rangeTokenCount,
  simpleStrategy,
  type Endpoint,
  type Movement,
  type MovementPlan,
  type ReplicationStrategy,
} from '../../src/ring/index.js';
import { randomFactors, randomMembers } from './reference.js';

const ids = (list: readonly Endpoint[]): string[] => list.map((e) => e.hostId).sort();
const has = (list: readonly Endpoint[], id: string): boolean => list.some((e) => e.hostId === id);

/** Every fine boundary and a few random tokens: where the plan's promises are checked. */
function probeTokens(plan: MovementPlan, random: SeededRandom): bigint[] {
  const out: bigint[] = [];
  for (const tok of [...plan.before.tokens(), ...plan.after.tokens()]) out.push(tok, tok - 1n, tok + 1n);
  for (let i = 0; i < 200; i++) out.push(random.bytes(8).readBigInt64LE(0));
  return out.filter((x) => x >= -(2n ** 63n) && x < 2n ** 63n);
}

/** Checks that hold for every plan; returns the failures (at most a few). */
function planInvariants(plan: MovementPlan, strategy: ReplicationStrategy, random: SeededRandom, dead: ReadonlySet<string>): string[] {
  const failures: string[] = [];
  const fail = (s: string): void => {
    if (failures.length < 5) failures.push(s);
  };
  for (const tok of probeTokens(plan, random)) {
    const before = plan.before.tokenCount > 0 ? plan.before.replicasFor(tok, strategy) : [];
    const after = plan.after.replicasFor(tok, strategy);
    const pending = plan.pendingFor(tok);
    const gained = after.filter((e) => !has(before, e.hostId));
    if (JSON.stringify(ids(pending)) !== JSON.stringify(ids(gained))) fail(`at ${tok}: pending ${ids(pending)} but ${ids(gained)} gain it`);
    // No write lost: natural + pending covers every future replica.
    for (const e of after) if (!has(before, e.hostId) && !has(pending, e.hostId)) fail(`at ${tok}: future replica ${e.hostId} gets no writes`);
    const inChange = plan.changes.find((c) => rangeContains(c.range, tok));
    const changed = JSON.stringify(ids(before)) !== JSON.stringify(ids(after));
    if (changed !== (inChange !== undefined)) fail(`at ${tok}: changed=${changed} but listed=${inChange !== undefined}`);
  }
  for (const c of plan.changes) {
    const dests = [...c.streams.map((s) => s.destination.hostId), ...c.unsourced.map((e) => e.hostId)].sort();
    if (JSON.stringify(dests) !== JSON.stringify(ids(c.pending))) fail(`change ${c.range.left}: streams reach ${dests}, pending ${ids(c.pending)}`);
    for (const s of c.streams) {
      if (!has(c.before, s.source.hostId)) fail(`change ${c.range.left}: source ${s.source.hostId} did not hold the range`);
      if (dead.has(s.source.hostId)) fail(`change ${c.range.left}: streams from removed ${s.source.hostId}`);
    }
  }
  return failures;
}

function leavingFree(ring: Ring): Set<string> {
  return new Set(ring.endpoints().filter((e) => e.status === 'REMOVING').map((e) => e.hostId));
}

t.test('random rings: join, decommission and removal plans keep their promises', async (t) => {
  const started = Date.now();
  let checked = 0;
  for (let n = 0; n < 30 && Date.now() - started < 15_000; n++) {
    const seed = 5000 + n;
    const random = new SeededRandom(seed);
    const shape = { nodes: 6 + random.int(40), tokensPerNode: 1 + random.int(24), datacenters: 1 + random.int(3), racksPerDc: 1 + random.int(3) };
    const members = randomMembers(random, shape);
    const ring = Ring.create(DEFAULT_PARTITIONER, members);
    const strategy: ReplicationStrategy = random.int(2) === 0 ? simpleStrategy(1 + random.int(4)) : networkTopologyStrategy(randomFactors(random, shape.datacenters));
    const kind = (['join', 'leave', 'remove'] as const)[n % 3]!;
    const target = members[random.int(members.length)]!.endpoint;
    const joiner = endpoint({ hostId: 'ffffffff-0000-4000-8000-000000000001', address: 'x', datacenter: `dc${1 + random.int(shape.datacenters)}`, rack: 'r1' });
    const movement: Movement =
      kind === 'join' ? { kind, endpoint: joiner, tokens: allocateRandomTokens(ring, shape.tokensPerNode, random) } : { kind, hostId: target.hostId };
    const where = `seed ${seed}: ${kind} on ${shape.nodes}x${shape.tokensPerNode}, ${strategy.key}`;
    let plan: MovementPlan;
    try {
      plan = planMovements(ring, [movement], strategy, { force: true });
    } catch (e) {
      t.fail(`${where}: ${(e as Error).message}`);
      continue;
    }
    const dead = new Set(kind === 'remove' ? [target.hostId] : []);
    t.same(planInvariants(plan, strategy, random, dead), [], where);
    const mover = kind === 'join' ? joiner.hostId : target.hostId;
    const probe = probeTokens(plan, random);
    if (kind === 'join') {
      // Only the ranges the new node takes change, and only it gains them.
      const bad = probe.filter((tok) => {
        const gains = has(plan.after.replicasFor(tok, strategy), mover);
        const listed = plan.changes.some((c) => rangeContains(c.range, tok));
        return gains !== listed;
      });
      t.same(bad.slice(0, 3), [], `${where}: changes are exactly the ranges the new node takes`);
      t.ok(plan.changes.every((c) => c.pending.length === 1 && c.pending[0]!.hostId === mover), `${where}: the new node is the only gainer`);
    } else {
      // Every range the node held changes; each is streamed to exactly the endpoint that gains it.
      const bad = probe.filter((tok) => has(ring.replicasFor(tok, strategy), mover) !== plan.changes.some((c) => rangeContains(c.range, tok)));
      t.same(bad.slice(0, 3), [], `${where}: changes are exactly the ranges the node held`);
      for (const c of plan.changes) {
        const gainers = c.after.filter((e) => !has(c.before, e.hostId));
        if (gainers.length !== c.pending.length || gainers.length > 1) t.fail(`${where}: ${gainers.length} gainers`);
        if (kind === 'leave') {
          if (!c.streams.every((s) => s.source.hostId === mover)) t.fail(`${where}: a decommission streams from the leaving node`);
          if (c.streams.length !== gainers.length) t.fail(`${where}: one stream per gainer`);
        } else if (c.streams.length + c.unsourced.length !== gainers.length) t.fail(`${where}: removal re-replicates each range`);
      }
    }
    checked++;
  }
  t.ok(checked >= 12, `checked ${checked} plans`);
});

// A 20-node, 16-token ring under SimpleStrategy rf 3, with balanced tokens.
function balancedRing(nodes: number, strategyRf: number, dcOf: (i: number) => string = () => 'dc1'): Ring {
  let ring = Ring.empty(DEFAULT_PARTITIONER);
  for (let i = 0; i < nodes; i++) {
    const e = endpoint({ hostId: `n${String(i).padStart(3, '0')}`, address: `10.0.0.${i}`, datacenter: dcOf(i), rack: 'r1' });
    ring = ring.withEndpoint(e, allocateBalancedTokens(ring, e, 16, strategyRf));
  }
  return ring;
}

t.test('a join moves about 1/N of the data, all of it to the new node, from the nodes that lose it', async (t) => {
  const ring = balancedRing(20, 3);
  const strategy = simpleStrategy(3);
  const joiner = endpoint({ hostId: 'new', address: '10.0.1.1', datacenter: 'dc1', rack: 'r1' });
  const plan = planMovements(ring, [{ kind: 'join', endpoint: joiner, tokens: allocateBalancedTokens(ring, joiner, 16, 3) }], strategy);
  let moved = 0n;
  for (const s of plan.streams) {
    t.equal(s.destination, 'new');
    moved += rangeTokenCount(s.range);
  }
  for (const c of plan.changes) {
    t.equal(c.streams.length, 1);
    const source = c.streams[0]!.source;
    t.ok(has(c.before, source.hostId) && !has(c.after, source.hostId), 'the source is the replica that loses the range');
  }
  const share = Number(moved) / Number(RING_SIZE) / 3;
  t.ok(share > 0.8 / 21 && share < 1.2 / 21, `moved ${(share * 100).toFixed(2)}% of the data, 1/N = ${(100 / 21).toFixed(2)}%`);
  let owned = 0n;
  plan.after.ranges().forEach((r, i) => {
    if (has(plan.after.replicasAt(i, strategy), 'new')) owned += rangeTokenCount(r);
  });
  t.equal(moved, owned, 'exactly the tokens the new node will own');
});

t.test('a join in one datacenter changes nothing in the other', async (t) => {
  const ring = balancedRing(12, 2, (i) => (i % 2 === 0 ? 'dc1' : 'dc2'));
  const strategy = networkTopologyStrategy({ dc1: 2, dc2: 2 });
  const joiner = endpoint({ hostId: 'new', address: 'n', datacenter: 'dc2', rack: 'r1' });
  const plan = planMovements(ring, [{ kind: 'join', endpoint: joiner, tokens: allocateBalancedTokens(ring, joiner, 16, 2) }], strategy);
  t.ok(plan.changes.length > 0);
  for (const c of plan.changes) {
    t.same(ids(c.before.filter((e) => e.datacenter === 'dc1')), ids(c.after.filter((e) => e.datacenter === 'dc1')));
    for (const s of c.streams) t.equal(s.source.datacenter, 'dc2', 'streams come from the same datacenter');
  }
});

t.test('decommission and removal, hand-worked', async (t) => {
  // a:0 b:10 c:20 d:30, rf 2.
  const ring = Ring.create(DEFAULT_PARTITIONER, ['a', 'b', 'c', 'd'].map((id, i) => ({ endpoint: endpoint({ hostId: id, address: id }), tokens: [BigInt(i * 10)] })));
  const rf2 = simpleStrategy(2);
  const leave = planMovements(ring, [{ kind: 'leave', hostId: 'b' }], rf2);
  // b held (30, 0] (a, b) and (0, 10] (b, c); without b: (30, 0] -> a, c and (0, 20] -> c, d.
  // Changes come in token order of their right ends, so the wrapping range is first.
  t.same(
    leave.changes.map((c) => [c.range.left, c.range.right, ids(c.pending), c.streams.map((s) => `${s.source.hostId}->${s.destination.hostId}`)]),
    [
      [30n, 0n, ['c'], ['b->c']],
      [0n, 10n, ['d'], ['b->d']],
    ],
  );
  t.same(
    leave.streams.map((s) => [s.range.left, s.range.right, s.source, s.destination]),
    [
      [30n, 0n, 'b', 'c'],
      [0n, 10n, 'b', 'd'],
    ],
  );
  t.same(ids(leave.pendingFor(5n)), ['d']);
  t.same(ids(leave.pendingFor(15n)), []);
  t.same(ids(leave.pendingFor(-5n)), ['c'], 'wrap-around range');

  const removal = planMovements(ring, [{ kind: 'remove', hostId: 'b' }], rf2);
  t.same(
    removal.changes.map((c) => c.streams.map((s) => `${s.source.hostId}->${s.destination.hostId}`)),
    [['a->c'], ['c->d']],
    'the surviving replica streams, never the dead one',
  );
  // rf 1: the data lived only on the removed node.
  const lost = planMovements(ring, [{ kind: 'remove', hostId: 'b' }], simpleStrategy(1));
  t.same(lost.changes.map((c) => ids(c.unsourced)), [['c']]);
  t.same(lost.streams, []);
});

t.test('several movements at once when they do not conflict; refused with the reason when they do', async (t) => {
  // 12 nodes, one token each, 100 apart; rf 2.
  const members = Array.from({ length: 12 }, (_, i) => ({ endpoint: endpoint({ hostId: `n${i}`, address: `n${i}` }), tokens: [BigInt(i * 100)] }));
  const ring = Ring.create(DEFAULT_PARTITIONER, members);
  const rf2 = simpleStrategy(2);
  const join = (id: string, tok: bigint): Movement => ({ kind: 'join', endpoint: endpoint({ hostId: id, address: id }), tokens: [tok] });
  const both = planMovements(ring, [{ kind: 'leave', hostId: 'n2' }, join('x', 850n)], rf2);
  const leaveAlone = planMovements(ring, [{ kind: 'leave', hostId: 'n2' }], rf2);
  const joinAlone = planMovements(ring, [join('x', 850n)], rf2);
  t.same(
    both.streams.map((s) => [s.range.left, s.range.right, s.source, s.destination]),
    [...leaveAlone.streams, ...joinAlone.streams]
      .map((s) => [s.range.left, s.range.right, s.source, s.destination])
      .sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    'together they do what each does alone',
  );
  t.same(ids(both.pendingFor(850n)), ['x']);
  t.same(ids(both.pendingFor(150n)), ['n4'], '(100, 200] was n2, n3; it becomes n3, n4');

  const conflict = (movements: Movement[], reason: string, message: RegExp): void => {
    t.throws(() => planMovements(ring, movements, rf2), { name: 'MovementConflictError', code: 'MOVEMENT_CONFLICT', reason, message });
  };
  conflict([{ kind: 'leave', hostId: 'n2' }, join('x', 150n)], 'OVERLAPPING_RANGES', /decommission of n2 and join of x both change the replicas of/);
  // Alone, removing n3 leaves (0, 100] on n1, n2 and decommissioning n2 moves it to n1, n3;
  // together it would land on n1, n4, which neither plan streams there.
  conflict([{ kind: 'leave', hostId: 'n2' }, { kind: 'remove', hostId: 'n3' }], 'INTERACTING', /together place \(0, 100\] differently than each alone/);
  // Alone, decommissioning n2 would stream (100, 200] to n4, the node being removed.
  conflict([{ kind: 'leave', hostId: 'n2' }, { kind: 'remove', hostId: 'n4' }], 'INTERACTING', /\(100, 200\]/);
  t.ok(planMovements(ring, [{ kind: 'leave', hostId: 'n2' }, { kind: 'remove', hostId: 'n5' }], rf2).changes.length > 0, 'far enough apart');
  conflict([{ kind: 'leave', hostId: 'n2' }, { kind: 'remove', hostId: 'n2' }], 'SAME_ENDPOINT', /same endpoint/);
  conflict([{ kind: 'leave', hostId: 'zz' }], 'NOT_IN_RING', /owns no tokens/);
  conflict([join('n1', 150n)], 'ALREADY_IN_RING', /already in the ring as NORMAL/);
  conflict([join('x', 300n)], 'TOKEN_TAKEN', /token 300 already belongs to n3/);
  conflict([join('x', 150n), join('y', 150n)], 'TOKEN_TAKEN', /both claim token 150/);
  conflict([{ kind: 'join', endpoint: endpoint({ hostId: 'x', address: 'x' }), tokens: [] }], 'NO_TOKENS', /no tokens/);
  const two = Ring.create(DEFAULT_PARTITIONER, members.slice(0, 2));
  t.throws(() => planMovements(two, [{ kind: 'leave', hostId: 'n0' }], rf2), { reason: 'BELOW_REPLICATION_FACTOR', message: /leave 1 nodes for replication factor 2/ });
  t.ok(planMovements(two, [{ kind: 'leave', hostId: 'n0' }], rf2, { force: true }).changes.length > 0, 'force overrides');
  const one = Ring.create(DEFAULT_PARTITIONER, members.slice(0, 1));
  t.throws(() => planMovements(one, [{ kind: 'leave', hostId: 'n0' }], simpleStrategy(1), { force: true }), { reason: 'LAST_NODE', message: /leave no node in the ring/ });
  const nts = networkTopologyStrategy({ dc1: 3 });
  const dcRing = Ring.create(DEFAULT_PARTITIONER, members.slice(0, 3).map((m) => ({ ...m, endpoint: endpoint({ ...m.endpoint, datacenter: 'dc1' }) })));
  t.throws(() => planMovements(dcRing, [{ kind: 'remove', hostId: 'n1' }], nts), { reason: 'BELOW_REPLICATION_FACTOR', message: /2 nodes in dc1 for replication factor 3/ });
});

t.test('pending ranges from the ring statuses', async (t) => {
  const seed = 77;
  const random = new SeededRandom(seed);
  const members = randomMembers(random, { nodes: 15, tokensPerNode: 8, datacenters: 2, racksPerDc: 2 });
  const strategy = networkTopologyStrategy({ dc1: 2, dc2: 2 });
  const base = Ring.create(DEFAULT_PARTITIONER, members);
  t.ok(base.pendingRanges(strategy).isEmpty, 'no movement, no pending ranges');
  t.same(base.pendingRanges(strategy).pendingFor(0n), []);

  const joiner = endpoint({ hostId: 'j', address: 'j', datacenter: 'dc1', rack: 'r1', status: 'JOINING' });
  const joinTokens = allocateRandomTokens(base, 8, random);
  const joining = base.withEndpoint(joiner, joinTokens);
  const fromStatus = joining.pendingRanges(strategy);
  t.equal(joining.pendingRanges(strategy), fromStatus, 'memoised');
  const planned = planMovements(base, [{ kind: 'join', endpoint: joiner, tokens: joinTokens }], strategy);
  for (const tok of probeTokens(planned, random)) t.same(ids(fromStatus.pendingFor(tok)), ids(planned.pendingFor(tok)));
  for (let i = 0; i < 300; i++) {
    const key = random.bytes(1 + random.int(30));
    t.equal(fromStatus.pendingForKey(key), fromStatus.pendingFor(DEFAULT_PARTITIONER.tokenOf(key)));
  }

  // A leaving node and a removed one at once: the union keeps every write safe.
  const [l, r] = [members[0]!.endpoint.hostId, members[7]!.endpoint.hostId];
  const moving = base.withStatus(l, 'LEAVING').withStatus(r, 'REMOVING');
  const plan = moving.pendingRanges(strategy);
  t.ok(plan.changes.length > 0);
  t.same(planInvariants(plan, strategy, random, new Set([r])), [], `seed ${seed}`);
  t.ok(plan.streams.every((s) => s.source !== r), 'never streams from the removed node');
  t.notOk(plan.after.has(l) || plan.after.has(r));
  t.same(leavingFree(moving), new Set([r]));
});

t.test('pendingForKey settles tokens that round to the same double as a boundary', async (t) => {
  let tested = 0;
  for (let i = 0; i < 120; i++) {
    const key = Buffer.from(`tie-${i}`);
    const tok = DEFAULT_PARTITIONER.tokenOf(key);
    if (tok > 2n ** 62n || tok < -(2n ** 62n) || Number(tok - 1n) !== Number(tok + 1n)) continue;
    tested++;
    const ring = Ring.create(DEFAULT_PARTITIONER, [
      { endpoint: endpoint({ hostId: 'a', address: 'a' }), tokens: [tok - 1n] },
      { endpoint: endpoint({ hostId: 'b', address: 'b' }), tokens: [tok + 2n ** 40n] },
    ]);
    // x takes (tok - 1, tok + 1]: the key's token is inside, tok - 1 is not.
    const plan = planMovements(ring, [{ kind: 'join', endpoint: endpoint({ hostId: 'x', address: 'x' }), tokens: [tok + 1n] }], simpleStrategy(1));
    t.same(ids(plan.pendingForKey(key)), ['x']);
    t.same(ids(plan.pendingFor(tok - 1n)), []);
  }
  t.ok(tested >= 40, `${tested} keys tested`);
});

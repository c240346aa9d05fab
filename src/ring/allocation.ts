/**
 * Token allocation for a node about to join.
 *
 * - allocateRandomTokens: uniformly random tokens (Cassandra's default before 4.0). With 16
 *   tokens per node the ownership spread is wide (max/min often 1.5-2 and more).
 * - allocateBalancedTokens: chooses each token to even out the replicated ownership of the nodes
 *   in the new node's datacenter for a given replication factor (the idea of Cassandra's
 *   allocate_tokens_for_local_replication_factor). It models the datacenter as a ring of its own
 *   where the replicas of a range are the first `rf` distinct groups clockwise, a group being a
 *   rack when the datacenter has at least `rf` racks (NetworkTopologyStrategy then places one
 *   replica per rack), and a node otherwise. Greedy: each token goes where it lowers most the sum
 *   of squared distances of the nodes' ownership from their targets, plus a smaller term for
 *   ranges straying from the ideal size (without it the ring grows irregular and the spread
 *   creeps up as nodes are added), at the best split point of that range (a closed form: the cost
 *   is quadratic in the split point); then each of the new node's tokens is taken out and put
 *   back at its best place, twice.
 *   The first `rf` nodes of a datacenter own everything whatever their tokens, so for them it lays
 *   tokens on an even grid that interleaves them, the start the greedy phase works best from.
 */
import type { Endpoint } from './endpoint.js';
import { RingError } from './errors.js';
import type { Ring } from './ring.js';
import type { Random } from '../seams/index.js';
import type { ReplicationStrategy } from './strategy.js';
import { MIN_TOKEN, RING_SIZE, RING_SIZE_F64, type Token } from './token.js';

/** `count` random tokens, distinct from each other and from every token in the ring. */
export function allocateRandomTokens(ring: Ring, count: number, random: Random): Token[] {
  const taken = new Set<Token>();
  for (const m of ring.members()) for (const t of m.tokens) taken.add(t);
  const out: Token[] = [];
  while (out.length < count) {
    const t = ring.partitioner.randomToken(random);
    if (taken.has(t)) continue;
    taken.add(t);
    out.push(t);
  }
  return out.sort((a, b) => (a < b ? -1 : 1));
}

export interface BalancedOptions {
  /** Offset of the grid for the very first node of a datacenter; 0 when omitted. */
  readonly random?: Random;
  /** Re-placement passes over the new node's tokens (default 2). */
  readonly refinePasses?: number;
  /** Weight of the even-range-size term against the ownership term (default 0.3). */
  readonly rangeWeight?: number;
}

/** Offset of a token from MIN_TOKEN, in [0, 2^64). */
function pos(t: Token): bigint {
  return t - MIN_TOKEN;
}

function tokenAt(p: bigint): Token {
  return BigInt.asIntN(64, ((p % RING_SIZE) + RING_SIZE) % RING_SIZE + MIN_TOKEN);
}

/** The model: the datacenter's tokens, plus the new node's tokens as they are placed. */
class Model {
  tokens: Token[] = [];
  owner: number[] = [];
  size: number[] = [];
  replicas: number[][] = [];
  own: Float64Array;
  readonly groupOf: Int32Array;
  readonly rf: number;
  readonly nodeCount: number;
  /** Per-group stamps for walks. */
  private readonly groupStamp: Int32Array;
  private stamp = 0;

  constructor(tokens: Token[], owner: number[], groupOf: readonly number[], rf: number) {
    this.groupOf = Int32Array.from(groupOf);
    this.rf = rf;
    this.nodeCount = groupOf.length;
    this.own = new Float64Array(this.nodeCount);
    this.groupStamp = new Int32Array(Math.max(...groupOf) + 1);
    const order = tokens.map((_, i) => i).sort((a, b) => (tokens[a]! < tokens[b]! ? -1 : 1));
    this.tokens = order.map((i) => tokens[i]!);
    this.owner = order.map((i) => owner[i]!);
    this.recompute();
  }

  recompute(): void {
    const n = this.tokens.length;
    this.size = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const d = BigInt.asUintN(64, this.tokens[i]! - this.tokens[(i + n - 1) % n]!);
      this.size[i] = (d === 0n ? RING_SIZE_F64 : Number(d)) / RING_SIZE_F64;
    }
    this.replicas = new Array<number[]>(n);
    this.own.fill(0);
    for (let i = 0; i < n; i++) {
      const r = this.walk(i, -1, []);
      this.replicas[i] = r;
      for (const o of r) this.own[o]! += this.size[i]!;
    }
  }

  /**
   * Replicas: `out`'s nodes (already collected), then the first owner of each new group walking
   * clockwise from position `start`, until rf groups; stops early on reaching `stopBefore`.
   * Appends to and returns `out`.
   */
  walk(start: number, stopBefore: number, out: number[]): number[] {
    const gs = this.groupStamp;
    const st = ++this.stamp;
    for (const o of out) gs[this.groupOf[o]!] = st;
    const n = this.tokens.length;
    for (let k = 0, i = start; k < n && out.length < this.rf; k++, i = i + 1 === n ? 0 : i + 1) {
      if (i === stopBefore) break;
      const o = this.owner[i]!;
      const g = this.groupOf[o]!;
      if (gs[g] === st) continue;
      gs[g] = st;
      out.push(o);
    }
    return out;
  }

  insert(t: Token, o: number): void {
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tokens[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    this.tokens.splice(lo, 0, t);
    this.owner.splice(lo, 0, o);
    this.recompute();
  }

  remove(t: Token): void {
    const i = this.tokens.indexOf(t);
    this.tokens.splice(i, 1);
    this.owner.splice(i, 1);
    this.recompute();
  }
}

interface Choice {
  readonly range: number;
  readonly split: number;
  readonly gain: number;
}

/**
 * The best place for one more token of node x: for each range, the change in
 * sum((own - target)^2) when x's token splits it at the best point.
 */
function bestPlacement(m: Model, x: number, target: Float64Array, idealRange: number, rangeWeight: number): Choice | null {
  const n = m.tokens.length;
  const xg = m.groupOf[x]!;
  let best: Choice | null = null;
  // Per node: constant ownership change (delta) and change per unit of split (slope).
  const delta = new Float64Array(m.nodeCount);
  const slope = new Float64Array(m.nodeCount);
  const mark = new Uint8Array(m.nodeCount);
  const touched: number[] = [];
  const touch = (o: number): void => {
    if (mark[o] === 0) {
      mark[o] = 1;
      touched.push(o);
    }
  };
  for (let j = 0; j < n; j++) {
    const sj = m.size[j]!;
    // The new range (t[j-1], p]: x first, then the walk from j.
    const rNew = m.walk(j, -1, [x]);
    const rOld = m.replicas[j]!;
    for (const o of rNew) {
      touch(o);
      slope[o]! += 1;
    }
    for (const o of rOld) {
      touch(o);
      slope[o]! -= 1;
    }
    // Ranges before j whose walk reaches the new token before it has rf groups now meet x.
    for (let back = 1; back < n; back++) {
      const i = j - back < 0 ? j - back + n : j - back;
      const prefix = m.walk(i, j, []);
      if (prefix.length >= m.rf) break;
      let hasX = false;
      for (const o of prefix) if (m.groupOf[o] === xg) hasX = true;
      if (hasX) break;
      prefix.push(x);
      const rNewI = m.walk(j, -1, prefix);
      const si = m.size[i]!;
      for (const o of rNewI) {
        touch(o);
        delta[o]! += si;
      }
      for (const o of m.replicas[i]!) {
        touch(o);
        delta[o]! -= si;
      }
    }
    // cost(s) = sum over nodes of (e + c + a s)^2; minimise over 0 < s < sj.
    let num = 0;
    let den = 0;
    for (const o of touched) {
      const a = slope[o]!;
      num += a * (m.own[o]! - target[o]! + delta[o]!);
      den += a * a;
    }
    // Range-size term: w * ((s - r)^2 + (sj - s - r)^2 - (sj - r)^2), r the ideal range size.
    num += rangeWeight * (2 * idealRange - sj);
    den += rangeWeight * 2;
    let s = den > 0 ? -num / den : sj / 2;
    const margin = sj * 1e-3;
    if (s < margin) s = margin;
    if (s > sj - margin) s = sj - margin;
    let gain = 0;
    for (const o of touched) {
      const e = m.own[o]! - target[o]!;
      const v = e + delta[o]! + slope[o]! * s;
      gain += v * v - e * e;
      delta[o] = 0;
      slope[o] = 0;
      mark[o] = 0;
    }
    touched.length = 0;
    const r = idealRange;
    gain += rangeWeight * ((s - r) ** 2 + (sj - s - r) ** 2 - (sj - r) ** 2);
    if (best === null || gain < best.gain) best = { range: j, split: s, gain };
  }
  return best;
}

/** The token at fraction `split` (of the ring) past the start of range j, never an existing one. */
function splitToken(m: Model, j: number, split: number, taken: ReadonlySet<Token>): Token {
  const n = m.tokens.length;
  const left = m.tokens[(j + n - 1) % n]!;
  const right = m.tokens[j]!;
  const size = BigInt.asUintN(64, right - left) || RING_SIZE;
  let offset = BigInt(Math.round(split * RING_SIZE_F64));
  if (offset < 1n) offset = 1n;
  if (offset >= size) offset = size - 1n;
  let t = BigInt.asIntN(64, left + offset);
  while (taken.has(t) || t === MIN_TOKEN) t = BigInt.asIntN(64, t + 1n);
  return t;
}

/**
 * `count` tokens for `endpoint` that even out the replicated ownership of its datacenter for
 * `replicationFactor` replicas there. Deterministic for a given ring (and random, for a first node).
 */
export function allocateBalancedTokens(
  ring: Ring,
  endpoint: Endpoint,
  count: number,
  replicationFactor: number,
  options: BalancedOptions = {},
): Token[] {
  if (!Number.isSafeInteger(count) || count < 1) throw new RingError('BAD_RING', `token count must be a positive integer, found ${count}`);
  if (!Number.isSafeInteger(replicationFactor) || replicationFactor < 1) {
    throw new RingError('BAD_RING', `replication factor must be a positive integer, found ${replicationFactor}`);
  }
  const taken = new Set<Token>();
  for (const mem of ring.members()) for (const t of mem.tokens) taken.add(t);

  // The datacenter's nodes as they will be (joining ones in, leaving and removed ones out); the
  // new one last.
  const peers = ring
    .members()
    .filter(
      (mem) =>
        mem.endpoint.datacenter === endpoint.datacenter &&
        mem.endpoint.hostId !== endpoint.hostId &&
        (mem.endpoint.status === 'NORMAL' || mem.endpoint.status === 'JOINING'),
    );
  const racks = new Set([...peers.map((p) => p.endpoint.rack), endpoint.rack]);
  const byRack = racks.size >= replicationFactor && racks.size > 1;
  const nodes = [...peers.map((p) => p.endpoint), endpoint];
  const rackIds = new Map<string, number>();
  const groupOf = nodes.map((e, i) => {
    if (!byRack) return i;
    let g = rackIds.get(e.rack);
    if (g === undefined) rackIds.set(e.rack, (g = rackIds.size));
    return g;
  });
  const x = nodes.length - 1;
  const groups = new Set(groupOf).size;

  if (peers.length === 0) return evenGrid(count, 1, 0, 0n, options.random, taken);

  const tokens: Token[] = [];
  const owner: number[] = [];
  peers.forEach((p, i) => {
    for (const t of p.tokens) {
      tokens.push(t);
      owner.push(i);
    }
  });

  const rf = Math.min(replicationFactor, groups);
  let modelRf = rf;
  let modelGroups = groupOf;
  const target = new Float64Array(nodes.length).fill(rf / nodes.length);
  if (byRack && groups === rf) {
    // One replica in every rack: a node holds its share of its own rack's data.
    const rackSize = new Map<number, number>();
    for (const g of groupOf) rackSize.set(g, (rackSize.get(g) ?? 0) + 1);
    groupOf.forEach((g, i) => (target[i] = 1 / rackSize.get(g)!));
  } else if (!byRack && rf === groups) {
    // No more nodes than replicas: everyone owns everything whatever the tokens. Lay the
    // interleaved grid if the peers are on one, else even out primary ownership.
    const grid = gridSlot(tokens, owner, peers.length, count, replicationFactor);
    if (grid !== null) return evenGrid(count, replicationFactor, grid.slot, grid.base, undefined, taken);
    modelRf = 1;
    modelGroups = nodes.map((_, i) => i);
    target.fill(1 / nodes.length);
  }
  const m = new Model(tokens, owner, modelGroups, modelRf);
  const fair = target[x]!;
  const idealRange = 1 / (nodes.length * count);
  const rangeWeight = options.rangeWeight ?? 0.3;
  const mine: Token[] = [];
  for (let k = 1; k <= count; k++) {
    target[x] = (fair * k) / count;
    const choice = bestPlacement(m, x, target, idealRange, rangeWeight);
    if (choice === null) break;
    const t = splitToken(m, choice.range, choice.split, taken);
    taken.add(t);
    mine.push(t);
    m.insert(t, x);
  }
  target[x] = fair;
  const passes = options.refinePasses ?? 2;
  for (let pass = 0; pass < passes; pass++) {
    for (let k = 0; k < mine.length; k++) {
      const old = mine[k]!;
      m.remove(old);
      taken.delete(old);
      const choice = bestPlacement(m, x, target, idealRange, rangeWeight)!;
      const t = splitToken(m, choice.range, choice.split, taken);
      taken.add(t);
      mine[k] = t;
      m.insert(t, x);
    }
  }
  return mine.sort((a, b) => (a < b ? -1 : 1));
}

/**
 * Tokens base + (i * slots + slot) * (2^64 / (count * slots)) for i < count: node `slot` of the
 * first `slots` nodes of a datacenter, interleaved with the others.
 */
function evenGrid(count: number, slots: number, slot: number, base: bigint, random: Random | undefined, taken: ReadonlySet<Token>): Token[] {
  const step = RING_SIZE / BigInt(count * slots);
  let start = base;
  if (random !== undefined) start = BigInt(random.int(0x40000000)) * (step / 0x40000000n);
  const out: Token[] = [];
  for (let i = 0; i < count; i++) {
    let t = tokenAt(start + BigInt(i * slots + slot) * step);
    while (taken.has(t) || t === MIN_TOKEN || out.includes(t)) t = BigInt.asIntN(64, t + 1n);
    out.push(t);
  }
  return out.sort((a, b) => (a < b ? -1 : 1));
}

/**
 * If the peers' tokens lie on the interleaved grid of `slots` nodes with `count` tokens each, the
 * free slot and the grid's base; else null.
 */
function gridSlot(tokens: Token[], owner: number[], peers: number, count: number, slots: number): { slot: number; base: bigint } | null {
  if (tokens.length !== peers * count || peers >= slots) return null;
  const step = RING_SIZE / BigInt(count * slots);
  // Grid points are rounded divisions of 2^64; allow for that and for nudges off taken tokens.
  const tolerance = BigInt(count * slots) + 1024n;
  const base = pos(tokens.reduce((a, b) => (pos(a) % step < pos(b) % step ? a : b))) % step;
  const slotOwner = new Map<number, number>();
  for (let i = 0; i < tokens.length; i++) {
    const p = pos(tokens[i]!) - base;
    const index = p / step;
    if (p - index * step > tolerance) return null;
    const slot = Number(index % BigInt(slots));
    const o = slotOwner.get(slot);
    if (o !== undefined && o !== owner[i]) return null;
    slotOwner.set(slot, owner[i]!);
  }
  for (let slot = 0; slot < slots; slot++) if (!slotOwner.has(slot)) return { slot, base };
  return null;
}

/** Ownership spread of one datacenter's (or the whole ring's) owners under a strategy. */
export interface OwnershipSpread {
  readonly min: number;
  readonly max: number;
  /** max / min over the endpoints that should hold data; the worst datacenter for NTS. */
  readonly ratio: number;
}

/**
 * The spread of replicated ownership. With NetworkTopologyStrategy each datacenter with a
 * non-zero factor is measured on its own (its nodes share that datacenter's replicas) and the
 * worst ratio is reported.
 */
export function ownershipSpread(ring: Ring, strategy: ReplicationStrategy): OwnershipSpread {
  const own = ring.ownership(strategy);
  const byDc = new Map<string, number[]>();
  for (const e of ring.owningEndpoints()) {
    if (strategy.kind === 'NetworkTopologyStrategy' && (strategy.factors[e.datacenter] ?? 0) === 0) continue;
    const key = strategy.kind === 'NetworkTopologyStrategy' ? e.datacenter : '';
    const list = byDc.get(key) ?? [];
    list.push(own.get(e.hostId)!);
    byDc.set(key, list);
  }
  let min = Infinity;
  let max = 0;
  let ratio = 1;
  for (const list of byDc.values()) {
    const lo = Math.min(...list);
    const hi = Math.max(...list);
    min = Math.min(min, lo);
    max = Math.max(max, hi);
    ratio = Math.max(ratio, lo > 0 ? hi / lo : Infinity);
  }
  return { min: min === Infinity ? 0 : min, max, ratio };
}

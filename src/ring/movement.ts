/**
 * Range movements: what changes, range by range, when nodes join, leave (decommission) or are
 * removed (removenode, for a dead node), and how the data gets where it must be.
 *
 * A plan compares the ring before with the ring after. The "fine" ranges are those bounded by the
 * tokens of either ring, so each lies inside one range of both. For each fine range whose replica
 * set changes:
 * - pending: the endpoints that gain it. While the movement runs, writes go to the natural
 *   replicas AND to these, so nothing written during the streaming is lost (DESIGN.md).
 * - streams: one (source -> destination) per gaining endpoint. The source is a replica that loses
 *   the range: in a decommission the leaving node itself, which streams its own data out; in a
 *   join Cassandra's "strict" source, which keeps consistency. When no live replica loses it (a
 *   removal, or more replicas than nodes) any other replica streams; never a node being removed
 *   (it is dead). Within each choice, one in the destination's datacenter first, then replica order.
 * - unsourced: gaining endpoints with no one to stream from (the data lived only on a removed
 *   node, or the ring was empty).
 */
import type { Endpoint } from './endpoint.js';
import { RingError } from './errors.js';
import { tokenRange, type TokenRange } from './range.js';
import type { Ring } from './ring.js';
import type { ReplicationStrategy } from './strategy.js';
import type { Token } from './token.js';

export type Movement =
  | { readonly kind: 'join'; readonly endpoint: Endpoint; readonly tokens: readonly Token[] }
  | { readonly kind: 'leave'; readonly hostId: string }
  | { readonly kind: 'remove'; readonly hostId: string };

/** Why planMovements refused. Stable tags; the message says which nodes and ranges. */
export type ConflictReason =
  | 'SAME_ENDPOINT'
  | 'NOT_IN_RING'
  | 'ALREADY_IN_RING'
  | 'NO_TOKENS'
  | 'TOKEN_TAKEN'
  | 'LAST_NODE'
  | 'BELOW_REPLICATION_FACTOR'
  | 'OVERLAPPING_RANGES'
  | 'INTERACTING';

export class MovementConflictError extends RingError {
  readonly reason: ConflictReason;

  constructor(reason: ConflictReason, message: string) {
    super('MOVEMENT_CONFLICT', message);
    this.name = 'MovementConflictError';
    this.reason = reason;
  }
}

export interface StreamEdge {
  readonly source: Endpoint;
  readonly destination: Endpoint;
}

export interface RangeChange {
  readonly range: TokenRange;
  /** Natural replicas now. */
  readonly before: readonly Endpoint[];
  /** Replicas once the movement completes. */
  readonly after: readonly Endpoint[];
  /** after minus before: extra write endpoints while the movement runs. */
  readonly pending: readonly Endpoint[];
  readonly streams: readonly StreamEdge[];
  /** Gaining endpoints no live replica can stream to. */
  readonly unsourced: readonly Endpoint[];
}

/** One transfer, ranges merged where contiguous. Host ids, for the streaming protocol. */
export interface Stream {
  readonly range: TokenRange;
  readonly source: string;
  readonly destination: string;
}

export interface MovementPlan {
  readonly before: Ring;
  readonly after: Ring;
  /** Only ranges whose replicas change, in token order. */
  readonly changes: readonly RangeChange[];
  readonly streams: readonly Stream[];
  readonly isEmpty: boolean;
  /** The extra write endpoints for a token while the movement runs ([] almost everywhere). */
  pendingFor(token: Token): readonly Endpoint[];
  /** pendingFor(partitioner.tokenOf(key)), without a bigint on the common path. */
  pendingForKey(key: Uint8Array): readonly Endpoint[];
}

const EMPTY: readonly Endpoint[] = Object.freeze([]);

function describe(m: Movement): string {
  switch (m.kind) {
    case 'join':
      return `join of ${m.endpoint.hostId}`;
    case 'leave':
      return `decommission of ${m.hostId}`;
    case 'remove':
      return `removal of ${m.hostId}`;
  }
}

function hostIdOf(m: Movement): string {
  return m.kind === 'join' ? m.endpoint.hostId : m.hostId;
}

/** The ring once the movements complete. */
function applyMovements(ring: Ring, movements: readonly Movement[]): Ring {
  let after = ring;
  for (const m of movements) {
    after = m.kind === 'join' ? after.withEndpoint(Object.freeze({ ...m.endpoint, status: 'NORMAL' }), m.tokens) : after.withoutEndpoint(m.hostId);
  }
  return after;
}

function sameSet(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  if (a.length !== b.length) return false;
  outer: for (const x of a) {
    for (const y of b) if (x.hostId === y.hostId) continue outer;
    return false;
  }
  return true;
}

function contains(list: readonly Endpoint[], hostId: string): boolean {
  for (const e of list) if (e.hostId === hostId) return true;
  return false;
}

/** Sorted union of two sorted token lists, without duplicates. */
function unionTokens(a: readonly Token[], b: readonly Token[]): Token[] {
  const out: Token[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : undefined;
    const y = j < b.length ? b[j]! : undefined;
    if (y === undefined || (x !== undefined && x < y)) {
      out.push(x!);
      i++;
    } else if (x === undefined || y < x) {
      out.push(y);
      j++;
    } else {
      out.push(x);
      i++;
      j++;
    }
  }
  return out;
}

function pickSource(dest: Endpoint, before: readonly Endpoint[], after: readonly Endpoint[], dead: ReadonlySet<string>): Endpoint | null {
  const tiers: Array<(e: Endpoint) => boolean> = [(e) => !dead.has(e.hostId) && !contains(after, e.hostId), (e) => !dead.has(e.hostId)];
  for (const ok of tiers) {
    let first: Endpoint | null = null;
    for (const e of before) {
      if (e.hostId === dest.hostId || !ok(e)) continue;
      if (e.datacenter === dest.datacenter) return e;
      first ??= e;
    }
    if (first !== null) return first;
  }
  return null;
}

class Plan implements MovementPlan {
  readonly before: Ring;
  readonly after: Ring;
  readonly changes: readonly RangeChange[];
  readonly streams: readonly Stream[];
  /** Right ends of the fine ranges, ascending, and their pending lists. */
  private readonly fine: readonly Token[];
  private readonly fineApprox: Float64Array;
  private readonly pendingByFine: readonly (readonly Endpoint[])[];

  constructor(before: Ring, after: Ring, strategy: ReplicationStrategy, dead: ReadonlySet<string>) {
    this.before = before;
    this.after = after;
    // No movement: nothing to compare (and no replica walks on a large ring).
    const fine = before === after ? [] : unionTokens(before.tokens(), after.tokens());
    const n = fine.length;
    const pendingByFine = new Array<readonly Endpoint[]>(n);
    const changes: RangeChange[] = [];
    for (let f = 0; f < n; f++) {
      const right = fine[f]!;
      const b = before.tokenCount > 0 ? before.replicasFor(right, strategy) : EMPTY;
      const a = after.tokenCount > 0 ? after.replicasFor(right, strategy) : EMPTY;
      if (sameSet(a, b)) {
        pendingByFine[f] = EMPTY;
        continue;
      }
      const pending = Object.freeze(a.filter((e) => !contains(b, e.hostId)));
      pendingByFine[f] = pending;
      const streams: StreamEdge[] = [];
      const unsourced: Endpoint[] = [];
      for (const d of pending) {
        const s = pickSource(d, b, a, dead);
        if (s === null) unsourced.push(d);
        else streams.push(Object.freeze({ source: s, destination: d }));
      }
      const range = tokenRange(fine[(f + n - 1) % n]!, right);
      const last = changes[changes.length - 1];
      // Neighbouring fine ranges with the same story read as one range.
      if (last !== undefined && last.range.right === range.left && sameChange(last, b, a, streams, unsourced)) {
        changes[changes.length - 1] = { ...last, range: tokenRange(last.range.left, right) };
      } else {
        changes.push({ range, before: b, after: a, pending, streams: Object.freeze(streams), unsourced: Object.freeze(unsourced) });
      }
    }
    this.changes = Object.freeze(changes.map((c) => Object.freeze(c)));
    this.streams = Object.freeze(flattenStreams(this.changes));
    this.fine = fine;
    this.fineApprox = Float64Array.from(fine, (t) => Number(t));
    this.pendingByFine = pendingByFine;
  }

  get isEmpty(): boolean {
    return this.changes.length === 0;
  }

  pendingFor(token: Token): readonly Endpoint[] {
    if (this.changes.length === 0) return EMPTY;
    const s = this.fine;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! < token) lo = mid + 1;
      else hi = mid;
    }
    return this.pendingByFine[lo === s.length ? 0 : lo]!;
  }

  pendingForKey(key: Uint8Array): readonly Endpoint[] {
    if (this.changes.length === 0) return EMPTY;
    const a = this.fineApprox;
    const d = this.before.partitioner.approxTokenOf(key);
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! < d) lo = mid + 1;
      else hi = mid;
    }
    if (lo < a.length && a[lo] === d) return this.pendingFor(this.before.partitioner.tokenOf(key));
    return this.pendingByFine[lo === a.length ? 0 : lo]!;
  }
}

function sameChange(
  c: RangeChange,
  before: readonly Endpoint[],
  after: readonly Endpoint[],
  streams: readonly StreamEdge[],
  unsourced: readonly Endpoint[],
): boolean {
  if (!sameSet(c.before, before) || !sameSet(c.after, after) || c.streams.length !== streams.length) return false;
  for (let i = 0; i < streams.length; i++) {
    if (c.streams[i]!.source.hostId !== streams[i]!.source.hostId) return false;
    if (c.streams[i]!.destination.hostId !== streams[i]!.destination.hostId) return false;
  }
  return sameSet(c.unsourced, unsourced);
}

/** One Stream per (source, destination, range), contiguous ranges of the same pair merged. */
function flattenStreams(changes: readonly RangeChange[]): Stream[] {
  const out: Stream[] = [];
  const lastByPair = new Map<string, number>();
  for (const c of changes) {
    for (const s of c.streams) {
      const pair = `${s.source.hostId}\u0000${s.destination.hostId}`;
      const at = lastByPair.get(pair);
      const prev = at === undefined ? undefined : out[at]!;
      if (prev !== undefined && prev.range.right === c.range.left) {
        out[at!] = Object.freeze({ ...prev, range: tokenRange(prev.range.left, c.range.right) });
      } else {
        lastByPair.set(pair, out.length);
        out.push(Object.freeze({ range: c.range, source: s.source.hostId, destination: s.destination.hostId }));
      }
    }
  }
  return out;
}

/**
 * The movement implied by the ring's statuses: JOINING members join, LEAVING ones leave,
 * REMOVING ones are removed, all at once. Never refuses: when concurrent movements interact, the
 * pending endpoints are still the union of everything that gains a range, which is what keeps
 * writes safe. Used by Ring.pendingRanges.
 */
export function transitionPlan(ring: Ring, strategy: ReplicationStrategy): MovementPlan {
  const movements: Movement[] = [];
  const dead = new Set<string>();
  for (const m of ring.members()) {
    const e = m.endpoint;
    if (e.status === 'JOINING') movements.push({ kind: 'join', endpoint: e, tokens: m.tokens });
    else if (e.status === 'LEAVING') movements.push({ kind: 'leave', hostId: e.hostId });
    else if (e.status === 'REMOVING') {
      movements.push({ kind: 'remove', hostId: e.hostId });
      dead.add(e.hostId);
    }
  }
  if (movements.length === 0) return new Plan(ring, ring, strategy, dead);
  return new Plan(ring, applyMovements(ring, movements), strategy, dead);
}

export interface PlanOptions {
  /**
   * Allow a leave or removal that leaves a datacenter with fewer nodes than its replication
   * factor (Cassandra's decommission --force).
   */
  readonly force?: boolean;
}

/**
 * Plan one or more movements from `ring`, for one replication strategy. Several movements run at
 * once only when each range is changed by at most one of them and together they do exactly what
 * each would do alone; otherwise MovementConflictError says which two and where.
 */
export function planMovements(ring: Ring, movements: readonly Movement[], strategy: ReplicationStrategy, options: PlanOptions = {}): MovementPlan {
  validate(ring, movements, strategy, options);
  const dead = new Set<string>();
  for (const m of movements) if (m.kind === 'remove') dead.add(m.hostId);
  for (const e of ring.endpoints()) if (e.status === 'REMOVING') dead.add(e.hostId);
  const after = applyMovements(ring, movements);
  const plan = new Plan(ring, after, strategy, dead);
  if (movements.length > 1) checkIndependent(ring, movements, strategy, plan);
  return plan;
}

function validate(ring: Ring, movements: readonly Movement[], strategy: ReplicationStrategy, options: PlanOptions): void {
  const seenHost = new Map<string, Movement>();
  const claimed = new Map<Token, Movement>();
  const holders = new Map<Token, string>();
  for (const x of ring.members()) for (const t of x.tokens) holders.set(t, x.endpoint.hostId);
  for (const m of movements) {
    const id = hostIdOf(m);
    const other = seenHost.get(id);
    if (other !== undefined) {
      throw new MovementConflictError('SAME_ENDPOINT', `${describe(m)} and ${describe(other)} concern the same endpoint`);
    }
    seenHost.set(id, m);
    const current = ring.endpoint(id);
    if (m.kind === 'join') {
      if (current !== undefined && current.status !== 'JOINING') {
        throw new MovementConflictError('ALREADY_IN_RING', `${describe(m)}: ${id} is already in the ring as ${current.status}`);
      }
      if (m.tokens.length === 0) throw new MovementConflictError('NO_TOKENS', `${describe(m)}: no tokens`);
      for (const t of m.tokens) {
        const holder = holders.get(t);
        if (holder !== undefined && holder !== id) {
          throw new MovementConflictError('TOKEN_TAKEN', `${describe(m)}: token ${t} already belongs to ${holder}`);
        }
        const rival = claimed.get(t);
        if (rival !== undefined) {
          throw new MovementConflictError('TOKEN_TAKEN', `${describe(m)} and ${describe(rival)} both claim token ${t}`);
        }
        claimed.set(t, m);
      }
    } else if (current === undefined || current.status === 'JOINING') {
      throw new MovementConflictError('NOT_IN_RING', `${describe(m)}: ${id} owns no tokens in the ring`);
    }
  }
  const after = applyMovements(ring, movements);
  if (ring.tokenCount > 0 && after.tokenCount === 0) {
    throw new MovementConflictError('LAST_NODE', 'the movements would leave no node in the ring');
  }
  if (options.force !== true && strategy.kind !== 'LocalStrategy') {
    const shrinking = movements.filter((m) => m.kind !== 'join');
    if (shrinking.length > 0) checkReplicationFactor(ring, after, strategy, shrinking);
  }
}

function nodesPerDc(ring: Ring): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of ring.owningEndpoints()) out.set(e.datacenter, (out.get(e.datacenter) ?? 0) + 1);
  return out;
}

function checkReplicationFactor(before: Ring, after: Ring, strategy: ReplicationStrategy, shrinking: readonly Movement[]): void {
  const nb = nodesPerDc(before);
  const na = nodesPerDc(after);
  const what = shrinking.map(describe).join(', ');
  if (strategy.kind === 'SimpleStrategy') {
    const rf = strategy.replicationFactor;
    if (after.owningEndpoints().length < rf && before.owningEndpoints().length > after.owningEndpoints().length) {
      throw new MovementConflictError(
        'BELOW_REPLICATION_FACTOR',
        `${what} would leave ${after.owningEndpoints().length} nodes for replication factor ${rf}; use force to proceed`,
      );
    }
    return;
  }
  if (strategy.kind !== 'NetworkTopologyStrategy') return;
  for (const [dc, rf] of Object.entries(strategy.factors)) {
    const a = na.get(dc) ?? 0;
    if (a < rf && (nb.get(dc) ?? 0) > a) {
      throw new MovementConflictError(
        'BELOW_REPLICATION_FACTOR',
        `${what} would leave ${a} nodes in ${dc} for replication factor ${rf}; use force to proceed`,
      );
    }
  }
}

/**
 * Each movement alone, against the combined plan: every fine range may be changed by at most one
 * movement, and the combined result must equal that movement's own.
 */
function checkIndependent(ring: Ring, movements: readonly Movement[], strategy: ReplicationStrategy, combined: Plan): void {
  const alone = movements.map((m) => applyMovements(ring, [m]));
  const fine = unionTokens(ring.tokens(), combined.after.tokens());
  const n = fine.length;
  for (let f = 0; f < n; f++) {
    const right = fine[f]!;
    const b = ring.tokenCount > 0 ? ring.replicasFor(right, strategy) : EMPTY;
    let changer = -1;
    for (let i = 0; i < movements.length; i++) {
      const a = alone[i]!.tokenCount > 0 ? alone[i]!.replicasFor(right, strategy) : EMPTY;
      if (sameSet(a, b)) continue;
      const range = tokenRange(fine[(f + n - 1) % n]!, right);
      if (changer >= 0) {
        throw new MovementConflictError(
          'OVERLAPPING_RANGES',
          `${describe(movements[changer]!)} and ${describe(movements[i]!)} both change the replicas of (${range.left}, ${range.right}]`,
        );
      }
      changer = i;
    }
    const expected = changer < 0 ? b : alone[changer]!.replicasFor(right, strategy);
    const got = combined.after.tokenCount > 0 ? combined.after.replicasFor(right, strategy) : EMPTY;
    if (!sameSet(expected, got)) {
      const range = tokenRange(fine[(f + n - 1) % n]!, right);
      throw new MovementConflictError(
        'INTERACTING',
        `the movements ${movements.map(describe).join(', ')} together place (${range.left}, ${range.right}] differently than each alone`,
      );
    }
  }
}

/**
 * The Ring: an immutable value holding the endpoints and their tokens. Every change makes a new
 * Ring; everything derived from one (ranges, replica lists, ownership, pending ranges) is
 * memoised on it, per replication strategy.
 *
 * Ownership: range i is (token[i-1], token[i]] (range 0 wraps: (last token, first token]) and
 * belongs to the owner of token[i]. Only endpoints whose status owns tokens (NORMAL, LEAVING,
 * REMOVING) place tokens in the ring; a JOINING endpoint's tokens are pending until it is NORMAL.
 *
 * Hot path: replicasForKey(key, strategy) is one hash, one binary search over a Float64Array of
 * the tokens (exact ties settled on the bigint tokens) and one array index into the memo.
 */
import { ownsTokens, type Endpoint, type EndpointStatus } from './endpoint.js';
import { RingError } from './errors.js';
import { transitionPlan, type MovementPlan } from './movement.js';
import type { Partitioner } from './partitioner.js';
import { buildLayout, ntsPlan, ntsReplicas, simpleReplicas, type Layout, type NtsPlan } from './placement.js';
import { tokenRange, type TokenRange } from './range.js';
import type { ReplicationStrategy } from './strategy.js';
import { RING_SIZE_F64, isToken, rangeSize, type Token } from './token.js';

/** One endpoint and the tokens it owns (or, when JOINING, will own). */
export interface RingMember {
  readonly endpoint: Endpoint;
  readonly tokens: readonly Token[];
}

export interface RingOptions {
  /** The node holding this view: the one replica of LocalStrategy keyspaces. Need not be a member. */
  readonly local?: Endpoint;
}

const EMPTY: readonly Endpoint[] = Object.freeze([]);

/** Per strategy: the replica list of each range, filled on first use. */
interface ReplicaMemo {
  readonly lists: (readonly Endpoint[] | null)[];
  readonly nts: NtsPlan | null;
}

export class Ring {
  readonly partitioner: Partitioner;
  readonly local: Endpoint | undefined;
  private readonly byHostId: ReadonlyMap<string, RingMember>;
  /** Owned tokens, ascending. */
  private readonly sorted: readonly Token[];
  /** Number(sorted[i]): the fast binary search. */
  private readonly approx: Float64Array;
  /** Endpoints that own tokens, by owner index (sorted by host id). */
  private readonly owners: readonly Endpoint[];
  private readonly layout: Layout;
  private readonly memo = new Map<string, ReplicaMemo>();
  private rangeList: readonly TokenRange[] | null = null;
  private readonly pendingMemo = new Map<string, MovementPlan>();

  private constructor(partitioner: Partitioner, members: ReadonlyMap<string, RingMember>, local: Endpoint | undefined) {
    this.partitioner = partitioner;
    this.byHostId = members;
    this.local = local;

    const owners: Endpoint[] = [];
    const pairs: Array<{ token: Token; owner: number }> = [];
    const seen = new Map<Token, string>();
    for (const m of members.values()) {
      for (const t of m.tokens) {
        const other = seen.get(t);
        if (other !== undefined) {
          throw new RingError('BAD_RING', `token ${t} is claimed by both ${other} and ${m.endpoint.hostId}`);
        }
        seen.set(t, m.endpoint.hostId);
      }
      if (!ownsTokens(m.endpoint.status)) continue;
      const o = owners.length;
      owners.push(m.endpoint);
      for (const t of m.tokens) pairs.push({ token: t, owner: o });
    }
    pairs.sort((a, b) => (a.token < b.token ? -1 : 1));
    const n = pairs.length;
    const sorted = new Array<Token>(n);
    const approx = new Float64Array(n);
    const owner = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      sorted[i] = pairs[i]!.token;
      approx[i] = Number(pairs[i]!.token);
      owner[i] = pairs[i]!.owner;
    }
    this.sorted = Object.freeze(sorted);
    this.approx = approx;
    this.owners = Object.freeze(owners);
    this.layout = buildLayout(
      owner,
      owners.map((e) => e.datacenter),
      owners.map((e) => e.rack),
    );
  }

  /**
   * Build a ring. Host ids must be distinct, every member needs at least one token, and no token
   * may belong to two members (JOINING ones included); tokens are signed 64-bit. Throws RingError
   * BAD_RING otherwise.
   */
  static create(partitioner: Partitioner, members: Iterable<RingMember>, options: RingOptions = {}): Ring {
    const byId = new Map<string, RingMember>();
    for (const m of members) {
      const id = m.endpoint.hostId;
      if (byId.has(id)) throw new RingError('BAD_RING', `host id ${id} appears twice`);
      if (m.tokens.length === 0) throw new RingError('BAD_RING', `endpoint ${id} has no tokens`);
      if (new Set(m.tokens).size !== m.tokens.length) throw new RingError('BAD_RING', `endpoint ${id} lists a token twice`);
      const bad = m.tokens.find((tok) => !isToken(tok));
      if (bad !== undefined) throw new RingError('BAD_RING', `endpoint ${id} has token ${String(bad)} outside the signed 64-bit range`);
      byId.set(id, Object.freeze({ endpoint: m.endpoint, tokens: Object.freeze([...m.tokens].sort((a, b) => (a < b ? -1 : 1))) }));
    }
    const ordered = new Map([...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return new Ring(partitioner, ordered, options.local);
  }

  static empty(partitioner: Partitioner, options: RingOptions = {}): Ring {
    return new Ring(partitioner, new Map(), options.local);
  }

  // ---- membership ----

  /** Every endpoint in the ring, JOINING ones included, by host id. */
  endpoints(): readonly Endpoint[] {
    return [...this.byHostId.values()].map((m) => m.endpoint);
  }

  /** Endpoints that own tokens (NORMAL, LEAVING, REMOVING), by host id. */
  owningEndpoints(): readonly Endpoint[] {
    return this.owners;
  }

  /** Every member with its tokens, by host id. */
  members(): readonly RingMember[] {
    return [...this.byHostId.values()];
  }

  endpoint(hostId: string): Endpoint | undefined {
    return this.byHostId.get(hostId)?.endpoint;
  }

  /** The tokens of an endpoint, ascending ([] when unknown). */
  tokensOf(hostId: string): readonly Token[] {
    return this.byHostId.get(hostId)?.tokens ?? [];
  }

  has(hostId: string): boolean {
    return this.byHostId.has(hostId);
  }

  /** Number of endpoints, JOINING ones included. */
  get size(): number {
    return this.byHostId.size;
  }

  /** Datacenters of the owning endpoints, in first-seen order by host id. */
  datacenters(): readonly string[] {
    return this.layout.dcNames;
  }

  /** A ring with this endpoint added, or replaced (same host id). Omitting tokens keeps its current ones. */
  withEndpoint(endpoint: Endpoint, tokens?: readonly Token[]): Ring {
    const current = this.byHostId.get(endpoint.hostId);
    const useTokens = tokens ?? current?.tokens;
    if (useTokens === undefined) throw new RingError('BAD_RING', `endpoint ${endpoint.hostId} is new and needs tokens`);
    const next = [...this.byHostId.values()].filter((m) => m.endpoint.hostId !== endpoint.hostId);
    next.push({ endpoint, tokens: useTokens });
    return Ring.create(this.partitioner, next, { local: this.localAfter(endpoint) });
  }

  /** A ring without this endpoint (LEFT, or removed). Unknown host ids give the same ring. */
  withoutEndpoint(hostId: string): Ring {
    if (!this.byHostId.has(hostId)) return this;
    const next = [...this.byHostId.values()].filter((m) => m.endpoint.hostId !== hostId);
    return Ring.create(this.partitioner, next, { local: this.local });
  }

  /** A ring where one endpoint has a new status. */
  withStatus(hostId: string, status: EndpointStatus): Ring {
    const m = this.byHostId.get(hostId);
    if (m === undefined) throw new RingError('BAD_RING', `no endpoint ${hostId} in the ring`);
    if (m.endpoint.status === status) return this;
    return this.withEndpoint(Object.freeze({ ...m.endpoint, status }), m.tokens);
  }

  /** The same ring seen from another node (for LocalStrategy). */
  withLocal(local: Endpoint): Ring {
    return new Ring(this.partitioner, this.byHostId, local);
  }

  private localAfter(changed: Endpoint): Endpoint | undefined {
    if (this.local !== undefined && this.local.hostId === changed.hostId) return changed;
    return this.local;
  }

  // ---- tokens and ranges ----

  /** The owned tokens, ascending. */
  tokens(): readonly Token[] {
    return this.sorted;
  }

  get tokenCount(): number {
    return this.sorted.length;
  }

  /** The token of a partition key under this ring's partitioner. */
  tokenOf(key: Uint8Array): Token {
    return this.partitioner.tokenOf(key);
  }

  /**
   * The index i of the range (token[i-1], token[i]] holding `token`: the first owned token >= it,
   * wrapping to 0 past the last. -1 on an empty ring.
   */
  rangeIndexOf(token: Token): number {
    const s = this.sorted;
    const n = s.length;
    if (n === 0) return -1;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! < token) lo = mid + 1;
      else hi = mid;
    }
    return lo === n ? 0 : lo;
  }

  /** rangeIndexOf(partitioner.tokenOf(key)) without a bigint on the common path. */
  rangeIndexOfKey(key: Uint8Array): number {
    const a = this.approx;
    const n = a.length;
    if (n === 0) return -1;
    const d = this.partitioner.approxTokenOf(key);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! < d) lo = mid + 1;
      else hi = mid;
    }
    if (lo === n) return 0;
    // approx[lo] > d proves token[lo] > token; equality may hide either order, so ask exactly.
    if (a[lo] === d) return this.rangeIndexOf(this.partitioner.tokenOf(key));
    return lo;
  }

  /** Range i: (token[i-1], token[i]]; range 0 wraps. On a one-token ring it is the whole ring. */
  rangeAt(i: number): TokenRange {
    const s = this.sorted;
    const n = s.length;
    return tokenRange(s[(i + n - 1) % n]!, s[i]!);
  }

  /** All ranges in ring order; together they cover the ring exactly once. */
  ranges(): readonly TokenRange[] {
    if (this.rangeList === null) {
      const out: TokenRange[] = [];
      for (let i = 0; i < this.sorted.length; i++) out.push(this.rangeAt(i));
      this.rangeList = Object.freeze(out);
    }
    return this.rangeList;
  }

  /** The primary owner of a token (the owner of the first token >= it). */
  ownerOf(token: Token): Endpoint | undefined {
    const i = this.rangeIndexOf(token);
    return i < 0 ? undefined : this.owners[this.layout.owner[i]!];
  }

  /** The primary owner of range i. */
  ownerAt(i: number): Endpoint {
    return this.owners[this.layout.owner[i]!]!;
  }

  // ---- replicas ----

  /** The natural replicas of a token, primary first. The array is shared: do not mutate it. */
  replicasFor(token: Token, strategy: ReplicationStrategy): readonly Endpoint[] {
    if (strategy.kind === 'LocalStrategy') return this.localReplicas();
    const i = this.rangeIndexOf(token);
    return i < 0 ? EMPTY : this.replicasAt(i, strategy);
  }

  /** The natural replicas of a partition key (hash included). */
  replicasForKey(key: Uint8Array, strategy: ReplicationStrategy): readonly Endpoint[] {
    if (strategy.kind === 'LocalStrategy') return this.localReplicas();
    const i = this.rangeIndexOfKey(key);
    if (i < 0) return EMPTY;
    const memo = this.memo.get(strategy.key) ?? this.memoFor(strategy);
    return memo.lists[i] ?? this.fill(i, strategy, memo);
  }

  /** The natural replicas of range i (see ranges()). */
  replicasAt(i: number, strategy: ReplicationStrategy): readonly Endpoint[] {
    if (strategy.kind === 'LocalStrategy') return this.localReplicas();
    const memo = this.memo.get(strategy.key) ?? this.memoFor(strategy);
    return memo.lists[i] ?? this.fill(i, strategy, memo);
  }

  private localReplicas(): readonly Endpoint[] {
    if (this.local === undefined) throw new RingError('NO_REPLICAS', 'LocalStrategy needs the ring to know its local node');
    return [this.local];
  }

  private memoFor(strategy: ReplicationStrategy): ReplicaMemo {
    const memo: ReplicaMemo = {
      lists: new Array<readonly Endpoint[] | null>(this.sorted.length).fill(null),
      nts: strategy.kind === 'NetworkTopologyStrategy' ? ntsPlan(this.layout, strategy) : null,
    };
    this.memo.set(strategy.key, memo);
    return memo;
  }

  private fill(i: number, strategy: ReplicationStrategy, memo: ReplicaMemo): readonly Endpoint[] {
    const idx =
      strategy.kind === 'SimpleStrategy' ? simpleReplicas(this.layout, i, strategy.replicationFactor) : ntsReplicas(this.layout, i, memo.nts!);
    const list = Object.freeze(idx.map((o) => this.owners[o]!));
    memo.lists[i] = list;
    return list;
  }

  // ---- ownership ----

  /**
   * The fraction of the data each owning endpoint holds. Without a strategy: primary ranges only
   * (fractions sum to 1). With one: every range counts for each of its replicas (so the fractions
   * sum to the replicas placed, e.g. 3 for SimpleStrategy rf 3 on >= 3 nodes).
   */
  ownership(strategy?: ReplicationStrategy): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of this.owners) out.set(e.hostId, 0);
    const n = this.sorted.length;
    if (strategy?.kind === 'LocalStrategy') {
      if (this.local !== undefined && out.has(this.local.hostId)) out.set(this.local.hostId, 1);
      return out;
    }
    for (let i = 0; i < n; i++) {
      const f = Number(rangeSize(this.sorted[(i + n - 1) % n]!, this.sorted[i]!)) / RING_SIZE_F64;
      if (strategy === undefined) {
        const id = this.ownerAt(i).hostId;
        out.set(id, out.get(id)! + f);
      } else {
        for (const e of this.replicasAt(i, strategy)) out.set(e.hostId, out.get(e.hostId)! + f);
      }
    }
    return out;
  }

  // ---- movements ----

  /**
   * The movement under way according to the endpoints' statuses (JOINING, LEAVING, REMOVING): per
   * range, the extra endpoints writes must also reach, and the streams that complete it.
   */
  pendingRanges(strategy: ReplicationStrategy): MovementPlan {
    let plan = this.pendingMemo.get(strategy.key);
    if (plan === undefined) {
      plan = transitionPlan(this, strategy);
      this.pendingMemo.set(strategy.key, plan);
    }
    return plan;
  }
}

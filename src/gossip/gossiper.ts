/**
 * The gossip protocol as a pure, synchronous state machine: onTick(nowMs) and
 * onMessage(from, msg, nowMs) return the messages to send; events go to subscribers. No clock,
 * no sockets, no global randomness: GossipService (service.ts) does the I/O around it.
 *
 * A round, every intervalMs (Cassandra's Gossiper.GossipTask):
 *   1. bump the local heartbeat;
 *   2. SYN (digests of every known endpoint) to a random live peer;
 *   3. with probability unreachable / (live + 1), SYN to a random unreachable one;
 *   4. if that live peer was not a seed, or fewer peers are live than there are seeds, SYN to a
 *      random seed: always while nothing is live, else with probability seeds / known;
 *   5. status check: convict live peers whose phi is over the threshold, end quarantines.
 * SYN -> ACK (states newer than the digests, states of endpoints the digests lack, and requests
 * for what the receiver lacks) -> ACK2 (the requested states). Unlike Cassandra, the ACK also
 * pushes endpoints the initiator did not mention, so knowledge flows both ways in every exchange.
 *
 * Liveness. A newly seen endpoint, or one whose heartbeat advances while it is down, is sent an
 * ECHO; only the answer marks it up, so an endpoint is up only if we can reach it directly.
 * A live endpoint whose heartbeat stops advancing is convicted by the failure detector.
 *
 * Trust. A generation more than a year ahead of the local clock is ignored (Cassandra's
 * MAX_GENERATION_DIFFERENCE): a corrupt or hostile peer must not install a state about someone
 * else that no real restart could ever replace.
 *
 * Leaving. An endpoint whose STATUS is LEFT or REMOVED with an expiry time is evicted and
 * quarantined once that time passes (Cassandra's doStatusCheck), as removeEndpoint() does at once.
 *
 * Startup. beginShadowRound() asks the seeds for everything (an empty SYN) without announcing
 * the local node; when a seed answers (or shadowRoundTimeoutMs passes) the caller inspects the
 * learned ring and calls announce() with the local application states.
 */
import type { Random } from '../seams/index.js';
import { Verb } from '../net/index.js';
import type { Endpoint, EndpointStateWire, GossipDigestWire, PayloadOf } from '../net/index.js';
import { ApplicationState, isDeadStatus, Status, statusExpiryMs } from './application-state.js';
import type { EndpointState, VersionedValue } from './endpoint-state.js';
import { changedKeys, fromWire, makeState, merge, stateAbove, toWire } from './endpoint-state.js';
import type { GossipEvent, GossipListener } from './events.js';
import { defaultFailureDetectorOptions, FailureDetector } from './failure-detector.js';
import type { FailureDetectorOptions } from './failure-detector.js';

export type GossipVerb =
  | Verb.GOSSIP_DIGEST_SYN
  | Verb.GOSSIP_DIGEST_ACK
  | Verb.GOSSIP_DIGEST_ACK2
  | Verb.GOSSIP_SHUTDOWN
  | Verb.ECHO_REQ;

/** A message the gossiper wants sent. ECHO_REQ is a request: its answer goes to onEchoResponse(). */
export type GossipOutgoing = { [V in GossipVerb]: { to: Endpoint; verb: V; payload: PayloadOf[V] } }[GossipVerb];

/** A message handed to onMessage(). */
export type GossipIncoming = { [V in Exclude<GossipVerb, Verb.ECHO_REQ>]: { verb: V; payload: PayloadOf[V] } }[Exclude<GossipVerb, Verb.ECHO_REQ>];

export interface GossipConfig {
  clusterName: string;
  /** This node's endpoint, "address:port". */
  self: Endpoint;
  /** Seed endpoints (this node may be one of them). */
  seeds: readonly Endpoint[];
  /** This incarnation's start time (ms since the epoch); must exceed the previous incarnation's. */
  generation: number;
  /** gossip_interval_ms (default 1000). */
  intervalMs?: number;
  /** phi_convict_threshold (default 8). */
  phiConvictThreshold?: number;
  /** Failure detector tuning; defaults derive from intervalMs (failure-detector.ts). */
  failureDetector?: Partial<FailureDetectorOptions>;
  /** How long a removed endpoint's gossip is ignored (default 60 s, Cassandra's 2 × ring delay). */
  quarantineMs?: number;
  /** Give up waiting for seeds in the shadow round after this (default 10 intervals). */
  shadowRoundTimeoutMs?: number;
  /** Re-send an unanswered ECHO after this (default one interval). */
  echoTimeoutMs?: number;
}

/** Generations further ahead of the local clock than this are not believed (one year, as Cassandra). */
export const MAX_GENERATION_AHEAD_MS = 365 * 24 * 3600 * 1000;

export type GossipPhase = 'idle' | 'shadow' | 'ready' | 'normal' | 'stopped';

export type ShadowOutcome = 'answered' | 'no-seeds' | 'timeout';

export interface GossiperCounters {
  rounds: number;
  synsSent: number;
  acksSent: number;
  ack2sSent: number;
  echoesSent: number;
  /** SYNs from another cluster, ignored. */
  foreignSyns: number;
  /** States about quarantined endpoints, ignored. */
  quarantinedIgnored: number;
  convictions: number;
  /** States or digests with an unbelievable generation, ignored. */
  invalidGenerations: number;
}

export class Gossiper {
  readonly self: Endpoint;
  readonly clusterName: string;
  readonly generation: number;
  readonly intervalMs: number;
  private readonly seeds: readonly Endpoint[];
  private readonly seedSet: ReadonlySet<Endpoint>;
  private readonly random: Random;
  private readonly fd: FailureDetector;
  private readonly quarantineMs: number;
  private readonly shadowRoundTimeoutMs: number;
  readonly echoTimeoutMs: number;

  private readonly states = new Map<Endpoint, EndpointState>();
  private readonly live = new Set<Endpoint>();
  /** Known, not up: value is when it went down (or was first seen). */
  private readonly unreachable = new Map<Endpoint, number>();
  /** Removed endpoints, until when their gossip is ignored. */
  private readonly quarantine = new Map<Endpoint, number>();
  private readonly pendingEcho = new Map<Endpoint, number>();
  private readonly listeners: GossipListener[] = [];
  private events: GossipEvent[] = [];
  private echoes: GossipOutgoing[] = [];

  private phase: GossipPhase = 'idle';
  private shadowStartedMs = 0;
  private shadowOutcome: ShadowOutcome | undefined;
  private version = 0;
  private heartbeatVersion = 0;
  private localStates = new Map<number, VersionedValue>();

  readonly counters: GossiperCounters = {
    rounds: 0,
    synsSent: 0,
    acksSent: 0,
    ack2sSent: 0,
    echoesSent: 0,
    foreignSyns: 0,
    quarantinedIgnored: 0,
    convictions: 0,
    invalidGenerations: 0,
  };

  constructor(config: GossipConfig, random: Random) {
    this.self = config.self;
    this.clusterName = config.clusterName;
    this.generation = config.generation;
    this.intervalMs = config.intervalMs ?? 1000;
    this.seeds = config.seeds.filter((s) => s !== config.self);
    this.seedSet = new Set(this.seeds);
    this.random = random;
    const fdOptions = { ...defaultFailureDetectorOptions(this.intervalMs), ...config.failureDetector };
    if (config.phiConvictThreshold !== undefined) fdOptions.phiConvictThreshold = config.phiConvictThreshold;
    this.fd = new FailureDetector(fdOptions);
    this.quarantineMs = config.quarantineMs ?? 60_000;
    this.shadowRoundTimeoutMs = config.shadowRoundTimeoutMs ?? 10 * this.intervalMs;
    this.echoTimeoutMs = config.echoTimeoutMs ?? this.intervalMs;
    if (!Number.isSafeInteger(this.generation) || this.generation <= 0) throw new RangeError(`bad generation ${config.generation}`);
  }

  // ---------------------------------------------------------------- subscribers

  /** Registers a listener; returns a function that unregisters it. */
  subscribe(listener: GossipListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // ---------------------------------------------------------------- lifecycle

  getPhase(): GossipPhase {
    return this.phase;
  }

  /** Starts the shadow round: asks the seeds for everything without announcing this node. */
  beginShadowRound(nowMs: number): GossipOutgoing[] {
    if (this.phase !== 'idle') throw new Error(`shadow round in phase ${this.phase}`);
    this.phase = 'shadow';
    this.shadowStartedMs = nowMs;
    if (this.seeds.length === 0) {
      this.finishShadow('no-seeds');
      this.flush();
      return [];
    }
    return this.shadowSyns();
  }

  /** How the shadow round ended, or undefined while it runs. */
  shadowRoundOutcome(): ShadowOutcome | undefined {
    return this.shadowOutcome;
  }

  /**
   * Announces this node with its application states and starts normal rounds. Called after the
   * shadow round (or instead of it, for a node that needs no ring to start).
   */
  announce(nowMs: number, states: ReadonlyMap<ApplicationState, string> | Partial<Record<ApplicationState, string>>): void {
    if (this.phase === 'normal' || this.phase === 'stopped') throw new Error(`announce in phase ${this.phase}`);
    this.phase = 'normal';
    const entries = states instanceof Map ? [...states.entries()] : Object.entries(states).map(([k, v]) => [Number(k), v] as const);
    // A fresh map: a published state's map is never mutated (merge() relies on identity).
    this.localStates = new Map(this.localStates);
    for (const [key, value] of entries) if (value !== undefined) this.localStates.set(Number(key), { key: Number(key), value, version: ++this.version });
    this.publishLocal();
    void nowMs;
    this.flush();
  }

  /** Sets one local application state; it spreads with the next rounds (or with announce()). */
  setLocalState(key: ApplicationState, value: string): void {
    this.localStates = new Map(this.localStates);
    this.localStates.set(key, { key, value, version: ++this.version });
    // Before announce() the local node has no state to gossip: the shadow round must not reveal it.
    if (this.phase === 'normal' || this.phase === 'stopped') this.publishLocal();
  }

  /**
   * Graceful shutdown: STATUS shutdown, and a GOSSIP_SHUTDOWN to every live peer so they mark this
   * node down at once instead of waiting for the failure detector. No rounds after this.
   */
  shutdown(nowMs: number): GossipOutgoing[] {
    if (this.phase !== 'normal') {
      this.phase = 'stopped';
      return [];
    }
    this.setLocalState(ApplicationState.STATUS, Status.SHUTDOWN);
    this.phase = 'stopped';
    void nowMs;
    const state = toWire(this.self, this.states.get(this.self)!);
    return [...this.live].map((to) => ({ to, verb: Verb.GOSSIP_SHUTDOWN, payload: { state } }) as GossipOutgoing);
  }

  /** Whether this node answers ECHO (it has announced itself and not shut down). */
  answersEcho(): boolean {
    return this.phase === 'normal';
  }

  // ---------------------------------------------------------------- ticks

  /** One gossip round (or, during the shadow round, a retry to the seeds). */
  onTick(nowMs: number): GossipOutgoing[] {
    if (this.phase === 'shadow') {
      if (nowMs - this.shadowStartedMs >= this.shadowRoundTimeoutMs) {
        this.finishShadow('timeout');
        this.flush();
        return [];
      }
      return this.shadowSyns();
    }
    if (this.phase !== 'normal') return [];
    this.counters.rounds++;
    this.heartbeatVersion = ++this.version;
    this.publishLocal();
    const out: GossipOutgoing[] = [];
    const digests = this.digests();
    const syn = { clusterName: this.clusterName, digests };

    let gossipedToSeed = false;
    if (this.live.size > 0) {
      const to = pick(this.random, [...this.live]);
      out.push({ to, verb: Verb.GOSSIP_DIGEST_SYN, payload: syn });
      gossipedToSeed = this.seedSet.has(to);
    }
    if (this.unreachable.size > 0 && this.random.next() < this.unreachable.size / (this.live.size + 1)) {
      out.push({ to: pick(this.random, [...this.unreachable.keys()]), verb: Verb.GOSSIP_DIGEST_SYN, payload: syn });
    }
    if ((!gossipedToSeed || this.live.size < this.seeds.length) && this.seeds.length > 0) {
      const known = this.live.size + this.unreachable.size;
      if (this.live.size === 0 || this.random.next() <= this.seeds.length / known) {
        out.push({ to: pick(this.random, this.seeds), verb: Verb.GOSSIP_DIGEST_SYN, payload: syn });
      }
    }
    this.counters.synsSent += out.length;
    this.statusCheck(nowMs);
    this.flush();
    return this.withEchoes(out);
  }

  /**
   * Convicts live peers whose phi is over the threshold. Each round does it; GossipService also
   * calls it between rounds (failureCheckMs), so a conviction is not held back by up to a whole
   * interval waiting for the next round.
   */
  checkFailures(nowMs: number): void {
    if (this.phase !== 'normal') return;
    this.convict(nowMs);
    this.flush();
  }

  private convict(nowMs: number): void {
    for (const ep of [...this.live]) {
      if (this.fd.convicts(ep, nowMs)) {
        this.counters.convictions++;
        this.fd.interrupt(ep);
        this.markDead(ep, nowMs, this.fd.phi(ep, nowMs));
      }
    }
  }

  private statusCheck(nowMs: number): void {
    this.convict(nowMs);
    const expired: Endpoint[] = [];
    for (const ep of this.unreachable.keys()) {
      const expiry = statusExpiryMs(this.states.get(ep)?.states.get(ApplicationState.STATUS)?.value);
      if (expiry !== undefined && nowMs >= expiry) expired.push(ep);
    }
    for (const ep of expired) this.removeEndpoint(ep, nowMs);
    for (const [ep, untilMs] of this.quarantine) if (nowMs >= untilMs) this.quarantine.delete(ep);
    for (const [ep, sentMs] of this.pendingEcho) if (nowMs - sentMs >= this.echoTimeoutMs) this.pendingEcho.delete(ep);
  }

  // ---------------------------------------------------------------- messages

  onMessage(from: Endpoint, msg: GossipIncoming, nowMs: number): GossipOutgoing[] {
    let out: GossipOutgoing[] = [];
    switch (msg.verb) {
      case Verb.GOSSIP_DIGEST_SYN:
        out = this.onSyn(from, msg.payload, nowMs);
        break;
      case Verb.GOSSIP_DIGEST_ACK:
        out = this.onAck(from, msg.payload, nowMs);
        break;
      case Verb.GOSSIP_DIGEST_ACK2:
        if (this.phase === 'normal') this.applyStates(msg.payload.states, nowMs);
        break;
      case Verb.GOSSIP_SHUTDOWN:
        this.onShutdown(from, msg.payload.state, nowMs);
        break;
    }
    this.flush();
    return this.withEchoes(out);
  }

  /** The answer to an ECHO this gossiper asked for: the peer is reachable, mark it up. */
  onEchoResponse(from: Endpoint, generation: number, nowMs: number): void {
    this.pendingEcho.delete(from);
    const s = this.states.get(from);
    if (this.phase !== 'normal' || s === undefined || generation < s.generation) return;
    if (!this.live.has(from) && !isDeadStatus(s.states.get(ApplicationState.STATUS)?.value)) {
      this.live.add(from);
      this.unreachable.delete(from);
      // The echo proves it is there now: start the silence clock from here.
      this.fd.report(from, nowMs);
      this.emit({ type: 'up', endpoint: from });
    }
    this.flush();
  }

  private onSyn(from: Endpoint, syn: PayloadOf[Verb.GOSSIP_DIGEST_SYN], nowMs: number): GossipOutgoing[] {
    if (syn.clusterName !== this.clusterName) {
      this.counters.foreignSyns++;
      return [];
    }
    if (this.phase !== 'normal') {
      // Not announced yet: answer a shadow round's SYN with nothing so that seeds starting
      // together do not wait for each other; ignore real rounds.
      if (syn.digests.length > 0) return [];
      this.counters.acksSent++;
      return [{ to: from, verb: Verb.GOSSIP_DIGEST_ACK, payload: { requests: [], states: [] } }];
    }
    const requests: GossipDigestWire[] = [];
    const states: EndpointStateWire[] = [];
    const mentioned = new Set<Endpoint>();
    for (const d of syn.digests) {
      mentioned.add(d.endpoint);
      if (d.endpoint === this.self && d.generation > this.generation) continue;
      if (this.quarantine.has(d.endpoint)) continue;
      if (d.generation > nowMs + MAX_GENERATION_AHEAD_MS) {
        this.counters.invalidGenerations++;
        continue;
      }
      const local = this.states.get(d.endpoint);
      if (local === undefined || d.generation > local.generation) {
        requests.push({ endpoint: d.endpoint, generation: d.generation, maxVersion: 0 });
      } else if (d.generation < local.generation) {
        states.push(toWire(d.endpoint, local));
      } else if (d.maxVersion > local.maxVersion) {
        requests.push({ endpoint: d.endpoint, generation: d.generation, maxVersion: local.maxVersion });
      } else if (d.maxVersion < local.maxVersion) {
        states.push(stateAbove(d.endpoint, local, d.maxVersion));
      }
    }
    for (const [ep, s] of this.states) if (!mentioned.has(ep)) states.push(toWire(ep, s));
    this.counters.acksSent++;
    return [{ to: from, verb: Verb.GOSSIP_DIGEST_ACK, payload: { requests, states } }];
  }

  private onAck(from: Endpoint, ack: PayloadOf[Verb.GOSSIP_DIGEST_ACK], nowMs: number): GossipOutgoing[] {
    if (this.phase === 'shadow') {
      this.applyStates(ack.states, nowMs);
      if (this.seedSet.has(from)) this.finishShadow('answered');
      return [];
    }
    if (this.phase !== 'normal') return [];
    this.applyStates(ack.states, nowMs);
    const states: EndpointStateWire[] = [];
    for (const r of ack.requests) {
      const local = this.states.get(r.endpoint);
      if (local === undefined || local.generation < r.generation) continue;
      states.push(local.generation > r.generation ? toWire(r.endpoint, local) : stateAbove(r.endpoint, local, r.maxVersion));
    }
    if (states.length === 0) return [];
    this.counters.ack2sSent++;
    return [{ to: from, verb: Verb.GOSSIP_DIGEST_ACK2, payload: { states } }];
  }

  private onShutdown(from: Endpoint, state: EndpointStateWire | null, nowMs: number): void {
    if (this.phase !== 'normal' || state === null || state.endpoint !== from) return;
    this.applyStates([state], nowMs);
    const s = this.states.get(from);
    if (s === undefined || s.generation !== state.generation) return;
    if (this.live.has(from)) this.markDead(from, nowMs, 0);
  }

  // ---------------------------------------------------------------- state

  /** Merges remote states into ours: new endpoints, restarts, newer versions; reports heartbeats. */
  private applyStates(wire: readonly EndpointStateWire[], nowMs: number): void {
    const announced = this.phase === 'normal';
    for (const w of wire) {
      const ep = w.endpoint;
      if (ep === this.self) continue;
      if (this.quarantine.has(ep)) {
        this.counters.quarantinedIgnored++;
        continue;
      }
      if (w.generation > nowMs + MAX_GENERATION_AHEAD_MS) {
        this.counters.invalidGenerations++;
        continue;
      }
      const remote = fromWire(w);
      const local = this.states.get(ep);
      if (local === undefined) {
        this.states.set(ep, remote);
        this.unreachable.set(ep, nowMs);
        this.emit({ type: 'join', endpoint: ep, generation: remote.generation });
        this.emitChanges(ep, undefined, remote);
        if (announced) {
          this.fd.report(ep, nowMs);
          this.maybeEcho(ep, remote, nowMs);
        }
      } else if (remote.generation > local.generation) {
        this.states.set(ep, remote);
        if (this.live.has(ep)) this.markDead(ep, nowMs, 0);
        this.fd.remove(ep);
        this.pendingEcho.delete(ep);
        this.emit({ type: 'restart', endpoint: ep, generation: remote.generation });
        this.emitChanges(ep, local, remote);
        if (announced) {
          this.fd.report(ep, nowMs);
          this.maybeEcho(ep, remote, nowMs);
        }
      } else if (remote.generation === local.generation) {
        const merged = merge(local, remote);
        if (merged === local) continue;
        this.states.set(ep, merged);
        this.emitChanges(ep, local, merged);
        const status = merged.states.get(ApplicationState.STATUS)?.value;
        if (this.live.has(ep) && isDeadStatus(status) && !isDeadStatus(local.states.get(ApplicationState.STATUS)?.value)) {
          // It announced shutdown or leaving and the news reached us by gossip, not from it: down now.
          this.markDead(ep, nowMs, 0);
          continue;
        }
        if (announced && merged.heartbeatVersion > local.heartbeatVersion) {
          this.fd.report(ep, nowMs);
          if (!this.live.has(ep)) this.maybeEcho(ep, merged, nowMs);
        }
      }
    }
  }

  private maybeEcho(ep: Endpoint, s: EndpointState, nowMs: number): void {
    if (isDeadStatus(s.states.get(ApplicationState.STATUS)?.value) || this.pendingEcho.has(ep)) return;
    this.pendingEcho.set(ep, nowMs);
    this.counters.echoesSent++;
    this.echoes.push({ to: ep, verb: Verb.ECHO_REQ, payload: { generation: 0 } });
  }


  private markDead(ep: Endpoint, nowMs: number, phi: number): void {
    this.live.delete(ep);
    this.unreachable.set(ep, nowMs);
    this.emit({ type: 'down', endpoint: ep, phi });
  }

  private emitChanges(ep: Endpoint, before: EndpointState | undefined, after: EndpointState): void {
    if (this.listeners.length === 0) return;
    for (const key of changedKeys(before, after)) {
      this.emit({ type: 'change', endpoint: ep, key, value: after.states.get(key)!.value });
    }
  }

  /**
   * Forgets an endpoint (it left, or an operator removed it) and ignores gossip about it for
   * quarantineMs, so peers that have not heard yet cannot bring it back.
   */
  removeEndpoint(ep: Endpoint, nowMs: number): void {
    if (ep === this.self) throw new Error('cannot remove the local endpoint');
    const known = this.states.delete(ep);
    this.live.delete(ep);
    this.unreachable.delete(ep);
    this.pendingEcho.delete(ep);
    this.fd.remove(ep);
    this.quarantine.set(ep, nowMs + this.quarantineMs);
    if (known) this.emit({ type: 'removed', endpoint: ep });
    this.flush();
  }

  private publishLocal(): void {
    this.states.set(this.self, makeState(this.generation, this.heartbeatVersion, this.localStates));
  }

  private digests(): GossipDigestWire[] {
    const out: GossipDigestWire[] = [];
    for (const [endpoint, s] of this.states) out.push({ endpoint, generation: s.generation, maxVersion: s.maxVersion });
    return out;
  }

  private shadowSyns(): GossipOutgoing[] {
    const syn = { clusterName: this.clusterName, digests: [] };
    this.counters.synsSent += this.seeds.length;
    return this.seeds.map((to) => ({ to, verb: Verb.GOSSIP_DIGEST_SYN, payload: syn }) as GossipOutgoing);
  }

  private finishShadow(outcome: ShadowOutcome): void {
    if (this.phase !== 'shadow') return;
    this.phase = 'ready';
    this.shadowOutcome = outcome;
    this.emit({ type: 'shadow-round-done', endpoint: this.self, outcome });
  }

  private emit(e: GossipEvent): void {
    if (this.listeners.length > 0) this.events.push(e);
  }

  /** Delivers queued events; listeners run after the state change is complete. */
  private flush(): void {
    if (this.events.length === 0) return;
    const events = this.events;
    this.events = [];
    for (const e of events) for (const l of [...this.listeners]) l(e);
  }

  /** Appends the ECHO requests raised while handling a message or a tick. */
  private withEchoes(out: GossipOutgoing[]): GossipOutgoing[] {
    if (this.echoes.length === 0) return out;
    const all = out.concat(this.echoes);
    this.echoes = [];
    return all;
  }

  // ---------------------------------------------------------------- queries

  /** Whether an endpoint is up; the local node is up once announced. */
  isAlive(ep: Endpoint): boolean {
    if (ep === this.self) return this.phase === 'normal';
    return this.live.has(ep);
  }

  liveEndpoints(): Endpoint[] {
    return [...this.live];
  }

  unreachableEndpoints(): Endpoint[] {
    return [...this.unreachable.keys()];
  }

  /** Every endpoint with a state, this one included once announced. */
  endpoints(): Endpoint[] {
    return [...this.states.keys()];
  }

  endpointState(ep: Endpoint): EndpointState | undefined {
    return this.states.get(ep);
  }

  /** One application state's value of an endpoint. */
  applicationState(ep: Endpoint, key: ApplicationState): string | undefined {
    return this.states.get(ep)?.states.get(key)?.value;
  }

  isQuarantined(ep: Endpoint): boolean {
    return this.quarantine.has(ep);
  }

  phi(ep: Endpoint, nowMs: number): number {
    return this.fd.phi(ep, nowMs);
  }

  failureDetectorOptions(): FailureDetectorOptions {
    return this.fd.options;
  }

  /** The failure detector itself, for diagnostics and benchmarks; only the gossiper reports to it. */
  failureDetector(): Readonly<Pick<FailureDetector, 'phi' | 'meanIntervalMs' | 'lastReportMs' | 'samples'>> {
    return this.fd;
  }
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[random.int(items.length)];
}

/**
 * A gossip cluster in one process, on virtual time: SimClock + SimNetwork + one GossipService per
 * node, all from one seed. Tests (test/gossip) and the benchmark (bench/gossip.ts) drive it; the
 * same seed gives the same run, event for event (see `trace`).
 */
import { SeededRandom, SimClock } from '../seams/index.js';
import { SimNetwork } from '../net/index.js';
import type { Endpoint, SimNetworkOptions, SimTransport } from '../net/index.js';
import { ApplicationState, encodeTokens, Status } from './application-state.js';
import { describeState } from './endpoint-state.js';
import type { EndpointState } from './endpoint-state.js';
import type { GossipEvent } from './events.js';
import { Gossiper } from './gossiper.js';
import type { GossipConfig } from './gossiper.js';
import { GossipService } from './service.js';

export interface GossipSimulationOptions {
  seed: number;
  nodes: number;
  /** The first `seeds` nodes are seeds (default 2). */
  seeds?: number;
  intervalMs?: number;
  clusterName?: string;
  network?: Omit<SimNetworkOptions, 'clock' | 'random'>;
  /** Overrides for every node's gossip config (failure detector tuning, quarantine...). */
  gossip?: Partial<Omit<GossipConfig, 'self' | 'seeds' | 'generation' | 'clusterName'>>;
  /** Nodes start at random offsets in [0, startSpreadMs) (default: one interval). */
  startSpreadMs?: number;
  /** Record every event in `trace` (default true). */
  trace?: boolean;
  /** Tokens per node in its TOKENS state (default 4). */
  tokensPerNode?: number;
}

export interface SimGossipNode {
  readonly index: number;
  readonly endpoint: Endpoint;
  readonly hostId: string;
  running: boolean;
  generation: number;
  transport?: SimTransport;
  service?: GossipService;
}

export class GossipSimulation {
  readonly clock: SimClock;
  readonly network: SimNetwork;
  readonly random: SeededRandom;
  readonly nodes: SimGossipNode[] = [];
  readonly seeds: Endpoint[];
  readonly intervalMs: number;
  /** "<ms since start> <observer> <event> <endpoint> [detail]", in order. */
  readonly trace: string[] = [];
  private readonly startMs: number;
  private readonly options: GossipSimulationOptions;
  private readonly tokensByNode: string[] = [];

  constructor(options: GossipSimulationOptions) {
    this.options = options;
    this.random = new SeededRandom(options.seed);
    this.clock = new SimClock();
    this.startMs = this.clock.nowMs();
    this.intervalMs = options.intervalMs ?? 1000;
    this.network = new SimNetwork({ ...options.network, clock: this.clock, random: this.random.fork() });
    for (let i = 0; i < options.nodes; i++) {
      const hostId = uuidFrom(this.random);
      this.nodes.push({ index: i, endpoint: simEndpoint(i), hostId, running: false, generation: 0 });
      const tokens: bigint[] = [];
      for (let k = 0; k < (options.tokensPerNode ?? 4); k++) tokens.push(BigInt.asIntN(64, (BigInt(this.random.u32()) << 32n) | BigInt(this.random.u32())));
      this.tokensByNode.push(encodeTokens(tokens));
    }
    this.seeds = this.nodes.slice(0, options.seeds ?? 2).map((n) => n.endpoint);
  }

  /** Milliseconds of virtual time since the simulation began. */
  elapsedMs(): number {
    return this.clock.nowMs() - this.startMs;
  }

  /** Starts every node at a random offset within startSpreadMs. */
  startAll(): void {
    const spread = this.options.startSpreadMs ?? this.intervalMs;
    for (const n of this.nodes) {
      const delay = spread > 0 ? this.random.int(spread) : 0;
      this.clock.setTimer(delay, () => this.start(n.index));
    }
  }

  /** Starts (or restarts, with a new generation) node i: shadow round, then announce. */
  start(i: number): void {
    const n = this.nodes[i];
    if (n.running) throw new Error(`node ${i} is running`);
    n.generation = Math.max(this.clock.nowMs(), n.generation + 1);
    const transport = this.network.transport(n.endpoint, n.hostId);
    const gossiper = new Gossiper(
      {
        ...this.options.gossip,
        clusterName: this.options.clusterName ?? 'sim',
        self: n.endpoint,
        seeds: this.seeds,
        generation: n.generation,
        intervalMs: this.intervalMs,
      },
      this.random.fork(),
    );
    const service = new GossipService({ transport, clock: this.clock, gossiper });
    if (this.options.trace ?? true) gossiper.subscribe((e) => this.record(n.endpoint, e));
    n.transport = transport;
    n.service = service;
    n.running = true;
    service.beginShadowRound(() => {
      if (!n.running || n.service !== service) return;
      service.announce({
        [ApplicationState.STATUS]: Status.NORMAL,
        [ApplicationState.HOST_ID]: n.hostId,
        [ApplicationState.TOKENS]: this.tokensByNode[i],
        [ApplicationState.DC]: 'dc1',
        [ApplicationState.RACK]: `rack${i % 3}`,
        [ApplicationState.RELEASE_VERSION]: '0.1.0',
      });
    });
  }

  /** Kills node i without a word (a crash or a kill -9). */
  crash(i: number): void {
    const n = this.nodes[i];
    n.service?.halt();
    n.transport?.detach();
    n.running = false;
  }

  /** Stops node i gracefully: it tells its live peers it is shutting down. */
  shutdown(i: number): void {
    const n = this.nodes[i];
    n.service?.stop();
    n.transport?.detach();
    n.running = false;
  }

  gossiper(i: number): Gossiper {
    const s = this.nodes[i].service;
    if (s === undefined) throw new Error(`node ${i} never started`);
    return s.gossiper;
  }

  running(): SimGossipNode[] {
    return this.nodes.filter((n) => n.running);
  }

  async run(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  /**
   * Advances in steps of stepMs until pred() holds or maxMs passes. Returns the virtual ms it
   * took, or -1 if it never held.
   */
  async runUntil(pred: () => boolean, maxMs: number, stepMs = this.intervalMs): Promise<number> {
    const begin = this.clock.nowMs();
    for (;;) {
      if (pred()) return this.clock.nowMs() - begin;
      if (this.clock.nowMs() - begin >= maxMs) return -1;
      await this.clock.advance(stepMs);
    }
  }

  /**
   * Every node has been started, every running one has announced, holds the same states (generation and application states,
   * heartbeats aside) for the same endpoints, knows every running node's current generation, and
   * sees every other running node up.
   */
  converged(): boolean {
    // A node never started yet is on its way: the cluster is not complete without it.
    if (this.nodes.some((n) => n.generation === 0)) return false;
    const up = this.running();
    let reference: Gossiper | undefined;
    for (const n of up) {
      const g = n.service!.gossiper;
      if (g.getPhase() !== 'normal') return false;
      for (const m of up) {
        if (m === n) continue;
        if (!g.isAlive(m.endpoint)) return false;
        if (g.endpointState(m.endpoint)?.generation !== m.generation) return false;
      }
      if (reference === undefined) reference = g;
      else if (!this.sameView(reference, g)) return false;
    }
    return true;
  }

  /** Whether two nodes hold the same endpoints with the same generations and application states. */
  private sameView(a: Gossiper, b: Gossiper): boolean {
    const endpoints = a.endpoints();
    if (endpoints.length !== b.endpoints().length) return false;
    for (const ep of endpoints) {
      const sa = a.endpointState(ep);
      const sb = b.endpointState(ep);
      if (sa === undefined || sb === undefined || sa.generation !== sb.generation) return false;
      if (!sameStates(sa, sb)) return false;
    }
    return true;
  }

  /** A node's view as text: every endpoint's generation and application states, sorted. */
  viewOf(g: Gossiper): string {
    return g
      .endpoints()
      .sort()
      .map((ep) => `${ep}:${describeState(g.endpointState(ep)!)}`)
      .join('\n');
  }

  /** Whether every running node other than `target` sees it down (or no longer knows it). */
  allSeeDown(target: Endpoint): boolean {
    return this.running().every((n) => n.endpoint === target || !n.service!.gossiper.isAlive(target));
  }

  /** Whether every running node other than `target` sees it up with the given generation. */
  allSeeUp(target: Endpoint, generation: number): boolean {
    return this.running().every((n) => {
      if (n.endpoint === target) return true;
      const g = n.service!.gossiper;
      return g.isAlive(target) && g.endpointState(target)?.generation === generation;
    });
  }

  private record(observer: Endpoint, e: GossipEvent): void {
    let detail = '';
    if (e.type === 'change') detail = ` ${e.key}=${e.value}`;
    else if (e.type === 'join' || e.type === 'restart') detail = ` gen=${e.generation}`;
    else if (e.type === 'down') detail = ` phi=${e.phi.toFixed(2)}`;
    else if (e.type === 'shadow-round-done') detail = ` ${e.outcome}`;
    this.trace.push(`${this.elapsedMs()} ${observer} ${e.type} ${e.endpoint}${detail}`);
  }
}

/** Same application states, value and version for each key (heartbeats aside). */
function sameStates(a: EndpointState, b: EndpointState): boolean {
  if (a.states === b.states) return true;
  if (a.states.size !== b.states.size) return false;
  for (const [key, v] of a.states) {
    const w = b.states.get(key);
    if (w === undefined || w.version !== v.version || w.value !== v.value) return false;
  }
  return true;
}

/** Node i's endpoint in a simulation: 10.0.x.y:7000. */
export function simEndpoint(i: number): Endpoint {
  const j = i + 1;
  return `10.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}:7000`;
}

function uuidFrom(random: SeededRandom): string {
  const b = random.bytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

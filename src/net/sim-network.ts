/**
 * A simulated network for whole clusters in one process, driven by a Clock (a SimClock in tests)
 * and a seeded Random: the same seed gives the same deliveries in the same order.
 *
 * Faults (each decided per message, from the network's Random):
 *   - latency: uniform in latencyMs × [1 - jitter, 1 + jitter]
 *   - loss (lossRate), duplication (duplicateRate: a second copy with its own latency)
 *   - reordering (reorderRate: a message is held back by up to reorderDelayMs, so later ones pass it)
 *   - partitions: symmetric between two groups, or one-way (a -> b blocked, b -> a flows)
 * A message is checked against partitions both when sent and when delivered, so a partition cuts
 * messages already in flight, as a real one would.
 *
 * Deliveries fall on whole virtual milliseconds and wait in one heap under a single Clock timer,
 * so a busy simulated millisecond costs one timer, not one per message. Messages due in the same
 * millisecond arrive in the order they were sent.
 *
 * With `codec` on (the default), every message goes through the real encoder, framing and
 * decoder, so the simulation exercises the same bytes as TCP; turn it off for speed in large
 * benchmarks (payload objects are then shared, and receivers must treat them as immutable, which
 * gossip does).
 */
import type { Clock, Random, Timer } from '../seams/index.js';
import { decodeMessage, encodeMessage, MESSAGING_VERSION } from './envelope.js';
import { NetError } from './errors.js';
import { FrameDecoder } from './frame.js';
import { MinHeap } from './heap.js';
import { RequestTracker } from './requests.js';
import type { AnyInbound, Endpoint, Handler, InboundMessage, SendOptions, Transport, TransportStats } from './transport.js';
import { emptyStats } from './transport.js';
import { checkSendable, Verb, verbSpec } from './verbs.js';
import type { PayloadOf } from './verbs.js';

export interface SimNetworkOptions {
  clock: Clock;
  random: Random;
  /** Mean one-way latency (default 5 ms). */
  latencyMs?: number;
  /** Latency spread as a fraction of latencyMs (default 0.2: ±20%). */
  jitter?: number;
  lossRate?: number;
  duplicateRate?: number;
  reorderRate?: number;
  /** Extra delay of a reordered message, uniform in [0, reorderDelayMs] (default 10 × latencyMs). */
  reorderDelayMs?: number;
  /** Round-trip every message through the real codec (default true). */
  codec?: boolean;
}

/** Counts over the whole network, for tests and benchmarks. */
export interface SimNetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  blocked: number;
  bytes: number;
  sentByVerb: Map<Verb, number>;
}

interface Delivery {
  atMs: number;
  seq: number;
  message: AnyInbound;
  to: Endpoint;
}

export class SimNetwork {
  private readonly clock: Clock;
  private readonly random: Random;
  private latencyMs: number;
  private jitter: number;
  private lossRate: number;
  private duplicateRate: number;
  private reorderRate: number;
  private readonly reorderDelayMs: number;
  private readonly codec: boolean;
  private readonly nodes = new Map<Endpoint, SimTransport>();
  /** Blocked directions, as "from>to". */
  private readonly cuts = new Set<string>();
  private readonly inFlight = new MinHeap<Delivery>((a, b) => a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq));
  private deliverySeq = 0;
  private timer: Timer | undefined;
  private timerAtMs = Infinity;
  readonly counters: SimNetworkStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, blocked: 0, bytes: 0, sentByVerb: new Map() };

  constructor(options: SimNetworkOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.latencyMs = options.latencyMs ?? 5;
    this.jitter = options.jitter ?? 0.2;
    this.lossRate = options.lossRate ?? 0;
    this.duplicateRate = options.duplicateRate ?? 0;
    this.reorderRate = options.reorderRate ?? 0;
    this.reorderDelayMs = options.reorderDelayMs ?? this.latencyMs * 10;
    this.codec = options.codec ?? true;
  }

  /** Attaches a node; replaces (restarts) one already at that endpoint. */
  transport(endpoint: Endpoint, hostId: string): SimTransport {
    this.nodes.get(endpoint)?.detach();
    const t = new SimTransport(this, this.clock, endpoint, hostId);
    this.nodes.set(endpoint, t);
    return t;
  }

  setFaults(faults: { lossRate?: number; duplicateRate?: number; reorderRate?: number; latencyMs?: number; jitter?: number }): void {
    if (faults.lossRate !== undefined) this.lossRate = faults.lossRate;
    if (faults.duplicateRate !== undefined) this.duplicateRate = faults.duplicateRate;
    if (faults.reorderRate !== undefined) this.reorderRate = faults.reorderRate;
    if (faults.latencyMs !== undefined) this.latencyMs = faults.latencyMs;
    if (faults.jitter !== undefined) this.jitter = faults.jitter;
  }

  /** Cuts every link between group a and group b, both ways. */
  partition(a: readonly Endpoint[], b: readonly Endpoint[]): void {
    this.blockOneWay(a, b);
    this.blockOneWay(b, a);
  }

  /** Cuts messages from every endpoint of `from` to every endpoint of `to`; the other way flows. */
  blockOneWay(from: readonly Endpoint[], to: readonly Endpoint[]): void {
    for (const f of from) for (const t of to) if (f !== t) this.cuts.add(`${f}>${t}`);
  }

  /** Removes every partition. */
  heal(): void {
    this.cuts.clear();
  }

  isBlocked(from: Endpoint, to: Endpoint): boolean {
    return this.cuts.size > 0 && this.cuts.has(`${from}>${to}`);
  }

  /** @internal Called by SimTransport.send. */
  dispatch(from: SimTransport, to: Endpoint, id: number, verb: Verb, payload: unknown): void {
    this.counters.sent++;
    this.counters.sentByVerb.set(verb, (this.counters.sentByVerb.get(verb) ?? 0) + 1);
    if (this.isBlocked(from.endpoint, to)) {
      this.counters.blocked++;
      return;
    }
    if (this.lossRate > 0 && this.random.next() < this.lossRate) {
      this.counters.lost++;
      return;
    }
    let message: AnyInbound;
    if (this.codec) {
      const frame = encodeMessage({ id, verb, senderHostId: from.hostId, messagingVersion: MESSAGING_VERSION, payload } as never);
      this.counters.bytes += frame.length;
      const decoder = new FrameDecoder();
      decoder.push(frame);
      const env = decodeMessage(decoder.next() as Buffer);
      message = { ...env, from: from.endpoint } as AnyInbound;
    } else {
      message = { id, verb, from: from.endpoint, senderHostId: from.hostId, messagingVersion: MESSAGING_VERSION, payload } as AnyInbound;
    }
    const copies = this.duplicateRate > 0 && this.random.next() < this.duplicateRate ? 2 : 1;
    if (copies === 2) this.counters.duplicated++;
    for (let c = 0; c < copies; c++) {
      let delayMs = this.latencyMs * (1 + this.jitter * (2 * this.random.next() - 1));
      if (this.reorderRate > 0 && this.random.next() < this.reorderRate) delayMs += this.random.next() * this.reorderDelayMs;
      const atMs = this.clock.monotonicMs() + Math.max(0, Math.round(delayMs));
      this.inFlight.push({ atMs, seq: this.deliverySeq++, message, to });
    }
    this.arm();
  }

  /** Messages sent and not yet delivered or cut. */
  inFlightCount(): number {
    return this.inFlight.size;
  }

  private arm(): void {
    const next = this.inFlight.peek();
    if (next === undefined || next.atMs >= this.timerAtMs) return;
    this.timer?.cancel();
    this.timerAtMs = next.atMs;
    this.timer = this.clock.setTimer(next.atMs - this.clock.monotonicMs(), () => this.deliverDue());
  }

  private deliverDue(): void {
    this.timer = undefined;
    this.timerAtMs = Infinity;
    const nowMs = this.clock.monotonicMs();
    // Bounded: a message sent during delivery is due at least one whole millisecond later, unless
    // latency is 0, and even then each delivery removes one entry before its handler adds any.
    for (let next = this.inFlight.peek(); next !== undefined && next.atMs <= nowMs; next = this.inFlight.peek()) {
      this.inFlight.pop();
      this.deliver(next.message, next.to);
    }
    this.arm();
  }

  private deliver(message: AnyInbound, to: Endpoint): void {
    if (this.isBlocked(message.from, to)) {
      this.counters.blocked++;
      return;
    }
    const target = this.nodes.get(to);
    if (target === undefined) {
      this.counters.lost++;
      return;
    }
    this.counters.delivered++;
    target.receive(message);
  }

  /** @internal */
  detached(t: SimTransport): void {
    if (this.nodes.get(t.endpoint) === t) this.nodes.delete(t.endpoint);
  }
}

export class SimTransport implements Transport {
  private readonly handlers = new Map<Verb, Handler<Verb>>();
  private readonly counters: TransportStats = emptyStats();
  private readonly requests: RequestTracker;
  private nextId = 1;
  private open = true;

  constructor(
    private readonly network: SimNetwork,
    clock: Clock,
    readonly endpoint: Endpoint,
    readonly hostId: string,
  ) {
    this.requests = new RequestTracker(clock, this.counters);
  }

  handle<V extends Verb>(verb: V, handler: Handler<V>): void {
    this.handlers.set(verb, handler as unknown as Handler<Verb>);
  }

  send<V extends Verb>(to: Endpoint, verb: V, payload: PayloadOf[V], _options?: SendOptions): void {
    this.sendWithId(to, this.allocateId(), verb, payload);
  }

  request<V extends Verb>(to: Endpoint, verb: V, payload: PayloadOf[V], timeoutMs: number): Promise<AnyInbound> {
    if (!this.open) {
      this.counters.droppedUnreachable++;
      return Promise.reject(new NetError('CLOSED', `transport ${this.endpoint} closed`));
    }
    const id = this.allocateId();
    const response = this.requests.expect(id, to, timeoutMs);
    this.sendWithId(to, id, verb, payload);
    return response;
  }

  respond<V extends Verb>(request: InboundMessage, verb: V, payload: PayloadOf[V]): void {
    this.sendWithId(request.from, request.id, verb, payload);
  }

  stats(): TransportStats {
    return this.counters;
  }

  async close(): Promise<void> {
    this.detach();
  }

  /** @internal Detaches without waiting (a crash, or a restart at the same endpoint). */
  detach(): void {
    if (!this.open) return;
    this.open = false;
    this.network.detached(this);
    this.requests.failAll(new NetError('CLOSED', `transport ${this.endpoint} closed`));
  }

  /** @internal Called by SimNetwork on delivery. */
  receive(message: AnyInbound): void {
    if (!this.open) return;
    this.counters.received++;
    const spec = verbSpec(message.verb);
    if (spec?.responseOf !== undefined) {
      if (!this.requests.complete(message)) this.counters.droppedUnhandled++;
      return;
    }
    const handler = this.handlers.get(message.verb);
    if (handler === undefined) {
      this.counters.droppedUnhandled++;
      return;
    }
    handler(message as InboundMessage<Verb>);
  }

  private allocateId(): number {
    const id = this.nextId;
    this.nextId = this.nextId === 0xffffffff ? 1 : this.nextId + 1;
    return id;
  }

  private sendWithId(to: Endpoint, id: number, verb: Verb, payload: unknown): void {
    checkSendable(verb);
    if (!this.open) {
      this.counters.droppedUnreachable++;
      return;
    }
    this.counters.sent++;
    this.network.dispatch(this, to, id, verb, payload);
  }
}


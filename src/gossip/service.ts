/**
 * GossipService: the async plumbing around the pure Gossiper. It registers the gossip verbs on a
 * Transport, runs rounds on a Clock timer, sends what the gossiper returns, and turns ECHO into a
 * request/response. The same service runs over the simulated network and over TCP.
 */
import type { Clock, Logger, Timer } from '../seams/index.js';
import { silentLogger } from '../seams/index.js';
import { Verb } from '../net/index.js';
import type { Endpoint, Transport } from '../net/index.js';
import type { ApplicationState } from './application-state.js';
import type { GossipListener } from './events.js';
import type { GossipOutgoing, Gossiper, ShadowOutcome } from './gossiper.js';

export interface GossipServiceOptions {
  transport: Transport;
  clock: Clock;
  gossiper: Gossiper;
  logger?: Logger;
  /** How often the failure detector is consulted between rounds (default a quarter interval; 0: rounds only). */
  failureCheckMs?: number;
}

export class GossipService {
  readonly gossiper: Gossiper;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private timer: Timer | undefined;
  private checkTimer: Timer | undefined;
  private readonly failureCheckMs: number;
  private running = false;
  private shadowWaiters: Array<(outcome: ShadowOutcome) => void> = [];

  constructor(options: GossipServiceOptions) {
    this.gossiper = options.gossiper;
    this.transport = options.transport;
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger();
    this.failureCheckMs = options.failureCheckMs ?? this.gossiper.intervalMs / 4;
    const t = this.transport;
    t.handle(Verb.GOSSIP_DIGEST_SYN, (m) => this.deliver(m.from, { verb: Verb.GOSSIP_DIGEST_SYN, payload: m.payload }));
    t.handle(Verb.GOSSIP_DIGEST_ACK, (m) => this.deliver(m.from, { verb: Verb.GOSSIP_DIGEST_ACK, payload: m.payload }));
    t.handle(Verb.GOSSIP_DIGEST_ACK2, (m) => this.deliver(m.from, { verb: Verb.GOSSIP_DIGEST_ACK2, payload: m.payload }));
    t.handle(Verb.GOSSIP_SHUTDOWN, (m) => this.deliver(m.from, { verb: Verb.GOSSIP_SHUTDOWN, payload: m.payload }));
    t.handle(Verb.ECHO_REQ, (m) => {
      if (this.running && this.gossiper.answersEcho()) t.respond(m, Verb.ECHO_RSP, { generation: this.gossiper.generation });
    });
    this.gossiper.subscribe((e) => {
      if (e.type !== 'shadow-round-done') return;
      const waiters = this.shadowWaiters;
      this.shadowWaiters = [];
      for (const w of waiters) w(e.outcome);
    });
  }

  get endpoint(): Endpoint {
    return this.gossiper.self;
  }

  /** Runs the shadow round; calls back when a seed answered, there are no other seeds, or it timed out. */
  beginShadowRound(onDone: (outcome: ShadowOutcome) => void): void {
    this.shadowWaiters.push(onDone);
    this.running = true;
    this.sendAll(this.gossiper.beginShadowRound(this.clock.nowMs()));
    this.schedule();
  }

  shadowRound(): Promise<ShadowOutcome> {
    return new Promise((resolve) => this.beginShadowRound(resolve));
  }

  /** Announces the local node and starts normal rounds. */
  announce(states: Partial<Record<ApplicationState, string>>): void {
    this.running = true;
    this.gossiper.announce(this.clock.nowMs(), states);
    if (this.timer === undefined) this.schedule();
    if (this.checkTimer === undefined && this.failureCheckMs > 0) this.scheduleCheck();
  }

  /** Shadow round, then announce. Resolves with how the shadow round ended. */
  async start(states: Partial<Record<ApplicationState, string>>): Promise<ShadowOutcome> {
    const outcome = await this.shadowRound();
    if (outcome === 'timeout') this.logger.warn({ seeds: 'unanswered' }, 'gossip shadow round: no seed answered; announcing anyway');
    this.announce(states);
    return outcome;
  }

  setLocalState(key: ApplicationState, value: string): void {
    this.gossiper.setLocalState(key, value);
  }

  subscribe(listener: GossipListener): () => void {
    return this.gossiper.subscribe(listener);
  }

  /** Graceful stop: tells live peers this node is shutting down, then stops rounds. */
  stop(): void {
    if (!this.running) return;
    this.sendAll(this.gossiper.shutdown(this.clock.nowMs()));
    this.halt();
  }

  /** Stops rounds and answers without telling anyone (a crash, in simulations). */
  halt(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.checkTimer?.cancel();
    this.checkTimer = undefined;
  }

  isRunning(): boolean {
    return this.running;
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(this.gossiper.intervalMs, () => {
      this.timer = undefined;
      if (!this.running) return;
      this.sendAll(this.gossiper.onTick(this.clock.nowMs()));
      this.schedule();
    });
  }

  private scheduleCheck(): void {
    this.checkTimer = this.clock.setTimer(this.failureCheckMs, () => {
      this.checkTimer = undefined;
      if (!this.running) return;
      this.gossiper.checkFailures(this.clock.nowMs());
      this.scheduleCheck();
    });
  }

  private deliver(from: Endpoint, msg: Parameters<Gossiper['onMessage']>[1]): void {
    if (!this.running) return;
    this.sendAll(this.gossiper.onMessage(from, msg, this.clock.nowMs()));
  }

  private sendAll(out: GossipOutgoing[]): void {
    for (const m of out) {
      if (m.verb === Verb.ECHO_REQ) {
        this.echo(m.to);
        continue;
      }
      this.transport.send(m.to, m.verb, m.payload as never);
    }
  }

  private echo(to: Endpoint): void {
    const timeoutMs = this.gossiper.echoTimeoutMs;
    this.transport.request(to, Verb.ECHO_REQ, { generation: 0 }, timeoutMs).then(
      (rsp) => {
        if (!this.running || rsp.verb !== Verb.ECHO_RSP) return;
        this.gossiper.onEchoResponse(to, rsp.payload.generation, this.clock.nowMs());
      },
      (e: Error) => this.logger.debug({ peer: to, err: e.message }, 'echo unanswered'),
    );
  }
}

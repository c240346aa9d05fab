// The Gossiper as a pure state machine: messages and ticks in, messages and events out. A tiny
// synchronous router stands in for the network, so each rule is checked message by message:
// the SYN/ACK/ACK2 contents, ECHO before up, restarts, shutdown, quarantine, LEFT expiry, the
// generation sanity check, the shadow round, and conviction.
import t from 'tap';
import { Verb } from '../../src/net/index.js';
import type { Endpoint } from '../../src/net/index.js';
import { ApplicationState, Gossiper, MAX_GENERATION_AHEAD_MS, Status } from '../../src/gossip/index.js';
import type { GossipConfig, GossipEvent, GossipOutgoing } from '../../src/gossip/index.js';
import { SeededRandom } from '../../src/seams/index.js';

const T0 = 1_767_225_600_000;
const A = '10.0.0.1:7000';
const B = '10.0.0.2:7000';
const C = '10.0.0.3:7000';

interface Node {
  g: Gossiper;
  events: GossipEvent[];
}

/** Delivers what gossipers send, synchronously; ECHOs are answered by the target if it answers echo. */
class Router {
  readonly nodes = new Map<Endpoint, Node>();
  /** Return true to drop a message. */
  drop: (from: Endpoint, m: GossipOutgoing) => boolean = () => false;
  readonly log: Array<{ from: Endpoint; to: Endpoint; verb: Verb }> = [];
  private queue: Array<{ from: Endpoint; m: GossipOutgoing }> = [];

  add(self: Endpoint, extra: Partial<GossipConfig> = {}): Node {
    const g = new Gossiper({ clusterName: 'c', self, seeds: [A], generation: T0, ...extra }, new SeededRandom(this.nodes.size + 1));
    const node = { g, events: [] as GossipEvent[] };
    g.subscribe((e) => node.events.push(e));
    this.nodes.set(self, node);
    return node;
  }

  send(from: Endpoint, out: GossipOutgoing[]): void {
    for (const m of out) this.queue.push({ from, m });
  }

  run(nowMs: number): void {
    for (let steps = 0; this.queue.length > 0; steps++) {
      if (steps > 100_000) throw new Error('router did not settle');
      const { from, m } = this.queue.shift()!;
      this.log.push({ from, to: m.to, verb: m.verb });
      if (this.drop(from, m)) continue;
      const target = this.nodes.get(m.to);
      if (target === undefined) continue;
      if (m.verb === Verb.ECHO_REQ) {
        if (target.g.answersEcho()) this.nodes.get(from)!.g.onEchoResponse(m.to, target.g.generation, nowMs);
        continue;
      }
      this.send(m.to, target.g.onMessage(from, { verb: m.verb, payload: m.payload } as never, nowMs));
    }
  }

  tick(ep: Endpoint, nowMs: number): void {
    this.send(ep, this.nodes.get(ep)!.g.onTick(nowMs));
    this.run(nowMs);
  }

  /** Ticks every node once per second for `rounds` rounds from `startMs`; returns the end time. */
  rounds(rounds: number, startMs: number, only?: Endpoint[]): number {
    let now = startMs;
    for (let r = 0; r < rounds; r++) {
      now += 1000;
      for (const ep of only ?? [...this.nodes.keys()]) this.tick(ep, now);
    }
    return now;
  }
}

const announceAll = (r: Router, nowMs: number): void => {
  for (const [ep, n] of r.nodes) n.g.announce(nowMs, { [ApplicationState.STATUS]: Status.NORMAL, [ApplicationState.HOST_ID]: `host-${ep}` });
};

const types = (n: Node, endpoint?: Endpoint): string[] => n.events.filter((e) => endpoint === undefined || e.endpoint === endpoint).map((e) => e.type);

t.test('SYN carries a digest per known endpoint; ACK sends what is newer and asks for what it lacks; ACK2 completes', async (t) => {
  const r = new Router();
  const a = r.add(A);
  const b = r.add(B);
  announceAll(r, T0);
  b.g.setLocalState(ApplicationState.LOAD, '42');
  // b knows only itself; it gossips to the seed a (nothing is live yet).
  const out = b.g.onTick(T0 + 1000);
  t.same(out.map((m) => [m.verb, m.to]), [[Verb.GOSSIP_DIGEST_SYN, A]]);
  const syn = out[0].payload as { clusterName: string; digests: Array<{ endpoint: string; generation: number; maxVersion: number }> };
  t.same(syn.digests, [{ endpoint: B, generation: T0, maxVersion: b.g.endpointState(B)!.maxVersion }]);
  const ack = a.g.onMessage(B, { verb: Verb.GOSSIP_DIGEST_SYN, payload: out[0].payload as never }, T0 + 1000);
  t.equal(ack[0].verb, Verb.GOSSIP_DIGEST_ACK);
  const ackPayload = ack[0].payload as { requests: Array<{ endpoint: string; maxVersion: number }>; states: Array<{ endpoint: string }> };
  t.same(ackPayload.requests, [{ endpoint: B, generation: T0, maxVersion: 0 }], 'a asks for all of b');
  t.same(ackPayload.states.map((s) => s.endpoint), [A], 'and pushes itself, which b did not mention');
  const ack2 = b.g.onMessage(A, { verb: Verb.GOSSIP_DIGEST_ACK, payload: ack[0].payload as never }, T0 + 1001);
  t.same(ack2.map((m) => m.verb).sort(), [Verb.GOSSIP_DIGEST_ACK2, Verb.ECHO_REQ].sort(), 'b answers with ACK2 and echoes the new endpoint');
  const ack2Msg = ack2.find((m) => m.verb === Verb.GOSSIP_DIGEST_ACK2)!;
  a.g.onMessage(B, { verb: Verb.GOSSIP_DIGEST_ACK2, payload: ack2Msg.payload as never }, T0 + 1002);
  t.equal(a.g.applicationState(B, ApplicationState.LOAD), '42', 'a learned b');
  t.equal(b.g.applicationState(A, ApplicationState.HOST_ID), `host-${A}`, 'b learned a');
  t.notOk(a.g.isAlive(B), 'known is not up: up needs an ECHO answer');
  t.same(types(a, B), ['join', 'change', 'change', 'change']);
});

t.test('an endpoint is up only once it answers ECHO; unanswered ECHOs are retried', async (t) => {
  const r = new Router();
  const a = r.add(A);
  r.add(B);
  announceAll(r, T0);
  let lost = 0;
  r.drop = (from, m) => m.verb === Verb.ECHO_REQ && from === A && ++lost > 0;
  const now = r.rounds(5, T0);
  t.notOk(a.g.isAlive(B), 'its echoes lost: b is not up at a');
  t.ok(r.nodes.get(B)!.g.isAlive(A), 'while b, whose echo got through, sees a up');
  t.ok(lost >= 3, `a retried its echo (${lost} sent in 5 rounds)`);
  r.drop = () => false;
  r.rounds(3, now);
  t.ok(a.g.isAlive(B), 'up once an echo gets through');
  t.equal(types(a, B).filter((x) => x === 'up').length, 1);
});

t.test('a SYN from another cluster is ignored and counted', async (t) => {
  const r = new Router();
  const a = r.add(A);
  announceAll(r, T0);
  const out = a.g.onMessage(B, { verb: Verb.GOSSIP_DIGEST_SYN, payload: { clusterName: 'other', digests: [{ endpoint: B, generation: T0, maxVersion: 3 }] } }, T0);
  t.same(out, []);
  t.equal(a.g.counters.foreignSyns, 1);
  t.same(a.g.endpoints(), [A]);
});

t.test('a restart (higher generation) replaces the state, marks down, and is up again only after a new ECHO', async (t) => {
  const r = new Router();
  const a = r.add(A);
  r.add(B);
  announceAll(r, T0);
  let now = r.rounds(3, T0);
  t.ok(a.g.isAlive(B));
  const b2 = r.add(B, { generation: T0 + 60_000 });
  b2.g.announce(now, { [ApplicationState.STATUS]: Status.NORMAL, [ApplicationState.HOST_ID]: 'host-b-again' });
  let echoes = 0;
  r.drop = (_from, m) => m.verb === Verb.ECHO_REQ && m.to === B && echoes++ === 0;
  r.tick(B, (now += 1000));
  t.equal(a.g.endpointState(B)!.generation, T0 + 60_000, 'new generation installed');
  t.equal(a.g.applicationState(B, ApplicationState.HOST_ID), 'host-b-again');
  t.notOk(a.g.isAlive(B), 'down until its echo is answered');
  t.same(types(a, B).slice(-3), ['down', 'restart', 'change']);
  r.drop = () => false;
  now = r.rounds(3, now);
  t.ok(a.g.isAlive(B));
  t.equal(types(a, B).at(-1), 'up');
});

t.test('a graceful shutdown marks the node down at once (phi 0) and gossip about it does not raise it', async (t) => {
  const r = new Router();
  const a = r.add(A);
  const b = r.add(B);
  r.add(C);
  announceAll(r, T0);
  let now = r.rounds(4, T0);
  t.ok(a.g.isAlive(B) && a.g.isAlive(C));
  // c never gets b's GOSSIP_SHUTDOWN: it must learn STATUS shutdown through gossip instead.
  r.drop = (_from, m) => m.verb === Verb.GOSSIP_SHUTDOWN && m.to === C;
  r.send(B, b.g.shutdown((now += 10)));
  r.run(now);
  r.nodes.delete(B);
  t.notOk(a.g.isAlive(B), 'down at a at once');
  t.same(a.events.filter((e) => e.type === 'down'), [{ type: 'down', endpoint: B, phi: 0 }]);
  t.equal(a.g.applicationState(B, ApplicationState.STATUS), Status.SHUTDOWN);
  now = r.rounds(3, now);
  const c = r.nodes.get(C)!;
  t.notOk(c.g.isAlive(B), 'c marked it down when STATUS shutdown reached it by gossip');
  t.same(c.events.filter((e) => e.type === 'down'), [{ type: 'down', endpoint: B, phi: 0 }]);
  t.notOk(b.g.answersEcho());
  t.same(b.g.onTick(now), [], 'a stopped gossiper sends nothing');
});

t.test('a removed endpoint is quarantined: stale gossip cannot bring it back until the quarantine ends', async (t) => {
  const r = new Router();
  const a = r.add(A, { quarantineMs: 10_000 });
  r.add(B);
  r.add(C);
  announceAll(r, T0);
  let now = r.rounds(3, T0);
  r.nodes.delete(B);
  a.g.removeEndpoint(B, now);
  t.equal(types(a, B).at(-1), 'removed');
  t.notOk(a.g.endpoints().includes(B));
  t.ok(a.g.isQuarantined(B));
  // c still gossips b's old state to a.
  now = r.rounds(5, now, [A, C]);
  t.notOk(a.g.endpoints().includes(B), 'not back while quarantined');
  t.ok(a.g.counters.quarantinedIgnored > 0, 'the stale states were seen and ignored');
  now = r.rounds(7, now, [A, C]);
  t.notOk(a.g.isQuarantined(B), 'quarantine over after 10 s');
  t.ok(a.g.endpoints().includes(B), 'then gossip may reintroduce it (c never removed it)');
  t.throws(() => a.g.removeEndpoint(A, now));
});

t.test('an endpoint that LEFT is evicted and quarantined once its expiry passes', async (t) => {
  const r = new Router();
  const a = r.add(A);
  const b = r.add(B);
  announceAll(r, T0);
  let now = r.rounds(3, T0);
  b.g.setLocalState(ApplicationState.STATUS, `${Status.LEFT},${now + 5000}`);
  now = r.rounds(1, now);
  t.notOk(a.g.isAlive(B), 'LEFT is a dead state: down at once');
  r.nodes.delete(B);
  now = r.rounds(3, now, [A]);
  t.ok(a.g.endpoints().includes(B), 'kept until the expiry');
  now = r.rounds(3, now, [A]);
  t.notOk(a.g.endpoints().includes(B), 'evicted after it');
  t.ok(a.g.isQuarantined(B));
});

t.test('a generation more than a year ahead of the local clock is not believed', async (t) => {
  const r = new Router();
  const a = r.add(A);
  announceAll(r, T0);
  const bogus = T0 + MAX_GENERATION_AHEAD_MS + 1;
  a.g.onMessage(B, { verb: Verb.GOSSIP_DIGEST_ACK2, payload: { states: [{ endpoint: C, generation: bogus, heartbeatVersion: 1, states: [] }] } }, T0);
  const ack = a.g.onMessage(B, { verb: Verb.GOSSIP_DIGEST_SYN, payload: { clusterName: 'c', digests: [{ endpoint: C, generation: bogus, maxVersion: 1 }] } }, T0);
  t.notOk(a.g.endpoints().includes(C));
  t.same((ack[0].payload as { requests: unknown[] }).requests, [], 'not even asked for');
  t.equal(a.g.counters.invalidGenerations, 2);
});

t.test('the shadow round learns the ring from a seed without announcing the node', async (t) => {
  const r = new Router();
  r.add(A);
  r.add(B, { seeds: [A] });
  announceAll(r, T0);
  let now = r.rounds(3, T0);
  const c = r.add(C, { seeds: [A] });
  r.send(C, c.g.beginShadowRound(now));
  r.run(now);
  t.equal(c.g.shadowRoundOutcome(), 'answered');
  t.equal(c.g.getPhase(), 'ready');
  t.same(c.g.endpoints().sort(), [A, B], 'c knows the ring');
  t.notOk(r.nodes.get(A)!.g.endpoints().includes(C), 'the seed has not heard of c');
  c.g.setLocalState(ApplicationState.TOKENS, '1,2');
  t.notOk(c.g.endpoints().includes(C), 'setting states before announcing does not publish them');
  c.g.announce(now, { [ApplicationState.STATUS]: Status.NORMAL });
  now = r.rounds(3, now);
  t.equal(r.nodes.get(A)!.g.applicationState(C, ApplicationState.TOKENS), '1,2');
  t.same(types(c, C), ['shadow-round-done']);
});

t.test('shadow round outcomes: no other seed, no seed answering, seeds starting together', async (t) => {
  const lone = new Gossiper({ clusterName: 'c', self: A, seeds: [A], generation: T0 }, new SeededRandom(1));
  const loneEvents: GossipEvent[] = [];
  lone.subscribe((e) => loneEvents.push(e));
  t.same(lone.beginShadowRound(T0), []);
  t.equal(lone.shadowRoundOutcome(), 'no-seeds');
  t.same(loneEvents, [{ type: 'shadow-round-done', endpoint: A, outcome: 'no-seeds' }], 'told at once: nobody else will answer');
  const waiting = new Gossiper({ clusterName: 'c', self: C, seeds: [A, B], generation: T0, shadowRoundTimeoutMs: 3000 }, new SeededRandom(1));
  t.same(waiting.beginShadowRound(T0).map((m) => m.to), [A, B], 'asks every seed');
  t.same(waiting.onTick(T0 + 1000).map((m) => m.to), [A, B], 'and asks again each round');
  t.same(waiting.onTick(T0 + 3000), []);
  t.equal(waiting.shadowRoundOutcome(), 'timeout');
  // Two seeds in their own shadow rounds answer each other with an empty ACK, so neither waits.
  const r = new Router();
  const a = r.add(A, { seeds: [A, B] });
  const b = r.add(B, { seeds: [A, B] });
  r.send(A, a.g.beginShadowRound(T0));
  r.send(B, b.g.beginShadowRound(T0));
  r.run(T0);
  t.equal(a.g.shadowRoundOutcome(), 'answered');
  t.equal(b.g.shadowRoundOutcome(), 'answered');
  t.throws(() => a.g.beginShadowRound(T0), 'only once');
});

t.test('a silent live peer is convicted at a round once phi passes the threshold', async (t) => {
  const r = new Router();
  const a = r.add(A);
  r.add(B);
  announceAll(r, T0);
  let now = r.rounds(30, T0);
  t.ok(a.g.isAlive(B));
  r.nodes.delete(B);
  let convictedAfter = -1;
  for (let s = 1; s <= 30 && convictedAfter < 0; s++) {
    now += 1000;
    r.tick(A, now);
    if (!a.g.isAlive(B)) convictedAfter = s;
  }
  const down = a.events.find((e) => e.type === 'down') as { phi: number } | undefined;
  t.ok(convictedAfter >= 4 && convictedAfter <= 8, `convicted ${convictedAfter} s after the last heartbeat`);
  t.ok(down !== undefined && down.phi > 8, `phi ${down?.phi} over the threshold`);
  t.equal(a.g.counters.convictions, 1);
  t.ok(a.g.unreachableEndpoints().includes(B));
});

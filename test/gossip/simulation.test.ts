// Whole gossip clusters on virtual time (GossipSimulation: SimClock + SimNetwork with the real
// codec + one GossipService per node, all from one seed). 100 nodes with 2 seeds:
//   - converge to identical views within 15 rounds;
//   - a stopped node is convicted by every other node, and nobody else is;
//   - restarted, it is seen up again with its new generation;
//   - a partition of 5 nodes from 95 is detected on both sides, and heals;
//   - with 20% message loss convergence still completes;
//   - the same seed gives the same event trace, event for event.
// A failing run names its seed; GOSSIP_SEED=<seed> npx tap test/gossip/simulation.test.ts replays it.
import t from 'tap';
import { GossipSimulation } from '../../src/gossip/index.js';
import type { GossipSimulationOptions } from '../../src/gossip/index.js';
import type { Endpoint } from '../../src/net/index.js';

const SEED = Number(process.env.GOSSIP_SEED ?? 20260101);
const NODES = 100;
const INTERVAL = 1000;
const replay = (seed: number) => `seed ${seed}; replay: GOSSIP_SEED=${seed} npx tap test/gossip/simulation.test.ts`;

const downEvents = (sim: GossipSimulation, fromIndex: number, target?: Endpoint): string[] =>
  sim.trace.slice(fromIndex).filter((l) => {
    const [, , type, endpoint] = l.split(' ');
    return type === 'down' && (target === undefined || endpoint === target);
  });

void t.test(`100 nodes: converge, convict, restart, partition and heal (${replay(SEED)})`, async (t) => {
  const sim = new GossipSimulation({ seed: SEED, nodes: NODES, seeds: 2, intervalMs: INTERVAL });
  sim.startAll();

  const convergedMs = await sim.runUntil(() => sim.converged(), 15 * INTERVAL);
  t.ok(convergedMs >= 0, `converged to identical views after ${convergedMs} ms (${convergedMs / INTERVAL} rounds, start spread included)`);
  t.ok(convergedMs <= 15 * INTERVAL, 'within 15 rounds');
  const views = new Set(sim.nodes.map((n) => sim.viewOf(sim.gossiper(n.index))));
  t.equal(views.size, 1, 'every node holds the same view');
  t.equal(sim.gossiper(0).endpoints().length, NODES, 'of all 100 endpoints');

  // A quiet minute so the failure detectors have real samples, then a crash (no goodbye).
  const quietFrom = sim.trace.length;
  await sim.run(60_000);
  t.same(downEvents(sim, quietFrom), [], 'no false conviction in a quiet minute');
  t.ok(sim.converged(), 'still converged');

  const victim = sim.nodes[37];
  const oldGeneration = victim.generation;
  // The exact events (the trace rounds phi to two decimals).
  const downs: Array<{ observer: Endpoint; endpoint: Endpoint; phi: number }> = [];
  const unsubscribe = sim.nodes.filter((n) => n !== victim).map((n) => sim.gossiper(n.index).subscribe((e) => e.type === 'down' && downs.push({ observer: n.endpoint, endpoint: e.endpoint, phi: e.phi })));
  sim.crash(victim.index);
  const detectMs = await sim.runUntil(() => sim.allSeeDown(victim.endpoint), 30_000, INTERVAL / 4);
  for (const u of unsubscribe) u();
  t.ok(detectMs >= 0, `every other node convicted it, the last after ${detectMs} ms`);
  t.equal(new Set(downs.map((d) => d.observer)).size, NODES - 1, 'a down event at every other node');
  t.equal(downs.length, NODES - 1, 'and no other down event');
  t.ok(downs.every((d) => d.endpoint === victim.endpoint && d.phi > 8), 'all for the victim, with phi over 8');

  sim.start(victim.index);
  t.ok(victim.generation > oldGeneration, 'the restart has a higher generation');
  const restartFrom = sim.trace.length;
  const upMs = await sim.runUntil(() => sim.allSeeUp(victim.endpoint, victim.generation), 30_000, INTERVAL / 4);
  t.ok(upMs >= 0, `seen up again with generation ${victim.generation} by all after ${upMs} ms`);
  const restarts = sim.trace.slice(restartFrom).filter((l) => l.includes(` restart ${victim.endpoint} gen=${victim.generation}`));
  t.equal(restarts.length, NODES - 1, 'every other node saw the restart');
  t.ok((await sim.runUntil(() => sim.converged(), 30_000)) >= 0, 'and the cluster converges again');
  t.same(downEvents(sim, restartFrom), [], 'no conviction meanwhile');

  const minority = sim.nodes.slice(NODES - 5).map((n) => n.endpoint);
  const majority = sim.nodes.slice(0, NODES - 5).map((n) => n.endpoint);
  const minoritySet = new Set(minority);
  sim.network.partition(minority, majority);
  const splitSeen = (): boolean =>
    sim.nodes.every((n) => {
      const g = sim.gossiper(n.index);
      const other = minoritySet.has(n.endpoint) ? majority : minority;
      return other.every((ep) => !g.isAlive(ep));
    });
  const splitMs = await sim.runUntil(splitSeen, 90_000, INTERVAL / 4);
  t.ok(splitMs >= 0, `both sides see the other side down after ${splitMs} ms`);
  const majorityIntact = sim.nodes.slice(0, NODES - 5).every((n) => majority.every((ep) => sim.gossiper(n.index).isAlive(ep)));
  t.ok(majorityIntact, 'the majority still sees itself up');
  sim.network.heal();
  const healMs = await sim.runUntil(() => sim.converged(), 60_000, INTERVAL / 4);
  t.ok(healMs >= 0, `healed: converged again ${healMs} ms after the partition ended`);
});

void t.test(`with 20% message loss, 100 nodes still converge (${replay(SEED + 1)})`, async (t) => {
  const sim = new GossipSimulation({ seed: SEED + 1, nodes: NODES, network: { lossRate: 0.2 } });
  sim.startAll();
  const ms = await sim.runUntil(() => sim.converged(), 120_000);
  t.ok(ms >= 0, `converged after ${ms} ms at 20% loss`);
  t.ok(sim.network.counters.lost > 0.18 * sim.network.counters.sent, `${sim.network.counters.lost} of ${sim.network.counters.sent} messages lost`);
});

/** A run under every fault SimNetwork has: the trace must be a function of the seed alone. */
async function eventfulRun(seed: number): Promise<{ trace: string[]; sent: number }> {
  const options: GossipSimulationOptions = { seed, nodes: 40, network: { lossRate: 0.05, duplicateRate: 0.05, reorderRate: 0.05, jitter: 0.5 } };
  const sim = new GossipSimulation(options);
  sim.startAll();
  await sim.run(20_000);
  sim.crash(7);
  sim.shutdown(8);
  await sim.run(20_000);
  sim.start(7);
  sim.network.partition(sim.nodes.slice(0, 3).map((n) => n.endpoint), sim.nodes.slice(3).map((n) => n.endpoint));
  await sim.run(15_000);
  sim.network.heal();
  sim.start(8);
  await sim.run(15_000);
  return { trace: sim.trace, sent: sim.network.counters.sent };
}

void t.test(`the same seed gives the same event trace (${replay(SEED + 2)})`, async (t) => {
  const first = await eventfulRun(SEED + 2);
  const second = await eventfulRun(SEED + 2);
  t.ok(first.trace.length > 5000, `a long trace: ${first.trace.length} events`);
  for (const kind of ['join', 'up', 'down', 'change', 'restart', 'shadow-round-done']) {
    t.ok(first.trace.some((l) => l.split(' ')[2] === kind), `it has ${kind} events`);
  }
  t.same(second.trace, first.trace, 'identical, event for event');
  t.equal(second.sent, first.sent);
  const other = await eventfulRun(SEED + 3);
  t.not(other.trace.join('\n'), first.trace.join('\n'), 'another seed gives another run');
});

// bench:gossip — gossip and failure detection in simulation (GossipSimulation: virtual time, one
// seed, gossip_interval 1 s, phi_convict_threshold 8, 2 seeds, nodes started within one interval):
//   - convergence: virtual time and messages until 10, 100 and 1000 nodes hold identical views with
//     everyone up, counted from the first node's start (worst of several seeds, one for 1000);
//   - steady state: messages per node per round, 100 nodes, 60 rounds after convergence;
//   - detection: time from a node's crash (no goodbye) to its conviction by every other node, 100
//     nodes after a warm-up minute, worst of 5 crashes. Beside it, for reference, what Cassandra's
//     exponential detector (convict when 0.434 · silence / mean > 8) would take on the same
//     arrival windows;
//   - false convictions: 100 nodes, 10 minutes of virtual time, one-way latency 50 ms ± 30%, with
//     the highest phi any node computed for any live peer (sampled every 250 ms).
// The network skips the protobuf codec here for speed (the tests run it with the codec).
// Ends with one JSON line.
import { GossipSimulation } from '../src/gossip/index.js';
import type { GossipSimulationOptions } from '../src/gossip/index.js';
import { Verb } from '../src/net/index.js';

const INTERVAL_MS = 1000;
const MAX_CONVERGE_MS = 120_000;
const FALSE_CONVICTION_MINUTES = Number(process.env.BENCH_GOSSIP_MINUTES ?? 10);

const row = (label: string, value: string): string => `${label.padEnd(64)} ${value}`;
const downs = (sim: GossipSimulation, from = 0): number => sim.trace.slice(from).filter((l) => l.split(' ')[2] === 'down').length;

interface Convergence {
  nodes: number;
  seed: number;
  ms: number;
  messages: number;
  echoes: number;
  wallMs: number;
}

async function converge(nodes: number, seed: number, extra: Partial<GossipSimulationOptions> = {}): Promise<{ sim: GossipSimulation; result: Convergence }> {
  const started = performance.now();
  const sim = new GossipSimulation({ seed, nodes, intervalMs: INTERVAL_MS, trace: nodes <= 100, ...extra, network: { codec: false, ...extra.network } });
  sim.startAll();
  const ms = await sim.runUntil(() => sim.converged(), MAX_CONVERGE_MS, INTERVAL_MS / 10);
  if (ms < 0) throw new Error(`${nodes} nodes (seed ${seed}) did not converge within ${MAX_CONVERGE_MS} ms`);
  const byVerb = sim.network.counters.sentByVerb;
  const echoes = (byVerb.get(Verb.ECHO_REQ) ?? 0) + (byVerb.get(Verb.ECHO_RSP) ?? 0);
  return { sim, result: { nodes, seed, ms, messages: sim.network.counters.sent, echoes, wallMs: performance.now() - started } };
}

async function convergenceRounds(nodes: number, seeds: number[]): Promise<Convergence[]> {
  const out: Convergence[] = [];
  for (const seed of seeds) out.push((await converge(nodes, seed)).result);
  return out;
}

async function main(): Promise<void> {
  console.log('gossip in simulation: interval 1 s, phi_convict_threshold 8, 2 seeds\n');
  const sizes: Array<[number, number[]]> = [
    [10, [1, 2, 3, 4, 5]],
    [100, [1, 2, 3]],
    [1000, [1]],
  ];
  const worst = new Map<number, Convergence>();
  for (const [nodes, seeds] of sizes) {
    const results = await convergenceRounds(nodes, seeds);
    const w = results.reduce((a, b) => (b.ms > a.ms ? b : a));
    worst.set(nodes, w);
    console.log(
      row(
        `converge ${nodes} nodes: rounds, worst of ${results.map((r) => (r.ms / INTERVAL_MS).toFixed(1)).join(', ')}`,
        (w.ms / INTERVAL_MS).toFixed(1),
      ),
    );
    console.log(row(`  messages until converged (per node; of them ECHO req+rsp)`, `${w.messages} (${(w.messages / nodes).toFixed(1)}; ${w.echoes})`));
    console.log(row(`  wall time of that simulation (ms)`, w.wallMs.toFixed(0)));
  }

  // Steady state and detection on one 100-node cluster.
  const { sim } = await converge(100, 7);
  await sim.run(60_000);
  const before = sim.network.counters.sent;
  const quietFrom = sim.trace.length;
  await sim.run(60 * INTERVAL_MS);
  const msgsPerNodeRound = (sim.network.counters.sent - before) / (100 * 60);
  console.log(row('steady state, 100 nodes: messages per node per round', msgsPerNodeRound.toFixed(2)));
  if (downs(sim, quietFrom) > 0) throw new Error('false conviction in the steady-state minute');

  const detections: number[] = [];
  const cassandra: number[] = [];
  for (const victim of [37, 0, 64, 81, 12]) {
    const target = sim.nodes[victim].endpoint;
    const crashMs = sim.clock.nowMs();
    // Cassandra's detector on the same windows: convicts after 18.4 mean intervals of silence.
    let reference = 0;
    for (const n of sim.running()) {
      if (n.index === victim) continue;
      const fd = sim.gossiper(n.index).failureDetector();
      reference = Math.max(reference, fd.lastReportMs(target)! + (8 / 0.4342944819) * fd.meanIntervalMs(target)! - crashMs);
    }
    sim.crash(victim);
    const ms = await sim.runUntil(() => sim.allSeeDown(target), 120_000, 50);
    if (ms < 0) throw new Error(`node ${victim} never convicted by all`);
    detections.push(ms);
    cassandra.push(reference);
    sim.start(victim);
    if ((await sim.runUntil(() => sim.converged(), 120_000)) < 0) throw new Error('no convergence after the restart');
    await sim.run(30_000);
  }
  const detectS = Math.max(...detections) / 1000;
  console.log(row(`detection, 100 nodes: crash to conviction by all, s`, `${detectS.toFixed(1)} (worst of ${detections.map((d) => (d / 1000).toFixed(1)).join(', ')})`));
  console.log(row(`  reference: Cassandra's exponential phi on the same windows, s`, `${(Math.max(...cassandra) / 1000).toFixed(1)} (worst of ${cassandra.map((d) => (d / 1000).toFixed(1)).join(', ')})`));

  const noisy = (await converge(100, 11, { network: { latencyMs: 50, jitter: 0.3 } })).sim;
  const from = noisy.trace.length;
  let maxPhi = 0;
  for (let step = 0; step < FALSE_CONVICTION_MINUTES * 240; step++) {
    await noisy.run(250);
    const now = noisy.clock.nowMs();
    for (const n of noisy.nodes) {
      const g = noisy.gossiper(n.index);
      for (const ep of g.liveEndpoints()) maxPhi = Math.max(maxPhi, g.phi(ep, now));
    }
  }
  const falseConvictions = downs(noisy, from);
  console.log(row(`false convictions, 100 nodes, ${FALSE_CONVICTION_MINUTES} min, latency 50 ms ± 30%`, String(falseConvictions)));
  console.log(row('  highest phi of a live peer meanwhile (convicts above 8)', maxPhi.toFixed(2)));

  const rounds = (n: number): number => Number((worst.get(n)!.ms / INTERVAL_MS).toFixed(1));
  const r10 = rounds(10);
  const r1000 = rounds(1000);
  console.log(row('target: rounds_1000 <= 2 x rounds_10 + 6', `${r1000} <= ${2 * r10 + 6}: ${r1000 <= 2 * r10 + 6 ? 'met' : 'MISSED'}`));
  console.log(row('target: detection < 15 s', detectS < 15 ? 'met' : 'MISSED'));
  console.log(row('target: zero false convictions', falseConvictions === 0 ? 'met' : 'MISSED'));
  console.log('');
  console.log(
    JSON.stringify({
      rounds_10: r10,
      rounds_100: rounds(100),
      rounds_1000: r1000,
      msgs_per_node_round: Number(msgsPerNodeRound.toFixed(2)),
      detect_s: Number(detectS.toFixed(1)),
      false_convictions: falseConvictions,
    }),
  );
}

await main();

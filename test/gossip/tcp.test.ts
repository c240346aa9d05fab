// Gossip over real TCP on 127.0.0.1, 127.0.0.2 and 127.0.0.3 (same port, as a local cluster runs):
// one node in this process, two in child processes. Membership converges; a peer killed with
// SIGKILL is convicted by both others; restarted, it is seen up again with its new generation;
// a node of another cluster_name is refused at the handshake and never joins.
import t from 'tap';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ApplicationState, Gossiper, GossipService, Status } from '../../src/gossip/index.js';
import type { GossipEvent } from '../../src/gossip/index.js';
import { TcpTransport } from '../../src/net/index.js';
import { RealClock, SeededRandom } from '../../src/seams/index.js';
import { freePort, hostId, until } from '../net/helpers.js';

const fixture = new URL('./fixtures/tcp-node.ts', import.meta.url).pathname;
const INTERVAL_MS = 300;
const CLUSTER = 'tcp-gossip';

interface Child {
  endpoint: string;
  process: ChildProcessByStdio<null, Readable, Readable>;
  lines: Array<Record<string, unknown>>;
  generation: number;
  stderr: string;
  exited: Promise<void>;
}

function startChild(endpoint: string, seeds: string[], clusterName = CLUSTER): Child {
  const child = spawn(process.execPath, [...process.execArgv, fixture, endpoint, seeds.join(','), clusterName, String(INTERVAL_MS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const c: Child = { endpoint, process: child, lines: [], generation: 0, stderr: '', exited: new Promise((resolve) => child.on('exit', () => resolve())) };
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (o.type === 'listening') c.generation = o.generation as number;
      c.lines.push(o);
    }
  });
  child.stderr.on('data', (d: Buffer) => (c.stderr += d.toString()));
  return c;
}

/** The child's latest view of who is live (from its periodic stats line). */
const liveAt = (c: Child): string[] => (c.lines.filter((l) => l.type === 'stats').at(-1)?.live as string[] | undefined) ?? [];

t.test('three nodes over TCP: converge, convict a killed peer, see it restart, refuse another cluster', async (t) => {
  const port = await freePort(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']);
  const [e1, e2, e3, e4] = [1, 2, 3, 4].map((i) => `127.0.0.${i}:${port}`);
  const clock = new RealClock();
  const transport = await TcpTransport.listen({ clusterName: CLUSTER, endpoint: e1, hostId: hostId(), clock, reconnectBaseMs: 50, reconnectMaxMs: 500 });
  const gossiper = new Gossiper({ clusterName: CLUSTER, self: e1, seeds: [e1], generation: clock.nowMs(), intervalMs: INTERVAL_MS }, new SeededRandom(randomInt(2 ** 31)) /* RealRandom.next() throws: see fixtures/tcp-node.ts */);
  const service = new GossipService({ transport, clock, gossiper });
  const events: GossipEvent[] = [];
  gossiper.subscribe((e) => events.push(e));
  const children: Child[] = [];
  t.teardown(async () => {
    for (const c of children) c.process.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    service.halt();
    await transport.close();
  });
  const explain = (): string => children.map((c) => `${c.endpoint}: ${c.stderr.slice(-500)} ${JSON.stringify(c.lines.slice(-4))}`).join("\n");
  await service.start({ [ApplicationState.STATUS]: Status.NORMAL });

  const n2 = startChild(e2, [e1]);
  let n3 = startChild(e3, [e1]);
  children.push(n2, n3);
  await until(() => gossiper.isAlive(e2) && gossiper.isAlive(e3), () => `node 1 sees 2 and 3 up\n${explain()}`, 30_000);
  await until(() => liveAt(n2).join() === [e1, e3].join() && liveAt(n3).join() === [e1, e2].join(), () => `2 and 3 see each other and 1 up\n${explain()}`, 30_000);
  t.pass('membership converged: each node sees the two others up');
  t.equal(gossiper.endpointState(e3)?.generation, n3.generation, 'with the generation node 3 started with');

  const oldGeneration = n3.generation;
  n3.process.kill('SIGKILL');
  await n3.exited;
  await until(() => !gossiper.isAlive(e3), 'node 1 convicts the killed node 3', 30_000);
  const down = events.find((e) => e.type === 'down' && e.endpoint === e3) as { phi: number } | undefined;
  t.ok(down !== undefined && down.phi > 8, `node 1 convicted node 3 with phi ${down?.phi.toFixed(2)}`);
  await until(() => n2.lines.some((l) => l.type === 'down' && l.endpoint === e3), 'node 2 convicts node 3 too', 30_000);
  t.ok(gossiper.isAlive(e2), 'node 2 is still up at node 1');

  n3 = startChild(e3, [e1]);
  children.push(n3);
  await until(() => n3.generation > 0, 'node 3 restarted', 30_000);
  t.ok(n3.generation > oldGeneration, 'with a higher generation');
  await until(() => gossiper.isAlive(e3) && gossiper.endpointState(e3)?.generation === n3.generation, () => `node 1 sees node 3 up again\n${explain()}`, 30_000);
  await until(() => n2.lines.some((l) => l.type === 'restart' && l.endpoint === e3 && l.generation === n3.generation) && liveAt(n2).includes(e3), 'node 2 sees the restart and node 3 up', 30_000);
  t.ok(events.some((e) => e.type === 'restart' && e.endpoint === e3 && e.generation === n3.generation), 'node 1 saw the restart');

  const foreign = startChild(e4, [e1], 'another-cluster');
  children.push(foreign);
  await until(() => (transport.stats().closedByReason.CLUSTER_MISMATCH ?? 0) > 0, 'node 1 refuses the foreign node', 30_000);
  await until(() => foreign.lines.some((l) => l.type === 'stats' && (l.handshakesRefused as number) > 0), 'the foreign node is told', 30_000);
  // A few more rounds: the foreign node never joins, and this cluster is unchanged.
  const roundsLater = gossiper.counters.rounds + 5;
  await until(() => gossiper.counters.rounds >= roundsLater, 'five more rounds', 30_000);
  t.notOk(gossiper.endpoints().includes(e4), 'node 1 never learned of the foreign node');
  t.same(liveAt(foreign), [], 'the foreign node sees nobody up');
  t.ok(gossiper.isAlive(e2) && gossiper.isAlive(e3), 'the cluster is intact');
  t.equal(transport.stats().handlerErrors, 0);
});

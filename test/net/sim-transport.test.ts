// SimTransport passes the Transport conformance suite on virtual time (a SimClock advanced in
// 5 ms steps), and its fault injection does what SimNetwork promises: seeded loss, duplication,
// reordering, symmetric and one-way partitions that also cut messages in flight.
import t from 'tap';
import { SimNetwork, Verb } from '../../src/net/index.js';
import type { Endpoint, SimNetworkOptions, SimTransport } from '../../src/net/index.js';
import { SeededRandom, SimClock } from '../../src/seams/index.js';
import { transportConformance } from './transport-conformance.js';
import type { ConformanceHarness } from './transport-conformance.js';

function simHarness(): ConformanceHarness {
  const clock = new SimClock();
  const network = new SimNetwork({ clock, random: new SeededRandom(7) });
  let n = 0;
  const open: SimTransport[] = [];
  return {
    create: async () => {
      n++;
      const tr = network.transport(`10.0.0.${n}:7000`, `host-${n}`);
      open.push(tr);
      return tr;
    },
    recreate: async (endpoint) => {
      const tr = network.transport(endpoint, `host-${endpoint}-again`);
      open.push(tr);
      return tr;
    },
    until: async (pred, what, maxMs = 10_000) => {
      const start = clock.nowMs();
      for (;;) {
        if (pred()) return;
        if (clock.nowMs() - start > maxMs) throw new Error(`virtual ${maxMs} ms passed waiting for: ${what}`);
        await clock.advance(5);
      }
    },
    deadEndpoint: () => '10.255.255.254:7000',
    cleanup: async () => {
      for (const tr of open) await tr.close();
    },
  };
}

transportConformance(t, simHarness);

interface Pair {
  clock: SimClock;
  network: SimNetwork;
  a: SimTransport;
  b: SimTransport;
  received: number[];
}

function pair(options: Omit<SimNetworkOptions, 'clock' | 'random'>, seed = 1): Pair {
  const clock = new SimClock();
  const network = new SimNetwork({ ...options, clock, random: new SeededRandom(seed) });
  const a = network.transport('10.0.0.1:7000', 'a');
  const b = network.transport('10.0.0.2:7000', 'b');
  const received: number[] = [];
  b.handle(Verb.ECHO_REQ, (m) => received.push(m.payload.generation));
  return { clock, network, a, b, received };
}

async function sendNumbered(p: Pair, count: number, to: Endpoint = p.b.endpoint): Promise<void> {
  for (let i = 0; i < count; i++) p.a.send(to, Verb.ECHO_REQ, { generation: i });
  await p.clock.advance(10_000);
}

t.test('loss drops about the configured fraction, reproducibly for a seed', async (t) => {
  const p = pair({ lossRate: 0.2 });
  await sendNumbered(p, 2000);
  const delivered = p.received.length;
  t.ok(delivered > 2000 * 0.75 && delivered < 2000 * 0.85, `delivered ${delivered} of 2000 at 20% loss`);
  t.equal(p.network.counters.lost, 2000 - delivered);
  const again = pair({ lossRate: 0.2 });
  await sendNumbered(again, 2000);
  t.same(again.received, p.received, 'the same seed loses the same messages');
  const other = pair({ lossRate: 0.2 }, 2);
  await sendNumbered(other, 2000);
  t.not(other.received.join(), p.received.join(), 'another seed loses others');
});

t.test('duplication delivers some messages twice', async (t) => {
  const p = pair({ duplicateRate: 0.1 });
  await sendNumbered(p, 1000);
  const extra = p.received.length - new Set(p.received).size;
  t.equal(new Set(p.received).size, 1000, 'nothing lost');
  t.equal(extra, p.network.counters.duplicated);
  t.ok(extra > 50 && extra < 150, `${extra} duplicates at 10%`);
});

t.test('without reordering or jitter messages arrive in order; with reordering some overtake', async (t) => {
  const inOrder = pair({ jitter: 0 });
  await sendNumbered(inOrder, 500);
  t.same(inOrder.received, [...Array(500).keys()]);
  const reordered = pair({ jitter: 0, reorderRate: 0.1 });
  for (let i = 0; i < 500; i++) {
    reordered.a.send(reordered.b.endpoint, Verb.ECHO_REQ, { generation: i });
    await reordered.clock.advance(1);
  }
  await reordered.clock.advance(10_000);
  t.equal(reordered.received.length, 500);
  const inversions = reordered.received.filter((g, i) => i > 0 && g < reordered.received[i - 1]).length;
  t.ok(inversions > 10, `${inversions} messages overtaken`);
});

t.test('latency is the configured mean within the jitter', async (t) => {
  const clock = new SimClock();
  const network = new SimNetwork({ clock, random: new SeededRandom(3), latencyMs: 40, jitter: 0.3 });
  const a = network.transport('10.0.0.1:7000', 'a');
  const b = network.transport('10.0.0.2:7000', 'b');
  const delays: number[] = [];
  const sentAt = new Map<number, number>();
  b.handle(Verb.ECHO_REQ, (m) => delays.push(clock.nowMs() - sentAt.get(m.payload.generation)!));
  for (let i = 0; i < 300; i++) {
    sentAt.set(i, clock.nowMs());
    a.send(b.endpoint, Verb.ECHO_REQ, { generation: i });
    await clock.advance(3);
  }
  await clock.advance(1000);
  t.equal(delays.length, 300);
  t.ok(Math.min(...delays) >= 27 && Math.max(...delays) <= 53, `delays within 40 ms ± 30%: ${Math.min(...delays)}..${Math.max(...delays)}`);
  const mean = delays.reduce((x, y) => x + y, 0) / delays.length;
  t.ok(mean > 37 && mean < 43, `mean ${mean}`);
});

t.test('a symmetric partition cuts both ways, also in flight; heal restores', async (t) => {
  const p = pair({ latencyMs: 50, jitter: 0 });
  const atA: number[] = [];
  p.a.handle(Verb.ECHO_REQ, (m) => atA.push(m.payload.generation));
  p.a.send(p.b.endpoint, Verb.ECHO_REQ, { generation: 1 });
  await p.clock.advance(10);
  p.network.partition([p.a.endpoint], [p.b.endpoint]);
  p.b.send(p.a.endpoint, Verb.ECHO_REQ, { generation: 2 });
  await p.clock.advance(100);
  t.same(p.received, [], 'the message in flight when the partition began is cut');
  t.same(atA, []);
  p.network.heal();
  p.a.send(p.b.endpoint, Verb.ECHO_REQ, { generation: 3 });
  p.b.send(p.a.endpoint, Verb.ECHO_REQ, { generation: 4 });
  await p.clock.advance(100);
  t.same(p.received, [3]);
  t.same(atA, [4]);
});

t.test('a one-way partition blocks one direction only', async (t) => {
  const p = pair({});
  const atA: number[] = [];
  p.a.handle(Verb.ECHO_REQ, (m) => atA.push(m.payload.generation));
  p.network.blockOneWay([p.a.endpoint], [p.b.endpoint]);
  p.a.send(p.b.endpoint, Verb.ECHO_REQ, { generation: 1 });
  p.b.send(p.a.endpoint, Verb.ECHO_REQ, { generation: 2 });
  await p.clock.advance(100);
  t.same(p.received, [], 'a -> b blocked');
  t.same(atA, [2], 'b -> a flows');
  t.equal(p.network.counters.blocked, 1);
});

t.test('with the codec on, messages travel as real frames', async (t) => {
  const p = pair({});
  await sendNumbered(p, 10);
  t.ok(p.network.counters.bytes > 10 * 12, `${p.network.counters.bytes} framed bytes`);
  const q = pair({ codec: false });
  await sendNumbered(q, 10);
  t.equal(q.network.counters.bytes, 0);
  t.same(q.received, p.received);
});

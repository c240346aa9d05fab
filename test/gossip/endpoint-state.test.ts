// merge() is gossip's one reconcile function: a property test checks it is commutative,
// associative and idempotent over random states of one endpoint (several generations, overlapping
// keys, equal and unequal versions), and the unit tests pin its rules and the wire conversions.
import t from 'tap';
import { ApplicationState, fromWire, makeState, merge, stateAbove, toWire } from '../../src/gossip/index.js';
import type { EndpointState, VersionedValue } from '../../src/gossip/index.js';
import { SeededRandom } from '../../src/seams/index.js';

const vv = (key: number, value: string, version: number): VersionedValue => ({ key, value, version });
const state = (generation: number, heartbeat: number, values: VersionedValue[]): EndpointState => makeState(generation, heartbeat, new Map(values.map((v) => [v.key, v])));

/** Comparable form: generation, heartbeat, max version and sorted values. */
const norm = (s: EndpointState): unknown => ({
  g: s.generation,
  h: s.heartbeatVersion,
  m: s.maxVersion,
  v: [...s.states.values()].map((v) => [v.key, v.value, v.version]).sort((a, b) => Number(a[0]) - Number(b[0])),
});

function randomState(r: SeededRandom): EndpointState {
  const values: VersionedValue[] = [];
  for (let key = 1; key <= 5; key++) if (r.next() < 0.6) values.push(vv(key, `v${r.int(3)}`, r.int(6)));
  return state(1000 + r.int(2), r.int(10), values);
}

t.test('merge is commutative, associative and idempotent (2,000 random triples)', async (t) => {
  const r = new SeededRandom(2024);
  let failures = 0;
  for (let i = 0; i < 2000; i++) {
    const [a, b, c] = [randomState(r), randomState(r), randomState(r)];
    const ok =
      JSON.stringify(norm(merge(a, b))) === JSON.stringify(norm(merge(b, a))) &&
      JSON.stringify(norm(merge(merge(a, b), c))) === JSON.stringify(norm(merge(a, merge(b, c)))) &&
      JSON.stringify(norm(merge(a, a))) === JSON.stringify(norm(a)) &&
      JSON.stringify(norm(merge(merge(a, b), b))) === JSON.stringify(norm(merge(a, b)));
    if (!ok && failures++ < 3) t.fail(`laws broken for ${JSON.stringify([norm(a), norm(b), norm(c)])}`);
  }
  t.equal(failures, 0, 'no counterexample');
});

t.test('a higher generation replaces the state whole; a lower one is ignored', async (t) => {
  const old = state(100, 50, [vv(ApplicationState.STATUS, 'NORMAL', 40), vv(ApplicationState.LOAD, '9', 49)]);
  const restarted = state(200, 2, [vv(ApplicationState.STATUS, 'BOOT', 1)]);
  t.equal(merge(old, restarted), restarted);
  t.equal(merge(restarted, old), restarted);
});

t.test('within a generation each key and the heartbeat take the higher version', async (t) => {
  const local = state(100, 10, [vv(1, 'NORMAL', 3), vv(7, 'load-a', 8)]);
  const remote = state(100, 12, [vv(1, 'LEAVING', 11), vv(7, 'load-old', 5), vv(6, 'schema', 4)]);
  const m = merge(local, remote);
  t.same(norm(m), { g: 100, h: 12, m: 12, v: [[1, 'LEAVING', 11], [6, 'schema', 4], [7, 'load-a', 8]] });
});

t.test('merge returns the local state itself when the remote adds nothing, and keeps the map when only the heartbeat moved', async (t) => {
  const local = state(100, 10, [vv(1, 'NORMAL', 3)]);
  t.equal(merge(local, state(100, 9, [vv(1, 'NORMAL', 3)])), local);
  t.equal(merge(local, local), local);
  const beat = merge(local, state(100, 11, []));
  t.not(beat, local);
  t.equal(beat.states, local.states, 'the application states map is shared');
  t.equal(beat.heartbeatVersion, 11);
  t.equal(merge(undefined, local), local);
});

t.test('equal versions with different values (never made by a correct node) resolve to the greater value', async (t) => {
  const a = state(1, 1, [vv(1, 'a', 5)]);
  const b = state(1, 1, [vv(1, 'b', 5)]);
  t.equal(merge(a, b).states.get(1)!.value, 'b');
  t.equal(merge(b, a).states.get(1)!.value, 'b');
});

t.test('wire forms: toWire/fromWire round-trip, stateAbove sends only newer values', async (t) => {
  const s = state(1_767_225_600_000, 20, [vv(1, 'NORMAL', 3), vv(2, '1,2,3', 4), vv(7, '12.5', 19)]);
  t.same(norm(fromWire(toWire('10.0.0.1:7000', s))), norm(s));
  const above = stateAbove('10.0.0.1:7000', s, 3);
  t.same(above, { endpoint: '10.0.0.1:7000', generation: 1_767_225_600_000, heartbeatVersion: 20, states: [vv(2, '1,2,3', 4), vv(7, '12.5', 19)] });
  t.equal(fromWire({ endpoint: 'x', generation: 1, heartbeatVersion: 1, states: [vv(1, 'old', 1), vv(1, 'new', 2)] }).states.get(1)!.value, 'new', 'a duplicated key keeps the newer value');
});

// The phi-accrual failure detector as a value: phi grows with silence, a regular peer is convicted
// a few seconds after it stops, a peer with irregular arrivals is given proportionally longer, and
// silences that are not samples (a conviction, an absence) do not teach it to wait longer.
import t from 'tap';
import { FailureDetector, defaultFailureDetectorOptions, phiNormal } from '../../src/gossip/index.js';

const INTERVAL = 1000;
const fd = () => new FailureDetector(defaultFailureDetectorOptions(INTERVAL));

/** Reports `intervals` in order starting at 0; returns the time of the last report. */
function feed(d: FailureDetector, peer: string, intervals: number[]): number {
  let now = 0;
  d.report(peer, now);
  for (const i of intervals) d.report(peer, (now += i));
  return now;
}

/** The first silence (ms, 10 ms steps) after which the detector convicts. */
function convictionAfter(d: FailureDetector, peer: string, lastMs: number): number {
  for (let s = 0; s <= 120_000; s += 10) if (d.convicts(peer, lastMs + s)) return s;
  return Infinity;
}

t.test('an unknown peer has phi 0; phi rises monotonically with silence and never becomes NaN', async (t) => {
  const d = fd();
  t.equal(d.phi('nobody', 1e12), 0);
  const last = feed(d, 'p', Array(50).fill(INTERVAL));
  let prev = -1;
  const problems: string[] = [];
  for (let s = 0; s <= 3_600_000; s += s < 20_000 ? 100 : 60_000) {
    const phi = d.phi('p', last + s);
    if (Number.isNaN(phi) || phi < prev) problems.push(`phi ${phi} after ${s} ms (before: ${prev})`);
    prev = phi;
  }
  t.same(problems, [], 'defined and non-decreasing from 0 to 3,600 s of silence');
  t.ok(d.phi('p', last) < 0.5, 'just after a heartbeat phi is small');
  t.equal(d.phi('p', last + 3_600_000), Infinity, 'an hour of silence is certain death');
});

t.test('a peer beating every interval is convicted 5-7 s after its last beat, not before 4 s', async (t) => {
  const d = fd();
  const last = feed(d, 'p', Array(200).fill(INTERVAL));
  const after = convictionAfter(d, 'p', last);
  t.ok(after > 5000 && after < 7000, `convicted after ${after} ms of silence`);
  t.notOk(d.convicts('p', last + 4000));
});

t.test('irregular arrivals (gossip hearsay) earn proportionally more patience', async (t) => {
  const regular = fd();
  const irregular = fd();
  const lastR = feed(regular, 'p', Array(300).fill(1500));
  // Mean 1500 ms as above, but spread over 0..3000 ms: the deviation, not the mean, differs.
  const spread = Array.from({ length: 300 }, (_, i) => (i * 7919) % 3001);
  const lastI = feed(irregular, 'p', spread);
  const r = convictionAfter(regular, 'p', lastR);
  const i = convictionAfter(irregular, 'p', lastI);
  t.ok(i > r + 1500, `irregular peer convicted after ${i} ms, regular after ${r} ms`);
});

t.test('few quick arrivals do not make it impatient: the mean is floored at the interval', async (t) => {
  const d = fd();
  const last = feed(d, 'p', Array(200).fill(100));
  const after = convictionAfter(d, 'p', last);
  t.ok(after > 4000, `convicted after ${after} ms although beats came every 100 ms`);
});

t.test('the prior keeps a young window patient', async (t) => {
  const young = fd();
  const lastY = feed(young, 'p', [INTERVAL, INTERVAL]);
  const old = fd();
  const lastO = feed(old, 'p', Array(200).fill(INTERVAL));
  t.ok(convictionAfter(young, 'p', lastY) > convictionAfter(old, 'p', lastO) + 1000, 'a window of two samples waits longer');
});

t.test('a silence that ended in conviction, or one over maxIntervalMs, is not a sample', async (t) => {
  const d = fd();
  let now = feed(d, 'p', Array(100).fill(INTERVAL));
  const mean = d.meanIntervalMs('p')!;
  const samples = d.samples('p');
  d.interrupt('p');
  d.report('p', (now += 20_000));
  t.equal(d.samples('p'), samples, 'the interrupted silence was not recorded');
  t.equal(d.meanIntervalMs('p'), mean);
  d.report('p', (now += INTERVAL));
  t.equal(d.samples('p'), samples + 1, 'the next interval is');
  d.report('p', (now += 31 * INTERVAL));
  t.equal(d.samples('p'), samples + 1, 'an interval over maxIntervalMs (30 intervals) is not');
  d.report('p', now - 5);
  t.equal(d.samples('p'), samples + 1, 'a report from the past is ignored');
  d.remove('p');
  t.equal(d.samples('p'), 0);
  t.equal(d.phi('p', now + 1e6), 0, 'a removed peer is unknown again');
});

t.test('phiNormal: -log10 of the normal tail', async (t) => {
  t.ok(Math.abs(phiNormal(1000, 1000, 100) - Math.log10(2)) < 1e-3, 'at the mean, P = 1/2');
  t.ok(Math.abs(phiNormal(1100, 1000, 100) - 0.7994) < 0.005, 'one sigma: P ≈ 0.1587');
  // The logistic approximation's absolute error is < 1e-4, so far in the tail it is ~10% relative.
  t.ok(Math.abs(phiNormal(1300, 1000, 100) - 2.87) < 0.05, 'three sigma: P ≈ 0.00135');
  t.ok(phiNormal(0, 1000, 100) < 1e-6, 'far below the mean, phi ≈ 0');
});

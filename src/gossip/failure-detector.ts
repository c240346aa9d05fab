/**
 * Phi-accrual failure detector (Hayashibara et al.), one arrival window per peer. It is a value:
 * report() records that a peer's heartbeat advanced at `nowMs`, phi() says how unlikely the
 * silence since then is, given the inter-arrival times seen so far. Nothing here reads a clock.
 *
 *   phi(t) = -log10(P(an interval is longer than t))
 *
 * with intervals modelled as normal(mean + acceptablePauseMs, max(stddev, minStdDevMs)), as Akka
 * does. Why not Cassandra's exponential model (phi = t / (mean · ln 10))? A heartbeat reaches an
 * observer through gossip, on average less often than once per interval (about every 1.5 s at
 * 1 s rounds and 100 nodes), so with threshold 8 it convicts only after 18.4 mean intervals of
 * silence: 25-30 s. The normal model with a pause allowance convicts after mean + pause + ~5.6
 * sigma, 8-9 s of silence there, while the longest natural silences stay near phi 4 (bench/gossip.ts
 * measures both: detection time, and false convictions over 10 virtual minutes with jitter).
 *
 * A young window knows little: it starts with priorSamples samples alternating 0 and twice the
 * expected interval (mean as expected, deviation as large as the mean), so the first real gaps,
 * which can reach several intervals while gossip spreads, do not look like deaths. Real samples
 * outweigh the prior after a few dozen rounds.
 *
 * A silence that ended in a conviction is not a sample (interrupt()): it measures the peer being
 * away, and would teach the detector to wait longer the next time. Intervals over maxIntervalMs
 * are dropped for the same reason (a window that was never checked: the peer was not yet up).
 */

export interface FailureDetectorOptions {
  /** Convict above this phi (Cassandra's phi_convict_threshold, default 8). */
  phiConvictThreshold: number;
  /** The interval expected before any is observed: the gossip interval. Seeds each window. */
  expectedIntervalMs: number;
  /** Intervals kept per peer (the newest). */
  maxSampleSize: number;
  /** A floor on the standard deviation, so a very regular peer is not convicted on small jitter. */
  minStdDevMs: number;
  /** Silence tolerated on top of the mean before phi starts to climb (GC pauses, gossip's randomness). */
  acceptablePauseMs: number;
  /** Longer intervals are not recorded (see above). */
  maxIntervalMs: number;
  /** Prior samples each window starts with (see above). */
  priorSamples: number;
}

/** Defaults derived from the gossip interval, calibrated by bench/gossip.ts. */
export function defaultFailureDetectorOptions(gossipIntervalMs: number): FailureDetectorOptions {
  return {
    phiConvictThreshold: 8,
    expectedIntervalMs: gossipIntervalMs,
    maxSampleSize: 1000,
    minStdDevMs: gossipIntervalMs / 2,
    acceptablePauseMs: 2 * gossipIntervalMs,
    maxIntervalMs: 30 * gossipIntervalMs,
    priorSamples: 4,
  };
}

class ArrivalWindow {
  private readonly intervals: number[] = [];
  private next = 0;
  private sum = 0;
  private sumSquares = 0;
  lastMs: number;
  /** The silence in progress ended in a conviction: do not record it. */
  interrupted = false;

  constructor(
    private readonly capacity: number,
    nowMs: number,
    expectedIntervalMs: number,
    priorSamples: number,
  ) {
    this.lastMs = nowMs;
    for (let i = 0; i < priorSamples; i++) this.add(i % 2 === 0 ? 0 : 2 * expectedIntervalMs);
  }

  add(intervalMs: number): void {
    if (this.intervals.length < this.capacity) {
      this.intervals.push(intervalMs);
    } else {
      const old = this.intervals[this.next];
      this.sum -= old;
      this.sumSquares -= old * old;
      this.intervals[this.next] = intervalMs;
      this.next = (this.next + 1) % this.capacity;
    }
    this.sum += intervalMs;
    this.sumSquares += intervalMs * intervalMs;
  }

  mean(): number {
    return this.sum / this.intervals.length;
  }

  stdDev(): number {
    const n = this.intervals.length;
    const m = this.sum / n;
    const variance = this.sumSquares / n - m * m;
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  samples(): number {
    return this.intervals.length;
  }
}

export class FailureDetector {
  private readonly windows = new Map<string, ArrivalWindow>();

  constructor(readonly options: FailureDetectorOptions) {}

  /** The peer's heartbeat advanced at nowMs. */
  report(peer: string, nowMs: number): void {
    const w = this.windows.get(peer);
    if (w === undefined) {
      const o = this.options;
      this.windows.set(peer, new ArrivalWindow(o.maxSampleSize, nowMs, o.expectedIntervalMs, o.priorSamples));
      return;
    }
    const interval = nowMs - w.lastMs;
    if (interval < 0) return;
    if (interval <= this.options.maxIntervalMs && !w.interrupted) w.add(interval);
    w.interrupted = false;
    w.lastMs = nowMs;
  }

  /** The peer was convicted: the silence in progress is not a sample (see above). */
  interrupt(peer: string): void {
    const w = this.windows.get(peer);
    if (w !== undefined) w.interrupted = true;
  }

  /** How suspicious the silence since the last report is; 0 for a peer never reported. */
  phi(peer: string, nowMs: number): number {
    const w = this.windows.get(peer);
    if (w === undefined) return 0;
    // A heartbeat advances once per interval, so arrivals cannot on average come faster: a few
    // quick arrivals (an ACK and an ACK2 in one round) must not make the detector impatient.
    const meanMs = Math.max(w.mean(), this.options.expectedIntervalMs);
    return phiNormal(nowMs - w.lastMs, meanMs + this.options.acceptablePauseMs, Math.max(w.stdDev(), this.options.minStdDevMs));
  }

  convicts(peer: string, nowMs: number): boolean {
    return this.phi(peer, nowMs) > this.options.phiConvictThreshold;
  }

  /** Forgets a peer (it restarted or was removed): its next report starts a fresh window. */
  remove(peer: string): void {
    this.windows.delete(peer);
  }

  /** Mean observed interval of a peer (ms), for diagnostics; undefined if never reported. */
  meanIntervalMs(peer: string): number | undefined {
    return this.windows.get(peer)?.mean();
  }

  /** When the peer's heartbeat last advanced (ms), for diagnostics; undefined if never reported. */
  lastReportMs(peer: string): number | undefined {
    return this.windows.get(peer)?.lastMs;
  }

  samples(peer: string): number {
    return this.windows.get(peer)?.samples() ?? 0;
  }
}

/**
 * -log10 of the probability that a normal(mean, stdDev) variable exceeds t, with the logistic
 * approximation of the normal CDF (error < 1e-4; Bowling et al. 2009) that Akka also uses.
 */
export function phiNormal(tMs: number, meanMs: number, stdDevMs: number): number {
  const y = (tMs - meanMs) / stdDevMs;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  if (tMs > meanMs) return -Math.log10(e / (1 + e));
  return -Math.log10(1 - 1 / (1 + e));
}

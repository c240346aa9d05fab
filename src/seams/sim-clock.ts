import type { Clock, Timer } from './clock.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Virtual time for simulations and tests. Time moves only when the test calls advance() or
 * runUntilIdle(); timers fire in (time, creation order), so a run is deterministic.
 */
export class SimClock implements Clock {
  private timeMs: number;
  private lastMicros = 0;
  private seq = 0;
  private readonly queue: Pending[] = [];

  /** Starts at 2026-01-01T00:00:00Z unless told otherwise, so timestamps look real. */
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.timeMs = startMs;
  }

  nowMs(): number {
    return Math.floor(this.timeMs);
  }

  nowMicros(): number {
    let micros = Math.floor(this.timeMs * 1000);
    if (micros <= this.lastMicros) micros = this.lastMicros + 1;
    this.lastMicros = micros;
    return micros;
  }

  nowSeconds(): number {
    return Math.floor(this.timeMs / 1000);
  }

  monotonicMs(): number {
    return this.timeMs;
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const entry: Pending = { at: this.timeMs + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    // Insert keeping (at, seq) order; timers are few enough that a sorted array is fine.
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].at > entry.at) i--;
    this.queue.splice(i, 0, entry);
    return { cancel: () => { entry.cancelled = true; } };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(delayMs, resolve));
  }

  /** Virtual time does not move: only already-queued promise reactions get to run. */
  yieldNow(): Promise<void> {
    return Promise.resolve();
  }

  /** Number of timers not yet fired or cancelled. */
  pendingTimers(): number {
    return this.queue.filter((p) => !p.cancelled).length;
  }

  /**
   * Moves time forward by deltaMs, firing every timer that falls due, in order. Between timers it
   * lets already-resolved promise callbacks run, so async code driven by timers makes progress.
   */
  async advance(deltaMs: number): Promise<void> {
    const target = this.timeMs + deltaMs;
    for (;;) {
      await flushMicrotasks();
      const next = this.queue[0];
      if (next === undefined || next.at > target) break;
      this.queue.shift();
      if (next.cancelled) continue;
      this.timeMs = Math.max(this.timeMs, next.at);
      next.fn();
    }
    this.timeMs = target;
    await flushMicrotasks();
  }

  /** Synchronous variant for pure state machines: fires due timers without yielding. */
  advanceSync(deltaMs: number): void {
    const target = this.timeMs + deltaMs;
    for (;;) {
      const next = this.queue[0];
      if (next === undefined || next.at > target) break;
      this.queue.shift();
      if (next.cancelled) continue;
      this.timeMs = Math.max(this.timeMs, next.at);
      next.fn();
    }
    this.timeMs = target;
  }
}

/** Lets pending promise reactions (and their follow-ups, a few levels deep) run. */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

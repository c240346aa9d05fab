import type { Clock, Timer } from './clock.js';

/** The production Clock: wall time from performance.timeOrigin, timers from Node. */
export class RealClock implements Clock {
  private lastMicros = 0;

  nowMs(): number {
    return Math.floor(performance.timeOrigin + performance.now());
  }

  nowMicros(): number {
    let micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    if (micros <= this.lastMicros) micros = this.lastMicros + 1;
    this.lastMicros = micros;
    return micros;
  }

  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  monotonicMs(): number {
    return performance.now();
  }

  setTimer(delayMs: number, fn: () => void): Timer {
    const handle = setTimeout(fn, delayMs);
    // A pending timer must never keep a process alive on its own: shutdown is explicit.
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, delayMs));
  }

  yieldNow(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The Clock seam. Everything in Ringtail that needs the time or a timer takes a Clock, so a whole
 * cluster can run on virtual time in one process (see SimClock) and the same seed replays the same run.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock time in milliseconds since the Unix epoch. */
  nowMs(): number;
  /**
   * Wall-clock time in microseconds since the Unix epoch, strictly increasing between calls on one
   * clock so that two writes from one coordinator never share a timestamp.
   */
  nowMicros(): number;
  /** Wall-clock time in whole seconds since the epoch (Cassandra's "local deletion time" unit). */
  nowSeconds(): number;
  /** Monotonic milliseconds for measuring intervals (never goes backwards). */
  monotonicMs(): number;
  /** Calls fn once after delayMs. */
  setTimer(delayMs: number, fn: () => void): Timer;
  /** Resolves after delayMs; on a SimClock, when virtual time passes it. */
  sleep(delayMs: number): Promise<void>;
  /**
   * Lets other work run (I/O callbacks included) before continuing, without waiting for time to
   * pass: long background jobs such as compaction call it between steps so writes keep flowing.
   */
  yieldNow(): Promise<void>;
}

/**
 * Request/response bookkeeping shared by the transports: a pending request per message id, a
 * deadline from the Clock, and matching of responses to (peer, id).
 *
 * Deadlines sit in a min-heap under a single Clock timer armed for the earliest one, rather than a
 * timer per request: gossip's ECHOs alone make N requests per node when N nodes meet, and on a
 * SimClock every timer is an entry in one sorted queue.
 */
import type { Clock, Timer } from '../seams/index.js';
import { NetError } from './errors.js';
import { MinHeap } from './heap.js';
import type { AnyInbound, Endpoint, TransportStats } from './transport.js';

interface Pending {
  to: Endpoint;
  resolve: (msg: AnyInbound) => void;
  reject: (e: Error) => void;
  deadlineMs: number;
  timeoutMs: number;
}

interface Deadline {
  atMs: number;
  id: number;
}

export class RequestTracker {
  private readonly pending = new Map<number, Pending>();
  /** Min-heap on atMs. Entries of settled requests stay until they surface, then are skipped. */
  private readonly heap = new MinHeap<Deadline>(before);
  private timer: Timer | undefined;
  private timerAtMs = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly stats: TransportStats,
  ) {}

  /** Registers request `id` to `to`; the promise settles on complete(), timeout, fail() or failAll(). */
  expect(id: number, to: Endpoint, timeoutMs: number): Promise<AnyInbound> {
    // Ids wrap at 2^32; one still pending after 4 billion requests is a leak, not a reuse.
    if (this.pending.has(id)) throw new Error(`request id ${id} is already pending`);
    return new Promise<AnyInbound>((resolve, reject) => {
      const deadlineMs = this.clock.monotonicMs() + Math.max(0, timeoutMs);
      this.pending.set(id, { to, resolve, reject, deadlineMs, timeoutMs });
      this.heap.push({ atMs: deadlineMs, id });
      this.arm();
    });
  }

  /** Settles the request a response answers; false when none waits for it (late or foreign). */
  complete(msg: AnyInbound): boolean {
    const p = this.pending.get(msg.id);
    if (p === undefined || p.to !== msg.from) return false;
    this.pending.delete(msg.id);
    p.resolve(msg);
    return true;
  }

  /** Fails one pending request early (its message could not be sent). */
  fail(id: number, error: Error): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    p.reject(error);
  }

  failAll(error: Error): void {
    for (const [id] of [...this.pending]) this.fail(id, error);
    this.heap.clear();
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAtMs = Infinity;
  }

  size(): number {
    return this.pending.size;
  }

  private arm(): void {
    const top = this.heap.peek();
    if (top === undefined || top.atMs >= this.timerAtMs) return;
    this.timer?.cancel();
    this.timerAtMs = top.atMs;
    // A timer may fire a fraction of a millisecond before the monotonic clock reaches the deadline;
    // expire() then re-arms for the remainder.
    this.timer = this.clock.setTimer(Math.max(0, top.atMs - this.clock.monotonicMs()), () => this.expire());
  }

  private expire(): void {
    this.timer = undefined;
    this.timerAtMs = Infinity;
    const nowMs = this.clock.monotonicMs();
    // Bounded by the heap's size: each pass removes one entry.
    while (this.heap.size > 0 && this.heap.peek()!.atMs <= nowMs) {
      const { id, atMs } = this.heap.pop()!;
      const p = this.pending.get(id);
      if (p === undefined || p.deadlineMs !== atMs) continue;
      this.pending.delete(id);
      this.stats.requestTimeouts++;
      p.reject(new NetError('REQUEST_TIMEOUT', `no response from ${p.to} within ${p.timeoutMs} ms`));
    }
    this.arm();
  }
}

/** Earlier deadline first; equal deadlines in request order, so timeouts fire deterministically. */
function before(a: Deadline, b: Deadline): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.id < b.id);
}

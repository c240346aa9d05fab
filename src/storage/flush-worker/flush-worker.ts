import { Worker } from 'node:worker_threads';
import type { FlushSnapshot } from '../memtable/index.js';
import type { FlushJob, FlushResult } from './protocol.js';

/** A flush that failed on the worker thread: the thread's error, its name and message kept. */
export class FlushWorkerError extends Error {
  constructor(
    message: string,
    readonly causeName: string,
    readonly threadStack?: string,
  ) {
    super(message);
    this.name = 'FlushWorkerError';
  }
}

// Under the test runner this module is TypeScript, loaded through a hook the thread inherits.
const THREAD_URL = new URL(import.meta.url.endsWith('.ts') ? './thread.ts' : './thread.js', import.meta.url);

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * Writes flushed SSTables on a worker thread, so that encoding, checksumming and writing a
 * memtable's bytes (a quarter of a write-heavy node's CPU, measured) runs beside the event loop
 * instead of on it. The thread starts at the first flush and keeps the process alive only while
 * a flush is in flight. Only for the real filesystem: the thread opens files itself.
 */
export class FlushWorker {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private closed = false;

  /** Writes an SSTable of generation `generation` in dir from the snapshot; resolves once it is durable under its final names. */
  write(dir: string, generation: number, bloomFilterFpChance: number, snapshot: FlushSnapshot): Promise<void> {
    if (this.closed) return Promise.reject(new Error('flush worker closed'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    const job: FlushJob = { id, dir, generation, bloomFilterFpChance, snapshot };
    // The arrays are the snapshot's own: moved, not copied. The slabs are shared memory.
    const transfer = [snapshot.his, snapshot.los, snapshot.keyLocs, snapshot.keyLens, snapshot.rowLocs, snapshot.extraOf, ...snapshot.extras.map((x) => x.rowLocs)].map((a) => a.buffer as ArrayBuffer);
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage(job, transfer);
    });
  }

  /** Stops the thread; flushes still in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w !== null) await w.terminate();
    this.failAll(new Error('flush worker closed'));
  }

  private start(): Worker {
    const w = new Worker(THREAD_URL);
    w.unref();
    w.on('message', (r: FlushResult) => {
      const waiter = this.waiting.get(r.id);
      if (waiter === undefined) return;
      this.waiting.delete(r.id);
      if (this.waiting.size === 0) w.unref();
      if (r.ok) waiter.resolve();
      else waiter.reject(new FlushWorkerError(`flush on the worker thread failed: ${r.name}: ${r.message}`, r.name, r.stack));
    });
    // An error escaping the thread, or its exit, fails what it had; the next flush starts a new one.
    w.on('error', (err: Error) => this.lost(w, err));
    w.on('exit', (code) => this.lost(w, new Error(`flush worker thread exited with code ${code}`)));
    this.worker = w;
    return w;
  }

  private lost(w: Worker, err: Error): void {
    if (this.worker !== w) return;
    this.worker = null;
    this.failAll(new FlushWorkerError(`flush on the worker thread failed: ${err.message}`, err.name, err.stack));
  }

  private failAll(err: Error): void {
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiters) w.reject(err);
  }
}

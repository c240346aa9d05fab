import type { FlushSnapshot } from '../memtable/index.js';

/** One SSTable to write from a memtable snapshot: the message the event loop posts to the thread. */
export interface FlushJob {
  readonly id: number;
  readonly dir: string;
  readonly generation: number;
  readonly bloomFilterFpChance: number;
  readonly snapshot: FlushSnapshot;
}

/** The thread's answer to a job: done (the SSTable is durable under its final names) or failed. */
export type FlushResult =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly name: string; readonly message: string; readonly stack: string | undefined };

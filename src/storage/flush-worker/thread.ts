/**
 * The flush worker thread: writes SSTables from memtable snapshots with its own RealFs, one job
 * after another, and answers each with done or the error. The snapshot's slabs are shared
 * memory the event loop no longer writes; everything else in it was copied or transferred.
 */
import { parentPort } from 'node:worker_threads';
import { RealFs } from '../../seams/index.js';
import { writeFlushSnapshot } from '../memtable/index.js';
import type { FlushSnapshot } from '../memtable/index.js';
import { SSTableWriter } from '../sstable/index.js';
import type { FlushJob, FlushResult } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('flush-worker/thread.ts runs only as a worker thread');
const fs = new RealFs();

/**
 * Buffers inside the snapshot's objects (static rows, range tombstones) arrive as plain
 * Uint8Arrays: the writer compares and slices them as Buffers, so they are wrapped again.
 */
function rebuffered<T>(v: T): T {
  if (v instanceof Uint8Array) return (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)) as T;
  if (Array.isArray(v)) return v.map(rebuffered) as T;
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = rebuffered(x);
    return out as T;
  }
  return v;
}

async function run(job: FlushJob): Promise<void> {
  const snap: FlushSnapshot = { ...job.snapshot, extras: job.snapshot.extras.map((x) => ({ ...rebuffered({ deletion: x.deletion, staticRow: x.staticRow, rangeTombstones: x.rangeTombstones }), rowLocs: x.rowLocs })) };
  const writer = SSTableWriter.create(fs, job.dir, job.generation, {
    bloomFilterFpChance: job.bloomFilterFpChance,
    expectedPartitions: snap.his.length,
    columns: snap.columns,
  });
  try {
    for (const _ of writeFlushSnapshot(writer, snap, Infinity));
    await writer.finishFiles();
  } catch (err) {
    // Nothing of a failed generation stays behind (an open of the directory would remove a
    // TOC-less one anyway, but not before the next restart).
    try {
      writer.abort();
    } catch {
      // abort() after finish's renames began: the TOC-less files go at the next open.
    }
    throw err;
  }
}

let chain: Promise<void> = Promise.resolve();
port.on('message', (job: FlushJob) => {
  chain = chain.then(async () => {
    let result: FlushResult;
    try {
      await run(job);
      result = { id: job.id, ok: true };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      result = { id: job.id, ok: false, name: e.name, message: e.message, stack: e.stack };
    }
    port.postMessage(result);
  });
});

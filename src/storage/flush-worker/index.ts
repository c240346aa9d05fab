/** Flushes on a worker thread: memtable snapshots written to SSTables beside the event loop. */
export { FlushWorker, FlushWorkerError } from './flush-worker.js';

export { Memtable, MemtableCursor, writeFlushSnapshot } from './memtable.js';
export type { FlushExtra, FlushSnapshot } from './memtable.js';
export { BTree } from './btree.js';

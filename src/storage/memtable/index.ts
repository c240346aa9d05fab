export { Memtable, MemtableCursor } from './memtable.js';
export { BTree } from './btree.js';

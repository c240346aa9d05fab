export { Memtable } from './memtable.js';
export { BTree } from './btree.js';

// sorted-btree is CommonJS with `exports.default`; under NodeNext the default import is the whole
// module object, so the class is its `default` property. Unwrap it once here.
import sortedBtree from 'sorted-btree';

type BTreeClass = (typeof sortedBtree)['default'];

export const BTree: BTreeClass = (sortedBtree as unknown as { default: BTreeClass }).default;
export type BTree<K, V> = import('sorted-btree').default<K, V>;
